#pragma once
// A disk whose WAL syncs or writes fail, or are slow, on demand, for a
// RocksDB store opened with its env(): the write-ahead log's fsync (or its
// appends) answers an I/O error while failing is on, as a disk that loses
// its connection or fills up would, and a sync (or an append) takes
// `slow_wal_syncs` (`slow_wal_writes`) longer. The table files that flushes
// and compactions write fail on demand too: as a full disk does (retryable
// "no space") or as a broken one does (an I/O error). Everything else goes
// to the real file system.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>

#include <rocksdb/env.h>
#include <rocksdb/file_system.h>

namespace ticketing::testing {

class FailingDisk {
 public:
  FailingDisk() : fs_(std::make_shared<Fs>(*this)), env_(rocksdb::NewCompositeEnv(fs_)) {}
  FailingDisk(FailingDisk const&) = delete;
  FailingDisk& operator=(FailingDisk const&) = delete;

  [[nodiscard]] rocksdb::Env* env() const { return env_.get(); }
  void fail_wal_syncs(bool on) { failing_ = on; }
  void fail_wal_writes(bool on) { failing_writes_ = on; }
  void slow_wal_syncs(std::chrono::milliseconds extra) { extra_ms_ = extra.count(); }
  void slow_wal_writes(std::chrono::milliseconds extra) { extra_write_ms_ = extra.count(); }
  // How the table files' appends fail: not at all, as a full disk, or as a
  // broken one.
  enum class TableFault { none, no_space, io_error };
  void fail_table_writes(TableFault fault) { table_fault_ = fault; }
  // Table file appends answered with an error so far.
  [[nodiscard]] int failed_table_writes() const { return failed_table_writes_; }
  // WAL appends begun so far.
  [[nodiscard]] int writes() const { return writes_; }
  // WAL syncs answered with an error so far.
  [[nodiscard]] int failed_syncs() const { return failed_; }

 private:
  [[nodiscard]] rocksdb::IOStatus sync_result() {
    if (auto const extra = extra_ms_.load(); extra > 0) std::this_thread::sleep_for(std::chrono::milliseconds(extra));
    if (!failing_) return rocksdb::IOStatus::OK();
    ++failed_;
    return rocksdb::IOStatus::IOError("the disk failed a sync");
  }

  [[nodiscard]] rocksdb::IOStatus write_result() {
    ++writes_;
    if (auto const extra = extra_write_ms_.load(); extra > 0) {
      std::this_thread::sleep_for(std::chrono::milliseconds(extra));
    }
    return failing_writes_ ? rocksdb::IOStatus::IOError("the disk failed a write") : rocksdb::IOStatus::OK();
  }

  [[nodiscard]] rocksdb::IOStatus table_write_result() {
    switch (table_fault_.load()) {
      case TableFault::none: return rocksdb::IOStatus::OK();
      case TableFault::no_space: {
        ++failed_table_writes_;
        auto full = rocksdb::IOStatus::NoSpace("the disk is full");
        full.SetRetryable(true);  // as RocksDB's own file system marks ENOSPC
        return full;
      }
      case TableFault::io_error: ++failed_table_writes_; return rocksdb::IOStatus::IOError("the disk failed a write");
    }
    return rocksdb::IOStatus::OK();
  }

  class TableFile final : public rocksdb::FSWritableFileOwnerWrapper {
   public:
    TableFile(std::unique_ptr<rocksdb::FSWritableFile> file, FailingDisk& disk)
        : FSWritableFileOwnerWrapper(std::move(file)), disk_(disk) {}
    rocksdb::IOStatus Append(rocksdb::Slice const& data, rocksdb::IOOptions const& options,
                             rocksdb::IODebugContext* dbg) override {
      auto s = disk_.table_write_result();
      return s.ok() ? target()->Append(data, options, dbg) : s;
    }
    rocksdb::IOStatus Append(rocksdb::Slice const& data, rocksdb::IOOptions const& options,
                             rocksdb::DataVerificationInfo const& info, rocksdb::IODebugContext* dbg) override {
      auto s = disk_.table_write_result();
      return s.ok() ? target()->Append(data, options, info, dbg) : s;
    }

   private:
    FailingDisk& disk_;
  };

  class WalFile final : public rocksdb::FSWritableFileOwnerWrapper {
   public:
    WalFile(std::unique_ptr<rocksdb::FSWritableFile> file, FailingDisk& disk)
        : FSWritableFileOwnerWrapper(std::move(file)), disk_(disk) {}
    rocksdb::IOStatus Append(rocksdb::Slice const& data, rocksdb::IOOptions const& options,
                             rocksdb::IODebugContext* dbg) override {
      auto s = disk_.write_result();
      return s.ok() ? target()->Append(data, options, dbg) : s;
    }
    rocksdb::IOStatus Append(rocksdb::Slice const& data, rocksdb::IOOptions const& options,
                             rocksdb::DataVerificationInfo const& info, rocksdb::IODebugContext* dbg) override {
      auto s = disk_.write_result();
      return s.ok() ? target()->Append(data, options, info, dbg) : s;
    }
    rocksdb::IOStatus Sync(rocksdb::IOOptions const& options, rocksdb::IODebugContext* dbg) override {
      auto s = disk_.sync_result();
      return s.ok() ? target()->Sync(options, dbg) : s;
    }
    rocksdb::IOStatus Fsync(rocksdb::IOOptions const& options, rocksdb::IODebugContext* dbg) override {
      auto s = disk_.sync_result();
      return s.ok() ? target()->Fsync(options, dbg) : s;
    }

   private:
    FailingDisk& disk_;
  };

  class Fs final : public rocksdb::FileSystemWrapper {
   public:
    explicit Fs(FailingDisk& disk) : FileSystemWrapper(rocksdb::FileSystem::Default()), disk_(disk) {}
    [[nodiscard]] char const* Name() const override { return "FailingDisk"; }
    rocksdb::IOStatus NewWritableFile(std::string const& name, rocksdb::FileOptions const& options,
                                      std::unique_ptr<rocksdb::FSWritableFile>* file,
                                      rocksdb::IODebugContext* dbg) override {
      auto s = target()->NewWritableFile(name, options, file, dbg);
      if (s.ok() && name.ends_with(".log")) *file = std::make_unique<WalFile>(std::move(*file), disk_);
      if (s.ok() && name.ends_with(".sst")) *file = std::make_unique<TableFile>(std::move(*file), disk_);
      return s;
    }

   private:
    FailingDisk& disk_;
  };

  std::atomic<bool> failing_{false};
  std::atomic<bool> failing_writes_{false};
  std::atomic<int> failed_{0};
  std::atomic<std::int64_t> extra_ms_{0};
  std::atomic<std::int64_t> extra_write_ms_{0};
  std::atomic<int> writes_{0};
  std::atomic<TableFault> table_fault_{TableFault::none};
  std::atomic<int> failed_table_writes_{0};
  std::shared_ptr<rocksdb::FileSystem> fs_;
  std::unique_ptr<rocksdb::Env> env_;
};

}  // namespace ticketing::testing

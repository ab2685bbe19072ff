#pragma once
// Damages the data block of a RocksDB store that holds a key, so reading that
// block fails its checksum while the store still opens (its index and meta
// blocks stay intact), and can undo the damage: a disk that fails for a while.

#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include <doctest/doctest.h>
#include <rocksdb/db.h>

namespace ticketing::testing {

class DamagedBlock {
 public:
  // Rewrites everything the store at `path` holds, in every column family,
  // into uncompressed table files, then overwrites `bytes` (a key, or the
  // part of one that is not shared with the key before it, or bytes of a
  // value) in the one table file that holds them. The store must be closed
  // and use the default key order.
  DamagedBlock(std::filesystem::path const& path, std::string const& bytes) : original_(bytes) {
    {
      rocksdb::Options options;
      options.compression = rocksdb::kNoCompression;
      std::vector<std::string> names;
      REQUIRE(rocksdb::DB::ListColumnFamilies(options, path.string(), &names).ok());
      std::vector<rocksdb::ColumnFamilyDescriptor> families;
      for (auto const& name : names) families.emplace_back(name, rocksdb::ColumnFamilyOptions(options));
      std::vector<rocksdb::ColumnFamilyHandle*> handles;
      rocksdb::DB* raw = nullptr;
      REQUIRE(rocksdb::DB::Open(options, path.string(), families, &handles, &raw).ok());
      std::unique_ptr<rocksdb::DB> db(raw);
      rocksdb::CompactRangeOptions all;
      all.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
      for (auto* handle : handles) {
        REQUIRE(db->CompactRange(all, handle, nullptr, nullptr).ok());
        REQUIRE(db->DestroyColumnFamilyHandle(handle).ok());
      }
    }
    int found = 0;
    for (auto const& entry : std::filesystem::directory_iterator(path)) {
      if (entry.path().extension() != ".sst") continue;
      std::ifstream in(entry.path(), std::ios::binary);
      std::string const content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      auto const at = content.find(original_);
      if (at == std::string::npos) continue;
      file_ = entry.path();
      at_ = static_cast<std::streamoff>(at);
      ++found;
    }
    REQUIRE(found == 1);
    write(std::string(original_.size(), '\xA5'));
  }

  // Puts the original bytes back: the block reads again.
  void repair() { write(original_); }

 private:
  void write(std::string const& bytes) const {
    std::fstream file(file_, std::ios::in | std::ios::out | std::ios::binary);
    file.seekp(at_);
    file.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    REQUIRE(file.good());
  }

  std::string original_;
  std::filesystem::path file_;
  std::streamoff at_{0};
};

}  // namespace ticketing::testing

#include "eventstore/store_files.hpp"

#include <filesystem>
#include <system_error>

#include <rocksdb/db.h>
#include <rocksdb/options.h>
#include <rocksdb/write_batch.h>

#include "eventstore/small_store.hpp"

namespace ticketing {

void bound_diagnostic_log(rocksdb::DBOptions& options) {
  options.max_log_file_size = std::size_t{16} << 20;
  options.keep_log_file_num = 4;
}

namespace {

std::size_t wal_files(std::string const& path) {
  std::size_t count = 0;
  std::error_code ec;
  for (auto const& entry : std::filesystem::directory_iterator(path, ec)) {
    if (entry.path().extension() == ".log") ++count;
  }
  return count;
}

}  // namespace

Result<void> drop_spent_wal_files(rocksdb::DB& db, std::string const& path,
                                  std::vector<rocksdb::ColumnFamilyHandle*> const& families, std::string_view marker) {
  if (families.empty() || wal_files(path) <= kMaxWalFiles) return {};
  // A family whose memtable is empty gives up its claim on older WAL files
  // only when some memtable is switched, and a flush switches only memtables
  // that hold something: the marker makes sure one does.
  rocksdb::WriteBatch batch;
  auto status = batch.Put(families.front(), marker, "");
  if (status.ok()) status = batch.Delete(families.front(), marker);
  if (status.ok()) status = db.Write(rocksdb::WriteOptions(), &batch);
  if (!status.ok()) return storage_error("dropping spent WAL files", status);
  rocksdb::FlushOptions flush;
  flush.wait = false;  // the open is not held up; the files go when it is done
  status = db.Flush(flush, families);
  if (!status.ok()) return storage_error("dropping spent WAL files", status);
  return {};
}

}  // namespace ticketing

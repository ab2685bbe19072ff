#include "eventstore/store_files.hpp"

#include <filesystem>
#include <system_error>

#include <rocksdb/db.h>
#include <rocksdb/options.h>
#include <rocksdb/write_batch.h>

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

void drop_spent_wal_files(rocksdb::DB& db, std::string const& path,
                          std::vector<rocksdb::ColumnFamilyHandle*> const& families, std::string_view marker) {
  if (families.empty() || wal_files(path) <= kMaxWalFiles) return;
  // A family whose memtable is empty gives up its claim on older WAL files
  // only when some memtable is switched, and a flush switches only memtables
  // that hold something: the marker makes sure one does.
  rocksdb::WriteBatch batch;
  if (!batch.Put(families.front(), marker, "").ok() || !batch.Delete(families.front(), marker).ok()) return;
  if (!db.Write(rocksdb::WriteOptions(), &batch).ok()) return;
  rocksdb::FlushOptions flush;
  flush.wait = false;               // the open is not held up; the files go when it is done
  (void)db.Flush(flush, families);  // a failure leaves the files for a later open
}

}  // namespace ticketing

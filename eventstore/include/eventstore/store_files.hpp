#pragma once
// What each RocksDB database of the server keeps on disk besides its data,
// kept bounded: RocksDB's own diagnostic log and the WAL files of earlier
// runs.

#include <string>
#include <string_view>
#include <vector>

namespace rocksdb {
class DB;
class ColumnFamilyHandle;
struct DBOptions;
}  // namespace rocksdb

namespace ticketing {

// RocksDB's diagnostic log (LOG) rolls at 16 MiB and the 4 newest earlier
// ones are kept (RocksDB's defaults: one file that grows for as long as the
// process runs, and 1,000 earlier ones, one more per open).
void bound_diagnostic_log(rocksdb::DBOptions& options);

// The WAL files a database may hold after an open, the new one included.
inline constexpr std::size_t kMaxWalFiles = 4;

// Every open starts a new WAL file, and RocksDB keeps the earlier ones, even
// empty, until a family's memtable is next switched: a server restarted more
// often than it fills a memtable gathers one per start, each read by every
// later open. Called right after an open: when the database's directory
// holds more than kMaxWalFiles of them, switches every family's memtable (a
// write of `marker` into `families[0]` and its deletion, which leave nothing
// behind, then a flush that does not wait), after which RocksDB deletes
// every WAL file no family needs (until then, for a moment, the flush's new
// WAL file makes two more). Housekeeping, never a reason to refuse the open:
// if the write or the flush fails (a full disk), the files stay until a
// later open, and nothing is lost either way (what a WAL holds stays until
// it is flushed). The store's own writes then meet the disk's fault and
// report it as they do any.
void drop_spent_wal_files(rocksdb::DB& db, std::string const& path,
                          std::vector<rocksdb::ColumnFamilyHandle*> const& families, std::string_view marker);

}  // namespace ticketing

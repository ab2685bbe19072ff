#include "eventstore/small_store.hpp"

#include <rocksdb/db.h>

namespace ticketing {

Result<std::unique_ptr<rocksdb::DB>> open_small_store(std::string const& path, std::string_view what) {
  rocksdb::Options options;
  options.create_if_missing = true;
  options.write_buffer_size = 4 << 20;
  rocksdb::DB* raw = nullptr;
  auto const status = rocksdb::DB::Open(options, path, &raw);
  if (!status.ok()) return make_error(ErrorCode::unavailable, std::string(what) + ": " + status.ToString());
  return std::unique_ptr<rocksdb::DB>(raw);
}

}  // namespace ticketing

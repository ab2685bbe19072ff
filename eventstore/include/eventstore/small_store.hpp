#pragma once
// Opening the small RocksDB databases beside the log (the API's response
// store, the saga's timers, the sandbox gateway's records): created if
// missing, with a small write buffer, since little is written to them.

#include <memory>
#include <string>
#include <string_view>

#include "domain/result.hpp"

namespace rocksdb {
class DB;
}

namespace ticketing {

// unavailable, naming `what`, if the database cannot be opened (for example
// while another process holds it).
[[nodiscard]] Result<std::unique_ptr<rocksdb::DB>> open_small_store(std::string const& path, std::string_view what);

}  // namespace ticketing

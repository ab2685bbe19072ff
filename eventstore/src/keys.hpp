#pragma once
// Internal: big-endian key encodings of the RocksDB layout (rocksdb_log.hpp).

#include <cstdint>
#include <string>
#include <string_view>

#include "encoding/byte_order.hpp"
#include "eventstore/commit.hpp"

namespace ticketing::keys {

using bytes::get_be32;
using bytes::get_be64;
using bytes::put_be32;
using bytes::put_be64;

inline std::string commit_key(std::uint32_t partition, std::uint64_t offset) {
  std::string k;
  k.reserve(12);
  put_be32(k, partition);
  put_be64(k, offset);
  return k;
}

inline std::string stream_prefix(std::string_view stream) {
  std::string k(stream);
  k += '\0';
  return k;
}

inline std::string stream_key(std::string_view stream, std::uint64_t version) {
  std::string k = stream_prefix(stream);
  put_be64(k, version);
  return k;
}

inline std::string position_value(Position p) { return commit_key(p.partition, p.offset); }
inline Position read_position(std::string_view v) { return Position{get_be32(v), get_be64(v.substr(4))}; }

}  // namespace ticketing::keys

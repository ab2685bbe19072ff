#pragma once
// Internal: big-endian key encodings of the RocksDB layout (rocksdb_log.hpp).

#include <cstdint>
#include <string>
#include <string_view>

#include "eventstore/commit.hpp"

namespace ticketing::keys {

inline void put_be32(std::string& out, std::uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out += static_cast<char>((v >> shift) & 0xFF);
}
inline void put_be64(std::string& out, std::uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8) out += static_cast<char>((v >> shift) & 0xFF);
}
inline std::uint32_t get_be32(std::string_view in) {
  std::uint32_t v = 0;
  for (std::size_t i = 0; i < 4; ++i) v = (v << 8) | static_cast<unsigned char>(in[i]);
  return v;
}
inline std::uint64_t get_be64(std::string_view in) {
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < 8; ++i) v = (v << 8) | static_cast<unsigned char>(in[i]);
  return v;
}

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

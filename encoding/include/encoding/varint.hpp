#pragma once
// Variable-length integers in byte strings: LEB128 (seven bits a byte, the
// lowest first, the high bit set while more follow) and, for signed values,
// zigzag (0, -1, 1, -2 ... as 0, 1, 2, 3 ...), so that small magnitudes take
// one byte. The lengths and numbers of the compact stored encodings: the
// log's commits and the read models' rows.

#include <cstdint>
#include <string>
#include <string_view>

namespace ticketing::varint {

inline void put(std::string& out, std::uint64_t v) {
  while (v >= 0x80) {
    out += static_cast<char>((v & 0x7F) | 0x80);
    v >>= 7;
  }
  out += static_cast<char>(v);
}

inline void put_signed(std::string& out, std::int64_t v) {
  put(out, (static_cast<std::uint64_t>(v) << 1) ^ static_cast<std::uint64_t>(v >> 63));
}

// Reads one from the front of `in` and drops it from `in`; false if `in`
// ends first or the value runs past ten bytes.
inline bool get(std::string_view& in, std::uint64_t& v) noexcept {
  v = 0;
  for (unsigned shift = 0; shift < 64 && !in.empty(); shift += 7) {
    auto const byte = static_cast<unsigned char>(in.front());
    in.remove_prefix(1);
    v |= static_cast<std::uint64_t>(byte & 0x7F) << shift;
    if ((byte & 0x80) == 0) return true;
  }
  return false;
}

inline bool get_signed(std::string_view& in, std::int64_t& v) noexcept {
  std::uint64_t z = 0;
  if (!get(in, z)) return false;
  v = static_cast<std::int64_t>((z >> 1) ^ (~(z & 1) + 1));
  return true;
}

}  // namespace ticketing::varint

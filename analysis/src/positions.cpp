#include "analysis/positions.hpp"

#include <charconv>

namespace ticketing::analysis {

Result<Positions> parse_positions(std::string_view text, std::uint32_t partitions) {
  Positions out(partitions, 0);
  std::vector<bool> seen(partitions, false);
  auto const invalid = [](std::string message) { return make_error(ErrorCode::invalid_input, std::move(message)); };
  while (!text.empty()) {
    auto const comma = text.find(',');
    std::string_view const pair = text.substr(0, comma);
    auto const colon = pair.find(':');
    if (colon == std::string_view::npos) return invalid("positions are PARTITION:OFFSET pairs, comma-separated");
    std::uint32_t p = 0;
    std::uint64_t offset = 0;
    auto const key = pair.substr(0, colon);
    auto const value = pair.substr(colon + 1);
    if (std::from_chars(key.data(), key.data() + key.size(), p).ptr != key.data() + key.size() || key.empty() ||
        std::from_chars(value.data(), value.data() + value.size(), offset).ptr != value.data() + value.size() ||
        value.empty()) {
      return invalid("not a position: " + std::string(pair));
    }
    if (p >= partitions) return invalid("partition " + std::to_string(p) + " is out of range");
    if (seen[p]) return invalid("partition " + std::to_string(p) + " is listed twice");
    seen[p] = true;
    out[p] = offset;
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return out;
}

std::string format_positions(Positions const& positions) {
  std::string out;
  for (std::size_t p = 0; p < positions.size(); ++p) {
    if (p != 0) out += ',';
    out += std::to_string(p) + ':' + std::to_string(positions[p]);
  }
  return out;
}

}  // namespace ticketing::analysis

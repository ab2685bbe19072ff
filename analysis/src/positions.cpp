#include "analysis/positions.hpp"

#include <charconv>

namespace ticketing::analysis {
namespace {

Error invalid(std::string message) { return make_error(ErrorCode::invalid_input, std::move(message)); }

template <class Number>
bool parse_number(std::string_view text, Number& out) {
  return !text.empty() && std::from_chars(text.data(), text.data() + text.size(), out).ptr == text.data() + text.size();
}

}  // namespace

Result<EventPosition> parse_event_position(std::string_view text, std::uint32_t partitions) {
  EventPosition out{Positions(partitions, 0), 0, 0};
  std::vector<bool> seen(partitions, false);
  while (!text.empty()) {
    auto const comma = text.find(',');
    std::string_view const pair = text.substr(0, comma);
    auto const colon = pair.find(':');
    if (colon == std::string_view::npos) return invalid("positions are PARTITION:OFFSET pairs, comma-separated");
    std::string_view const key = pair.substr(0, colon);
    std::string_view value = pair.substr(colon + 1);
    std::uint32_t events = 0;
    if (auto const dot = value.find('.'); dot != std::string_view::npos) {
      if (!parse_number(value.substr(dot + 1), events) || events == 0)
        return invalid("not a position: " + std::string(pair));
      if (out.events_behind > 0) return invalid("only one partition may be inside a commit");
      value = value.substr(0, dot);
    }
    std::uint32_t p = 0;
    std::uint64_t offset = 0;
    if (!parse_number(key, p) || !parse_number(value, offset)) return invalid("not a position: " + std::string(pair));
    if (p >= partitions) return invalid("partition " + std::to_string(p) + " is out of range");
    if (seen[p]) return invalid("partition " + std::to_string(p) + " is listed twice");
    seen[p] = true;
    out.cut[p] = offset;
    if (events > 0) {
      out.partition = p;
      out.events_behind = events;
    }
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return out;
}

Result<Positions> parse_positions(std::string_view text, std::uint32_t partitions) {
  auto parsed = parse_event_position(text, partitions);
  if (!parsed) return parsed.error();
  if (parsed->events_behind > 0) return invalid("positions are PARTITION:OFFSET pairs, comma-separated");
  return std::move(parsed->cut);
}

std::string format_event_position(EventPosition const& position) {
  std::string out;
  for (std::size_t p = 0; p < position.cut.size(); ++p) {
    if (p != 0) out += ',';
    out += std::to_string(p) + ':' + std::to_string(position.cut[p]);
    if (position.events_behind > 0 && p == position.partition) out += '.' + std::to_string(position.events_behind);
  }
  return out;
}

std::string format_positions(Positions const& positions) { return format_event_position({positions, 0, 0}); }

}  // namespace ticketing::analysis

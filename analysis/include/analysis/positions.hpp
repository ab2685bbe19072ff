#pragma once
// A cut of the log: per partition, the offset of the next commit
// ("0:12,1:7,2:0,3:31"). An export prints where it ended in this form; the
// next one starts there with --after.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "domain/result.hpp"

namespace ticketing::analysis {

using Positions = std::vector<std::uint64_t>;

// invalid_input naming the fault: not "P:OFFSET" pairs, a partition out of
// range or listed twice. Partitions not listed start at 0.
[[nodiscard]] Result<Positions> parse_positions(std::string_view text, std::uint32_t partitions);
[[nodiscard]] std::string format_positions(Positions const& positions);

// A place between two events of the walk, for feeds that send one event at a
// time: a cut, and when the place falls inside a commit, how many of that
// commit's events lie behind it. "0:11.2,1:7" is the cut 0:11,1:7 plus the
// first two events of the commit at partition 0, offset 11.
struct EventPosition {
  Positions cut;
  std::uint32_t partition{0};  // of the commit partly behind, when events_behind > 0
  std::uint32_t events_behind{0};
};
// As parse_positions; at most one partition may carry ".K" (K >= 1).
[[nodiscard]] Result<EventPosition> parse_event_position(std::string_view text, std::uint32_t partitions);
[[nodiscard]] std::string format_event_position(EventPosition const& position);

}  // namespace ticketing::analysis

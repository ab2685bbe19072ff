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

}  // namespace ticketing::analysis

#pragma once
// Time is a value passed in by callers; the domain never reads a clock.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace ticketing {

using Instant = std::chrono::sys_time<std::chrono::milliseconds>;
using Duration = std::chrono::milliseconds;

// ISO-8601 UTC with milliseconds: 2026-11-21T10:11:12.345Z
[[nodiscard]] std::string format_iso8601(Instant t);
// The same text appended to `out` (no allocation when `out` has room).
void append_iso8601(std::string& out, Instant t);
// Accepts exactly the format above; nullopt for anything else.
[[nodiscard]] std::optional<Instant> parse_iso8601(std::string_view s);
// A time a person types: ISO-8601 UTC as a day (2026-11-28), to the second
// (2026-11-28T14:05:00Z) or as above; nullopt for anything else.
[[nodiscard]] std::optional<Instant> parse_utc_time(std::string_view text);

[[nodiscard]] inline std::int64_t to_millis(Instant t) noexcept { return t.time_since_epoch().count(); }
[[nodiscard]] inline Instant from_millis(std::int64_t ms) noexcept { return Instant{Duration{ms}}; }

}  // namespace ticketing

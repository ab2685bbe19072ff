#pragma once
// The ticketing server as the HTTP benchmarks run it: a child process on a
// fresh data directory, on a free port of 127.0.0.1, with password hashing
// at the "minimum" cost (signing up many buyers measures the API, not
// Argon2id) and sign-ups unthrottled; and what the benchmarks read of it.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <sys/types.h>
#include <vector>

#include "http_load.hpp"

namespace ticketing::bench {

struct Child {
  pid_t pid{-1};
  std::uint16_t port{0};
};

// Starts `binary serve` on `data` with `extra` flags; its log goes to
// DATA.log. Exits the benchmark if the server does not start.
Child start_server(std::string const& binary, std::filesystem::path const& data,
                   std::vector<std::string> const& extra = {});
// SIGTERM, then waits for the process to end.
void stop(Child const& child);

// A field of /proc/PID/status ("VmHWM"), as the kernel prints it.
std::string proc_status(pid_t pid, std::string const& field);
// The CPU time the process has used (user and system), in clock ticks.
long cpu_ticks(pid_t pid);
// Waits until the process is idle (under 5% of a core over a second), at
// most `limit`: a bulk load leaves RocksDB flushing and compacting for a
// while, and reads measured meanwhile would measure that. Returns the wait.
double wait_until_idle(pid_t pid, std::chrono::seconds limit);

// The string field `name` of a flat JSON object ("" when absent).
std::string json_field(std::string const& body, std::string const& name);
// Signs up `email` (password "password123"); the session cookie. Exits the
// benchmark on failure.
std::string sign_up(std::uint16_t port, std::string const& email);
// One line: rate, p50, p99, the count and the statuses.
void print(char const* name, LoadResult const& r);

}  // namespace ticketing::bench

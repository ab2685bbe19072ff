#pragma once
// Runs a `ticketing` subcommand as a child process and reads what it prints
// (test-only): to completion, or line by line while it follows the log.

#include <chrono>
#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

namespace ticketing::testing {

struct ToolResult {
  int status{-1};  // exit status; -1 if killed by a signal
  std::string out, err;
  [[nodiscard]] std::vector<std::string> lines() const;
};

// `ticketing <args...>`, waited for.
ToolResult run_tool(std::vector<std::string> const& args);

// `ticketing <args...>` left running (export --follow).
class ToolProcess {
 public:
  explicit ToolProcess(std::vector<std::string> const& args);
  ~ToolProcess();  // SIGKILL if still running
  ToolProcess(ToolProcess const&) = delete;
  ToolProcess& operator=(ToolProcess const&) = delete;

  // The next line of standard output, or nullopt if none came within `timeout`.
  std::optional<std::string> read_line(std::chrono::milliseconds timeout);
  // SIGINT, then what is left of its output and its exit status.
  ToolResult interrupt();
  [[nodiscard]] pid_t pid() const noexcept { return pid_; }

 private:
  pid_t pid_{-1};
  int out_{-1}, err_{-1};
  std::string pending_;
};

}  // namespace ticketing::testing

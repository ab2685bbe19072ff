#pragma once
// Runs the real `ticketing serve` as a child process on a free port, for API
// tests that speak real HTTP (test-only).

#include <chrono>
#include <cstdint>
#include <string>
#include <sys/types.h>
#include <vector>

#include "http_client.hpp"

namespace ticketing::testing {

class ServerProcess {
 public:
  // Starts `ticketing serve --data DIR --listen 127.0.0.1:0` with test-sized
  // password hashing, plus `extra_args`, with `env` (NAME, value) added to its
  // environment. Throws if it does not come up.
  explicit ServerProcess(std::string data_dir, std::vector<std::string> extra_args = {},
                         std::vector<std::pair<std::string, std::string>> env = {});

  // Before it starts (or restarts): the open-descriptor limit (soft and
  // hard) the process gets; 0 keeps the test's own.
  int descriptor_limit{0};
  ~ServerProcess();  // SIGTERM, then SIGKILL if it lingers
  ServerProcess(ServerProcess const&) = delete;
  ServerProcess& operator=(ServerProcess const&) = delete;

  [[nodiscard]] std::uint16_t port() const noexcept { return port_; }
  [[nodiscard]] pid_t pid() const noexcept { return pid_; }
  // CPU time (user + system) the process has used so far.
  [[nodiscard]] std::chrono::milliseconds cpu_time() const;
  [[nodiscard]] HttpClient client() const { return HttpClient(port_); }

  // SIGTERM and wait; returns the exit status (or -1 if it died by a signal).
  int terminate();
  // SIGKILL and wait: a crash.
  void kill9();
  // Starts again on the same data directory (on a new port).
  void restart();
  [[nodiscard]] bool running() const noexcept { return pid_ > 0; }
  [[nodiscard]] std::string const& data_dir() const noexcept { return data_dir_; }

 private:
  void start();
  std::string data_dir_;
  std::vector<std::string> extra_args_;
  std::vector<std::pair<std::string, std::string>> env_;
  pid_t pid_{-1};
  std::uint16_t port_{0};
};

// Signs up a fresh user on `client` (keeping the session cookie) and returns its id.
std::string sign_up(HttpClient& client, std::string const& email, std::string const& password = "password123");

}  // namespace ticketing::testing

#include "tool_process.hpp"

#include <csignal>
#include <poll.h>
#include <stdexcept>
#include <sys/wait.h>
#include <unistd.h>

namespace ticketing::testing {
namespace {

pid_t spawn(std::vector<std::string> const& args, int& out, int& err) {
  int o[2], e[2];
  if (::pipe(o) != 0 || ::pipe(e) != 0) throw std::runtime_error("pipe failed");
  pid_t const pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    ::dup2(o[1], 1);
    ::dup2(e[1], 2);
    ::close(o[0]);
    ::close(e[0]);
    std::vector<char*> argv;
    std::string binary = TICKETING_BINARY;
    argv.push_back(binary.data());
    std::vector<std::string> copy = args;
    for (auto& a : copy) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(binary.c_str(), argv.data());
    ::_exit(127);
  }
  ::close(o[1]);
  ::close(e[1]);
  out = o[0];
  err = e[0];
  return pid;
}

std::string drain(int fd) {
  std::string all;
  char buffer[65536];
  for (;;) {
    ssize_t const n = ::read(fd, buffer, sizeof buffer);
    if (n <= 0) break;
    all.append(buffer, static_cast<std::size_t>(n));
  }
  return all;
}

int wait_status(pid_t pid) {
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace

std::vector<std::string> ToolResult::lines() const {
  std::vector<std::string> out_lines;
  std::size_t start = 0;
  while (start < out.size()) {
    auto const end = out.find('\n', start);
    out_lines.push_back(out.substr(start, end - start));
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return out_lines;
}

ToolResult run_tool(std::vector<std::string> const& args) {
  int out = -1, err = -1;
  pid_t const pid = spawn(args, out, err);
  ToolResult r;
  // Standard error is small; standard output may be large: read both as they come.
  pollfd fds[2] = {{out, POLLIN, 0}, {err, POLLIN, 0}};
  bool open[2] = {true, true};
  char buffer[65536];
  while (open[0] || open[1]) {
    ::poll(fds, 2, -1);
    for (int i = 0; i < 2; ++i) {
      if (!open[i] || (fds[i].revents & (POLLIN | POLLHUP)) == 0) continue;
      ssize_t const n = ::read(fds[i].fd, buffer, sizeof buffer);
      if (n <= 0) {
        open[i] = false;
        fds[i].fd = -1;
        continue;
      }
      (i == 0 ? r.out : r.err).append(buffer, static_cast<std::size_t>(n));
    }
  }
  ::close(out);
  ::close(err);
  r.status = wait_status(pid);
  return r;
}

ToolProcess::ToolProcess(std::vector<std::string> const& args) { pid_ = spawn(args, out_, err_); }

ToolProcess::~ToolProcess() {
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
  if (out_ >= 0) ::close(out_);
  if (err_ >= 0) ::close(err_);
}

std::optional<std::string> ToolProcess::read_line(std::chrono::milliseconds timeout) {
  auto const deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (auto const nl = pending_.find('\n'); nl != std::string::npos) {
      std::string line = pending_.substr(0, nl);
      pending_.erase(0, nl + 1);
      return line;
    }
    auto const left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return std::nullopt;
    pollfd fd{out_, POLLIN, 0};
    if (::poll(&fd, 1, static_cast<int>(left.count())) <= 0) return std::nullopt;
    char buffer[65536];
    ssize_t const n = ::read(out_, buffer, sizeof buffer);
    if (n <= 0) return std::nullopt;
    pending_.append(buffer, static_cast<std::size_t>(n));
  }
}

ToolResult ToolProcess::interrupt() {
  ::kill(pid_, SIGINT);
  ToolResult r;
  r.out = pending_ + drain(out_);
  r.err = drain(err_);
  r.status = wait_status(pid_);
  pid_ = -1;
  return r;
}

}  // namespace ticketing::testing

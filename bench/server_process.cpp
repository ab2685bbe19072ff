#include "server_process.hpp"

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <sstream>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace ticketing::bench {

namespace fs = std::filesystem;

Child start_server(std::string const& binary, fs::path const& data, std::vector<std::string> const& extra) {
  int out[2];
  if (::pipe(out) != 0) std::exit(1);
  pid_t const pid = ::fork();
  if (pid == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    ::dup2(out[1], STDOUT_FILENO);
    std::FILE* log = std::fopen((data.string() + ".log").c_str(), "a");  // restarts add to it
    if (log != nullptr) ::dup2(fileno(log), STDERR_FILENO);
    ::setenv("JWT_KEY", "bench-key-0123456789abcdef0123456789abcdef", 1);
    std::vector<std::string> args{binary, "serve", "--data", data.string(), "--listen", "127.0.0.1:0",
                                  "--password-cost", "minimum", "--threads", "2",
                                  // 1,000 buyers sign up from this one address.
                                  "--signups-per-address", "100000"};
    args.insert(args.end(), extra.begin(), extra.end());
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(binary.c_str(), argv.data());
    _exit(127);
  }
  ::close(out[1]);
  std::string line;
  char c;
  while (::read(out[0], &c, 1) == 1 && c != '\n') line += c;
  ::close(out[0]);
  auto const colon = line.rfind(':');
  if (colon == std::string::npos) {
    std::fprintf(stderr, "server did not start: %s\n", line.c_str());
    std::exit(1);
  }
  return {pid, static_cast<std::uint16_t>(std::stoi(line.substr(colon + 1)))};
}

void stop(Child const& child) {
  ::kill(child.pid, SIGTERM);
  int status = 0;
  ::waitpid(child.pid, &status, 0);
}

std::string proc_status(pid_t pid, std::string const& field) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(field + ":", 0) == 0) {
      std::string v = line.substr(field.size() + 1);
      return v.substr(v.find_first_not_of(" \t"));
    }
  }
  return "?";
}

long cpu_ticks(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::istringstream fields(stat.substr(stat.rfind(')') + 2));  // after the command name
  std::string field;
  long utime = 0, stime = 0;
  for (int i = 3; fields >> field; ++i) {  // field 3 is the state
    if (i == 14) utime = std::stol(field);
    if (i == 15) {
      stime = std::stol(field);
      break;
    }
  }
  return utime + stime;
}

double wait_until_idle(pid_t pid, std::chrono::seconds limit) {
  auto const start = std::chrono::steady_clock::now();
  long const per_second = ::sysconf(_SC_CLK_TCK);
  long before = cpu_ticks(pid);
  while (std::chrono::steady_clock::now() - start < limit) {
    std::this_thread::sleep_for(std::chrono::seconds(1));
    long const now = cpu_ticks(pid);
    if ((now - before) * 20 < per_second) break;
    before = now;
  }
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

std::string json_field(std::string const& body, std::string const& name) {
  auto const at = body.find("\"" + name + "\":\"");
  if (at == std::string::npos) return {};
  auto const start = at + name.size() + 4;
  return body.substr(start, body.find('"', start) - start);
}

std::string sign_up(std::uint16_t port, std::string const& email) {
  std::string cookie;
  auto [status, body] = request_once(
      port, http_post("/api/users/signup", R"({"email":")" + email + R"(","password":"password123"})"), &cookie);
  if (status != 201) {
    std::fprintf(stderr, "sign up failed: %d %s\n", status, body.c_str());
    std::exit(1);
  }
  return cookie;
}

void print(char const* name, LoadResult const& r) {
  std::string statuses;
  for (auto const& [s, n] : r.statuses) statuses += std::to_string(s) + "x" + std::to_string(n) + " ";
  std::printf("%-44s %10.0f req/s  p50 %7.2f ms  p99 %7.2f ms  (%llu requests; %s)\n", name, r.rate(), r.p50_ms,
              r.p99_ms, static_cast<unsigned long long>(r.requests), statuses.c_str());
  std::fflush(stdout);
}

}  // namespace ticketing::bench

#include "server_process.hpp"

#include <chrono>
#include <fcntl.h>
#include <fstream>
#include <poll.h>
#include <signal.h>
#include <sstream>
#include <stdexcept>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace ticketing::testing {

ServerProcess::ServerProcess(std::string data_dir, std::vector<std::string> extra_args,
                             std::vector<std::pair<std::string, std::string>> env)
    : data_dir_(std::move(data_dir)), extra_args_(std::move(extra_args)), env_(std::move(env)) {
  start();
}

ServerProcess::~ServerProcess() {
  if (pid_ > 0) terminate();
}

void ServerProcess::start() {
  int out[2];
  if (::pipe(out) != 0) throw std::runtime_error("pipe failed");
  std::vector<std::string> args{TICKETING_BINARY, "serve",           "--data",  data_dir_,   "--listen",
                                "127.0.0.1:0",    "--password-cost", "minimum", "--threads", "2"};
  args.insert(args.end(), extra_args_.begin(), extra_args_.end());
  std::string const log = data_dir_ + ".server.log";
  pid_t const pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);  // a test that dies takes its server with it
    ::dup2(out[1], STDOUT_FILENO);
    int const err = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (err >= 0) ::dup2(err, STDERR_FILENO);
    ::close(out[0]);
    ::close(out[1]);
    ::setenv("JWT_KEY", "test-key-0123456789abcdef0123456789abcdef", 1);
    for (auto const& [name, value] : env_) ::setenv(name.c_str(), value.c_str(), 1);
    if (descriptor_limit > 0) {
      rlimit const limit{static_cast<rlim_t>(descriptor_limit), static_cast<rlim_t>(descriptor_limit)};
      ::setrlimit(RLIMIT_NOFILE, &limit);
    }
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(argv[0], argv.data());
    _exit(127);
  }
  ::close(out[1]);
  pid_ = pid;
  std::string line;
  auto const deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (line.find('\n') == std::string::npos && std::chrono::steady_clock::now() < deadline) {
    pollfd p{out[0], POLLIN, 0};
    if (::poll(&p, 1, 100) > 0) {
      char buf[256];
      auto const n = ::read(out[0], buf, sizeof buf);
      if (n <= 0) break;
      line.append(buf, static_cast<std::size_t>(n));
    }
  }
  ::close(out[0]);
  auto const colon = line.rfind(':');
  if (line.rfind("listening on ", 0) != 0 || colon == std::string::npos) {
    kill9();
    throw std::runtime_error("server did not start: " + line);
  }
  port_ = static_cast<std::uint16_t>(std::stoi(line.substr(colon + 1)));
}

int ServerProcess::terminate() {
  if (pid_ <= 0) return -1;
  ::kill(pid_, SIGTERM);
  int status = 0;
  for (int i = 0; i < 300; ++i) {
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  kill9();
  return -1;
}

void ServerProcess::kill9() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
}

std::chrono::milliseconds ServerProcess::cpu_time() const {
  std::ifstream stat("/proc/" + std::to_string(pid_) + "/stat");
  std::string line;
  std::getline(stat, line);
  // Fields after the command name (which may hold spaces, so find its ')'):
  // state is field 3; utime and stime are fields 14 and 15.
  std::istringstream rest(line.substr(line.rfind(')') + 2));
  std::string field;
  long long utime = 0, stime = 0;
  for (int i = 3; i <= 15 && rest >> field; ++i) {
    if (i == 14) utime = std::stoll(field);
    if (i == 15) stime = std::stoll(field);
  }
  return std::chrono::milliseconds((utime + stime) * 1000 / ::sysconf(_SC_CLK_TCK));
}

void ServerProcess::restart() {
  if (pid_ > 0) terminate();
  start();
}

std::string sign_up(HttpClient& client, std::string const& email, std::string const& password) {
  auto r = client.post("/api/users/signup", {{"email", email}, {"password", password}});
  if (r.status != 201) throw std::runtime_error("sign up failed: " + std::to_string(r.status) + " " + r.body);
  return std::string(r.json().at("id").as_string());
}

}  // namespace ticketing::testing

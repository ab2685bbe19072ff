#include "kafka_process.hpp"

#include <chrono>
#include <poll.h>
#include <signal.h>
#include <stdexcept>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

namespace ticketing::testing {

KafkaMockProcess::KafkaMockProcess(int brokers, std::string topic, int partitions) {
  int to_child[2], from_child[2];
  if (::pipe(to_child) != 0 || ::pipe(from_child) != 0) throw std::runtime_error("pipe failed");
  pid_t const pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    ::dup2(to_child[0], STDIN_FILENO);
    ::dup2(from_child[1], STDOUT_FILENO);
    ::close(to_child[1]);
    ::close(from_child[0]);
    std::string const b = std::to_string(brokers), p = std::to_string(partitions);
    ::execl(TICKETING_BINARY, TICKETING_BINARY, "kafka-mock", "--brokers", b.c_str(), "--topic", topic.c_str(),
            "--partitions", p.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  ::close(to_child[0]);
  ::close(from_child[1]);
  pid_ = pid;
  in_ = to_child[1];
  out_ = from_child[0];
  bootstraps_ = read_line();
  if (bootstraps_.find(':') == std::string::npos) throw std::runtime_error("kafka-mock did not start");
}

KafkaMockProcess::~KafkaMockProcess() {
  if (pid_ > 0) {
    ::kill(pid_, SIGTERM);
    int status = 0;
    ::waitpid(pid_, &status, 0);
  }
  if (in_ >= 0) ::close(in_);
  if (out_ >= 0) ::close(out_);
}

std::string KafkaMockProcess::read_line() {
  std::string line;
  auto const deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < deadline) {
    pollfd p{out_, POLLIN, 0};
    if (::poll(&p, 1, 100) <= 0) continue;
    char c;
    if (::read(out_, &c, 1) != 1) break;
    if (c == '\n') return line;
    line += c;
  }
  return line;
}

void KafkaMockProcess::command(std::string const& line) {
  std::string const text = line + "\n";
  if (::write(in_, text.data(), text.size()) != static_cast<ssize_t>(text.size())) {
    throw std::runtime_error("kafka-mock control failed");
  }
  if (read_line().rfind("ok ", 0) != 0) throw std::runtime_error("kafka-mock refused: " + line);
}

}  // namespace ticketing::testing

#pragma once
// Runs `ticketing kafka-mock` as a child process and drives its faults
// through its standard input (test-only).

#include <string>
#include <sys/types.h>

namespace ticketing::testing {

class KafkaMockProcess {
 public:
  KafkaMockProcess(int brokers, std::string topic, int partitions);
  ~KafkaMockProcess();
  KafkaMockProcess(KafkaMockProcess const&) = delete;
  KafkaMockProcess& operator=(KafkaMockProcess const&) = delete;

  [[nodiscard]] std::string const& bootstraps() const noexcept { return bootstraps_; }
  // "broker-down 1", "broker-up 1", "fail-produces 5"; waits for the acknowledgement.
  void command(std::string const& line);

 private:
  pid_t pid_{-1};
  int in_{-1}, out_{-1};
  std::string bootstraps_;
  std::string read_line();
};

}  // namespace ticketing::testing

#include <chrono>
#include <map>
#include <random>
#include <signal.h>
#include <sstream>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

#include <doctest/doctest.h>

#include "domain/ids.hpp"
#include "eventstore/rocksdb_log.hpp"
#include "temp_dir.hpp"

using namespace ticketing;

namespace {

constexpr int kThreads = 4;

struct Child {
  pid_t pid{-1};
  int out{-1};
};

Child spawn(std::string const& dir) {
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  pid_t const pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    ::dup2(fds[1], STDOUT_FILENO);
    ::close(fds[0]);
    ::close(fds[1]);
    std::string const threads = std::to_string(kThreads);
    ::execl(CRASH_CHILD_PATH, CRASH_CHILD_PATH, dir.c_str(), threads.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  ::close(fds[1]);
  return Child{pid, fds[0]};
}

// Reads everything the child wrote, until EOF (after it died).
std::string drain(int fd) {
  std::string all;
  char buf[65536];
  for (;;) {
    auto const n = ::read(fd, buf, sizeof buf);
    if (n <= 0) break;
    all.append(buf, static_cast<std::size_t>(n));
  }
  return all;
}

std::string ticket_of(int thread) {
  std::string id = std::to_string(thread);
  return std::string(24 - id.size(), '0') + id;
}

}  // namespace

TEST_CASE("kill -9 at random moments loses no acknowledged commit and leaves none half-written") {
  testing::TempDir dir;
  std::mt19937 rng(12345);
  std::uniform_int_distribution<int> run_ms(30, 250);
  std::map<int, std::int64_t> acknowledged;                        // thread -> highest acknowledged version
  for (int t = 0; t < kThreads; ++t) acknowledged[t] = kNoStream;  // none yet (a kill may come before the first)
  constexpr int kRounds = 25;
  std::size_t total_acks = 0;

  for (int round = 0; round < kRounds; ++round) {
    Child child = spawn(dir.str());
    std::this_thread::sleep_for(std::chrono::milliseconds(run_ms(rng)));
    ::kill(child.pid, SIGKILL);
    int status = 0;
    ::waitpid(child.pid, &status, 0);
    REQUIRE(WIFSIGNALED(status));
    std::istringstream lines(drain(child.out));
    ::close(child.out);
    std::string word;
    int thread = 0;
    std::int64_t version = 0;
    while (lines >> word >> thread >> version) {
      REQUIRE(word == "ack");
      acknowledged[thread] = std::max(acknowledged[thread], version);
      ++total_acks;
    }

    auto log = RocksDbLog::open({.path = dir.str(), .partitions = 4});
    REQUIRE_MESSAGE(log.has_value(), (log ? "" : log.error().message));
    for (int t = 0; t < kThreads; ++t) {
      auto events = (*log)->read_stream(ticket_stream(ticket_of(t)), 0);
      REQUIRE(events.has_value());
      std::int64_t const stored = static_cast<std::int64_t>(events->size()) - 1;
      CHECK_MESSAGE(stored >= acknowledged[t], "thread " << t << " lost acknowledged commits in round " << round);
      CHECK_MESSAGE(events->size() % 2 == 0, "a half-written commit in round " << round);
      for (std::size_t v = 0; v < events->size(); ++v) {
        REQUIRE((*events)[v].version == static_cast<std::int64_t>(v));
        if (v > 0) CHECK(std::get<TicketUpdated>((*events)[v].event).price.cents == static_cast<std::int64_t>(v) + 1);
      }
    }
    // Every stored commit decodes whole.
    for (std::uint32_t p = 0; p < (*log)->partition_count(); ++p) {
      auto commits = (*log)->read_partition(p, 0, 1'000'000);
      REQUIRE(commits.has_value());
      CHECK(commits->size() == (*log)->end_offsets()[p]);
    }
  }
  CHECK(total_acks > 100);  // the child made real progress between kills
  MESSAGE("acknowledged commits across " << kRounds << " kills: " << total_acks);
}

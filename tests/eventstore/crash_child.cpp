// Test helper for crash_test: appends to the log in a loop from several
// threads and prints "ack <thread> <last version>" after each acknowledged
// commit, until killed. Each commit carries two events, so a torn commit
// would show as an odd event count. Resumes from the versions it finds.

#include <cstdio>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>

#include "domain/ids.hpp"
#include "eventstore/rocksdb_log.hpp"

using namespace ticketing;

namespace {

std::string ticket_of(int thread) {
  std::string id = std::to_string(thread);
  return std::string(24 - id.size(), '0') + id;
}

void append_forever(RocksDbLog& log, int thread) {
  std::string const ticket = ticket_of(thread);
  std::string const stream = ticket_stream(ticket);
  std::int64_t version = log.stream_version(stream).value();
  for (;;) {
    Commit c;
    c.commit_id = "t" + std::to_string(thread) + "-v" + std::to_string(version + 2);
    c.partition_key = ticket;
    c.expected = {{stream, version}};
    Instant const now = from_millis(1'800'000'000'000);
    if (version == kNoStream) {
      c.events.emplace_back(TicketCreated{ticket, "seller", "Show", Money{1}, now});
    } else {
      c.events.emplace_back(TicketUpdated{ticket, "Show", Money{version + 2}, Money{version + 1}, now});
    }
    c.events.emplace_back(TicketUpdated{ticket, "Show", Money{version + 3}, Money{version + 2}, now});
    c.meta.recorded_at = now;
    auto r = log.append(std::move(c));
    if (!r) {
      std::fprintf(stderr, "append failed: %s\n", r.error().message.c_str());
      _exit(2);
    }
    version += 2;
    std::string const line = "ack " + std::to_string(thread) + " " + std::to_string(version) + "\n";
    if (::write(STDOUT_FILENO, line.data(), line.size()) < 0) _exit(3);
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: crash_child DIR THREADS\n");
    return 64;
  }
  auto log = RocksDbLog::open({.path = argv[1], .partitions = 4});
  if (!log) {
    std::fprintf(stderr, "open failed: %s\n", log.error().message.c_str());
    return 1;
  }
  int const threads = std::stoi(argv[2]);
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) workers.emplace_back([&, t] { append_forever(**log, t); });
  for (auto& w : workers) w.join();
}

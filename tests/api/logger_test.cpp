// The request log: its buffer bounded while its output is stuck, honest
// about what it dropped, and whole lines from threads logging at once.

#include <condition_variable>
#include <cstdio>
#include <future>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <doctest/doctest.h>

#include "api/metrics.hpp"
#include "domain/time.hpp"

using namespace ticketing;

TEST_CASE("a stuck log output holds at most the bound in memory, and the lines beyond are counted, then reported") {
  std::mutex mutex;
  std::condition_variable moved;
  bool stuck = true;
  std::string written;
  std::promise<void> first_write;
  bool told = false;
  constexpr std::size_t kBound = 64 * 1024;
  {
    api::Logger log(
        [&](std::string_view bytes) {
          std::unique_lock lock(mutex);
          if (!told) {
            told = true;
            first_write.set_value();
          }
          moved.wait(lock, [&] { return !stuck; });
          written += bytes;
        },
        kBound);
    log.line("info", "first");
    first_write.get_future().wait();  // the writer is now stuck in the output
    std::string const fields = "\"n\":\"" + std::string(200, 'x') + "\"";
    constexpr int kLines = 10'000;  // about 2.5 MB: far over the bound
    for (int i = 0; i < kLines; ++i) log.line("info", "while stuck", fields);
    {
      std::lock_guard lock(mutex);
      stuck = false;
    }
    moved.notify_all();
  }  // destruction flushes
  std::size_t kept = 0;
  for (std::size_t at = written.find("while stuck"); at != std::string::npos;
       at = written.find("while stuck", at + 1)) {
    ++kept;
  }
  CHECK(written.starts_with("{\"ts\":"));
  CHECK(written.find("\"msg\":\"first\"") != std::string::npos);
  CHECK(kept > 0);
  CHECK(kept <= kBound / 200);  // each line is over 200 bytes: no more than the bound waited
  auto const report = written.find("\"msg\":\"log lines dropped while the log's output was stuck\"");
  REQUIRE(report != std::string::npos);
  CHECK(written.find("\"dropped\":" + std::to_string(10'000 - kept)) != std::string::npos);
}

TEST_CASE("lines logged from many threads at once each come out whole, once, in the documented shape") {
  std::string written;
  constexpr int kThreads = 4;
  constexpr int kLines = 3000;  // several batches of the writer's
  {
    api::Logger log([&](std::string_view bytes) { written += bytes; });  // only the writer thread calls it
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&log, t] {
        for (int n = 0; n < kLines; ++n) {
          // Lines of different lengths, so that a torn line would not line up.
          std::string const fields = "\"thread\":" + std::to_string(t) + ",\"n\":" + std::to_string(n) + ",\"pad\":\"" +
                                     std::string(static_cast<std::size_t>(n % 50), 'x') + "\"";
          log.line("info", "a \"quoted\" line", fields);
        }
      });
    }
    for (auto& thread : threads) thread.join();
  }  // destruction flushes
  std::set<std::pair<int, int>> seen;
  std::size_t lines = 0;
  for (std::size_t at = 0; at < written.size();) {
    auto const end = written.find('\n', at);
    REQUIRE(end != std::string::npos);
    std::string_view const line(written.data() + at, end - at);
    at = end + 1;
    ++lines;
    REQUIRE(line.starts_with("{\"ts\":\""));
    CHECK(parse_iso8601(line.substr(7, 24)).has_value());
    std::string_view const rest = line.substr(31);
    REQUIRE(rest.starts_with("\",\"level\":\"info\",\"msg\":\"a \\\"quoted\\\" line\",\"thread\":"));
    int t = -1, n = -1;
    auto const tail = std::string(rest.substr(rest.find("\"thread\":")));
    REQUIRE(std::sscanf(tail.c_str(), "\"thread\":%d,\"n\":%d", &t, &n) == 2);
    CHECK(line.ends_with(std::string(static_cast<std::size_t>(n % 50), 'x') + "\"}"));
    CHECK(seen.emplace(t, n).second);
  }
  CHECK(lines == std::size_t{kThreads * kLines});
  CHECK(seen.size() == std::size_t{kThreads * kLines});
}

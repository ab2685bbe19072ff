// The request log's buffer: bounded while its output is stuck, and honest
// about what it dropped.

#include <condition_variable>
#include <future>
#include <mutex>
#include <string>

#include <doctest/doctest.h>

#include "api/metrics.hpp"

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

// The live page at scale: durable listings (POST /api/tickets) per second
// while N viewers hold GET /api/tickets/changes open and read every change,
// as the web app's pages do. Measured with the streams' shared window (the
// default: each change rendered once for every stream that keeps up), and
// with every stream reading and rendering the log itself
// (`--change-window 0`) as its peer, each on a fresh server, in turn, in
// the same run; and the listing rate with no viewer. Each viewer must then
// have received every listing: the run fails otherwise.
//
// Usage: live_bench TICKETING_BINARY [--viewers N] [--seconds S] [--connections C]
// (viewers: at most the server's --max-streams, 1000)

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "http_load.hpp"
#include "server_process.hpp"

using namespace ticketing::bench;
namespace asio = boost::asio;
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

// Counts the ticket changes a viewer receives: "event: ticket\n" lines,
// found across the reads' boundaries.
class ChangeCounter {
 public:
  void feed(char const* data, std::size_t n) {
    static constexpr std::string_view kLine = "event: ticket\n";
    for (std::size_t i = 0; i < n; ++i) {
      matched_ = data[i] == kLine[matched_] ? matched_ + 1 : (data[i] == kLine[0] ? 1 : 0);
      if (matched_ == kLine.size()) {
        ++changes_;
        matched_ = 0;
      }
    }
  }
  [[nodiscard]] std::uint64_t changes() const { return changes_; }

 private:
  std::size_t matched_{0};
  std::uint64_t changes_{0};
};

struct Viewers {
  std::vector<ChangeCounter> counters;
  std::atomic<std::uint64_t> bytes{0};
  std::atomic<int> open{0};
  std::atomic<bool> stopping{false};
};

asio::awaitable<void> view(std::uint16_t port, Viewers& viewers, std::size_t index) {
  asio::ip::tcp::socket socket(co_await asio::this_coro::executor);
  auto [ec] =
      co_await socket.async_connect({asio::ip::make_address("127.0.0.1"), port}, asio::as_tuple(asio::use_awaitable));
  if (ec) co_return;
  std::string const request =
      "GET /api/tickets/changes HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n";
  auto [wec, written] = co_await asio::async_write(socket, asio::buffer(request), asio::as_tuple(asio::use_awaitable));
  if (wec) co_return;
  ++viewers.open;
  std::vector<char> buffer(64 * 1024);
  while (!viewers.stopping) {
    auto [rec, n] = co_await socket.async_read_some(asio::buffer(buffer), asio::as_tuple(asio::use_awaitable));
    if (rec) break;
    viewers.counters[index].feed(buffer.data(), n);
    viewers.bytes += n;
  }
  --viewers.open;
}

struct Run {
  LoadResult listing;
  double delivered_seconds{0};  // from the first listing until every viewer had every one
  std::uint64_t bytes{0};
  bool complete{false};
};

// One server: viewers connect, then listings for `seconds`; then waits (at
// most 60 s) until every viewer has received every listing.
Run measure(std::string const& binary, fs::path const& data, std::vector<std::string> const& flags,
            std::size_t viewer_count, std::size_t connections, double seconds) {
  Child const server = start_server(binary, data, flags);
  std::string const seller = sign_up(server.port, "seller@example.com");
  Viewers viewers;
  viewers.counters.resize(viewer_count);
  asio::io_context viewing;
  for (std::size_t v = 0; v < viewer_count; ++v) asio::co_spawn(viewing, view(server.port, viewers, v), asio::detached);
  std::thread viewing_thread([&] { viewing.run(); });
  auto const opened_by = Clock::now() + std::chrono::seconds(30);
  while (static_cast<std::size_t>(viewers.open) < viewer_count && Clock::now() < opened_by) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(500));  // each stream's first poll

  Run run;
  std::atomic<std::uint64_t> listed{0};
  auto const start = Clock::now();
  run.listing =
      run_load(server.port, connections, std::chrono::duration<double>(seconds), [&](std::size_t, std::uint64_t) {
        return http_post("/api/tickets", R"({"title":"Live ticket )" + std::to_string(listed++) + R"(","price":25})",
                         seller);
      });
  std::uint64_t const listings = run.listing.statuses.count(201) ? run.listing.statuses.at(201) : 0;
  auto const all_delivered = [&] {
    return std::all_of(viewers.counters.begin(), viewers.counters.end(),
                       [&](ChangeCounter const& c) { return c.changes() >= listings; });
  };
  auto const limit = Clock::now() + std::chrono::seconds(60);
  while (!all_delivered() && Clock::now() < limit) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  run.complete = all_delivered() && static_cast<std::size_t>(viewers.open) == viewer_count;
  run.delivered_seconds = std::chrono::duration<double>(Clock::now() - start).count();
  run.bytes = viewers.bytes;
  viewers.stopping = true;
  stop(server);  // the viewers' connections close with it
  viewing_thread.join();
  return run;
}

std::uint64_t created(Run const& run) { return run.listing.statuses.count(201) ? run.listing.statuses.at(201) : 0; }

// Changes received by all viewers together, per second until the last had them all.
double delivered_rate(Run const& run, std::size_t viewers) {
  return static_cast<double>(created(run) * viewers) / run.delivered_seconds;
}

void report(char const* label, Run const& run, std::size_t viewers) {
  print(label, run.listing);
  if (viewers == 0) return;
  std::printf("  %zu viewers had all %llu changes %.2f s after the first listing: %.0f changes delivered/s (%.0f MB)\n",
              viewers, static_cast<unsigned long long>(created(run)), run.delivered_seconds,
              delivered_rate(run, viewers), static_cast<double>(run.bytes) / 1e6);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: live_bench TICKETING_BINARY [--viewers N] [--seconds S] [--connections C]\n");
    return 64;
  }
  std::string const binary = argv[1];
  std::size_t viewers = 500, connections = 32;
  double seconds = 5;
  for (int i = 2; i + 1 < argc; i += 2) {
    std::string const flag = argv[i];
    if (flag == "--viewers") viewers = std::stoul(argv[i + 1]);
    if (flag == "--seconds") seconds = std::stod(argv[i + 1]);
    if (flag == "--connections") connections = std::stoul(argv[i + 1]);
  }
  fs::path const dir = fs::temp_directory_path() / ("ticketing-live-bench-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  std::printf("listings from %zu connections for %.0f s; %zu viewers of /api/tickets/changes; one server each\n",
              connections, seconds, viewers);
  Run const alone = measure(binary, dir / "alone", {}, 0, connections, seconds);
  report("POST /api/tickets, no viewer", alone, 0);
  Run const shared = measure(binary, dir / "shared", {}, viewers, connections, seconds);
  report("POST /api/tickets, viewers, shared window", shared, viewers);
  Run const own = measure(binary, dir / "own", {"--change-window", "0"}, viewers, connections, seconds);
  report("POST /api/tickets, viewers, each walks alone", own, viewers);
  fs::remove_all(dir);
  if (!shared.complete || !own.complete) {
    std::fprintf(stderr, "a viewer did not receive every listing within 60 s\n");
    return 1;
  }
  std::printf("listings with %zu viewers, shared window vs each stream alone: %.2fx; vs no viewer: %.2f and %.2f\n",
              viewers, shared.listing.rate() / own.listing.rate(), shared.listing.rate() / alone.listing.rate(),
              own.listing.rate() / alone.listing.rate());
  std::printf("changes delivered per second, shared window vs each stream alone: %.2fx\n",
              delivered_rate(shared, viewers) / delivered_rate(own, viewers));
  return 0;
}

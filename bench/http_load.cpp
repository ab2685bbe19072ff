#include "http_load.hpp"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <optional>
#include <thread>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace ticketing::bench {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using Clock = std::chrono::steady_clock;

std::string http_get(std::string const& target, std::string const& cookie) {
  std::string r = "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
  if (!cookie.empty()) r += "Cookie: session=" + cookie + "\r\n";
  return r + "\r\n";
}

std::string http_post(std::string const& target, std::string const& json, std::string const& cookie) {
  std::string r = "POST " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n";
  if (!cookie.empty()) r += "Cookie: session=" + cookie + "\r\n";
  return r + "Content-Length: " + std::to_string(json.size()) + "\r\n\r\n" + json;
}

namespace {

struct Shared {
  std::mutex mutex;
  std::vector<double> latencies_ms;
  std::map<int, std::uint64_t> statuses;
};

// Start::all_connected: every connection waits here until all have
// connected (or failed to), then all go at once.
struct Gate {
  std::size_t expected{0};
  std::size_t arrived{0};
  std::optional<asio::steady_timer> opened;  // cancelled to open the gate
};

asio::awaitable<void> pass(Gate* gate) {
  if (gate == nullptr) co_return;
  if (++gate->arrived == gate->expected) {
    gate->opened->cancel();
    co_return;
  }
  (void)co_await gate->opened->async_wait(asio::as_tuple(asio::use_awaitable));
}

// `gate`, `closing`: with Start::all_connected, where connections wait for
// each other before their first request and before they close (so no
// connection's teardown competes with the others' requests); else null.
asio::awaitable<void> connection(std::uint16_t port, std::size_t index, Clock::time_point deadline,
                                 RequestMaker const& make, Shared& shared, ResponseSink const& sink, Gate* gate,
                                 Gate* closing) {
  auto executor = co_await asio::this_coro::executor;
  beast::tcp_stream stream(executor);
  auto [ec] = co_await stream.async_connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port),
                                            asio::as_tuple(asio::use_awaitable));
  co_await pass(gate);
  if (ec) {
    co_await pass(closing);
    co_return;
  }
  beast::flat_buffer buffer;
  std::vector<double> latencies;
  std::map<int, std::uint64_t> statuses;
  for (std::uint64_t n = 0; Clock::now() < deadline; ++n) {
    std::string const raw = make(index, n);
    if (raw.empty()) break;
    auto const start = Clock::now();
    stream.expires_after(std::chrono::seconds(30));
    auto [wec, written] = co_await asio::async_write(stream, asio::buffer(raw), asio::as_tuple(asio::use_awaitable));
    if (wec) break;
    http::response<http::string_body> res;
    auto [rec, read] = co_await http::async_read(stream, buffer, res, asio::as_tuple(asio::use_awaitable));
    if (rec) break;
    latencies.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
    ++statuses[static_cast<int>(res.result_int())];
    if (sink) {
      std::lock_guard lock(shared.mutex);
      sink(static_cast<int>(res.result_int()), res.body());
    }
    if (!res.keep_alive()) break;
  }
  co_await pass(closing);
  std::lock_guard lock(shared.mutex);
  shared.latencies_ms.insert(shared.latencies_ms.end(), latencies.begin(), latencies.end());
  for (auto const& [s, c] : statuses) shared.statuses[s] += c;
}

double percentile(std::vector<double>& v, double p) {
  if (v.empty()) return 0;
  auto const k = static_cast<std::size_t>(p * static_cast<double>(v.size() - 1));
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
  return v[k];
}

}  // namespace

LoadResult run_load(std::uint16_t port, std::size_t connections, std::chrono::duration<double> duration,
                    RequestMaker const& make, int threads, ResponseSink const& sink, Start start_at) {
  asio::io_context ioc;
  Shared shared;
  Gate gate{.expected = connections, .arrived = 0, .opened = std::nullopt};
  Gate closing{.expected = connections, .arrived = 0, .opened = std::nullopt};
  bool const gated = start_at == Start::all_connected;
  if (gated) {
    threads = 1;  // the gates are not shared across threads
    gate.opened.emplace(ioc, asio::steady_timer::time_point::max());
    closing.opened.emplace(ioc, asio::steady_timer::time_point::max());
  }
  auto const start = Clock::now();
  auto const deadline = start + std::chrono::duration_cast<Clock::duration>(duration);
  for (std::size_t c = 0; c < connections; ++c) {
    asio::co_spawn(
        ioc, connection(port, c, deadline, make, shared, sink, gated ? &gate : nullptr, gated ? &closing : nullptr),
        asio::detached);
  }
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) pool.emplace_back([&] { ioc.run(); });
  ioc.run();
  for (auto& t : pool) t.join();
  LoadResult r;
  r.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  r.requests = shared.latencies_ms.size();
  r.statuses = shared.statuses;
  r.p50_ms = percentile(shared.latencies_ms, 0.50);
  r.p99_ms = percentile(shared.latencies_ms, 0.99);
  r.max_ms =
      shared.latencies_ms.empty() ? 0 : *std::max_element(shared.latencies_ms.begin(), shared.latencies_ms.end());
  return r;
}

std::pair<int, std::string> request_once(std::uint16_t port, std::string const& raw, std::string* cookie) {
  asio::io_context ioc;
  beast::tcp_stream stream(ioc);
  beast::error_code ec;
  stream.connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), ec);
  if (ec) return {0, {}};
  asio::write(stream, asio::buffer(raw), ec);
  beast::flat_buffer buffer;
  http::response<http::string_body> res;
  http::read(stream, buffer, res, ec);
  if (ec) return {0, {}};
  if (cookie != nullptr) {
    for (auto const& f : res) {
      std::string const v(f.value());
      if (f.name() == http::field::set_cookie && v.starts_with("session=")) *cookie = v.substr(8, v.find(';') - 8);
    }
  }
  return {static_cast<int>(res.result_int()), res.body()};
}

}  // namespace ticketing::bench

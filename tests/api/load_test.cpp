// Mixed load from 200 connections (sign-ups, listings, orders, payments)
// beside a slow-header client and a garbage sender, on loopback, bounded in
// time (LOAD_SECONDS, default 30). Holds: no 5xx but 503 with Retry-After,
// every acknowledged listing present afterwards, peak memory bounded. The
// figures it prints are the README's.

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <random>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>

#include "api_fixture.hpp"

using namespace ticketing::testing;
using namespace std::chrono_literals;
namespace asio = boost::asio;

namespace {

std::int64_t peak_rss_kib(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.starts_with("VmHWM:")) return std::stoll(line.substr(6));
  }
  return -1;
}

struct Tally {
  std::mutex mutex;
  std::map<int, std::int64_t> statuses;
  std::vector<std::string> violations;
  std::vector<std::string> listed;  // acknowledged listings

  void add(HttpResult const& r, std::string_view what) {
    std::lock_guard lock(mutex);
    ++statuses[r.status];
    bool const allowed_5xx = r.status == 503 && !r.header("retry-after").empty();
    if ((r.status >= 500 && !allowed_5xx) || r.status == 0) {
      if (violations.size() < 20)
        violations.push_back(std::string(what) + " -> " + std::to_string(r.status) + " " + r.body);
    }
  }
};

}  // namespace

TEST_CASE("load: 200 connections of mixed traffic beside a slow-header client and a garbage sender") {
  int const seconds = std::getenv("LOAD_SECONDS") != nullptr ? std::atoi(std::getenv("LOAD_SECONDS")) : 30;
  ApiFixture f({"--signups-per-address", "1000000", "--workers", "64"});
  Tally tally;
  std::atomic<bool> stop{false};
  auto const until = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);

  // Beside the load: one client that sends its header a byte a second, and
  // one that sends garbage on fresh connections.
  std::thread slow([&] {
    asio::io_context ioc;
    asio::ip::tcp::socket s(ioc);
    boost::system::error_code ec;
    s.connect({asio::ip::make_address("127.0.0.1"), f.server.port()}, ec);
    std::string const header = "POST /api/tickets HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n";
    for (std::size_t i = 0; i < header.size() && !stop && !ec; ++i) {
      asio::write(s, asio::buffer(header.data() + i, 1), ec);
      std::this_thread::sleep_for(1s);
    }
  });
  std::atomic<std::int64_t> garbage_sent{0};
  std::thread garbage([&] {
    std::mt19937 rng(7);
    while (!stop) {
      std::string bytes(512 + rng() % 4096, '\0');
      for (auto& c : bytes) c = static_cast<char>(rng());
      (void)raw_exchange(f.server.port(), bytes, 200ms);
      ++garbage_sent;
    }
  });

  std::atomic<std::int64_t> requests{0};
  std::vector<std::thread> clients;
  for (int i = 0; i < 200; ++i) {
    clients.emplace_back([&, i] {
      HttpClient c = f.server.client();
      auto r = c.post("/api/users/signup",
                      {{"email", "load" + std::to_string(i) + "@example.com"}, {"password", "password123"}});
      tally.add(r, "signup");
      if (r.status != 201) return;
      std::string last_ticket;
      for (int n = 0; std::chrono::steady_clock::now() < until; ++n) {
        auto listed = c.post("/api/tickets", {{"title", "Load " + std::to_string(n)}, {"price", 10 + n % 50}});
        tally.add(listed, "list");
        ++requests;
        if (listed.status != 201) continue;
        std::string const id = str(listed.json().at("id"));
        {
          std::lock_guard lock(tally.mutex);
          tally.listed.push_back(id);
        }
        if (!last_ticket.empty()) {
          // Buy a neighbour's ticket: often contended, sometimes ours.
          std::string target;
          {
            std::lock_guard lock(tally.mutex);
            target = tally.listed[static_cast<std::size_t>(n * 7 + i) % tally.listed.size()];
          }
          auto ordered = c.post("/api/orders", {{"ticketId", target}});
          tally.add(ordered, "order");
          ++requests;
          if (ordered.status == 201) {
            auto paid = c.post("/api/payments", {{"token", n % 5 == 0 ? "tok_chargeDeclined" : "tok_visa"},
                                                 {"orderId", str(ordered.json().at("id"))}});
            tally.add(paid, "pay");
            ++requests;
          }
        }
        if (n % 25 == 24) {
          auto more = f.server.client().post(
              "/api/users/signup", {{"email", "load" + std::to_string(i) + "-" + std::to_string(n) + "@example.com"},
                                    {"password", "password123"}});
          tally.add(more, "signup");
          ++requests;
        }
        last_ticket = id;
      }
    });
  }
  for (auto& t : clients) t.join();
  stop = true;
  garbage.join();
  slow.join();

  auto const peak = peak_rss_kib(f.server.pid());
  // Every acknowledged listing is there.
  std::size_t missing = 0;
  HttpClient reader = f.server.client();
  for (auto const& id : tally.listed) missing += reader.get("/api/tickets/" + id).status == 200 ? 0u : 1u;

  std::string statuses;
  for (auto const& [status, n] : tally.statuses) statuses += std::to_string(status) + ": " + std::to_string(n) + "  ";
  MESSAGE(seconds << " s, " << requests.load() << " requests (" << requests.load() / std::max(1, seconds)
                  << "/s), listings " << tally.listed.size() << ", garbage connections " << garbage_sent.load()
                  << ", statuses " << statuses << ", peak RSS " << peak / 1024 << " MiB");
  for (auto const& v : tally.violations) FAIL_CHECK(v);
  CHECK(missing == 0);
  CHECK(peak > 0);
  CHECK(peak < 1024 * 1024);  // KiB: under 1 GiB
  CHECK(f.server.client().get("/healthz").status == 200);
}

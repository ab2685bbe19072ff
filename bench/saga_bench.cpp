// The order saga after an outage: N unpaid holds whose deadline passed while
// the server was down, then the saga started again. Prints how fast it ends
// them (durable expiries a second, from its start until none is due) with its
// expiry threads at 1 (the peer: timers fired one at a time, as before lanes
// of threads), 4, 16 (the default) and 64, each on a fresh log in the same
// run, and the ratio to the peer. Every hold is checked ended, once, after.
//   saga_bench [DIR] [HOLDS]    (default /tmp/ticketing-saga-bench, 10000)

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "application/marketplace.hpp"
#include "application/payments.hpp"
#include "domain/ids.hpp"
#include "eventstore/rocksdb_log.hpp"
#include "exit_on_error.hpp"
#include "processes/order_saga.hpp"
#include "processes/sandbox_gateway.hpp"
#include "processes/timer_store.hpp"

using namespace ticketing;
using ticketing::bench::ok;
using Steady = std::chrono::steady_clock;

namespace {

// The system's time, moved forward on demand: the outage passes at once.
class LaterClock final : public ticketing::Clock {
 public:
  [[nodiscard]] Instant now() const override { return system_.now() + Duration(ahead_.load()); }
  void skip(Duration d) { ahead_ += d.count(); }

 private:
  SystemClock system_;
  std::atomic<Duration::rep> ahead_{0};
};

// Polls `done` until it holds; gives up (exit 1) after ten minutes, which no
// run of this benchmark comes near.
template <class Done>
void wait_until(Done const& done, char const* what) {
  auto const deadline = Steady::now() + std::chrono::minutes(10);
  while (!done()) {
    if (Steady::now() > deadline) {
      std::fprintf(stderr, "saga_bench: gave up waiting for %s\n", what);
      std::exit(1);
    }
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
}

std::string ticket_of(int n) {
  std::string id = std::to_string(n);
  return std::string(24 - id.size(), 'b') + id;
}

// Lists `holds` tickets and places an order on each, from 16 client threads,
// with a saga running that records their expiry timers; returns once it has.
void hold_tickets(Marketplace& market, OrderSaga& saga, LaterClock const& clock, int holds) {
  std::atomic<int> next{0}, commit{0};
  auto const context = [&](std::string const& who) {
    return CommandContext{"bench-" + std::to_string(++commit), CommitMeta{"c", "c", who, "", clock.now()}};
  };
  std::vector<std::thread> clients;
  clients.reserve(16);
  for (int c = 0; c < 16; ++c) {
    clients.emplace_back([&] {
      for (int n = next++; n < holds; n = next++) {
        std::string const ticket = ticket_of(n);
        ok(market.execute(ticket::ListTicket{ticket, "seller", "Show", Money{2000}}, context("seller")), "list");
        ok(market.place_order(order::PlaceOrder{ticket, "buyer", std::nullopt, std::chrono::minutes(15)},
                              context("buyer")),
           "order");
      }
    });
  }
  for (auto& t : clients) t.join();
  wait_until([&] { return saga.pending_timers() >= static_cast<std::size_t>(holds); }, "the saga to record the holds");
}

struct Figures {
  double seconds{0};
  int ended{0};  // holds found ended once afterwards
};

Figures run(std::filesystem::path const& dir, int holds, unsigned expiry_threads) {
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  auto log = ok(RocksDbLog::open({.path = (dir / "log").string(), .partitions = 16}), "log");
  auto timers = ok(TimerStore::open((dir / "saga").string(), log->partition_count()), "timers");
  auto gateway = ok(SandboxGateway::open((dir / "gateway").string()), "gateway");
  LaterClock clock;
  CommandRunner runner(*log);
  Marketplace market(runner);
  Payments payments(market, *gateway);
  SagaOptions const options{.expiry_threads = expiry_threads};
  {
    OrderSaga saga(*log, market, payments, clock, *timers, options);
    saga.start();
    hold_tickets(market, saga, clock, holds);
  }  // the server stops; the outage outlasts every hold
  clock.skip(std::chrono::minutes(16));
  Figures figures;
  {
    OrderSaga saga(*log, market, payments, clock, *timers, options);
    auto const start = Steady::now();
    saga.start();
    wait_until([&] { return saga.loaded() && saga.pending_timers() == 0 && saga.due_timers() == 0; },
               "the saga to end every hold");
    figures.seconds = std::chrono::duration<double>(Steady::now() - start).count();
  }
  for (int n = 0; n < holds; ++n) {
    std::string const order = order_id_for(ticket_of(n), 1);
    auto const state = market.order_context(order);
    auto const events = log->read_stream(order_stream(order), 0);
    int expiries = 0;
    if (events) {
      for (auto const& e : *events) expiries += std::holds_alternative<OrderExpired>(e.event) ? 1 : 0;
    }
    if (state && state->order.expired && state->ticket.status == ticket::Status::available && expiries == 1) {
      ++figures.ended;
    }
  }
  return figures;
}

}  // namespace

int main(int argc, char** argv) {
  std::filesystem::path const dir =
      argc > 1 ? std::filesystem::path(argv[1]) : std::filesystem::temp_directory_path() / "ticketing-saga-bench";
  int const holds = argc > 2 ? std::stoi(argv[2]) : 10'000;
  std::printf("%d unpaid holds overdue when the saga starts again (each figure a fresh log)\n", holds);
  std::printf("%-16s %12s %14s %10s %14s\n", "expiry threads", "seconds", "holds ended/s", "vs 1", "ended once");
  double peer = 0;
  for (unsigned threads : {1u, 4u, 16u, 64u}) {
    Figures const f = run(dir, holds, threads);
    double const rate = holds / f.seconds;
    if (threads == 1) peer = rate;
    std::printf("%-16u %12.2f %14.0f %9.2fx %8d of %d\n", threads, f.seconds, rate, rate / peer, f.ended, holds);
  }
  std::filesystem::remove_all(dir);
}

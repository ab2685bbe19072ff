#include "processes/order_saga.hpp"

#include <algorithm>
#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>

#include <doctest/doctest.h>

#include "damaged_block.hpp"
#include "encoding/byte_order.hpp"
#include "failing_disk.hpp"
#include "marketplace_fixture.hpp"
#include "processes/sandbox_gateway.hpp"

using namespace ticketing;
using namespace ticketing::testing;
using namespace std::chrono_literals;

namespace {

struct SagaFixture : MarketplaceFixture {
  std::unique_ptr<SandboxGateway> gateway_records = std::move(*SandboxGateway::open((dir.path() / "gateway").string()));
  SandboxGateway& gateway = *gateway_records;
  Payments payments{market, gateway};
  std::unique_ptr<TimerStore> timers = open_timers();
  std::unique_ptr<OrderSaga> saga;

  std::unique_ptr<TimerStore> open_timers() {
    auto opened = TimerStore::open((dir.path() / "saga").string(), log->partition_count());
    REQUIRE_MESSAGE(opened.has_value(), (opened ? "" : opened.error().message));
    return std::move(*opened);
  }
  void start_saga(SagaOptions options = {60s, 1s}) {
    saga = std::make_unique<OrderSaga>(*log, market, payments, clock, *timers, options);
    saga->start();
  }
  // Stops the saga and reopens its timer store, as after a crash: only what
  // is on disk is left.
  void stop_saga() {
    saga->stop();
    saga.reset();
    timers.reset();
    timers = open_timers();
  }
  // Waits until the saga has loaded its timers and looked at everything in the log.
  void settle() {
    REQUIRE(eventually([&] { return saga->loaded() && saga->applied() == log->end_offsets(); }));
  }
};

// A gateway whose lookups hang until released (a gateway that stopped
// answering), then answer from the sandbox's records.
class HangingGateway final : public PaymentGateway {
 public:
  explicit HangingGateway(PaymentGateway& records) : records_(records) {}
  ChargeResult charge(ChargeRequest const& request) override { return records_.charge(request); }
  Result<std::string> refund(std::string const& id, std::string const& key) override {
    return records_.refund(id, key);
  }
  Result<std::optional<std::string>> find_charge(std::string const& charge_id) override {
    {
      std::unique_lock lock(mutex_);
      ++lookups_;
      most_in_flight_ = std::max(most_in_flight_, ++in_flight_);
      released_cv_.wait(lock, [&] { return released_; });
      --in_flight_;
    }
    return records_.find_charge(charge_id);
  }
  int in_flight() {
    std::lock_guard lock(mutex_);
    return in_flight_;
  }
  int lookups() {
    std::lock_guard lock(mutex_);
    return lookups_;
  }
  int most_in_flight() {
    std::lock_guard lock(mutex_);
    return most_in_flight_;
  }
  void release() {
    {
      std::lock_guard lock(mutex_);
      released_ = true;
    }
    released_cv_.notify_all();
  }

 private:
  PaymentGateway& records_;
  std::mutex mutex_;
  std::condition_variable released_cv_;
  int in_flight_{0};
  int lookups_{0};
  int most_in_flight_{0};
  bool released_{false};
};

// A saga whose payment follow-ups go to a HangingGateway. On any exit the
// gateway answers first, then the saga's threads end.
struct HangingGatewaySaga : SagaFixture {
  HangingGateway hanging{gateway};
  Payments hanging_payments{market, hanging};
  HangingGatewaySaga() {
    saga = std::make_unique<OrderSaga>(*log, market, hanging_payments, clock, *timers, SagaOptions{60s, 1s});
    saga->start();
  }
  ~HangingGatewaySaga() {
    hanging.release();
    saga.reset();
  }
  HangingGatewaySaga(HangingGatewaySaga const&) = delete;
  HangingGatewaySaga& operator=(HangingGatewaySaga const&) = delete;
};

}  // namespace

TEST_CASE("the saga expires an unpaid order when its clock reaches expiresAt, and only then") {
  SagaFixture f;
  f.start_saga();
  std::string const ticket = MarketplaceFixture::ticket_id(1);
  f.list(ticket);
  std::string const order = f.order(ticket);
  f.settle();
  CHECK(f.saga->pending_timers() == 1);
  f.clock.advance(14min);
  f.saga->wake();
  // Not due yet: the saga holds the timer for expiresAt (a timer set for an
  // earlier time would be due, or fired, refused, and rescheduled).
  CHECK(f.saga->due_timers() == 0);
  CHECK(f.saga->pending_timers() == 1);
  CHECK(f.state(order).order.status == order::Status::created);
  f.clock.advance(1min);
  f.saga->wake();
  REQUIRE(eventually([&] { return f.state(order).order.expired; }));
  CHECK(f.state(order).ticket.status == ticket::Status::available);
  REQUIRE(eventually([&] { return f.saga->pending_timers() == 0; }));
  CHECK(f.count_events(order_stream(order), "OrderExpired") == 1);
}

TEST_CASE("a paid or cancelled order's timer is removed, so nothing fires at its deadline") {
  SagaFixture f;
  f.start_saga();
  std::string const cancelled_ticket = MarketplaceFixture::ticket_id(2);
  std::string const paid_ticket = MarketplaceFixture::ticket_id(8);
  f.list(cancelled_ticket);
  f.list(paid_ticket);
  std::string const cancelled = f.order(cancelled_ticket);
  std::string const paid = f.order(paid_ticket);
  f.settle();
  CHECK(f.saga->pending_timers() == 2);
  REQUIRE(f.market.execute(cancelled, order::CancelOrder{cancelled, "buyer"}, f.ctx("buyer")).has_value());
  REQUIRE(f.market.execute(paid, order::StartPayment{paid, "buyer"}, f.ctx("buyer")).has_value());
  REQUIRE(f.market.execute(paid, order::RecordChargeSucceeded{charge_id_for(paid, 1), "ch_1"}, f.ctx()).has_value());
  f.settle();
  // The cancellation and the completion removed both expiry timers (the
  // payment's resolution timer went with its outcome).
  CHECK(f.saga->pending_timers() == 0);
  f.clock.advance(16min);
  f.saga->wake();
  CHECK(f.saga->due_timers() == 0);
}

TEST_CASE("timers survive a restart: an overdue one fires once when the saga starts again") {
  SagaFixture f;
  f.start_saga();
  std::string const ticket = MarketplaceFixture::ticket_id(3);
  f.list(ticket);
  std::string const order = f.order(ticket);
  f.settle();
  f.stop_saga();
  f.clock.advance(20min);
  f.start_saga();
  REQUIRE(eventually([&] { return f.state(order).order.expired; }));
  f.saga->stop();
  // Started again (say the process died before the timer's removal was
  // durable): the expiry is not applied twice.
  f.start_saga();
  f.settle();
  // Nothing is left to fire: the timer's removal was durable, and an expiry
  // applied once is not applied again.
  CHECK(f.saga->pending_timers() == 0);
  CHECK(f.saga->due_timers() == 0);
  CHECK(f.count_events(order_stream(order), "OrderExpired") == 1);
  CHECK(f.count_events(ticket_stream(ticket), "TicketReleased") == 1);
}

TEST_CASE("timers loaded at a restart fire in due order, and a commit the saga had not seen still removes one") {
  SagaFixture f;
  f.start_saga();
  std::vector<std::string> orders;
  for (int n = 10; n < 13; ++n) {  // due 15, 19 and 23 minutes from the start
    f.list(MarketplaceFixture::ticket_id(n));
    orders.push_back(f.order(MarketplaceFixture::ticket_id(n)));
    f.clock.advance(4min);
  }
  f.settle();  // 12 minutes from the start: nothing is due
  f.saga->stop();
  f.saga.reset();
  // While the saga is down the first order is cancelled: its timer is still
  // stored, and the commit that removes it is past the saga's checkpoint.
  REQUIRE(f.market.execute(orders[0], order::CancelOrder{orders[0], "buyer"}, f.ctx("buyer")).has_value());
  f.clock.advance(9min);  // 21 minutes from the start: the second is due, the third is not
  f.start_saga();
  f.settle();
  REQUIRE(eventually([&] { return f.state(orders[1]).order.expired && f.saga->due_timers() == 0; }));
  CHECK(f.saga->pending_timers() == 1);
  CHECK(f.count_events(order_stream(orders[0]), "OrderExpired") == 0);
  CHECK(f.count_events(order_stream(orders[1]), "OrderExpired") == 1);
  CHECK(f.state(orders[2]).order.status == order::Status::created);
}

TEST_CASE("timers the saga cannot read at a restart are read again until they load, never skipped") {
  SagaFixture f;
  f.start_saga();
  // Enough orders that their timers fill several blocks of the store, so one
  // block can be damaged while the checkpoint (in the first) still reads.
  // One second apart, so each timer's stored due time is its own.
  std::map<std::string, Instant> due;
  for (int n = 100; n < 400; ++n) {
    f.list(MarketplaceFixture::ticket_id(n));
    due[f.order(MarketplaceFixture::ticket_id(n))] = f.clock.now() + 15min;
    f.clock.advance(1s);
  }
  f.settle();
  f.saga->stop();
  f.saga.reset();
  f.timers.reset();
  // The stored value of the last timer in the store's order (values, unlike
  // keys, are stored whole): its block is the last, not the checkpoint's.
  std::string last_due;
  bytes::put_be64(last_due, static_cast<std::uint64_t>(to_millis(due.rbegin()->second)));
  DamagedBlock damaged(f.dir.path() / "saga", last_due);
  f.timers = f.open_timers();
  REQUIRE_FALSE(f.timers->all().has_value());
  REQUIRE(f.timers->checkpoints() == f.log->end_offsets());

  f.clock.advance(30min);  // every hold is overdue
  f.start_saga(SagaOptions{60s, 15min, 20ms, 100ms});
  // A few read attempts later: not loaded, so nothing fired and no commit was
  // applied (a partial load would fire the timers it read and lose the rest).
  std::this_thread::sleep_for(300ms);
  CHECK_FALSE(f.saga->loaded());
  CHECK(f.saga->due_timers() >= 1);
  CHECK(f.count_events(order_stream(due.begin()->first), "OrderExpired") == 0);
  f.saga->stop();  // ends the retrying load (hanging here would fail by the test's timeout)
  f.start_saga(SagaOptions{60s, 15min, 20ms, 100ms});

  damaged.repair();  // the disk reads again
  f.settle();
  for (auto const& [order, at] : due) {
    INFO(order);
    REQUIRE(eventually([&] { return f.state(order).order.expired; }));
  }
  REQUIRE(eventually([&] { return f.saga->pending_timers() == 0; }));
}

namespace {

// The fixture's saga on a timer store on `disk`, retrying every 20 ms to
// 100 ms, with one ticket listed and taken in; that ticket's id.
std::string listed_on(SagaFixture& f, FailingDisk& disk) {
  f.timers.reset();
  auto on_disk = TimerStore::open((f.dir.path() / "saga").string(), f.log->partition_count(), disk.env());
  REQUIRE(on_disk.has_value());
  f.timers = std::move(*on_disk);
  f.start_saga(SagaOptions{60s, 15min, 20ms, 100ms});
  std::string const ticket = MarketplaceFixture::ticket_id(1);
  f.list(ticket);
  f.settle();
  return ticket;
}

}  // namespace

TEST_CASE("a saga whose timer store cannot be written takes no commit past it; restarted, it still ends the hold") {
  // The first round's worst defects were holds that never ended: a saga that
  // moved on without the hold's timer would leave the ticket held for good.
  FailingDisk disk;  // outlives the fixture's stores
  SagaFixture f;
  std::string const ticket = listed_on(f, disk);
  auto const before = f.saga->applied();

  disk.fail_wal_writes(true);
  int const writes_before = disk.writes();
  std::string const order = f.order(ticket);  // the log's own disk is healthy
  // The saga tries to store the hold's timer and fails (RocksDB then refuses
  // every write without touching the disk); retried every 20 ms to 100 ms
  // meanwhile, it neither takes the order's commit nor holds a timer.
  REQUIRE(eventually([&] { return disk.writes() > writes_before; }));
  std::this_thread::sleep_for(300ms);
  CHECK(f.saga->applied() == before);
  CHECK(f.saga->lag() >= 1);  // what /metrics shows as ticketing_saga_lag_commits
  CHECK(f.saga->pending_timers() == 0);
  f.saga->stop();  // ends the retry loop (hanging here would fail by the test's timeout)
  f.saga.reset();
  f.timers.reset();

  // Restarted on a healthy disk: from its checkpoint, the order's commit
  // again, its timer, and the hold ends when due.
  disk.fail_wal_writes(false);
  f.timers = f.open_timers();
  f.start_saga();
  f.settle();
  CHECK(f.saga->pending_timers() == 1);
  f.clock.advance(15min);
  f.saga->wake();
  REQUIRE(eventually([&] { return f.state(order).order.expired; }));
  CHECK(f.count_events(ticket_stream(ticket), "TicketReleased") == 1);
}

TEST_CASE("a saga whose timer store's disk fills under a flush waits, and resumes by itself once there is room") {
  // A full disk under a flush stops RocksDB's writes until its own retry
  // writes the table file: the saga must neither skip the order's commit
  // meanwhile nor need a restart afterwards.
  FailingDisk disk;  // outlives the fixture's stores
  SagaFixture f;
  std::string const ticket = listed_on(f, disk);
  auto const before = f.saga->applied();

  // The store's 4 MiB memtable filled (with timers of no order, removed
  // below) until a flush has failed and RocksDB refuses writes.
  disk.fail_table_writes(FailingDisk::TableFault::no_space);
  std::vector<std::string> filler;
  bool refused = false;
  for (int i = 0; i < 4000 && !refused; ++i) {
    std::string id = "filler-" + std::to_string(i);
    refused = !f.timers->put(Timer{Instant{}, TimerKind::recheck_charge, id, std::string(4096, 'x')}).has_value();
    if (!refused) filler.push_back(std::move(id));
  }
  REQUIRE(refused);
  CHECK(disk.failed_table_writes() >= 1);

  std::string const order = f.order(ticket);  // the log's own disk is healthy
  std::this_thread::sleep_for(300ms);         // the saga's retries meanwhile, every 20 ms to 100 ms
  CHECK(f.saga->applied() == before);
  CHECK(f.saga->lag() >= 1);
  CHECK(f.saga->pending_timers() == 0);

  // Room again: RocksDB's retry writes the table file and the same saga,
  // not restarted, stores the hold's timer and ends the hold when due.
  disk.fail_table_writes(FailingDisk::TableFault::none);
  REQUIRE(eventually([&] { return f.saga->lag() == 0; }));
  CHECK(f.saga->pending_timers() == 1);
  for (auto const& id : filler) REQUIRE(f.timers->remove(TimerKey{TimerKind::recheck_charge, id}).has_value());
  f.clock.advance(15min);
  f.saga->wake();
  REQUIRE(eventually([&] { return f.state(order).order.expired; }));
  CHECK(f.count_events(ticket_stream(ticket), "TicketReleased") == 1);
}

TEST_CASE("a charge that succeeds after its order stopped being payable is refunded") {
  SagaFixture f;
  f.start_saga();
  std::string const ticket = MarketplaceFixture::ticket_id(4);
  f.list(ticket);
  std::string const order = f.order(ticket);
  auto started = f.market.execute(order, order::StartPayment{order, "buyer"}, f.ctx("buyer"));
  REQUIRE(started.has_value());
  std::string const charge = charge_id_for(order, 1);
  // The gateway said nothing was charged; the order, payable again, expires.
  REQUIRE(f.market.execute(order, order::RecordChargeFailed{charge, "not_charged", true}, f.ctx()).has_value());
  f.clock.advance(16min);
  f.saga->wake();
  REQUIRE(eventually([&] { return f.state(order).order.expired; }));
  // The charge had gone through after all, and the gateway says so.
  auto const made = f.gateway.charge(ChargeRequest{charge, charge, "tok_visa", Money{2000}, "usd"});
  REQUIRE(made.outcome == ChargeResult::Outcome::succeeded);
  REQUIRE(f.market.execute(order, order::RecordChargeSucceeded{charge, made.gateway_id}, f.ctx()).has_value());
  REQUIRE(eventually([&] { return f.state(order, charge).charge.status == charge::Status::refunded; }));
  CHECK(f.state(order).order.status == order::Status::cancelled);
  CHECK(f.count_events(charge_stream(charge), "ChargeRefunded") == 1);
}

TEST_CASE("a payment left without an outcome is resolved from the gateway's records") {
  SagaFixture f;
  f.start_saga();
  std::string const paid_ticket = MarketplaceFixture::ticket_id(5);
  std::string const lost_ticket = MarketplaceFixture::ticket_id(6);
  f.list(paid_ticket);
  f.list(lost_ticket);
  std::string const paid = f.order(paid_ticket);
  std::string const lost = f.order(lost_ticket);
  REQUIRE(f.market.execute(paid, order::StartPayment{paid, "buyer"}, f.ctx("buyer")).has_value());
  REQUIRE(f.market.execute(lost, order::StartPayment{lost, "buyer"}, f.ctx("buyer")).has_value());
  // The process charged the first card and died before recording it; the
  // second never reached the gateway.
  auto const made =
      f.gateway.charge(ChargeRequest{charge_id_for(paid, 1), charge_id_for(paid, 1), "tok_visa", Money{2000}, "usd"});
  REQUIRE(made.outcome == ChargeResult::Outcome::succeeded);
  f.settle();
  f.clock.advance(61s);
  f.saga->wake();
  REQUIRE(eventually([&] { return f.state(paid).order.status == order::Status::complete; }));
  CHECK(f.state(paid).ticket.status == ticket::Status::sold);
  REQUIRE(eventually([&] { return f.state(lost).order.status == order::Status::created; }));
  CHECK(f.state(lost).ticket.status == ticket::Status::reserved);  // still held, payable again
}

TEST_CASE("an expiry that fires while a payment is in flight waits for its outcome instead of being dropped") {
  SagaFixture f;
  f.start_saga({.payment_resolution_delay = 30min});  // the gateway call is still running
  std::string const ticket = MarketplaceFixture::ticket_id(7);
  f.list(ticket);
  std::string const order = f.order(ticket);
  REQUIRE(f.market.execute(order, order::StartPayment{order, "buyer"}, f.ctx("buyer")).has_value());
  f.settle();
  // The deadline passes while the charge has no outcome: the order cannot
  // expire yet, and the expiry timer is kept.
  f.clock.advance(15min);
  f.saga->wake();
  std::this_thread::sleep_for(200ms);
  CHECK(f.state(order).order.status == order::Status::awaiting_payment);
  CHECK(f.saga->pending_timers() >= 1);
  // The gateway then refuses the card (nothing charged): the hold ends in the
  // same commit, at once.
  std::string const charge = charge_id_for(order, 1);
  REQUIRE(f.market.execute(order, order::RecordChargeFailed{charge, "resource_missing", true}, f.ctx()).has_value());
  CHECK(f.state(order).order.expired);
  CHECK(f.state(order).ticket.status == ticket::Status::available);
  REQUIRE(eventually([&] { return f.saga->pending_timers() == 0; }));
  CHECK(f.count_events(order_stream(order), "OrderExpired") == 1);
}

TEST_CASE("a payment interrupted by a crash, found uncharged after the deadline, ends the hold") {
  SagaFixture f;
  f.start_saga();
  std::string const ticket = MarketplaceFixture::ticket_id(8);
  f.list(ticket);
  std::string const order = f.order(ticket);
  REQUIRE(f.market.execute(order, order::StartPayment{order, "buyer"}, f.ctx("buyer")).has_value());
  f.settle();
  f.stop_saga();
  // The process died before the gateway was called; it restarts after the deadline.
  f.clock.advance(20min);
  f.start_saga();
  REQUIRE(eventually([&] { return f.state(order).order.expired; }));
  CHECK(f.state(order).ticket.status == ticket::Status::available);
  CHECK(f.state(order, charge_id_for(order, 1)).charge.status == charge::Status::failed);
  CHECK(f.gateway.successful_charges() == 0);
}

TEST_CASE("a payment interrupted after the gateway took the money completes the order after a restart") {
  SagaFixture f;
  f.start_saga();
  std::string const ticket = MarketplaceFixture::ticket_id(9);
  f.list(ticket);
  std::string const order = f.order(ticket);
  REQUIRE(f.market.execute(order, order::StartPayment{order, "buyer"}, f.ctx("buyer")).has_value());
  std::string const charge = charge_id_for(order, 1);
  REQUIRE(f.gateway.charge(ChargeRequest{charge, charge, "tok_visa", Money{2000}, "usd"}).outcome ==
          ChargeResult::Outcome::succeeded);
  f.settle();
  f.saga->stop();
  f.saga.reset();
  // The gateway's records survive a restart too.
  f.gateway_records.reset();
  f.gateway_records = std::move(*SandboxGateway::open((f.dir.path() / "gateway").string()));
  f.clock.advance(20min);
  SandboxGateway& reopened = *f.gateway_records;
  Payments payments(f.market, reopened);
  f.saga = std::make_unique<OrderSaga>(*f.log, f.market, payments, f.clock, *f.timers, SagaOptions{60s, 1s});
  f.saga->start();
  REQUIRE(eventually([&] { return f.state(order).order.status == order::Status::complete; }));
  CHECK(f.state(order).ticket.status == ticket::Status::sold);
  f.saga->stop();
}

TEST_CASE("holds end on time while the gateway hangs on the saga's payment follow-ups") {
  HangingGatewaySaga f;
  HangingGateway& hanging = f.hanging;
  std::vector<std::string> paying;
  for (int n = 20; n < 22; ++n) {
    f.list(MarketplaceFixture::ticket_id(n));
    paying.push_back(f.order(MarketplaceFixture::ticket_id(n)));
    // The process started the payment and never heard back from the gateway.
    REQUIRE(f.market.execute(paying.back(), order::StartPayment{paying.back(), "buyer"}, f.ctx("buyer")).has_value());
  }
  f.list(MarketplaceFixture::ticket_id(22));
  std::string const held = f.order(MarketplaceFixture::ticket_id(22));
  f.settle();
  // Both payments are looked up at the gateway, at the same time, and it hangs.
  f.clock.advance(61s);
  f.saga->wake();
  REQUIRE(eventually([&] { return hanging.in_flight() == 2; }));
  // The unpaid hold's deadline passes: it ends all the same.
  f.clock.advance(15min);
  f.saga->wake();
  REQUIRE(eventually([&] { return f.state(held).order.expired; }));
  CHECK(f.state(held).ticket.status == ticket::Status::available);
  // The holds with a payment in flight wait for its outcome.
  CHECK(f.state(paying[0]).order.status == order::Status::awaiting_payment);
  CHECK(f.state(paying[1]).order.status == order::Status::awaiting_payment);
  // The gateway answers that nothing was charged; at their expiries' next
  // try, those holds end too.
  hanging.release();
  for (auto const& order : paying) {
    REQUIRE(
        eventually([&] { return f.state(order, charge_id_for(order, 1)).charge.status == charge::Status::failed; }));
  }
  f.clock.advance(2s);
  f.saga->wake();
  REQUIRE(eventually([&] { return f.state(paying[0]).order.expired && f.state(paying[1]).order.expired; }));
  CHECK(f.gateway.successful_charges() == 0);
  REQUIRE(eventually([&] { return f.saga->due_timers() == 0; }));
}

TEST_CASE("holds overdue at a restart end each exactly once with eight expiry threads") {
  SagaFixture f;
  f.start_saga();
  std::vector<std::string> tickets, orders;
  for (int n = 100; n < 164; ++n) {
    tickets.push_back(MarketplaceFixture::ticket_id(n));
    f.list(tickets.back());
    orders.push_back(f.order(tickets.back()));
  }
  f.settle();
  f.stop_saga();
  f.clock.advance(20min);
  f.start_saga({.payment_resolution_delay = 60s, .retry_delay = 1s, .expiry_threads = 8});
  REQUIRE(eventually([&] {
    return std::all_of(orders.begin(), orders.end(), [&](auto const& o) { return f.state(o).order.expired; });
  }));
  REQUIRE(eventually([&] { return f.saga->pending_timers() == 0 && f.saga->due_timers() == 0; }));
  for (std::size_t i = 0; i < orders.size(); ++i) {
    CAPTURE(orders[i]);
    CHECK(f.count_events(order_stream(orders[i]), "OrderExpired") == 1);
    CHECK(f.count_events(ticket_stream(tickets[i]), "TicketReleased") == 1);
    CHECK(f.state(orders[i]).ticket.status == ticket::Status::available);
  }
}

TEST_CASE("a timer the log queues again while it is being fired waits for that firing to end") {
  HangingGatewaySaga f;
  HangingGateway& hanging = f.hanging;
  std::string const ticket = MarketplaceFixture::ticket_id(30);
  f.list(ticket);
  std::string const order = f.order(ticket);
  REQUIRE(f.market.execute(order, order::StartPayment{order, "buyer"}, f.ctx("buyer")).has_value());
  std::string const charge = charge_id_for(order, 1);
  f.settle();
  f.clock.advance(61s);
  f.saga->wake();
  REQUIRE(eventually([&] { return hanging.in_flight() == 1; }));
  // While the charge is being looked up, the log asks for its lookup again
  // (a second ChargeCreated of the same charge), and that timer falls due.
  Commit again{"again-" + charge, order, {{charge_stream(charge), 0}}, {}, {}};
  again.meta.recorded_at = f.clock.now();
  again.events = {ChargeCreated{charge, order, Money{2000}, "usd", charge, f.clock.now()}};
  REQUIRE(f.log->append(again).has_value());
  f.settle();
  f.clock.advance(61s);
  f.saga->wake();
  CHECK(f.saga->pending_timers() == 2);  // the hold's expiry, and the lookup queued again
  CHECK(f.saga->due_timers() == 2);      // the lookup being fired, and the one due again
  // Three more threads of the lane are free; none fires it meanwhile.
  std::this_thread::sleep_for(200ms);
  CHECK(hanging.in_flight() == 1);
  CHECK(hanging.lookups() == 1);
  // Once the first firing ends, the second runs; never both at once.
  hanging.release();
  REQUIRE(eventually([&] { return f.saga->pending_timers() == 1 && f.saga->due_timers() == 0; }));
  CHECK(f.state(order, charge).charge.status == charge::Status::failed);
  CHECK(hanging.most_in_flight() == 1);
}

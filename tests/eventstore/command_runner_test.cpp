#include "eventstore/command_runner.hpp"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <future>
#include <mutex>
#include <stdexcept>
#include <thread>

#include <doctest/doctest.h>

#include "domain/ids.hpp"
#include "domain/order.hpp"
#include "eventstore/rocksdb_log.hpp"
#include "temp_dir.hpp"

using namespace ticketing;
using namespace std::chrono_literals;

namespace {

std::string const kTicket = "00000000000000000000abcd";
Instant const kNow = *parse_iso8601("2026-11-21T10:00:00.000Z");

CommitMeta meta() { return CommitMeta{"corr", "cause", "user", "", kNow}; }

Result<ticket::State> load_ticket(StreamReader& reader) {
  return reader.fold<TicketEvent>(ticket_stream(kTicket), ticket::initial_state(), ticket::evolve);
}

CommandRunner::Decide list_ticket() {
  return [](StreamReader& reader) -> Result<Events> {
    auto state = load_ticket(reader);
    if (!state) return state.error();
    return ticket::decide(*state, ticket::ListTicket{kTicket, "seller", "Show", Money{2000}}, kNow);
  };
}

CommandRunner::Decide place_order(std::string buyer) {
  return [buyer](StreamReader& reader) -> Result<Events> {
    auto state = load_ticket(reader);
    if (!state) return state.error();
    return order::place(*state, order::PlaceOrder{kTicket, buyer, std::nullopt, 15min}, kNow);
  };
}

CommandRunner::Decide update_price(std::int64_t cents) {
  return [cents](StreamReader& reader) -> Result<Events> {
    auto state = load_ticket(reader);
    if (!state) return state.error();
    return ticket::decide(*state, ticket::UpdateTicket{kTicket, "seller", "Show", Money{cents}, std::nullopt}, kNow);
  };
}

// The log, counting the commits offered to it (accepted or not) and the
// commits looked up by id.
class CountingLog final : public EventLog {
 public:
  explicit CountingLog(EventLog& log) : log_(log) {}
  std::atomic<int> appends{0};
  std::atomic<int> lookups{0};  // of a commit by its id
  [[nodiscard]] std::uint32_t partition_count() const noexcept override { return log_.partition_count(); }
  void append_async(Commit commit, AppendCallback done) override {
    ++appends;
    log_.append_async(std::move(commit), std::move(done));
  }
  Result<std::vector<RecordedEvent>> read_stream(std::string const& stream, std::int64_t from) override {
    return log_.read_stream(stream, from);
  }
  Result<std::int64_t> stream_version(std::string const& stream) override { return log_.stream_version(stream); }
  Result<std::vector<RecordedCommit>> read_partition(std::uint32_t p, std::uint64_t from, std::size_t max) override {
    return log_.read_partition(p, from, max);
  }
  Result<std::vector<StoredCommit>> read_partition_stored(std::uint32_t p, std::uint64_t from,
                                                          std::size_t max) override {
    return log_.read_partition_stored(p, from, max);
  }
  Result<std::optional<RecordedCommit>> find_commit(std::string const& id) override {
    ++lookups;
    return log_.find_commit(id);
  }
  std::vector<std::uint64_t> end_offsets() override { return log_.end_offsets(); }
  std::unique_ptr<Subscription> subscribe(std::vector<std::uint64_t> from, CommitHandler handler) override {
    return log_.subscribe(std::move(from), std::move(handler));
  }

 private:
  EventLog& log_;
};

struct Fixture {
  testing::TempDir dir;
  std::unique_ptr<RocksDbLog> log = std::move(*RocksDbLog::open({.path = dir.str(), .partitions = 4}));
};

}  // namespace

TEST_CASE("the runner loads, decides and commits with the versions it read") {
  Fixture f;
  CommandRunner runner(*f.log);
  auto listed = runner.run(kTicket, "list", meta(), list_ticket());
  REQUIRE(listed.has_value());
  CHECK(listed->events.size() == 1);
  REQUIRE(listed->append.has_value());
  auto again = runner.run(kTicket, "list-2", meta(), list_ticket());
  REQUIRE_FALSE(again.has_value());
  CHECK(again.error().code == ErrorCode::already_exists);  // the decider says the ticket exists
  CHECK(f.log->stream_version(ticket_stream(kTicket)).value() == 0);
}

TEST_CASE("a command with nothing to do appends nothing") {
  Fixture f;
  CommandRunner runner(*f.log);
  auto outcome = runner.run(kTicket, "noop", meta(), [](StreamReader&) -> Result<Events> { return Events{}; });
  REQUIRE(outcome.has_value());
  CHECK_FALSE(outcome->append.has_value());
  CHECK(f.log->end_offsets() == std::vector<std::uint64_t>(4, 0));
}

TEST_CASE("forty concurrent buyers of one ticket: exactly one order, the rest told it is reserved") {
  Fixture f;
  CountingLog counted(*f.log);
  CommandRunner runner(counted);
  REQUIRE(runner.run(kTicket, "list", meta(), list_ticket()).has_value());
  constexpr int kBuyers = 40;
  std::atomic<int> placed{0}, reserved{0}, other{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kBuyers; ++i) {
    threads.emplace_back([&, i] {
      auto r = runner.run(kTicket, "order-" + std::to_string(i), meta(), place_order("buyer-" + std::to_string(i)));
      if (r) {
        ++placed;
      } else if (r.error().message == "Ticket is already reserved") {
        ++reserved;
      } else {
        ++other;
      }
    });
  }
  for (auto& t : threads) t.join();
  CHECK(placed == 1);
  CHECK(reserved == kBuyers - 1);
  CHECK(other == 0);
  CHECK(f.log->stream_version(ticket_stream(kTicket)).value() == 1);
  // The losers were answered from the state the winner left, without a
  // commit that would have lost: the listing and the winning order only.
  CHECK(counted.appends == 2);
}

TEST_CASE("a stale write-side cache costs a retry, never a wrong decision") {
  Fixture f;
  CommandRunner first(*f.log);
  CommandRunner second(*f.log);  // its own cache: it will not see first's commits
  REQUIRE(first.run(kTicket, "list", meta(), list_ticket()).has_value());
  REQUIRE(second.run(kTicket, "price-1", meta(), update_price(2500)).has_value());  // caches version 1
  REQUIRE(first.run(kTicket, "order", meta(), place_order("buyer")).has_value());   // reserves: version 2
  auto refused = second.run(kTicket, "price-2", meta(), update_price(3000));        // stale cache says available
  REQUIRE_FALSE(refused.has_value());
  CHECK(refused.error().message == "Cannot edit a reserved ticket");
}

TEST_CASE("a repeated commit id acts once") {
  Fixture f;
  CommandRunner runner(*f.log);
  REQUIRE(runner.run(kTicket, "list", meta(), list_ticket()).has_value());
  auto once = runner.run(kTicket, "same-price-change", meta(), update_price(2500));
  REQUIRE(once.has_value());
  CommandRunner fresh(*f.log);
  auto twice = fresh.run(kTicket, "same-price-change", meta(), update_price(2500));
  REQUIRE(twice.has_value());
  REQUIRE(twice->append.has_value());
  CHECK(twice->append->duplicate);
  CHECK(f.log->stream_version(ticket_stream(kTicket)).value() == 1);
}

TEST_CASE("on a shared log, a refusal never rests on a stale cache") {
  Fixture f;
  CommandRunnerOptions shared;
  shared.shared_log = true;
  CommandRunner node_a(*f.log, shared);
  CommandRunner node_b(*f.log, shared);
  REQUIRE(node_a.run(kTicket, "list", meta(), list_ticket()).has_value());
  REQUIRE(node_a.run(kTicket, "order-1", meta(), place_order("first")).has_value());
  // Node B learns the ticket is reserved (and caches it).
  auto refused = node_b.run(kTicket, "order-2", meta(), place_order("second"));
  REQUIRE_FALSE(refused.has_value());
  CHECK(refused.error().message == "Ticket is already reserved");
  // Node A releases it: the first order is cancelled.
  REQUIRE(node_a
              .run(kTicket, "cancel-1", meta(),
                   [](StreamReader& reader) -> Result<Events> {
                     auto order = reader.fold<OrderEvent>(order_stream(order_id_for(kTicket, 1)),
                                                          order::initial_state(), order::evolve);
                     auto ticket = load_ticket(reader);
                     if (!order || !ticket) return make_error(ErrorCode::internal, "load");
                     order::OrderContext ctx{*order, *ticket, charge::initial_state()};
                     return order::decide(ctx, order::CancelOrder{order_id_for(kTicket, 1), "first"}, kNow);
                   })
              .has_value());
  // Node B's cached "reserved" is stale; its next decision sees the release.
  auto placed = node_b.run(kTicket, "order-3", meta(), place_order("second"));
  REQUIRE_MESSAGE(placed.has_value(), (placed ? "" : placed.error().message));
}

TEST_CASE("a command whose commit already landed gets its first outcome, not a new decision") {
  // A request committed, then its process died before answering; the client
  // retries with the same key, so the same commit ids.
  Fixture f;
  CommandRunner runner(*f.log);
  auto const listed = runner.run(kTicket, "list", meta(), list_ticket());
  REQUIRE(listed.has_value());
  auto const ordered = runner.run(kTicket, "order", meta(), place_order("buyer"));
  REQUIRE(ordered.has_value());
  REQUIRE_FALSE(ordered->append->duplicate);

  // Decided again, both would now be refused ("Ticket already exists",
  // "Ticket is already reserved"); a fresh runner (no cache) answers from the log.
  CommandRunner after_restart(*f.log);
  auto const listed_again = after_restart.run(kTicket, "list", meta(), list_ticket());
  REQUIRE(listed_again.has_value());
  CHECK(listed_again->append->duplicate);
  CHECK(listed_again->append->position == listed->append->position);
  CHECK(listed_again->events == listed->events);
  auto const ordered_again = after_restart.run(kTicket, "order", meta(), place_order("buyer"));
  REQUIRE(ordered_again.has_value());
  CHECK(ordered_again->events == ordered->events);
  CHECK(ordered_again->append->position == ordered->append->position);
  // A new commit id is decided against the current state as usual.
  auto const other = after_restart.run(kTicket, "order-2", meta(), place_order("buyer-2"));
  REQUIRE_FALSE(other.has_value());
  CHECK(other.error().message == "Ticket is already reserved");
}

TEST_CASE("a decision that creates a stream need not read it: the runner expects it not to exist") {
  Fixture f;
  CommandRunner runner(*f.log);
  auto const create_blind = [](StreamReader&) -> Result<Events> {
    return Events{TicketCreated{kTicket, "seller", "Show", Money{2000}, kNow}};
  };
  auto const first = runner.run(kTicket, "blind-1", meta(), create_blind);
  REQUIRE(first.has_value());
  auto const stored = f.log->read_partition(first->append->position.partition, first->append->position.offset, 1);
  REQUIRE(stored.has_value());
  REQUIRE(stored->size() == 1);
  CHECK(stored->front().commit.expected == std::vector<ExpectedVersion>{{ticket_stream(kTicket), kNoStream}});
  // Created again under another commit id: refused, never appended to the existing stream.
  auto const again = runner.run(kTicket, "blind-2", meta(), create_blind);
  CHECK_FALSE(again.has_value());
  CHECK(f.log->stream_version(ticket_stream(kTicket)).value() == 0);
}

// ---- try_run_async ----

namespace {

// The outcome a try_run_async gave, waited for.
struct AsyncResult {
  std::promise<std::optional<Result<CommandOutcome>>> promise;
  std::future<std::optional<Result<CommandOutcome>>> future = promise.get_future();
  CommandRunner::Done done() {
    return [this](std::optional<Result<CommandOutcome>> r) { promise.set_value(std::move(r)); };
  }
  std::optional<Result<CommandOutcome>> get() { return future.get(); }
  // The outcome, required to be an append (committed, or found a duplicate).
  CommandOutcome appended() {
    auto outcome = get();
    REQUIRE(outcome.has_value());
    REQUIRE(outcome->has_value());
    REQUIRE((*outcome)->append.has_value());
    return std::move(**outcome);
  }
};

// Buyers of one ticket, each on its own thread, all let go at once: how
// their commands ended (declined: an asynchronous one gave nullopt).
struct Crowd {
  std::atomic<int> placed{0}, refused{0}, declined{0};
  void buy(int buyers, std::function<std::optional<Result<CommandOutcome>>(int buyer)> const& order) {
    std::atomic<bool> go{false};
    std::vector<std::thread> threads;
    for (int i = 0; i < buyers; ++i) {
      threads.emplace_back([&, i] {
        while (!go) std::this_thread::yield();
        auto const outcome = order(i);
        if (!outcome) {
          ++declined;
        } else if (outcome->has_value()) {
          ++placed;
        } else {
          ++refused;
        }
      });
    }
    go = true;
    for (auto& t : threads) t.join();
  }
};

}  // namespace

TEST_CASE("try_run_async commits, answers once the commit is durable, and the cache holds what it decided") {
  Fixture f;
  CommandRunner runner(*f.log);
  REQUIRE(runner.run(kTicket, "list", meta(), list_ticket()).has_value());
  AsyncResult placed;
  runner.try_run_async(kTicket, "order", meta(), place_order("buyer"), placed.done());
  auto const outcome = placed.appended();
  CHECK_FALSE(outcome.append->duplicate);
  // Durable and readable when answered.
  auto const at = outcome.append->position;
  CHECK(f.log->read_partition(at.partition, at.offset, 1).value().size() == 1);
  // The next decision sees the reservation (from the cache the commit updated).
  auto second = runner.run(kTicket, "order-2", meta(), place_order("other"));
  REQUIRE_FALSE(second.has_value());
  CHECK(second.error().message == "Ticket is already reserved");
  // The same commit id again: the first outcome, at once, nothing decided.
  AsyncResult repeated;
  runner.try_run_async(kTicket, "order", meta(), place_order("someone else"), repeated.done());
  auto const again = repeated.appended();
  CHECK(again.append->duplicate);
  CHECK(again.append->position == at);
}

TEST_CASE("try_run_async looks a commit id up first unless it is fresh, and answers the same either way") {
  Fixture f;
  CountingLog counting(*f.log);
  CommandRunner runner(counting);
  REQUIRE(runner.run(kTicket, "list", meta(), list_ticket()).has_value());
  int const before = counting.lookups;
  AsyncResult placed;
  runner.try_run_async(kTicket, "order", meta(), place_order("buyer"), placed.done(), {},
                       CommandRunner::CommitId::fresh);
  auto const outcome = placed.appended();
  CHECK_FALSE(outcome.append->duplicate);
  CHECK(counting.lookups == before);
  // A fresh id whose decision refuses: answered at once, nothing looked up.
  AsyncResult refused;
  runner.try_run_async(kTicket, "order-2", meta(), place_order("other"), refused.done(), {},
                       CommandRunner::CommitId::fresh);
  auto r = refused.get();
  REQUIRE(r.has_value());
  REQUIRE_FALSE(r->has_value());
  CHECK(r->error().message == "Ticket is already reserved");
  CHECK(counting.lookups == before);
  // An id that may have been used is looked up first: the first outcome.
  AsyncResult repeated;
  runner.try_run_async(kTicket, "order", meta(), place_order("someone else"), repeated.done());
  auto const again = repeated.appended();
  CHECK(again.append->duplicate);
  CHECK(again.append->position == outcome.append->position);
  CHECK(counting.lookups == before + 1);
  CHECK(counting.appends == 2);  // the listing and the order
}

TEST_CASE("try_run_async answers a refusal and nothing to do at once, committing nothing") {
  Fixture f;
  CountingLog counting(*f.log);
  CommandRunner runner(counting);
  AsyncResult refused;
  runner.try_run_async(kTicket, "order", meta(), place_order("buyer"), refused.done());  // no such ticket
  REQUIRE(refused.future.wait_for(0s) == std::future_status::ready);
  auto r = refused.get();
  REQUIRE(r.has_value());
  CHECK_FALSE(r->has_value());
  AsyncResult nothing;
  runner.try_run_async(
      kTicket, "noop", meta(), [](StreamReader&) -> Result<Events> { return Events{}; }, nothing.done());
  auto n = nothing.get();
  REQUIRE(n.has_value());
  REQUIRE(n->has_value());
  CHECK_FALSE((*n)->append.has_value());
  CHECK(counting.appends == 0);
  // The turn was given back each time: a blocking command on the key runs.
  CHECK(runner.run(kTicket, "list", meta(), list_ticket()).has_value());
}

TEST_CASE("without a way to resume, try_run_async declines while another command on the key has its turn") {
  Fixture f;
  CountingLog counting(*f.log);
  CommandRunner runner(counting);
  REQUIRE(runner.run(kTicket, "list", meta(), list_ticket()).has_value());
  std::promise<void> deciding, release;
  std::thread holder([&] {
    (void)runner.run(kTicket, "update", meta(), [&](StreamReader& reader) -> Result<Events> {
      deciding.set_value();
      release.get_future().wait();
      return update_price(2500)(reader);
    });
  });
  deciding.get_future().wait();
  AsyncResult declined;
  runner.try_run_async(kTicket, "order", meta(), place_order("buyer"), declined.done());
  REQUIRE(declined.future.wait_for(0s) == std::future_status::ready);  // at once: it does not wait
  CHECK_FALSE(declined.get().has_value());
  release.set_value();
  holder.join();
  CHECK(counting.appends == 2);  // the listing and the update; the declined order offered nothing
  // Its turn over, the order commits through either path.
  AsyncResult placed;
  runner.try_run_async(kTicket, "order", meta(), place_order("buyer"), placed.done());
  auto outcome = placed.get();
  REQUIRE(outcome.has_value());
  CHECK(outcome->has_value());
}

TEST_CASE("try_run_async declines a commit that lost a race, and run then decides against the winner") {
  Fixture f;
  CommandRunner runner(*f.log);
  REQUIRE(runner.run(kTicket, "list", meta(), list_ticket()).has_value());
  // Another process reserves the ticket between this decision and its commit.
  AsyncResult raced;
  runner.try_run_async(
      kTicket, "order", meta(),
      [&](StreamReader& reader) -> Result<Events> {
        auto decided = place_order("buyer")(reader);
        Commit other{"other-process", kTicket, {{ticket_stream(kTicket), 0}}, {}, meta()};
        other.events.push_back(TicketUpdated{kTicket, "Show", Money{3000}, Money{2000}, kNow});
        REQUIRE(f.log->append(std::move(other)).has_value());
        return decided;
      },
      raced.done());
  CHECK_FALSE(raced.get().has_value());  // declined: nothing of it in the log
  CHECK(f.log->stream_version(ticket_stream(kTicket)).value() == 1);
  CHECK(f.log->stream_version(order_stream(kTicket + "-1")).value() == kNoStream);
  auto retried = runner.run(kTicket, "order", meta(), place_order("buyer"));
  REQUIRE(retried.has_value());
  REQUIRE(retried->append.has_value());
  CHECK(f.log->stream_version(ticket_stream(kTicket)).value() == 2);
}

TEST_CASE("forty buyers of one ticket through try_run_async, falling back to run: exactly one order") {
  Fixture f;
  CountingLog counting(*f.log);
  CommandRunner runner(counting);
  REQUIRE(runner.run(kTicket, "list", meta(), list_ticket()).has_value());
  constexpr int kBuyers = 40;
  Crowd crowd;
  crowd.buy(kBuyers, [&](int i) {
    std::string const buyer = "buyer" + std::to_string(i);
    AsyncResult tried;
    runner.try_run_async(kTicket, "order-" + buyer, meta(), place_order(buyer), tried.done());
    auto outcome = tried.get();
    if (!outcome) outcome = runner.run(kTicket, "order-" + buyer, meta(), place_order(buyer));  // declined
    return outcome;
  });
  CHECK(crowd.placed == 1);
  CHECK(crowd.refused == kBuyers - 1);
  CHECK(counting.appends == 2);  // the listing and the one order: losers decide from the cache
  CHECK(f.log->stream_version(ticket_stream(kTicket)).value() == 1);
}

TEST_CASE("a decision that throws under try_run_async gives the key's turn back") {
  Fixture f;
  CommandRunner runner(*f.log);
  AsyncResult unused;
  CHECK_THROWS_AS(
      runner.try_run_async(
          kTicket, "boom", meta(), [](StreamReader&) -> Result<Events> { throw std::runtime_error("decision failed"); },
          unused.done()),
      std::runtime_error);
  AsyncResult listed;
  runner.try_run_async(kTicket, "list", meta(), list_ticket(), listed.done());
  auto outcome = listed.get();
  REQUIRE(outcome.has_value());  // not declined: nobody holds the turn
  CHECK(outcome->has_value());
}

// ---- waiting in a key's line ----

namespace {

// Threads that run what is posted to them, as a server's I/O threads run
// what a request's continuation posts.
class Posted {
 public:
  explicit Posted(int threads) {
    for (int t = 0; t < threads; ++t) threads_.emplace_back([this] { run(); });
  }
  ~Posted() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    ready_.notify_all();
    for (auto& t : threads_) t.join();
  }
  Posted(Posted const&) = delete;
  Posted& operator=(Posted const&) = delete;
  CommandRunner::Resume resume() {
    return [this](std::function<void()> f) {
      {
        std::lock_guard lock(mutex_);
        queue_.push_back(std::move(f));
        ++posts_;
      }
      ready_.notify_one();
    };
  }
  int posts() {
    std::lock_guard lock(mutex_);
    return posts_;
  }

 private:
  void run() {
    std::unique_lock lock(mutex_);
    for (;;) {
      ready_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;
      auto f = std::move(queue_.front());
      queue_.pop_front();
      lock.unlock();
      f();
      lock.lock();
    }
  }
  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<std::function<void()>> queue_;
  int posts_ = 0;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

// A blocking command on kTicket that holds the key's turn until released.
class TurnHolder {
 public:
  explicit TurnHolder(CommandRunner& runner)
      : thread_([this, &runner] {
          (void)runner.run(kTicket, "update", meta(), [this](StreamReader& reader) -> Result<Events> {
            deciding_.set_value();
            release_.get_future().wait();
            return update_price(2500)(reader);
          });
        }) {
    deciding_.get_future().wait();
  }
  ~TurnHolder() { release(); }
  TurnHolder(TurnHolder const&) = delete;
  TurnHolder& operator=(TurnHolder const&) = delete;
  void release() {
    if (!thread_.joinable()) return;
    release_.set_value();
    thread_.join();
  }

 private:
  std::promise<void> deciding_, release_;
  std::thread thread_;
};

}  // namespace

TEST_CASE("given a way to resume, try_run_async waits in the key's line and decides when the turn is its") {
  Fixture f;
  CountingLog counting(*f.log);
  CommandRunner runner(counting);
  REQUIRE(runner.run(kTicket, "list", meta(), list_ticket()).has_value());
  Posted thread(1);
  TurnHolder holder(runner);
  AsyncResult first, second;
  runner.try_run_async(kTicket, "order-1", meta(), place_order("first"), first.done(), thread.resume());
  runner.try_run_async(kTicket, "order-2", meta(), place_order("second"), second.done(), thread.resume());
  // Waiting, not declined, and nothing offered to the log while the turn is held.
  CHECK(first.future.wait_for(50ms) == std::future_status::timeout);
  CHECK(second.future.wait_for(0s) == std::future_status::timeout);
  CHECK(thread.posts() == 0);
  CHECK(counting.appends == 1);
  holder.release();
  // In the order they came, each through `resume`, against the state the turn's
  // holder left: the first reserves at the new price, the second is told it is reserved.
  auto placed = first.get();
  REQUIRE(placed.has_value());
  REQUIRE(placed->has_value());
  auto const& events = (*placed)->events;
  auto const order = std::find_if(events.begin(), events.end(),
                                  [](Event const& e) { return std::holds_alternative<OrderCreated>(e); });
  REQUIRE(order != events.end());
  CHECK(std::get<OrderCreated>(*order).price == Money{2500});
  auto refused = second.get();
  REQUIRE(refused.has_value());
  REQUIRE_FALSE(refused->has_value());
  CHECK(refused->error().message == "Ticket is already reserved");
  CHECK(thread.posts() == 2);
  CHECK(counting.appends == 3);  // the listing, the update, the one order
  // The line is empty and the turn free: a blocking command runs at once.
  CHECK(runner.run(kTicket, "update-2", meta(), update_price(2600)).error().message == "Cannot edit a reserved ticket");
}

TEST_CASE("a full line declines at once, committing nothing") {
  Fixture f;
  CountingLog counting(*f.log);
  CommandRunner runner(counting, CommandRunnerOptions{.max_waiting_per_key = 1});
  REQUIRE(runner.run(kTicket, "list", meta(), list_ticket()).has_value());
  Posted thread(1);
  TurnHolder holder(runner);
  AsyncResult waits, declined;
  runner.try_run_async(kTicket, "order-1", meta(), place_order("first"), waits.done(), thread.resume());
  runner.try_run_async(kTicket, "order-2", meta(), place_order("second"), declined.done(), thread.resume());
  REQUIRE(declined.future.wait_for(0s) == std::future_status::ready);
  CHECK_FALSE(declined.get().has_value());
  holder.release();
  auto placed = waits.get();
  REQUIRE(placed.has_value());
  CHECK(placed->has_value());
  CHECK(counting.appends == 3);
}

TEST_CASE("a decision that throws after waiting in line is answered internal and gives the turn back") {
  Fixture f;
  CommandRunner runner(*f.log);
  REQUIRE(runner.run(kTicket, "list", meta(), list_ticket()).has_value());
  Posted thread(1);
  TurnHolder holder(runner);
  AsyncResult failed, after;
  runner.try_run_async(
      kTicket, "boom", meta(), [](StreamReader&) -> Result<Events> { throw std::runtime_error("decision failed"); },
      failed.done(), thread.resume());
  runner.try_run_async(kTicket, "order", meta(), place_order("buyer"), after.done(), thread.resume());
  holder.release();
  auto outcome = failed.get();
  REQUIRE(outcome.has_value());
  REQUIRE_FALSE(outcome->has_value());
  CHECK(outcome->error().code == ErrorCode::internal);
  auto placed = after.get();  // the turn went on to the next in line
  REQUIRE(placed.has_value());
  CHECK(placed->has_value());
}

TEST_CASE("two hundred buyers of one ticket waiting in line beside blocking ones: one order, every one answered") {
  Fixture f;
  CountingLog counting(*f.log);
  CommandRunner runner(counting);
  REQUIRE(runner.run(kTicket, "list", meta(), list_ticket()).has_value());
  Posted io(2);
  constexpr int kBuyers = 200;
  Crowd crowd;
  crowd.buy(kBuyers, [&](int i) -> std::optional<Result<CommandOutcome>> {
    std::string const buyer = "buyer" + std::to_string(i);
    if (i % 4 == 0) return runner.run(kTicket, "order-" + buyer, meta(), place_order(buyer));  // the blocking way
    AsyncResult tried;
    runner.try_run_async(kTicket, "order-" + buyer, meta(), place_order(buyer), tried.done(), io.resume());
    return tried.get();
  });
  CHECK(crowd.declined == 0);
  CHECK(crowd.placed == 1);
  CHECK(crowd.refused == kBuyers - 1);
  CHECK(counting.appends == 2);  // the listing and the one order
  CHECK(f.log->stream_version(ticket_stream(kTicket)).value() == 1);
}

TEST_CASE("refusals waiting in line are decided in one go by the thread the turn passes to, a bounded run at a time") {
  Fixture f;
  CommandRunner runner(*f.log);
  REQUIRE(runner.run(kTicket, "list", meta(), list_ticket()).has_value());
  REQUIRE(runner.run(kTicket, "order-0", meta(), place_order("winner")).has_value());  // reserved
  Posted thread(1);
  TurnHolder holder(runner);
  constexpr int kLosers = 100;
  std::vector<std::unique_ptr<AsyncResult>> losers;
  for (int i = 0; i < kLosers; ++i) {
    losers.push_back(std::make_unique<AsyncResult>());
    runner.try_run_async(kTicket, "order-" + std::to_string(i + 1), meta(), place_order("b" + std::to_string(i)),
                         losers.back()->done(), thread.resume());
  }
  holder.release();
  for (auto& loser : losers) {
    auto outcome = loser->get();
    REQUIRE(outcome.has_value());
    REQUIRE_FALSE(outcome->has_value());
    CHECK(outcome->error().message == "Ticket is already reserved");
  }
  // The first went to its thread; it decided the next 64 there and then, and
  // passed the one after to its thread, which decided the rest.
  CHECK(thread.posts() == 2);
  CHECK(runner.run(kTicket, "update", meta(), update_price(2600)).error().message == "Cannot edit a reserved ticket");
}

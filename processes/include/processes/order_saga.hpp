#pragma once
// The order saga (ARCHITECTURE.md §5), a process manager over the log:
//   OrderCreated          -> a durable timer at expiresAt; when it fires,
//                            ExpireOrder. While a payment is in flight the
//                            order refuses to expire and the timer is kept,
//                            asked again with back-off: the payment's outcome
//                            completes the order or, failing, expires it.
//   ChargeCreated         -> a durable timer a little later; if the charge
//                            still has no outcome then (the gateway did not
//                            answer, or the process that charged died), ask
//                            the gateway (Payments::resolve) and record what
//                            it says, with back-off until it can tell
//   ChargeFailed as not found at the gateway -> a durable timer later still: look
//                            once more (search indexes lag); found -> recorded,
//                            and so refunded
//   ChargeSucceeded with refund_required -> refund through the gateway, then
//                            record ChargeRefunded (retried until it is)
// Its commands go through the Marketplace and Payments like any client's,
// with commit ids derived from the order or charge they concern, so a timer
// that fires twice (after a crash) acts once.
//
// Threads: the log subscription records timers. Timers fire on two lanes of
// threads: hold expiries on one, the payment follow-ups that call the gateway
// (resolve, recheck, refund) on the other, so a gateway that hangs never holds
// up the end of a hold. Within a lane, the earliest due timer goes first and
// a timer is never fired by two threads at once. The first expiry thread loads
// the durable timers at start; no timer fires and no commit is taken before.

#include <array>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "application/clock.hpp"
#include "application/marketplace.hpp"
#include "application/payments.hpp"
#include "eventstore/event_log.hpp"
#include "processes/timer_store.hpp"

namespace ticketing {

struct SagaOptions {
  Duration payment_resolution_delay{std::chrono::seconds(60)};  // after ChargeCreated
  Duration payment_recheck_delay{std::chrono::minutes(15)};     // after a charge was not found
  Duration retry_delay{std::chrono::seconds(1)};                // after a first failed attempt,
  Duration max_retry_delay{std::chrono::seconds(60)};           // doubling up to this
  unsigned expiry_threads{16};                                  // threads firing hold expiries (at least 1)
  unsigned payment_threads{4};                                  // threads firing gateway follow-ups (at least 1)
};

class OrderSaga {
 public:
  OrderSaga(EventLog& log, Marketplace& marketplace, Payments& payments, Clock const& clock, TimerStore& timers,
            SagaOptions options = {});
  ~OrderSaga();  // stops

  void start();
  void stop();

  [[nodiscard]] std::size_t pending_timers() const;
  // Timers due by the clock's now, or being fired (0: the saga
  // is idle until the clock moves or a commit arrives); at least 1 until the
  // durable timers are loaded after start().
  [[nodiscard]] std::size_t due_timers() const;
  // Whether the durable timers are in memory (start() loads them on the
  // timer thread; until then no commit is applied).
  [[nodiscard]] bool loaded() const;
  // Checks the timers now (a test whose clock jumped calls this).
  void wake();
  // Per partition, the next offset the saga will look at.
  [[nodiscard]] std::vector<std::uint64_t> applied() const;
  // Commits in the log the saga has not taken yet (it holds still while its
  // timer store cannot be written).
  [[nodiscard]] std::uint64_t lag() const;

 private:
  struct Due {
    Instant due;
    TimerKind kind;
    std::string id;
    std::string payload;
    std::uint32_t attempts{0};  // failed tries so far (in memory: a restart starts over)
    friend bool operator<(Due const& a, Due const& b) {
      return std::tie(a.due, a.kind, a.id) < std::tie(b.due, b.kind, b.id);
    }
  };

  // Which threads fire a timer: expiries never wait behind the gateway.
  enum class Lane : std::uint8_t { expiries, payments };
  // Of a lane's idle threads at most one waits for the earliest due time (on
  // `deadline`); the others wait for work (on `work`). A thread that takes a
  // timer wakes one more, so a burst of due timers spreads over the lane
  // while a timer in a quiet hour costs one extra wake-up, not one per thread.
  struct LaneQueue {
    std::set<Due> due;  // by due time
    std::condition_variable deadline;
    std::condition_variable work;
    bool timed_waiter{false};
  };
  using Key = std::pair<TimerKind, std::string>;

  [[nodiscard]] static Lane lane_of(TimerKind kind);
  [[nodiscard]] LaneQueue& lane(Lane which);
  void notify_all_threads();
  // Queues a timer not queued yet (under the mutex); true if it is now its
  // lane's earliest, for which the waiting thread must look again.
  bool enqueue(Due timer);
  void on_commits(std::span<RecordedCommit const> commits);
  void load_timers();  // the durable timers into memory, on the first expiry thread
  void run_lane(Lane which);
  void fire(Due const& timer);
  // Fire outcomes: done (forget it), or try again at `when` (by default after
  // a back-off that doubles with each failed try).
  void finish(Due const& timer);
  void retry(Due const& timer, std::optional<Instant> when = std::nullopt);
  void schedule(Due const& timer);
  void forget(TimerKey const& key);
  void fire_expiry(Due const& timer);
  void fire_payment_resolution(Due const& timer);
  void fire_refund(Due const& timer);
  void fire_recheck(Due const& timer);
  [[nodiscard]] CommandContext context(std::string commit_id, std::string const& cause) const;

  EventLog& log_;
  Marketplace& marketplace_;
  Payments& payments_;
  Clock const& clock_;
  TimerStore& store_;
  SagaOptions options_;

  mutable std::mutex mutex_;
  std::condition_variable cv_;  // loaded or stopping (the subscription and the load wait on it)
  std::array<LaneQueue, 2> lanes_;
  std::map<Key, Instant> index_;  // what is queued, by key
  std::set<Key> firing_;          // taken off a queue and being fired
  std::vector<std::uint64_t> applied_;
  std::uint64_t since_checkpoint_{0};
  bool stopping_{false};
  bool loaded_{false};  // the durable timers are in memory (start loads them)

  std::unique_ptr<Subscription> subscription_;
  std::vector<std::thread> threads_;
};

}  // namespace ticketing

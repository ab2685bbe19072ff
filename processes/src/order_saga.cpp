#include "processes/order_saga.hpp"

#include <algorithm>

#include "domain/ids.hpp"
#include "domain/overloaded.hpp"

namespace ticketing {

OrderSaga::OrderSaga(EventLog& log, Marketplace& marketplace, Payments& payments, Clock const& clock,
                     TimerStore& timers, SagaOptions options)
    : log_(log),
      marketplace_(marketplace),
      payments_(payments),
      clock_(clock),
      store_(timers),
      options_(options),
      applied_(timers.checkpoints()) {}

OrderSaga::~OrderSaga() { stop(); }

void OrderSaga::start() {
  if (subscription_) return;
  {
    std::lock_guard lock(mutex_);
    stopping_ = false;
    loaded_ = false;
  }
  // The durable timers are loaded on the first expiry thread, so a restart is
  // not held up by them; commits and the other threads wait until they are in.
  unsigned const expiry_threads = std::max(1u, options_.expiry_threads);
  unsigned const payment_threads = std::max(1u, options_.payment_threads);
  threads_.emplace_back([this] {
    load_timers();
    run_lane(Lane::expiries);
  });
  for (unsigned i = 1; i < expiry_threads; ++i) threads_.emplace_back([this] { run_lane(Lane::expiries); });
  for (unsigned i = 0; i < payment_threads; ++i) threads_.emplace_back([this] { run_lane(Lane::payments); });
  subscription_ = log_.subscribe(store_.checkpoints(), [this](std::span<RecordedCommit const> c) { on_commits(c); });
}

OrderSaga::Lane OrderSaga::lane_of(TimerKind kind) {
  return kind == TimerKind::expire_order ? Lane::expiries : Lane::payments;
}

OrderSaga::LaneQueue& OrderSaga::lane(Lane which) { return lanes_[static_cast<std::size_t>(which)]; }

void OrderSaga::notify_all_threads() {
  cv_.notify_all();
  for (auto& l : lanes_) {
    l.deadline.notify_all();
    l.work.notify_all();
  }
}

bool OrderSaga::enqueue(Due timer) {
  auto& queue = lane(lane_of(timer.kind)).due;
  bool const earliest = queue.empty() || timer < *queue.begin();
  index_[Key{timer.kind, timer.id}] = timer.due;
  queue.insert(std::move(timer));
  return earliest;
}

void OrderSaga::load_timers() {
  auto read = store_.all();  // by kind, then id: the index's order
  // A store that cannot be read (a damaged block, a failing disk) is read
  // again with back-off: the timers a partial load missed would never fire,
  // and their holds never end. Commits and timers wait meanwhile; stop() ends it.
  Duration delay = options_.retry_delay;
  while (!read) {
    {
      std::unique_lock lock(mutex_);
      if (cv_.wait_for(lock, delay, [&] { return stopping_; })) return;
    }
    delay = std::min(delay * 2, options_.max_retry_delay);
    read = store_.all();
  }
  std::vector<Timer>& stored = *read;
  std::vector<Due> due;
  due.reserve(stored.size());
  for (auto const& t : stored) due.push_back(Due{t.due, t.kind, t.id, t.payload});
  std::sort(due.begin(), due.end());  // so each insert below goes at the end, in constant time
  {
    std::lock_guard lock(mutex_);
    for (auto& d : due) {
      auto& queue = lane(lane_of(d.kind)).due;
      queue.insert(queue.end(), std::move(d));
    }
    for (auto& t : stored) index_.insert_or_assign(index_.end(), Key{t.kind, std::move(t.id)}, t.due);
    loaded_ = true;
  }
  notify_all_threads();
}

void OrderSaga::stop() {
  {
    // First, so a subscription waiting for the timers' load stops waiting.
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  notify_all_threads();
  if (subscription_) subscription_->stop();
  subscription_.reset();
  for (auto& t : threads_) t.join();
  threads_.clear();
}

std::size_t OrderSaga::pending_timers() const {
  std::lock_guard lock(mutex_);
  return lanes_[0].due.size() + lanes_[1].due.size();
}

std::size_t OrderSaga::due_timers() const {
  std::lock_guard lock(mutex_);
  Instant const now = clock_.now();
  std::size_t due = firing_.size() + (loaded_ ? 0 : 1);  // not idle while loading either
  for (auto const& l : lanes_) {
    for (auto it = l.due.begin(); it != l.due.end() && it->due <= now; ++it) ++due;
  }
  return due;
}

std::vector<std::uint64_t> OrderSaga::applied() const {
  std::lock_guard lock(mutex_);
  return applied_;
}

std::uint64_t OrderSaga::lag() const { return commits_behind(log_.end_offsets(), applied()); }

bool OrderSaga::loaded() const {
  std::lock_guard lock(mutex_);
  return loaded_;
}

void OrderSaga::wake() { notify_all_threads(); }

void OrderSaga::on_commits(std::span<RecordedCommit const> commits) {
  {
    // A commit may remove a timer: applied before the load, the load would
    // bring the timer back. The subscription waits (until loaded or stopped).
    std::unique_lock lock(mutex_);
    cv_.wait(lock, [&] { return loaded_ || stopping_; });
    if (!loaded_) return;
  }
  std::vector<TimerStore::Change> changes;
  std::map<std::uint32_t, std::uint64_t> checkpoints;
  auto const add = [&](Timer t) { changes.push_back({true, std::move(t)}); };
  auto const remove = [&](TimerKind kind, std::string const& id) {
    changes.push_back({false, Timer{Instant{}, kind, id, {}}});
  };
  for (auto const& commit : commits) {
    for (auto const& event : commit.commit.events) {
      std::visit(overloaded{
                     [&](OrderCreated const& e) {
                       add({e.expires_at, TimerKind::expire_order, e.order_id, {}});
                     },
                     [&](OrderExpired const& e) { remove(TimerKind::expire_order, e.order_id); },
                     [&](OrderCancelled const& e) { remove(TimerKind::expire_order, e.order_id); },
                     [&](OrderCompleted const& e) { remove(TimerKind::expire_order, e.order_id); },
                     [&](ChargeCreated const& e) {
                       add({e.at + options_.payment_resolution_delay, TimerKind::resolve_payment, e.charge_id, {}});
                     },
                     [&](ChargeSucceeded const& e) {
                       remove(TimerKind::resolve_payment, e.charge_id);
                       remove(TimerKind::recheck_charge, e.charge_id);
                       if (e.refund_required) add({e.at, TimerKind::refund_charge, e.charge_id, e.gateway_id});
                     },
                     [&](ChargeFailed const& e) {
                       remove(TimerKind::resolve_payment, e.charge_id);
                       if (e.reason == charge::kNotFoundAtGateway) {
                         add({e.at + options_.payment_recheck_delay, TimerKind::recheck_charge, e.charge_id, {}});
                       }
                     },
                     [&](ChargeRefunded const& e) { remove(TimerKind::refund_charge, e.charge_id); },
                     [&](auto const&) {},
                 },
                 event);
    }
    checkpoints[commit.position.partition] = commit.position.offset + 1;
  }
  since_checkpoint_ += commits.size();
  // Commits that change no timer need no durable checkpoint: replaying them
  // after a crash changes nothing. Now and then one is recorded to bound the replay.
  if (!changes.empty() || since_checkpoint_ >= 256) {
    since_checkpoint_ = 0;
    while (!store_.apply(changes, checkpoints)) {
      std::this_thread::sleep_for(options_.retry_delay);
      std::lock_guard lock(mutex_);
      if (stopping_) return;
    }
  }
  std::array<bool, 2> earliest{};  // per lane: a timer added is its earliest
  {
    std::lock_guard lock(mutex_);
    for (auto const& c : changes) {
      Key const key{c.timer.kind, c.timer.id};
      if (auto it = index_.find(key); it != index_.end()) {
        lane(lane_of(c.timer.kind)).due.erase(Due{it->second, c.timer.kind, c.timer.id, {}});
        index_.erase(it);
      }
      if (c.add && enqueue(Due{c.timer.due, c.timer.kind, c.timer.id, c.timer.payload})) {
        earliest[static_cast<std::size_t>(lane_of(c.timer.kind))] = true;
      }
    }
    for (auto const& [p, next] : checkpoints) applied_[p] = next;
  }
  for (std::size_t l = 0; l < lanes_.size(); ++l) {
    if (earliest[l]) lanes_[l].deadline.notify_one();
  }
}

// One thread of a lane: fires the earliest due timer that no other thread is
// firing (one the log queued again while it was being fired waits for that).
void OrderSaga::run_lane(Lane which) {
  LaneQueue& queue = lane(which);
  std::unique_lock lock(mutex_);
  queue.work.wait(lock, [&] { return loaded_ || stopping_; });
  while (!stopping_) {
    Instant const now = clock_.now();
    auto const next = std::find_if(queue.due.begin(), queue.due.end(), [&](Due const& d) {
      return !firing_.contains(Key{d.kind, d.id});
    });
    if (next != queue.due.end() && next->due <= now) {
      auto const taken = queue.due.extract(next);
      Due const& timer = taken.value();
      index_.erase(Key{timer.kind, timer.id});
      auto const fired = firing_.emplace(timer.kind, timer.id).first;
      // Another thread takes the next due timer, or the wait for it.
      queue.work.notify_one();
      lock.unlock();
      fire(timer);
      lock.lock();
      bool const queued_again = index_.contains(*fired);
      firing_.erase(fired);
      if (queued_again) queue.deadline.notify_one();
      continue;
    }
    if (queue.timed_waiter) {
      queue.work.wait(lock);
      continue;
    }
    // Wait for the next due time, or at most a second to follow clock changes.
    auto wait = std::chrono::milliseconds(1000);
    if (next != queue.due.end())
      wait = std::min(wait, std::chrono::duration_cast<std::chrono::milliseconds>(next->due - now));
    queue.timed_waiter = true;
    queue.deadline.wait_for(lock, wait);
    queue.timed_waiter = false;
  }
}

void OrderSaga::fire(Due const& timer) {
  switch (timer.kind) {
    case TimerKind::expire_order: fire_expiry(timer); break;
    case TimerKind::resolve_payment: fire_payment_resolution(timer); break;
    case TimerKind::refund_charge: fire_refund(timer); break;
    case TimerKind::recheck_charge: fire_recheck(timer); break;
  }
}

CommandContext OrderSaga::context(std::string commit_id, std::string const& cause) const {
  CommandContext ctx;
  ctx.commit_id = std::move(commit_id);
  ctx.meta.correlation_id = cause;
  ctx.meta.causation_id = "saga:" + cause;
  ctx.meta.user_id = "saga";
  ctx.meta.recorded_at = clock_.now();
  return ctx;
}

// If the removal is not written, the timer fires again after a restart and
// its command, with the same commit id, gets its first outcome: harmless.
void OrderSaga::finish(Due const& timer) { (void)store_.remove(TimerKey{timer.kind, timer.id}); }

void OrderSaga::retry(Due const& timer, std::optional<Instant> when) {
  Due next = timer;
  ++next.attempts;
  if (!when) {
    Duration delay = options_.retry_delay;
    for (std::uint32_t i = 1; i < next.attempts && delay < options_.max_retry_delay; ++i) delay *= 2;
    when = clock_.now() + std::min(delay, options_.max_retry_delay);
  }
  next.due = *when;
  // Kept durably, so a restart resumes it; if that write fails the timer still
  // runs in memory, and the log rebuilds it at the next start.
  (void)store_.put(Timer{next.due, next.kind, next.id, next.payload});
  schedule(next);
}

void OrderSaga::schedule(Due const& timer) {
  bool earliest = false;
  {
    std::lock_guard lock(mutex_);
    if (index_.contains(Key{timer.kind, timer.id})) return;  // re-added by the log meanwhile
    earliest = enqueue(timer);
  }
  if (earliest) lane(lane_of(timer.kind)).deadline.notify_one();
}

void OrderSaga::fire_expiry(Due const& timer) {
  auto const done =
      marketplace_.execute(timer.id, order::ExpireOrder{timer.id}, context("expire:" + timer.id, timer.id));
  if (done || done.error().code == ErrorCode::not_found) return finish(timer);
  // Refused: the deadline has not come (this clock is behind the one that set
  // it): try again at the order's own deadline. Or a payment is in flight:
  // ask again with back-off until its outcome is known. Any other failure
  // (storage, lost races) is retried the same way.
  if (done.error().code == ErrorCode::rejected) {
    if (auto ctx = marketplace_.order_context(timer.id); ctx && ctx->order.expires_at > clock_.now()) {
      return retry(timer, ctx->order.expires_at);
    }
  }
  retry(timer);
}

void OrderSaga::fire_payment_resolution(Due const& timer) {
  auto const resolved = payments_.resolve(timer.id, context("resolve:" + timer.id, timer.id));
  if (resolved || resolved.error().code == ErrorCode::not_found) return finish(timer);
  retry(timer);  // the gateway cannot tell yet, or storage failed
}

void OrderSaga::fire_recheck(Due const& timer) {
  auto const rechecked = payments_.recheck(timer.id, context("recheck:" + timer.id, timer.id));
  if (rechecked || rechecked.error().code == ErrorCode::not_found) return finish(timer);
  retry(timer);
}

void OrderSaga::fire_refund(Due const& timer) {
  auto const refunded = payments_.refund(timer.id, timer.payload, context("refund:" + timer.id, timer.id));
  if (refunded || refunded.error().code == ErrorCode::not_found) return finish(timer);
  retry(timer);
}

}  // namespace ticketing

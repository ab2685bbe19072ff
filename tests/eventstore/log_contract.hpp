#pragma once
// The contract every EventLog backend meets. A backend's test file defines a
// Backend type with `std::unique_ptr<EventLog> open()` (opening, or reopening,
// the same log; `kDurable` says whether a reopened log keeps its commits) and
// invokes: TEST_CASE_TEMPLATE_INVOKE(event_log_contract, Backend);

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <limits>
#include <mutex>
#include <set>
#include <thread>

#include <doctest/doctest.h>

#include "domain/ids.hpp"
#include "eventstore/codec.hpp"
#include "eventstore/event_log.hpp"

namespace ticketing::contract {

inline Instant now0() { return *parse_iso8601("2026-11-21T10:00:00.000Z"); }

inline std::string ticket_id(int n) {
  std::string id = std::to_string(n);
  return std::string(24 - id.size(), '0') + id;
}

// A commit of `count` events on ticket n's stream, after `expected`.
inline Commit ticket_commit(std::string commit_id, int n, std::int64_t expected, int count = 1) {
  Commit c;
  c.commit_id = std::move(commit_id);
  c.partition_key = ticket_id(n);
  c.expected = {{ticket_stream(ticket_id(n)), expected}};
  for (int i = 0; i < count; ++i) {
    if (expected == kNoStream && i == 0) {
      c.events.emplace_back(TicketCreated{ticket_id(n), "seller", "Show", Money{1000}, now0()});
    } else {
      c.events.emplace_back(TicketUpdated{ticket_id(n), "Show", Money{1000 + i}, Money{999 + i}, now0()});
    }
  }
  c.meta.recorded_at = now0();
  return c;
}

// Collects what a subscription delivers.
struct Collector {
  std::mutex mutex;
  std::condition_variable cv;
  std::vector<RecordedCommit> seen;

  CommitHandler handler() {
    return [this](std::span<RecordedCommit const> commits) {
      CHECK_FALSE(commits.empty());
      std::lock_guard lock(mutex);
      seen.insert(seen.end(), commits.begin(), commits.end());
      cv.notify_all();
    };
  }
  bool wait_for(std::size_t n, std::chrono::seconds timeout = std::chrono::seconds(20)) {
    std::unique_lock lock(mutex);
    return cv.wait_for(lock, timeout, [&] { return seen.size() >= n; });
  }
};

}  // namespace ticketing::contract

TEST_CASE_TEMPLATE_DEFINE("event log contract", Backend, event_log_contract) {
  using namespace ticketing;
  using namespace ticketing::contract;
  Backend backend;
  auto log = backend.open();
  std::string const stream = ticket_stream(ticket_id(1));

  SUBCASE("appended events are read back in order with their versions") {
    REQUIRE(log->append(ticket_commit("c1", 1, kNoStream, 2)).has_value());
    REQUIRE(log->append(ticket_commit("c2", 1, 1, 1)).has_value());
    auto events = log->read_stream(stream, 0);
    REQUIRE(events.has_value());
    REQUIRE(events->size() == 3);
    for (std::int64_t v = 0; v < 3; ++v) CHECK((*events)[static_cast<std::size_t>(v)].version == v);
    CHECK(std::holds_alternative<TicketCreated>((*events)[0].event));
    CHECK(log->stream_version(stream).value() == 2);
    CHECK(log->read_stream(stream, 2)->size() == 1);
    CHECK(log->stream_version(ticket_stream(ticket_id(99))).value() == kNoStream);
    CHECK(log->read_stream(ticket_stream(ticket_id(99)), 0)->empty());
  }

  SUBCASE("a stale expected version is a conflict and appends nothing") {
    REQUIRE(log->append(ticket_commit("c1", 1, kNoStream)).has_value());
    auto stale = log->append(ticket_commit("c2", 1, kNoStream));
    REQUIRE_FALSE(stale.has_value());
    CHECK(stale.error().code == ErrorCode::conflict);
    auto ahead = log->append(ticket_commit("c3", 1, 5));
    REQUIRE_FALSE(ahead.has_value());
    CHECK(ahead.error().code == ErrorCode::conflict);
    CHECK(log->stream_version(stream).value() == 0);
  }

  SUBCASE("a commit over several streams is all or nothing") {
    REQUIRE(log->append(ticket_commit("c1", 1, kNoStream)).has_value());
    Commit both;
    both.commit_id = "c2";
    both.partition_key = ticket_id(1);
    std::string const order = order_id_for(ticket_id(1), 1);
    both.expected = {{stream, 0}, {order_stream(order), 3}};  // the order stream does not exist: conflict
    both.events = {OrderCreated{order, ticket_id(1), "buyer", "Show", Money{1000}, 0, now0(), now0()},
                   TicketReserved{ticket_id(1), order, "buyer", now0()}};
    CHECK(log->append(both).error().code == ErrorCode::conflict);
    CHECK(log->stream_version(stream).value() == 0);
    CHECK(log->stream_version(order_stream(order)).value() == kNoStream);
    both.expected[1].version = kNoStream;
    auto ok = log->append(both);
    REQUIRE(ok.has_value());
    CHECK(log->stream_version(stream).value() == 1);
    CHECK(log->stream_version(order_stream(order)).value() == 0);
  }

  SUBCASE("a malformed commit is refused") {
    Commit c = ticket_commit("c1", 1, kNoStream);
    c.expected.clear();  // an event's stream without an expected version
    CHECK(log->append(c).error().code == ErrorCode::invalid_input);
    Commit empty = ticket_commit("c2", 1, kNoStream);
    empty.events.clear();
    CHECK(log->append(empty).error().code == ErrorCode::invalid_input);
    Commit far = ticket_commit("c3", 1, std::numeric_limits<std::int64_t>::max());  // past any stream's length
    CHECK(log->append(far).error().code == ErrorCode::invalid_input);
  }

  SUBCASE("a repeated commit id returns the first position and appends nothing") {
    auto first = log->append(ticket_commit("same", 1, kNoStream));
    REQUIRE(first.has_value());
    auto again = log->append(ticket_commit("same", 1, 0));
    REQUIRE(again.has_value());
    CHECK(again->duplicate);
    CHECK(again->position == first->position);
    CHECK(log->stream_version(stream).value() == 0);
  }

  SUBCASE("the idempotency key is recorded, and only the commit id makes a repeat") {
    Commit a = ticket_commit("a", 1, kNoStream);
    a.meta.user_id = "u1";
    a.meta.idempotency_key = "key-1";
    auto first = log->append(a);
    REQUIRE(first.has_value());
    Commit b = ticket_commit("b", 2, kNoStream);
    b.meta = a.meta;
    auto second = log->append(b);
    REQUIRE(second.has_value());
    CHECK_FALSE(second->duplicate);
    auto const stored = log->find_commit("a");
    REQUIRE(stored.has_value());
    REQUIRE(stored->has_value());
    CHECK((*stored)->commit.meta == a.meta);
  }

  SUBCASE("a partition reads back in offset order from any offset") {
    auto const partition = log->partition_of(ticket_id(1));
    for (int i = 0; i < 5; ++i) {
      REQUIRE(log->append(ticket_commit("c" + std::to_string(i), 1, i == 0 ? kNoStream : i - 1)).has_value());
    }
    auto all = log->read_partition(partition, 0, 100);
    REQUIRE(all.has_value());
    REQUIRE(all->size() == 5);
    for (std::size_t i = 0; i < 5; ++i) {
      CHECK((*all)[i].commit.commit_id == "c" + std::to_string(i));
      if (i > 0) CHECK((*all)[i].position.offset > (*all)[i - 1].position.offset);
    }
    auto tail = log->read_partition(partition, (*all)[3].position.offset, 100);
    REQUIRE(tail->size() == 2);
    CHECK(tail->front().commit.commit_id == "c3");
    CHECK(log->end_offsets()[partition] == (*all)[4].position.offset + 1);
  }

  SUBCASE(
      "a partition's commits as stored decode to the commits it reads, from any offset, at most max, into a reused "
      "vector too") {
    auto const partition = log->partition_of(ticket_id(1));
    std::int64_t version = kNoStream;
    for (int i = 0; i < 5; ++i) {
      int const events = 1 + i % 2;
      REQUIRE(log->append(ticket_commit("c" + std::to_string(i), 1, version, events)).has_value());
      version += events;
    }
    auto const end = log->end_offsets()[partition];
    // Read into one vector throughout: each read finds the last one's
    // commits there, more of them or fewer, and replaces them all.
    std::vector<StoredCommit> reused{StoredCommit{Position{partition, 99}, std::string(1000, 'x')}};
    for (std::uint64_t from = 0; from <= end; ++from) {
      for (std::size_t max : {std::size_t{100}, std::size_t{1}, std::size_t{3}}) {
        auto const read = log->read_partition(partition, from, max);
        auto const stored = log->read_partition_stored(partition, from, max);
        REQUIRE(read.has_value());
        REQUIRE(stored.has_value());
        REQUIRE(log->read_partition_stored_into(partition, from, max, reused).has_value());
        REQUIRE_MESSAGE(stored->size() == read->size(), "from " << from << " max " << max);
        REQUIRE(reused.size() == read->size());
        for (std::size_t i = 0; i < read->size(); ++i) {
          CHECK((*stored)[i].position == (*read)[i].position);
          CHECK(reused[i].position == (*read)[i].position);
          CHECK(reused[i].encoded == (*stored)[i].encoded);
          // Room for decoders to parse it in place (kDecodeSlack).
          CHECK((*stored)[i].encoded.capacity() >= (*stored)[i].encoded.size() + kDecodeSlack);
          CHECK(reused[i].encoded.capacity() >= reused[i].encoded.size() + kDecodeSlack);
          auto const decoded = decode_commit((*stored)[i].encoded);
          REQUIRE(decoded.has_value());
          CHECK(*decoded == (*read)[i].commit);
        }
      }
    }
    auto const other = log->read_partition_stored(log->partition_count(), 0, 1);
    CHECK_FALSE(other.has_value());
    CHECK_FALSE(log->read_partition_stored_into(log->partition_count(), 0, 1, reused).has_value());
  }

  SUBCASE("a subscription catches up, then receives new commits pushed") {
    REQUIRE(log->append(ticket_commit("c1", 1, kNoStream)).has_value());
    REQUIRE(log->append(ticket_commit("c2", 2, kNoStream)).has_value());
    Collector collector;
    auto sub = log->subscribe({}, collector.handler());
    REQUIRE(collector.wait_for(2));
    REQUIRE(log->append(ticket_commit("c3", 1, 0)).has_value());
    REQUIRE(collector.wait_for(3));
    sub->stop();
    std::set<std::string> ids;
    for (auto const& c : collector.seen) ids.insert(c.commit.commit_id);
    CHECK(ids == std::set<std::string>{"c1", "c2", "c3"});
    // A subscription from the end offsets sees only what comes next.
    Collector later;
    auto sub2 = log->subscribe(log->end_offsets(), later.handler());
    REQUIRE(log->append(ticket_commit("c4", 2, 0)).has_value());
    REQUIRE(later.wait_for(1));
    sub2->stop();
    CHECK(later.seen.size() == 1);
    CHECK(later.seen.front().commit.commit_id == "c4");
  }

  SUBCASE("concurrent appenders racing for one stream: exactly one wins each version") {
    REQUIRE(log->append(ticket_commit("created", 1, kNoStream)).has_value());
    constexpr int kThreads = 16;
    std::atomic<int> wins{0}, conflicts{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        auto r = log->append(ticket_commit("race-" + std::to_string(t), 1, 0));
        if (r) {
          ++wins;
        } else if (r.error().code == ErrorCode::conflict) {
          ++conflicts;
        }
      });
    }
    for (auto& th : threads) th.join();
    CHECK(wins == 1);
    CHECK(conflicts == kThreads - 1);
    CHECK(log->stream_version(stream).value() == 1);
  }

  SUBCASE("many concurrent appenders on distinct streams all land, in order per stream") {
    constexpr int kThreads = 8;
    constexpr int kPerThread = 50;
    std::vector<std::thread> threads;
    std::atomic<int> failures{0};
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < kPerThread; ++i) {
          auto r = log->append(
              ticket_commit("t" + std::to_string(t) + "-" + std::to_string(i), 100 + t, i == 0 ? kNoStream : i - 1));
          if (!r) ++failures;
        }
      });
    }
    for (auto& th : threads) th.join();
    CHECK(failures == 0);
    for (int t = 0; t < kThreads; ++t) {
      CHECK(log->stream_version(ticket_stream(ticket_id(100 + t))).value() == kPerThread - 1);
    }
  }

  if constexpr (Backend::kDurable) {
    SUBCASE("a reopened log keeps every commit, its versions and its dedup memory") {
      REQUIRE(log->append(ticket_commit("c1", 1, kNoStream, 3)).has_value());
      auto const ends = log->end_offsets();
      log.reset();
      log = backend.open();
      CHECK(log->stream_version(stream).value() == 2);
      CHECK(log->end_offsets() == ends);
      auto again = log->append(ticket_commit("c1", 1, 2));
      REQUIRE(again.has_value());
      CHECK(again->duplicate);
      CHECK(log->append(ticket_commit("c2", 1, 2)).has_value());
    }
  }
}

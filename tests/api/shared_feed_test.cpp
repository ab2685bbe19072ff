// The event streams' shared window (api/src/shared_feed.hpp), in-process
// over the whole API (tests/support/api_stack.hpp): streams that keep up
// with the log read each commit rendered once; a stream that falls out of
// the window (bounded in commits or in bytes), or resumes inside a commit,
// walks by itself and misses nothing; a read of the log that fails ends
// the streams, which resume after their last id; streams polled on several
// threads while tickets are listed each get every change once.

#include "shared_feed.hpp"

#include <algorithm>
#include <atomic>
#include <set>
#include <thread>

#include <doctest/doctest.h>

#include "api_stack.hpp"
#include "event_feed.hpp"
#include "sse_text.hpp"

using namespace ticketing;
using namespace ticketing::testing;

namespace {

// Every event as a message naming its type, stream and version; counts its calls.
api::FeedRender counting(std::atomic<int>& calls) {
  return [&calls](Event const& event, analysis::EventPlace const& place,
                  std::span<Event const>) -> std::optional<api::FeedMessage> {
    ++calls;
    return api::FeedMessage{"",
                            std::string(type_name(event)) + " " + place.stream + " " + std::to_string(place.version)};
  };
}

// Everything the stream has ready now, in parts as small as `limit`.
std::string drain(api::EventFeed& feed, std::size_t limit = std::size_t{1} << 20) {
  std::string all;
  while (true) {
    std::string part;
    REQUIRE(feed.poll(part, limit));
    if (part.empty()) return all;
    all += part;
  }
}

std::size_t count_of(SseLines const& m, std::string_view type) {
  return static_cast<std::size_t>(
      std::count_if(m.data.begin(), m.data.end(), [&](std::string const& d) { return d.starts_with(type); }));
}

// The same events, each once, each message at a place of its own. (Walks
// that saw the commits arrive at different times may order partitions
// differently; each follows its partitions' order, and the ids are places of
// the log either way.)
bool same_changes(SseLines const& got, SseLines const& expected) {
  auto a = got.data, b = expected.data;
  std::sort(a.begin(), a.end());
  std::sort(b.begin(), b.end());
  return a == b && std::set<std::string>(got.ids.begin(), got.ids.end()).size() == got.ids.size();
}

analysis::EventPosition now(ApiStack& s) { return {s.projector.applied(), 0, 0}; }

// Two streams of a shared window bounded by `bounds`, at the head, and a
// stream of its own from the same place to compare them with; a seller.
struct TwoViewers {
  explicit TwoViewers(api::SharedFeedBounds bounds)
      : seller(s.sign_up("seller")),
        shared((s.advance(Duration{0}),
                std::make_shared<api::SharedFeed>(s.event_log, s.projector, counting(renders), bounds))),
        from(now(s)),
        slow(s.event_log, s.projector, from, counting(renders), shared),
        keeping_up(s.event_log, s.projector, from, counting(renders), shared),
        own(s.event_log, s.projector, from, counting(own_renders)) {
    CHECK(drain(slow).empty());
    CHECK(drain(keeping_up).empty());
  }

  ApiStack s;
  std::atomic<int> renders{0}, own_renders{0};
  std::string const seller;
  std::shared_ptr<api::SharedFeed> const shared;
  analysis::EventPosition const from;
  api::EventFeed slow, keeping_up, own;
};

}  // namespace

TEST_CASE("live feed: streams that keep up read each commit rendered once, as a stream of its own renders it") {
  ApiStack s;
  auto const seller = s.sign_up("seller");
  s.advance(Duration{0});
  std::atomic<int> shared_renders{0}, own_renders{0};
  auto shared = std::make_shared<api::SharedFeed>(s.event_log, s.projector, counting(shared_renders));
  auto const from = now(s);
  std::vector<std::unique_ptr<api::EventFeed>> viewers;
  for (int i = 0; i < 3; ++i) {
    viewers.push_back(
        std::make_unique<api::EventFeed>(s.event_log, s.projector, from, counting(shared_renders), shared));
    CHECK(shared->alone() == 1);            // until its first poll
    CHECK(drain(*viewers.back()).empty());  // at the head: nothing yet
  }
  CHECK(shared->alone() == 0);  // all three read the shared window
  api::EventFeed own(s.event_log, s.projector, from, counting(own_renders));

  for (int i = 0; i < 5; ++i) s.list_ticket(seller, 20 + i);
  s.advance(Duration{0});
  auto const expected = sse_lines(drain(own));
  CHECK(count_of(expected, "TicketCreated") == 5);
  for (auto& viewer : viewers) CHECK(sse_lines(drain(*viewer)) == expected);
  // Three streams, each change rendered once: as many renders as one stream of
  // its own made. Rendered per stream, there would be three times as many.
  CHECK(own_renders == static_cast<int>(expected.data.size()));
  CHECK(shared_renders == own_renders);

  // In parts as small as one message each, the same.
  for (int i = 0; i < 3; ++i) s.list_ticket(seller, 30 + i);
  s.advance(Duration{0});
  auto const more = sse_lines(drain(own));
  CHECK(sse_lines(drain(*viewers[0], 1)) == more);
  CHECK(sse_lines(drain(*viewers[1])) == more);
  CHECK(shared_renders == own_renders);
}

TEST_CASE("live feed: a stream too slow for the window walks on by itself and misses nothing") {
  TwoViewers v(api::SharedFeedBounds{.commits = 4, .bytes = 1 << 20});
  auto [s, seller, shared, slow, keeping_up, own, renders] =
      std::tie(v.s, v.seller, v.shared, v.slow, v.keeping_up, v.own, v.renders);

  SUBCASE("the window moves on while another stream reads") {
    std::string seen;
    for (int i = 0; i < 12; ++i) {
      s.list_ticket(seller, 20 + i);
      s.advance(Duration{0});
      seen += drain(keeping_up);  // moves the shared walk, and the window past `slow`
    }
    auto const expected = sse_lines(drain(own));
    CHECK(count_of(expected, "TicketCreated") == 12);
    CHECK(same_changes(sse_lines(seen), expected));
    CHECK(shared->alone() == 0);  // `slow` does not know yet
    std::string first;
    REQUIRE(slow.poll(first, 1));  // one message: it walks by itself now
    CHECK(sse_lines(first).data.size() == 1);
    CHECK(shared->alone() == 1);
    CHECK(same_changes(sse_lines(first + drain(slow)), expected));
    CHECK(shared->alone() == 0);  // back at the head, in the window
  }
  SUBCASE("nobody reads while more than the window is committed") {
    for (int i = 0; i < 12; ++i) s.list_ticket(seller, 20 + i);
    s.advance(Duration{0});
    auto const expected = sse_lines(drain(own));
    CHECK(count_of(expected, "TicketCreated") == 12);
    CHECK(sse_lines(drain(slow)) == expected);
    CHECK(sse_lines(drain(keeping_up)) == expected);
  }
  // Both follow the shared walk again: a new change reaches each once.
  int const before = renders;
  s.list_ticket(seller, 99);
  s.advance(Duration{0});
  auto const next = sse_lines(drain(own));
  CHECK(count_of(next, "TicketCreated") == 1);
  CHECK(sse_lines(drain(slow)) == next);
  CHECK(sse_lines(drain(keeping_up)) == next);
  CHECK(renders - before == static_cast<int>(next.data.size()));
}

TEST_CASE("live feed: a stream resumed inside a commit gets the rest of it, then follows the shared walk") {
  ApiStack s;
  auto const m = s.seller_buyer_ticket();
  std::atomic<int> renders{0}, own_renders{0};
  auto shared = std::make_shared<api::SharedFeed>(s.event_log, s.projector, counting(renders));
  auto const from = now(s);
  api::EventFeed own(s.event_log, s.projector, from, counting(own_renders));
  api::EventFeed viewer(s.event_log, s.projector, from, counting(renders), shared);
  CHECK(drain(viewer).empty());
  s.place_order(m.buyer, m.ticket);  // one commit: the order, and the ticket's reservation
  s.advance(Duration{0});
  auto const all = sse_lines(drain(own));
  auto const inside =
      std::find_if(all.ids.begin(), all.ids.end(), [](auto const& id) { return id.find('.') != std::string::npos; });
  REQUIRE(inside != all.ids.end());  // a place between two events of one commit
  auto const index = static_cast<std::size_t>(inside - all.ids.begin());

  auto resumed_at = analysis::parse_event_position(*inside, s.log->partition_count());
  REQUIRE(resumed_at.has_value());
  auto resumed = std::make_unique<api::EventFeed>(s.event_log, s.projector, *resumed_at, counting(renders), shared);
  CHECK(shared->alone() == 1);
  auto const rest = sse_lines(drain(*resumed));
  CHECK(shared->alone() == 0);
  CHECK(rest.ids == std::vector<std::string>(all.ids.begin() + static_cast<std::ptrdiff_t>(index) + 1, all.ids.end()));
  CHECK(sse_lines(drain(viewer)) == all);

  int const before = renders;
  s.list_ticket(m.seller, 40);
  s.advance(Duration{0});
  auto const next = sse_lines(drain(own));
  CHECK(sse_lines(drain(*resumed)) == next);
  CHECK(sse_lines(drain(viewer)) == next);
  CHECK(renders - before == static_cast<int>(next.data.size()));  // rendered once for both

  // A stream that ends while it reads by itself no longer counts.
  resumed = std::make_unique<api::EventFeed>(s.event_log, s.projector, *resumed_at, counting(renders), shared);
  CHECK(shared->alone() == 1);
  resumed.reset();
  CHECK(shared->alone() == 0);
}

TEST_CASE("live feed: a window bounded in bytes keeps the newest commit, and a stream it leaves misses nothing") {
  // Room for less than one commit's messages: only the newest is kept.
  TwoViewers v(api::SharedFeedBounds{.commits = 1000, .bytes = 1});
  auto [s, seller, shared, slow, keeping_up, own] = std::tie(v.s, v.seller, v.shared, v.slow, v.keeping_up, v.own);
  std::string seen;
  for (int i = 0; i < 5; ++i) {
    s.list_ticket(seller, 20 + i);
    s.advance(Duration{0});
    seen += drain(keeping_up);  // one commit at a time: each is the newest
  }
  auto const expected = sse_lines(drain(own));
  CHECK(count_of(expected, "TicketCreated") == 5);
  CHECK(same_changes(sse_lines(seen), expected));
  CHECK(shared->alone() == 0);
  // Four commits behind the window: it walks by itself, then joins again.
  std::string first;
  REQUIRE(slow.poll(first, 1));
  CHECK(shared->alone() == 1);
  CHECK(same_changes(sse_lines(first + drain(slow)), expected));
  CHECK(shared->alone() == 0);
}

TEST_CASE("live feed: a read of the log that fails ends the streams, and each resumes after its last id") {
  ApiStack s;
  auto const seller = s.sign_up("seller");
  s.advance(Duration{0});
  std::atomic<int> renders{0}, own_renders{0};
  auto shared = std::make_shared<api::SharedFeed>(s.event_log, s.projector, counting(renders));
  auto const from = now(s);
  api::EventFeed viewer(s.event_log, s.projector, from, counting(renders), shared);
  api::EventFeed own(s.event_log, s.projector, from, counting(own_renders));
  CHECK(drain(viewer).empty());
  s.list_ticket(seller, 20);
  s.advance(Duration{0});
  auto const first = sse_lines(drain(viewer));
  REQUIRE(count_of(first, "TicketCreated") == 1);

  // The log's reads fail (a disk fault): the shared walk cannot go on, and
  // the stream that follows it ends (the client reconnects).
  s.event_log.fail_reads(true);
  s.list_ticket(seller, 30);
  s.advance(Duration{0});
  std::string part;
  CHECK_FALSE(viewer.poll(part, std::size_t{1} << 20));
  CHECK(part.empty());  // nothing half-sent

  // The reconnecting client asks from its last id once reads work again: it
  // gets exactly what it missed, then follows the shared walk, which goes on
  // from where it stopped.
  s.event_log.fail_reads(false);
  auto resume_at = analysis::parse_event_position(first.ids.back(), s.log->partition_count());
  REQUIRE(resume_at.has_value());
  api::EventFeed resumed(s.event_log, s.projector, *resume_at, counting(renders), shared);
  auto const missed = sse_lines(drain(resumed));
  REQUIRE(count_of(missed, "TicketCreated") == 1);
  // With the first listing the stream had, every change once.
  auto with_first = first;
  with_first.ids.insert(with_first.ids.end(), missed.ids.begin(), missed.ids.end());
  with_first.data.insert(with_first.data.end(), missed.data.begin(), missed.data.end());
  CHECK(same_changes(with_first, sse_lines(drain(own))));
  CHECK(shared->alone() == 0);
  int const before = renders;
  s.list_ticket(seller, 40);
  s.advance(Duration{0});
  auto const next = sse_lines(drain(resumed));
  CHECK(count_of(next, "TicketCreated") == 1);
  CHECK(next.data == sse_lines(drain(own)).data);
  CHECK(renders - before == static_cast<int>(next.data.size()));  // from the shared walk
}

TEST_CASE("live feed: streams polled on several threads while tickets are listed each get every change once") {
  ApiStack s;
  auto const seller = s.sign_up("seller");
  s.advance(Duration{0});
  std::atomic<int> renders{0}, own_renders{0};
  // A small window, so that some streams fall out of it and walk by themselves.
  auto shared = std::make_shared<api::SharedFeed>(s.event_log, s.projector, counting(renders),
                                                  api::SharedFeedBounds{.commits = 8, .bytes = 1 << 20});
  auto const from = now(s);
  constexpr int kTickets = 60;
  constexpr int kViewers = 4;
  std::vector<std::string> seen(kViewers);
  std::vector<std::thread> viewers;
  std::atomic<bool> failed{false};
  for (int v = 0; v < kViewers; ++v) {
    viewers.emplace_back([&, v] {
      api::EventFeed feed(s.event_log, s.projector, from, counting(renders), shared);
      auto const deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
      while (count_of(sse_lines(seen[static_cast<std::size_t>(v)]), "TicketCreated") < kTickets) {
        if (std::chrono::steady_clock::now() > deadline) {
          failed = true;
          return;
        }
        std::string part;
        if (!feed.poll(part, v % 2 == 0 ? 256 : 1 << 20)) {
          failed = true;
          return;
        }
        seen[static_cast<std::size_t>(v)] += part;
        if (part.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(v));
      }
    });
  }
  for (int i = 0; i < kTickets; ++i) s.list_ticket(seller, 20 + i);
  s.advance(Duration{0});
  for (auto& t : viewers) t.join();
  REQUIRE_FALSE(failed);
  api::EventFeed own(s.event_log, s.projector, from, counting(own_renders));
  auto const expected = sse_lines(drain(own));
  for (auto const& text : seen) CHECK(same_changes(sse_lines(text), expected));
}

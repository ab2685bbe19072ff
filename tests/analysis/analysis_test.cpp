// The analysts' building blocks over a real embedded log: the one walk order,
// positions, redaction, the line formats, a ticket's history and a snapshot.

#include <set>

#include <doctest/doctest.h>

#include "analysis/completer.hpp"
#include "analysis/event_lines.hpp"
#include "analysis/history.hpp"
#include "analysis/redaction.hpp"
#include "analysis/snapshot.hpp"
#include "analysis/walk.hpp"
#include "marketplace_fixture.hpp"

using namespace ticketing;
using namespace ticketing::analysis;
using namespace ticketing::testing;
using namespace std::chrono_literals;

namespace {

Commit listing(std::string const& ticket, Instant recorded_at, std::string const& id) {
  Commit c{.commit_id = id,
           .partition_key = ticket,
           .expected = {{ticket_stream(ticket), kNoStream}},
           .events = {},
           .meta = {}};
  c.events.push_back(TicketCreated{ticket, "seller", "Show", Money{1000}, recorded_at});
  c.meta.recorded_at = recorded_at;
  return c;
}

std::vector<std::pair<std::string, Instant>> walked(EventLog& log, Positions const& from) {
  std::vector<std::pair<std::string, Instant>> out;
  auto const done = walk(log, from, log.end_offsets(), [&](RecordedCommit const& c, Instant at) {
    out.emplace_back(c.commit.commit_id, at);
    return true;
  });
  REQUIRE(done.has_value());
  return out;
}

}  // namespace

TEST_CASE("walk: one order over every partition, by time, and a partition's times never go back") {
  MarketplaceFixture f;
  Instant const t = f.clock.now();
  // Two tickets in different partitions, their commits stamped out of order.
  std::string a = MarketplaceFixture::ticket_id(1), b;
  for (int n = 2; b.empty(); ++n) {
    if (f.log->partition_of(MarketplaceFixture::ticket_id(n)) != f.log->partition_of(a))
      b = MarketplaceFixture::ticket_id(n);
  }
  REQUIRE(f.log->append(listing(a, t + 10ms, "a1")).has_value());
  REQUIRE(f.log->append(listing(b, t + 5ms, "b1")).has_value());
  Commit a2 = listing(a, t + 3ms, "a2");  // stamped before a1: its clock ran behind
  a2.expected = {{ticket_stream(a), 0}};
  a2.events = {TicketUpdated{a, "Show", Money{1200}, Money{1000}, t + 3ms}};
  REQUIRE(f.log->append(a2).has_value());

  auto const all = walked(*f.log, Positions(4, 0));
  REQUIRE(all.size() == 3);
  CHECK(all[0] == std::pair{std::string("b1"), t + 5ms});
  CHECK(all[1] == std::pair{std::string("a1"), t + 10ms});
  CHECK(all[2] == std::pair{std::string("a2"), t + 10ms});  // the log stamped it no earlier than a1
  CHECK(f.log->find_commit("a2").value()->commit.meta.recorded_at == t + 10ms);  // as stored
  // Resuming after a1 shows a2 at the same time a whole walk does.
  Positions after_a1(4, 0);
  after_a1[f.log->partition_of(a)] = 1;
  after_a1[f.log->partition_of(b)] = 1;
  CHECK(walked(*f.log, after_a1) == std::vector<std::pair<std::string, Instant>>{{"a2", t + 10ms}});
}

TEST_CASE("walk: commits at the same time come in partition order, then offset, over every partition") {
  MarketplaceFixture f;
  Instant const t = f.clock.now();
  // 200 tickets over the partitions, their commits stamped at five distinct
  // times (many ties), some behind their partition's last: the order is
  // computed here independently from what the log stored.
  for (int n = 1; n <= 200; ++n) {
    auto const at = t + std::chrono::milliseconds((n * 7) % 5);
    REQUIRE(f.log->append(listing(MarketplaceFixture::ticket_id(n), at, "c" + std::to_string(n))).has_value());
  }
  struct Stored {
    Instant shown;
    std::uint32_t partition;
    std::uint64_t offset;
    std::string id;
  };
  std::vector<Stored> expected;
  for (std::uint32_t p = 0; p < f.log->partition_count(); ++p) {
    Instant floor{};
    for (auto const& c : f.log->read_partition(p, 0, 1000).value()) {
      floor = std::max(floor, c.commit.meta.recorded_at);
      expected.push_back({floor, p, c.position.offset, c.commit.commit_id});
    }
  }
  std::sort(expected.begin(), expected.end(), [](Stored const& a, Stored const& b) {
    return std::tie(a.shown, a.partition, a.offset) < std::tie(b.shown, b.partition, b.offset);
  });
  std::vector<std::pair<std::string, Instant>> want;
  for (auto const& e : expected) want.emplace_back(e.id, e.shown);
  REQUIRE(want.size() == 200);
  CHECK(walked(*f.log, Positions(f.log->partition_count(), 0)) == want);
  // The walker without read-ahead, resumed halfway, agrees.
  Walker walker(*f.log, Positions(f.log->partition_count(), 0));
  std::vector<std::pair<std::string, Instant>> seen;
  while (auto next = walker.next(f.log->end_offsets()).value()) {
    seen.emplace_back(next->commit.commit.commit_id, next->recorded_at);
  }
  CHECK(seen == want);
}

TEST_CASE("positions: printed and read back, and refused with a reason") {
  CHECK(format_positions({3, 0, 12}) == "0:3,1:0,2:12");
  CHECK(parse_positions("0:3,2:12", 3).value() == Positions{3, 0, 12});
  CHECK(parse_positions("", 2).value() == Positions{0, 0});
  CHECK(parse_positions("3:1", 3).error().message == "partition 3 is out of range");
  CHECK(parse_positions("0:1,0:2", 3).error().message == "partition 0 is listed twice");
  CHECK(parse_positions("0=1", 3).error().code == ErrorCode::invalid_input);
  CHECK(parse_positions("0:x", 3).error().code == ErrorCode::invalid_input);
  CHECK(parse_positions("0:3.1", 3).error().code == ErrorCode::invalid_input);  // inside a commit: feeds only
}

TEST_CASE("event positions: a cut and how many events of one partition's next commit lie behind it") {
  auto const inside = parse_event_position("0:3,1:7.2", 3).value();
  CHECK(inside.cut == Positions{3, 7, 0});
  CHECK(inside.partition == 1);
  CHECK(inside.events_behind == 2);
  CHECK(format_event_position(inside) == "0:3,1:7.2,2:0");
  CHECK(format_event_position(parse_event_position("1:4", 2).value()) == "0:0,1:4");
  CHECK(parse_event_position("0:1.0", 2).error().code == ErrorCode::invalid_input);
  CHECK(parse_event_position("0:1.1,1:1.1", 2).error().message == "only one partition may be inside a commit");
  CHECK(parse_event_position("0:1.x", 2).error().code == ErrorCode::invalid_input);
}

TEST_CASE("walker: resumed as the log grows, it yields what one walk over the whole log yields") {
  MarketplaceFixture f;
  Instant const t = f.clock.now();
  for (int n = 1; n <= 6; ++n) {
    REQUIRE(f.log
                ->append(listing(MarketplaceFixture::ticket_id(n), t + std::chrono::milliseconds(n),
                                 "c" + std::to_string(n)))
                .has_value());
  }
  Walker walker(*f.log, Positions(4, 0));
  std::vector<std::string> seen;
  auto const take_all = [&](Positions const& end) {
    while (auto next = walker.next(end).value()) seen.push_back(next->commit.commit.commit_id);
  };
  take_all(f.log->end_offsets());
  CHECK(walker.positions() == f.log->end_offsets());
  take_all(f.log->end_offsets());  // nothing new: nothing more
  CHECK(seen.size() == 6);
  for (int n = 7; n <= 9; ++n) {
    REQUIRE(f.log
                ->append(listing(MarketplaceFixture::ticket_id(n), t + std::chrono::milliseconds(n),
                                 "c" + std::to_string(n)))
                .has_value());
  }
  take_all(f.log->end_offsets());
  std::vector<std::string> whole;
  for (auto const& [id, at] : walked(*f.log, Positions(4, 0))) whole.push_back(id);
  CHECK(seen == whole);
  CHECK(seen == std::vector<std::string>{"c1", "c2", "c3", "c4", "c5", "c6", "c7", "c8", "c9"});
}

TEST_CASE("redaction: no password hash ever, and one pseudonym per address unless personal data is asked for") {
  auto const pseudonym = [](std::string_view email) { return "p(" + std::string(email) + ")"; };
  Commit c{.commit_id = "c",
           .partition_key = "alice@example.com",
           .expected = {{"user-alice@example.com", kNoStream}},
           .events = {},
           .meta = {}};
  c.events.push_back(UserCreated{"u1", "alice@example.com", "Alice@Example.com", "$argon2id$secret", "s", Instant{}});
  c.events.push_back(UserSignedOut{"u1", "alice@example.com", "s", Instant{}});

  Commit const hidden = Redactor(pseudonym, false).commit(c);
  auto const& created = std::get<UserCreated>(hidden.events[0]);
  CHECK(created.password_hash.empty());
  CHECK(created.email == "p(alice@example.com)");
  CHECK(created.display_email == "p(alice@example.com)");
  CHECK(std::get<UserSignedOut>(hidden.events[1]).email == "p(alice@example.com)");
  CHECK(hidden.partition_key == "p(alice@example.com)");
  CHECK(hidden.expected[0].stream == "user-p(alice@example.com)");
  CHECK(stream_of(hidden.events[0]) == "user-p(alice@example.com)");

  Commit const shown = Redactor(pseudonym, true).commit(c);
  CHECK(std::get<UserCreated>(shown.events[0]).password_hash.empty());
  CHECK(std::get<UserCreated>(shown.events[0]).display_email == "Alice@Example.com");
  CHECK(shown.partition_key == "alice@example.com");
}

TEST_CASE("lines: jsonl carries the event and its commit, csv has flat typed columns") {
  EventPlace const place{"ticket-t1", 1, Position{2, 7}, "c7", *parse_iso8601("2026-11-21T10:00:00.500Z"), "req-1"};
  Event const updated =
      TicketUpdated{"t1", "Row \"A\", seat 3", Money{2500}, Money{2000}, *parse_iso8601("2026-11-21T10:00:00.400Z")};
  CHECK(
      jsonl_line(updated, place) ==
      R"({"type":"TicketUpdated","schema":2,"stream":"ticket-t1","version":1,"at":"2026-11-21T10:00:00.400Z",)"
      R"("data":{"ticket_id":"t1","title":"Row \"A\", seat 3","price_cents":2500,"previous_price_cents":2000,)"
      R"("at":"2026-11-21T10:00:00.400Z"},)"
      R"("partition":2,"offset":7,"commit_id":"c7","recorded_at":"2026-11-21T10:00:00.500Z","correlation_id":"req-1"})");
  CHECK(csv_line(updated, place) ==
        "2026-11-21T10:00:00.400Z,TicketUpdated,2,ticket-t1,1,2,7,t1,,,,,,2500,,2000,,\"Row \"\"A\"\", seat 3\"");
  CHECK(csv_header().starts_with("at,type,schema,stream,version,partition,offset,ticket_id"));
}

TEST_CASE("event versions: the k-th event of a stream in a commit follows the version the commit expected") {
  Commit c{.commit_id = "c",
           .partition_key = "t",
           .expected = {{"ticket-t", 3}, {"order-t-1", kNoStream}},
           .events = {},
           .meta = {}};
  c.events = {OrderCreated{"t-1", "t", "b", "Show", Money{1}, 3, Instant{}, Instant{}},
              TicketReserved{"t", "t-1", "b", Instant{}}, OrderExpired{"t-1", Instant{}}};
  CHECK(event_versions(c) == std::vector<std::int64_t>{0, 4, 1});
}

TEST_CASE("history: the ticket's events, its orders' and its charges', in the log's order") {
  MarketplaceFixture f;
  std::string const ticket = MarketplaceFixture::ticket_id(9);
  f.list(ticket);
  std::string const order = f.order(ticket);
  REQUIRE(f.market.execute(order, order::StartPayment{order, "buyer"}, f.ctx("buyer")).has_value());
  REQUIRE(f.market.execute(order, order::RecordChargeSucceeded{charge_id_for(order, 1), "ch_1"}, f.ctx()).has_value());
  f.list(MarketplaceFixture::ticket_id(10));  // another ticket: not in this history

  auto const events = history(*f.log, ticket);
  REQUIRE(events.has_value());
  std::vector<std::string> types;
  for (auto const& e : *events) types.emplace_back(type_name(e.event));
  CHECK(types == std::vector<std::string>{"TicketCreated", "OrderCreated", "TicketReserved", "OrderAwaitingPayment",
                                          "ChargeCreated", "ChargeSucceeded", "OrderCompleted", "TicketSold"});
  CHECK(events->back().place.stream == ticket_stream(ticket));
  CHECK(events->back().place.version == 2);
  CHECK(history(*f.log, MarketplaceFixture::ticket_id(11)).error().code == ErrorCode::not_found);
}

TEST_CASE("snapshot: the tickets and orders as they were at a moment, in the API's shapes") {
  MarketplaceFixture f;
  std::string const ticket = MarketplaceFixture::ticket_id(12);
  f.list(ticket, 2000);
  Instant const before_order = f.clock.now();
  Positions const listed_only = f.log->end_offsets();
  f.clock.advance(1min);
  std::string const order = f.order(ticket);
  f.clock.advance(1min);
  REQUIRE(f.market.execute(order, order::CancelOrder{order, "buyer"}, f.ctx("buyer")).has_value());

  auto const at = [&](Moment const& moment) {
    std::vector<std::string> lines;
    auto const done = snapshot(*f.log, f.log->end_offsets(), moment,
                               {.ticket = [&](views::TicketRow const& r) { lines.push_back(snapshot_json(r)); },
                                .order = [&](views::OrderRow const& r) { lines.push_back(snapshot_json(r)); }});
    REQUIRE(done.has_value());
    return lines;
  };
  CHECK(at({.as_of = before_order, .before = std::nullopt}) ==
        std::vector<std::string>{R"({"kind":"ticket","id":")" + ticket +
                                 R"(","title":"Show","price":20,"userId":"seller","version":0,"status":"available",)" +
                                 R"("listedAt":")" + format_iso8601(before_order) + R"("})"});
  // The same moment named by positions, as an export prints them.
  CHECK(at({.as_of = std::nullopt, .before = listed_only}) == at({.as_of = before_order, .before = std::nullopt}));
  auto const held = at({.as_of = before_order + 1min, .before = std::nullopt});
  REQUIRE(held.size() == 2);
  CHECK(held[0].find(R"("status":"reserved","orderId":")" + order + R"(","heldUntil":")" +
                     format_iso8601(before_order + 1min + 15min) + "\"") != std::string::npos);
  CHECK(held[1].starts_with(R"({"kind":"order","id":")" + order + R"(","userId":"buyer","status":"created")"));
  auto const now = at({});
  CHECK(now[0].find(R"("version":2,"status":"available","listedAt")") != std::string::npos);
  CHECK(now[1].find(R"("status":"cancelled")") != std::string::npos);
}

TEST_CASE("snapshot: every ticket, then every order, by id, over every partition, as of a moment in each") {
  MarketplaceFixture f;
  std::vector<std::string> ids;
  std::set<std::uint32_t> partitions;
  for (int n = 40; n > 0; --n) {  // listed out of id order
    ids.push_back(MarketplaceFixture::ticket_id(n * 7919 % 1000));
    f.list(ids.back(), 1000 + n);
    partitions.insert(f.log->partition_of(ids.back()));
  }
  REQUIRE(partitions.size() == 4);
  Instant const listed = f.clock.now();
  f.clock.advance(1min);
  std::vector<std::string> orders;
  for (std::size_t i = 0; i < ids.size(); i += 3) orders.push_back(f.order(ids[i]));
  std::vector<std::string> seen;
  auto const visit = SnapshotVisitor{.ticket = [&](views::TicketRow const& r) { seen.push_back("t" + r.id); },
                                     .order = [&](views::OrderRow const& r) { seen.push_back("o" + r.id); }};
  REQUIRE(snapshot(*f.log, f.log->end_offsets(), {}, visit).has_value());
  std::vector<std::string> expected;
  for (auto const& id : std::set<std::string>(ids.begin(), ids.end())) expected.push_back("t" + id);
  for (auto const& id : std::set<std::string>(orders.begin(), orders.end())) expected.push_back("o" + id);
  CHECK(seen == expected);
  seen.clear();
  REQUIRE(snapshot(*f.log, f.log->end_offsets(), {.as_of = listed, .before = std::nullopt}, visit).has_value());
  CHECK(seen == std::vector<std::string>(expected.begin(), expected.begin() + static_cast<std::ptrdiff_t>(ids.size())));
}

TEST_CASE("completer: events recorded before their amounts were fill them in from the log") {
  MarketplaceFixture f;
  Instant const t = f.clock.now();
  std::string const ticket = MarketplaceFixture::ticket_id(1);
  std::string const order = ticket + "-1";
  auto const append = [&](std::vector<ExpectedVersion> expected, Events events, std::string id) {
    Commit c{.commit_id = std::move(id),
             .partition_key = ticket,
             .expected = std::move(expected),
             .events = std::move(events),
             .meta = {}};
    c.meta.recorded_at = t;
    REQUIRE(f.log->append(c).has_value());
  };
  // As a log from before schema 2 reads: no previous price, no amounts (0).
  append({{ticket_stream(ticket), kNoStream}}, {TicketCreated{ticket, "seller", "Show", Money{2000}, t}}, "c1");
  append({{ticket_stream(ticket), 0}}, {TicketUpdated{ticket, "Show", Money{2500}, Money{}, t}}, "c2");
  append({{ticket_stream(ticket), 1}}, {TicketUpdated{ticket, "Show", Money{2200}, Money{}, t}}, "c3");
  append({{ticket_stream(ticket), 2}, {order_stream(order), kNoStream}},
         {OrderCreated{order, ticket, "buyer", "Show", Money{2200}, 2, t, t + 15min},
          TicketReserved{ticket, order, "buyer", t}},
         "c4");
  append({{ticket_stream(ticket), 3}, {order_stream(order), 0}},
         {OrderCompleted{order, "ch", Money{}, t}, TicketSold{ticket, order, "buyer", Money{}, t}}, "c5");

  Completer const completer(*f.log);
  std::vector<Event> completed;
  REQUIRE(walk(*f.log, Positions(4, 0), f.log->end_offsets(), [&](RecordedCommit const& rc, Instant) {
            for (auto& e : completer.commit(rc.commit).events) completed.push_back(e);
            return true;
          }).has_value());
  REQUIRE(completed.size() == 7);
  CHECK(std::get<TicketUpdated>(completed[1]).previous_price == Money{2000});
  CHECK(std::get<TicketUpdated>(completed[2]).previous_price == Money{2500});
  CHECK(std::get<OrderCompleted>(completed[5]).amount == Money{2200});
  CHECK(std::get<TicketSold>(completed[6]).amount == Money{2200});
  // An event that carries its amounts is left as it is.
  Event const recorded = OrderCompleted{order, "ch", Money{999}, t};
  CHECK(completer.event(recorded, 1) == recorded);
}

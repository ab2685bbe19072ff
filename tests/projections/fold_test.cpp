// Given events, then rows: what each event does to the read models, row by
// row, every field compared. After every commit, the same fold held in memory
// (RowFold, what a snapshot uses) has exactly the stored ticket and order rows.

#include <doctest/doctest.h>

#include "domain/ids.hpp"
#include "projections/row_fold.hpp"
#include "projections/view_store.hpp"
#include "temp_dir.hpp"

using namespace ticketing;
using namespace ticketing::views;
using namespace std::chrono_literals;

namespace {

Instant at(std::int64_t seconds) { return from_millis(1'800'000'000'000 + seconds * 1000); }
std::int64_t ms(std::int64_t seconds) { return to_millis(at(seconds)); }

std::string const kTicket = "aaaaaaaaaaaaaaaaaaaaaaaa";
std::string const kOrder = order_id_for(kTicket, 1);
std::string const kCharge = charge_id_for(kOrder, 1);

struct Given {
  testing::TempDir dir;
  std::unique_ptr<ViewStore> store = std::move(*ViewStore::open(dir.str(), 1));
  RowFold in_memory;
  std::uint64_t offset = 0;

  // One commit holding `events`, at the next offset.
  Given& then(Events events) {
    Commit commit{
        .commit_id = "c" + std::to_string(offset), .partition_key = kTicket, .expected = {}, .events = {}, .meta = {}};
    commit.events = std::move(events);
    REQUIRE(store->apply(RecordedCommit{Position{0, offset++}, commit}).has_value());
    in_memory.apply(commit.events);
    check_in_memory_rows();
    return *this;
  }
  void check_in_memory_rows() const {
    for (auto const& row : in_memory.tickets()) CHECK(store->ticket(row.id) == row);
    for (auto const& row : in_memory.orders()) CHECK(store->order(row.id) == row);
    // And no row only the store has: the one ticket and its order, once seen.
    CHECK(in_memory.tickets().size() == (store->ticket(kTicket) ? 1u : 0u));
    CHECK(in_memory.orders().size() == (store->order(kOrder) ? 1u : 0u));
  }
  [[nodiscard]] std::vector<std::string> for_sale() const {
    std::vector<std::string> ids;
    auto const page = store->tickets_for_sale(100, "");
    REQUIRE(page.has_value());
    for (auto const& row : page->tickets) ids.push_back(row.id);
    return ids;
  }
};

Events listed() { return {TicketCreated{kTicket, "seller", "Concert", Money{2000}, at(0)}}; }
Events ordered() {
  return {OrderCreated{kOrder, kTicket, "buyer", "Concert", Money{2000}, 0, at(10), at(10) + 15min},
          TicketReserved{kTicket, kOrder, "buyer", at(10)}};
}
Events awaiting() {
  return {OrderAwaitingPayment{kOrder, kCharge, at(20)},
          ChargeCreated{kCharge, kOrder, Money{2000}, "usd", kCharge, at(20)}};
}

TicketRow listed_row() { return {kTicket, "Concert", "seller", "", 2000, 0, ticket::Status::available, ms(0), 0}; }
OrderRow ordered_row() {
  return {kOrder, "buyer", kTicket, "Concert", "", 2000, 0, 0, order::Status::created, ms(10), ms(10) + 15 * 60'000};
}

}  // namespace

TEST_CASE("fold: a listing is a row, for sale, under its seller") {
  Given g;
  g.then(listed());
  CHECK(g.store->ticket(kTicket) == listed_row());
  CHECK(g.for_sale() == std::vector<std::string>{kTicket});
  REQUIRE(g.store->tickets_of_seller("seller").size() == 1);
  CHECK(g.store->tickets_of_seller("seller")[0] == listed_row());
}

TEST_CASE("fold: an edit changes title and price and counts a version") {
  Given g;
  g.then(listed()).then({TicketUpdated{kTicket, "Concert, row A", Money{2500}, Money{2000}, at(5)}});
  TicketRow expected = listed_row();
  expected.title = "Concert, row A";
  expected.price_cents = 2500;
  expected.version = 1;
  CHECK(g.store->ticket(kTicket) == expected);
  CHECK(g.store->tickets_for_sale(10, "")->tickets == std::vector<TicketRow>{expected});
}

TEST_CASE("fold: an order holds the ticket, which leaves the list for sale") {
  Given g;
  g.then(listed()).then(ordered());
  TicketRow ticket = listed_row();
  ticket.status = ticket::Status::reserved;
  ticket.order_id = kOrder;
  ticket.version = 1;
  ticket.held_until_ms = ms(10) + 15 * 60'000;  // the order's expiry
  CHECK(g.store->ticket(kTicket) == ticket);
  CHECK(g.for_sale().empty());
  CHECK(g.store->order(kOrder) == ordered_row());
  CHECK(g.store->orders_of_buyer("buyer") == std::vector<OrderRow>{ordered_row()});
}

TEST_CASE("fold: a paid order completes and the ticket is sold") {
  Given g;
  g.then(listed()).then(ordered()).then(awaiting());
  OrderRow order = ordered_row();
  order.status = order::Status::awaiting_payment;
  order.charge_id = kCharge;
  order.version = 1;
  CHECK(g.store->order(kOrder) == order);
  g.then({ChargeSucceeded{kCharge, kOrder, "ch_1", false, at(30)}, OrderCompleted{kOrder, kCharge, Money{2000}, at(30)},
          TicketSold{kTicket, kOrder, "buyer", Money{2000}, at(30)}});
  order.status = order::Status::complete;
  order.version = 2;
  CHECK(g.store->order(kOrder) == order);
  CHECK(g.store->ticket(kTicket)->status == ticket::Status::sold);
  CHECK(g.store->ticket(kTicket)->version == 2);
}

TEST_CASE("fold: a payment that failed with nothing charged makes the order payable again") {
  Given g;
  g.then(listed()).then(ordered()).then(awaiting());
  g.then({ChargeFailed{kCharge, kOrder, "invalid_request", true, at(25)},
          OrderPaymentFailed{kOrder, kCharge, "invalid_request", at(25)}});
  OrderRow order = ordered_row();
  order.charge_id = kCharge;
  order.version = 2;  // OrderAwaitingPayment, OrderPaymentFailed
  CHECK(g.store->order(kOrder) == order);
  CHECK(g.store->ticket(kTicket)->status == ticket::Status::reserved);
}

TEST_CASE("fold: a declined card cancels the order and releases the ticket") {
  Given g;
  g.then(listed()).then(ordered()).then(awaiting());
  g.then({ChargeFailed{kCharge, kOrder, "card_declined", false, at(30)},
          OrderCancelled{kOrder, "payment_declined", at(30)}, TicketReleased{kTicket, kOrder, at(30)}});
  CHECK(g.store->order(kOrder)->status == order::Status::cancelled);
  TicketRow ticket = listed_row();
  ticket.version = 2;
  CHECK(g.store->ticket(kTicket) == ticket);
  CHECK(g.for_sale() == std::vector<std::string>{kTicket});
}

TEST_CASE("fold: an expired hold cancels the order and puts the ticket back on sale") {
  Given g;
  g.then(listed()).then(ordered()).then({OrderExpired{kOrder, at(910)}, TicketReleased{kTicket, kOrder, at(910)}});
  OrderRow order = ordered_row();
  order.status = order::Status::cancelled;
  order.version = 1;
  CHECK(g.store->order(kOrder) == order);
  CHECK(g.for_sale() == std::vector<std::string>{kTicket});
}

TEST_CASE("fold: a signed-out session is revoked") {
  Given g;
  g.then({ChargeRefunded{kCharge, kOrder, "re_1", at(40)}, UserSignedOut{"u1", "a@example.com", "session-1", at(41)}});
  CHECK(g.store->session_revoked("session-1").value());
  CHECK_FALSE(g.store->session_revoked("session-2").value());
}

TEST_CASE("fold: a commit applied again (after a crash, before its checkpoint) changes nothing") {
  Given g;
  g.then(listed()).then({TicketUpdated{kTicket, "Concert, row A", Money{2500}, Money{2000}, at(5)}});
  TicketRow const once = *g.store->ticket(kTicket);
  REQUIRE(once.version == 1);
  // The edit's commit again, at its own position: a fold that counted it
  // twice would show version 2.
  Commit again{.commit_id = "c1",
               .partition_key = kTicket,
               .expected = {},
               .events = {TicketUpdated{kTicket, "Concert, row A", Money{2500}, Money{2000}, at(5)}},
               .meta = {}};
  REQUIRE(g.store->apply(RecordedCommit{Position{0, 1}, again}).has_value());
  CHECK(g.store->ticket(kTicket) == once);
}

TEST_CASE("rows: a ticket row stored before held_until existed reads with it unset; a cut row does not read") {
  TicketRow const row = listed_row();
  std::string const bytes = encode_row(row);
  std::string const before = bytes.substr(0, bytes.size() - 8);  // as stored without the last member
  CHECK(decode_row<TicketRow>(before) == row);
  CHECK_FALSE(decode_row<TicketRow>(bytes.substr(0, bytes.size() - 9)).has_value());
  CHECK_FALSE(decode_row<TicketRow>(bytes + "x").has_value());
}

TEST_CASE("rows: the events a row fold may leave out change no ticket or order row") {
  // A snapshot decodes only the types RowFold::folds() names; every other
  // event, applied to rows it could touch, must leave them as they are.
  RowFold rows;
  rows.apply(listed());
  rows.apply(ordered());
  rows.apply(awaiting());
  auto const tickets = rows.tickets();
  auto const orders = rows.orders();
  Events const every_type{
      UserCreated{"u1", "buyer@example.com", "Buyer@Example.com", "hash", "s1", at(30)},
      UserSignedIn{"u1", "buyer@example.com", "s2", at(30)},
      UserSignInFailed{"u1", "buyer@example.com", at(30)},
      UserSignedOut{"u1", "buyer@example.com", "s2", at(30)},
      TicketCreated{kTicket, "seller", "Concert", Money{2500}, at(30)},
      TicketUpdated{kTicket, "Concert", Money{2500}, Money{2000}, at(30)},
      TicketReserved{kTicket, kOrder, "buyer", at(30)},
      TicketReleased{kTicket, kOrder, at(30)},
      TicketSold{kTicket, kOrder, "buyer", Money{2000}, at(30)},
      OrderCreated{kOrder, kTicket, "buyer", "Concert", Money{2000}, 0, at(30), at(30) + 15min},
      OrderAwaitingPayment{kOrder, kCharge, at(30)},
      OrderCompleted{kOrder, kCharge, Money{2000}, at(30)},
      OrderCancelled{kOrder, "buyer", at(30)},
      OrderExpired{kOrder, at(30)},
      ChargeCreated{kCharge, kOrder, Money{2000}, "usd", kCharge, at(30)},
      ChargeSucceeded{kCharge, kOrder, "ch_1", true, at(30)},
      ChargeFailed{kCharge, kOrder, "card_declined", true, at(30)},
      ChargeRefunded{kCharge, kOrder, "re_1", at(30)},
      OrderPaymentFailed{kOrder, kCharge, "invalid_request", at(30)},
  };
  REQUIRE(every_type.size() == std::variant_size_v<Event>);
  int left_out = 0;
  for (auto const& event : every_type) {
    RowFold after = rows;
    after.apply({event});
    bool const unchanged = after.tickets() == tickets && after.orders() == orders;
    if (!RowFold::folds(type_name(event))) {
      ++left_out;
      CHECK_MESSAGE(unchanged, type_name(event));
    }
  }
  CHECK(left_out == 8);  // the user and charge events
}

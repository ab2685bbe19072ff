#include <map>
#include <set>

#include <doctest/doctest.h>

#include "marketplace_fixture.hpp"
#include "processes/order_saga.hpp"
#include "processes/sandbox_gateway.hpp"
#include "projections/projector.hpp"

using namespace ticketing;
using namespace ticketing::testing;
using namespace std::chrono_literals;

namespace {

struct ViewsFixture : MarketplaceFixture {
  std::unique_ptr<views::ViewStore> store =
      std::move(*views::ViewStore::open((dir.path() / "views").string(), log->partition_count()));
  views::Projector projector{*log, *store};
  ViewsFixture() { projector.start(); }
  void caught_up() {
    REQUIRE(eventually([&] { return projector.applied() == log->end_offsets(); }));
  }
};

// Sign-ups, listings, edits, orders, cancellations, payments (paid, declined,
// interrupted), expiries and sign-outs, over several partitions.
void mixed_workload(ViewsFixture& f) {
  auto gateway = std::move(*SandboxGateway::open((f.dir.path() / "gateway").string()));
  Payments payments(f.market, *gateway);
  auto timers = std::move(*TimerStore::open((f.dir.path() / "saga").string(), f.log->partition_count()));
  OrderSaga saga(*f.log, f.market, payments, f.clock, *timers, SagaOptions{60s, 1s});
  saga.start();
  for (int u = 0; u < 3; ++u) {
    auto email = *Email::parse("user" + std::to_string(u) + "@example.com");
    REQUIRE(
        f.market
            .execute(user::SignUp{"user" + std::to_string(u), email, "$argon2id$x", "s" + std::to_string(u)}, f.ctx())
            .has_value());
  }
  for (int t = 0; t < 30; ++t) {
    std::string const ticket = MarketplaceFixture::ticket_id(t);
    f.list(ticket, 1000 + t * 100, "seller" + std::to_string(t % 3));
    f.clock.advance(1s);
    if (t % 5 == 0) {
      REQUIRE(f.market
                  .execute(ticket::UpdateTicket{ticket, "seller" + std::to_string(t % 3), "Better", Money{999},
                                                std::nullopt},
                           f.ctx())
                  .has_value());
    }
    if (t % 3 == 0) continue;  // stays on sale
    std::string const order = f.order(ticket, "buyer" + std::to_string(t % 4), 10min);
    if (t % 3 == 1 && t % 2 == 0) {
      REQUIRE(f.market.execute(order, order::CancelOrder{order, "buyer" + std::to_string(t % 4)}, f.ctx()).has_value());
    } else if (t % 3 == 1) {
      REQUIRE(
          f.market.execute(order, order::StartPayment{order, "buyer" + std::to_string(t % 4)}, f.ctx()).has_value());
      std::string const charge = charge_id_for(order, 1);
      order::Command outcome = order::RecordChargeSucceeded{charge, "ch_" + std::to_string(t)};
      if (t % 7 == 0) outcome = order::RecordChargeFailed{charge, "card_declined", false};
      if (t % 11 == 0) outcome = order::RecordChargeFailed{charge, "not_charged", true};
      REQUIRE(f.market.execute(order, outcome, f.ctx()).has_value());
    }
    // The others (t % 3 == 2) are left to expire.
  }
  REQUIRE(f.market.execute(user::SignOut{*Email::parse("user1@example.com"), "s1"}, f.ctx()).has_value());
  f.clock.advance(11min);
  saga.wake();
  REQUIRE(eventually([&] { return saga.applied() == f.log->end_offsets() && saga.pending_timers() <= 2; }));
  saga.stop();
}

}  // namespace

TEST_CASE("read models rebuilt from the log are byte-identical to the live ones after a mixed workload") {
  ViewsFixture f;
  mixed_workload(f);
  f.caught_up();
  f.projector.stop();
  auto const live = f.store->dump();
  CHECK(live.size() > 100);

  std::string const rebuilt_path = (f.dir.path() / "views-rebuilt").string();
  REQUIRE(views::rebuild(*f.log, rebuilt_path).has_value());
  auto rebuilt = views::ViewStore::open(rebuilt_path, f.log->partition_count());
  REQUIRE(rebuilt.has_value());
  auto const again = (*rebuilt)->dump();
  REQUIRE(again.size() == live.size());
  for (std::size_t i = 0; i < live.size(); ++i) {
    INFO("key " << i);
    CHECK(again[i] == live[i]);
  }
  CHECK(views::rebuild(*f.log, rebuilt_path).error().code == ErrorCode::invalid_input);  // never over an existing one
}

namespace {

// What the log says, folded by the domain's own evolve functions: the
// expectation the read models are checked against.
struct FromLog {
  std::map<std::string, ticket::State> tickets;
  std::map<std::string, order::State> orders;
  std::set<std::string> revoked;
};

FromLog read_log(EventLog& log) {
  FromLog out;
  for (std::uint32_t p = 0; p < log.partition_count(); ++p) {
    auto const commits = log.read_partition(p, 0, 1'000'000);
    REQUIRE(commits.has_value());
    for (auto const& commit : *commits) {
      for (auto const& event : commit.commit.events) {
        if (auto t = narrow<TicketEvent>(event)) {
          std::string const id = std::visit([](auto const& e) { return e.ticket_id; }, *t);
          auto it = out.tickets.try_emplace(id, ticket::initial_state()).first;
          it->second = ticket::evolve(it->second, *t);
        } else if (auto o = narrow<OrderEvent>(event)) {
          std::string const id = std::visit([](auto const& e) { return e.order_id; }, *o);
          auto it = out.orders.try_emplace(id, order::initial_state()).first;
          it->second = order::evolve(it->second, *o);
        } else if (auto const* signed_out = std::get_if<UserSignedOut>(&event)) {
          out.revoked.insert(signed_out->session_id);
        }
      }
    }
  }
  return out;
}

}  // namespace

TEST_CASE("the read models answer what the log says") {
  ViewsFixture f;
  mixed_workload(f);
  f.caught_up();
  FromLog const log = read_log(*f.log);
  REQUIRE(log.tickets.size() == 30);
  REQUIRE(log.orders.size() == 20);
  for (auto const& [id, state] : log.tickets) {
    CAPTURE(id);
    auto const row = f.store->ticket(id);
    REQUIRE(row.has_value());
    CHECK(row->status == state.status);
    CHECK(row->price_cents == state.price.cents);
    CHECK(row->title == state.title);
    CHECK(row->version == state.version);
    CHECK(row->order_id == (state.status == ticket::Status::available ? std::string() : state.order_id));
  }
  for (auto const& [id, state] : log.orders) {
    CAPTURE(id);
    auto const row = f.store->order(id);
    REQUIRE(row.has_value());
    CHECK(row->status == state.status);
    CHECK(row->version == state.version);
    CHECK(row->charge_id == state.charge_id);
    CHECK(row->price_cents == state.price.cents);
  }
  // Tickets for sale: exactly the available ones, oldest listing first.
  auto page = f.store->tickets_for_sale(500, "");
  REQUIRE(page.has_value());
  std::set<std::string> listed;
  std::int64_t previous = 0;
  for (auto const& t : page->tickets) {
    CHECK(t.listed_at_ms >= previous);
    previous = t.listed_at_ms;
    listed.insert(t.id);
  }
  std::set<std::string> available;
  for (auto const& [id, state] : log.tickets)
    if (state.status == ticket::Status::available) available.insert(id);
  CHECK(listed == available);
  for (std::string const session : {"s0", "s1", "s2"})
    CHECK(f.store->session_revoked(session).value() == log.revoked.contains(session));
  CHECK(log.revoked.contains("s1"));
  auto const orders = f.store->orders_of_buyer("buyer1");
  for (std::size_t i = 1; i < orders.size(); ++i) CHECK(orders[i - 1].created_at_ms <= orders[i].created_at_ms);
}

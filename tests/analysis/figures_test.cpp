// `ticketing analytics`' figures, checked against a workload whose figures
// are worked out by hand.

#include "analysis/figures.hpp"

#include <doctest/doctest.h>

#include "marketplace_fixture.hpp"

using namespace ticketing;
using namespace ticketing::analysis;
using namespace ticketing::testing;
using namespace std::chrono_literals;

namespace {

void sell(MarketplaceFixture& f, std::string const& order) {
  REQUIRE(f.market.execute(order, order::StartPayment{order, "buyer"}, f.ctx("buyer")).has_value());
  REQUIRE(f.market.execute(order, order::RecordChargeSucceeded{charge_id_for(order, 1), "ch"}, f.ctx()).has_value());
}

}  // namespace

TEST_CASE("figures: listings, sales, how holds ended, time to sell, price changes, per day and per seller") {
  MarketplaceFixture f;  // the clock starts at 2026-11-21T10:00:00Z
  Instant const t0 = f.clock.now();
  std::string const t1 = MarketplaceFixture::ticket_id(1), t2 = MarketplaceFixture::ticket_id(2),
                    t3 = MarketplaceFixture::ticket_id(3);
  f.list(t1, 2000, "s1");
  f.clock.advance(10min);
  REQUIRE(f.market.execute(ticket::UpdateTicket{t1, "s1", "Show", Money{2500}, std::nullopt}, f.ctx()).has_value());
  f.clock.advance(10min);
  REQUIRE(f.market.execute(ticket::UpdateTicket{t1, "s1", "Show", Money{2200}, std::nullopt}, f.ctx()).has_value());
  f.clock.advance(10min);  // 10:30: t1 sells 30 minutes after its listing, at 22.00
  sell(f, f.order(t1));
  f.clock.advance(30min);  // 11:00
  f.list(t2, 1000, "s2");
  REQUIRE(f.market.execute(f.order(t2), order::CancelOrder{order_id_for(t2, 1), "buyer"}, f.ctx("buyer")).has_value());
  std::string const declined = f.order(t2);
  REQUIRE(f.market.execute(declined, order::StartPayment{declined, "buyer"}, f.ctx("buyer")).has_value());
  REQUIRE(
      f.market.execute(declined, order::RecordChargeFailed{charge_id_for(declined, 1), "card_declined", false}, f.ctx())
          .has_value());
  f.clock.advance(1h);  // 12:00
  f.list(t3, 3000, "s1");
  std::string const lapsed = f.order(t3);
  f.clock.advance(15min);
  REQUIRE(f.market.execute(lapsed, order::ExpireOrder{lapsed}, f.ctx()).has_value());
  f.clock.advance(3h - 15min);  // 15:00: t3 sells 3 hours after its listing, at 30.00
  sell(f, f.order(t3));

  auto const all = figures(*f.log, f.log->end_offsets(), {});
  REQUIRE(all.has_value());
  CHECK(all->tickets_listed == 3);
  CHECK(all->orders_created == 5);
  CHECK(all->sales == 2);
  CHECK(all->revenue_cents == 5200);
  CHECK(all->paid == 2);
  CHECK(all->cancelled_by_buyer == 1);
  CHECK(all->declined == 1);
  CHECK(all->expired == 1);
  CHECK(all->time_to_sell_median_ms == 30 * 60'000);
  CHECK(all->time_to_sell_p90_ms == 3 * 3'600'000);
  CHECK(all->time_to_sell_mean_ms == (30 * 60'000 + 3 * 3'600'000) / 2);
  CHECK(all->sold_after_price_change == 1);
  CHECK(all->price_changes_before_sale == 2);
  CHECK(all->price_change_before_sale_cents == 200);
  CHECK(all->per_day == std::map<std::string, DayFigures>{{"2026-11-21", {2, 5200}}});
  CHECK(all->per_seller == std::map<std::string, SellerFigures>{{"s1", {2, 2, 5200}}, {"s2", {1, 0, 0}}});

  // In Tokyo (UTC+9), 15:00 UTC is midnight: the second sale is the next day.
  auto const tokyo = figures(*f.log, f.log->end_offsets(), {.since = {}, .until = {}, .time_zone = "Asia/Tokyo"});
  REQUIRE(tokyo.has_value());
  CHECK(tokyo->per_day == std::map<std::string, DayFigures>{{"2026-11-21", {1, 2200}}, {"2026-11-22", {1, 3000}}});

  // From 11:00 on: t1's listing and sale fall before.
  auto const later = figures(*f.log, f.log->end_offsets(), {.since = t0 + 1h, .until = {}, .time_zone = "UTC"});
  REQUIRE(later.has_value());
  CHECK(later->tickets_listed == 2);
  CHECK(later->sales == 1);
  CHECK(later->revenue_cents == 3000);
  CHECK(later->time_to_sell_median_ms == 3 * 3'600'000);

  CHECK(figures(*f.log, f.log->end_offsets(), {.since = {}, .until = {}, .time_zone = "Mars/Olympus"}).error().code ==
        ErrorCode::invalid_input);
  CHECK(figures_json(*all, {}).find(R"("holds":{"paid":2,"cancelled_by_buyer":1,"declined":1,"expired":1})") !=
        std::string::npos);
}

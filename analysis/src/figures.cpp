#include "analysis/figures.hpp"

#include <algorithm>
#include <cstdio>
#include <memory>
#include <unicode/timezone.h>
#include <unordered_map>

#include "analysis/walk.hpp"
#include "domain/money.hpp"
#include "domain/overloaded.hpp"
#include "encoding/json_writer.hpp"

namespace ticketing::analysis {
namespace {

struct TicketFacts {
  std::string seller_id;
  Instant listed_at;
  std::int64_t price_cents{0};
  std::int64_t changes{0};
  std::int64_t change_cents{0};
};

// Nearest-rank percentile of sorted values.
std::int64_t percentile(std::vector<std::int64_t> const& sorted, double p) {
  if (sorted.empty()) return 0;
  auto rank = static_cast<std::size_t>(p * static_cast<double>(sorted.size()) + 0.999999);
  rank = std::clamp<std::size_t>(rank, 1, sorted.size());
  return sorted[rank - 1];
}

// The calendar day of `t` in `zone`.
std::string day_in(icu::TimeZone const& zone, Instant t) {
  std::int32_t raw = 0, dst = 0;
  UErrorCode status = U_ZERO_ERROR;
  zone.getOffset(static_cast<UDate>(to_millis(t)), false, raw, dst, status);
  std::int64_t const offset_ms = U_FAILURE(status) ? 0 : std::int64_t{raw} + dst;
  return format_iso8601(t + std::chrono::milliseconds(offset_ms)).substr(0, 10);
}

}  // namespace

Result<Figures> figures(EventLog& log, Positions const& end, FigureOptions const& options) {
  std::unique_ptr<icu::TimeZone> zone(icu::TimeZone::createTimeZone(icu::UnicodeString::fromUTF8(options.time_zone)));
  if (*zone == icu::TimeZone::getUnknown()) {
    return make_error(ErrorCode::invalid_input, "unknown time zone " + options.time_zone, "tz");
  }
  auto const counted = [&](Instant at) {
    return (!options.since || at >= *options.since) && (!options.until || at < *options.until);
  };
  Figures f;
  std::unordered_map<std::string, TicketFacts> tickets;
  std::unordered_map<std::string, std::int64_t> order_price;
  std::unordered_map<std::string, std::string> order_ticket;
  std::vector<std::int64_t> times_to_sell;
  auto walked = walk(log, Positions(log.partition_count(), 0), end, [&](RecordedCommit const& c, Instant) {
    for (auto const& event : c.commit.events) {
      std::visit(overloaded{
                     [&](TicketCreated const& e) {
                       tickets[e.ticket_id] = TicketFacts{e.seller_id, e.at, e.price.cents, 0, 0};
                       if (!counted(e.at)) return;
                       ++f.tickets_listed;
                       ++f.per_seller[e.seller_id].listed;
                     },
                     [&](TicketUpdated const& e) {
                       auto& t = tickets[e.ticket_id];
                       if (e.price.cents == t.price_cents) return;
                       ++t.changes;
                       t.change_cents += e.price.cents - t.price_cents;
                       t.price_cents = e.price.cents;
                     },
                     [&](OrderCreated const& e) {
                       order_price[e.order_id] = e.price.cents;
                       order_ticket[e.order_id] = e.ticket_id;
                       if (counted(e.at)) ++f.orders_created;
                     },
                     [&](OrderCompleted const& e) {
                       if (!counted(e.at)) return;
                       // Schema 1 had no amount: the order's price is what was paid.
                       std::int64_t const price = e.amount.cents != 0 ? e.amount.cents : order_price[e.order_id];
                       auto const& t = tickets[order_ticket[e.order_id]];
                       ++f.sales;
                       ++f.paid;
                       f.revenue_cents += price;
                       auto& day = f.per_day[day_in(*zone, e.at)];
                       ++day.sales;
                       day.revenue_cents += price;
                       auto& seller = f.per_seller[t.seller_id];
                       ++seller.sales;
                       seller.revenue_cents += price;
                       times_to_sell.push_back(to_millis(e.at) - to_millis(t.listed_at));
                       if (t.changes > 0) ++f.sold_after_price_change;
                       f.price_changes_before_sale += t.changes;
                       f.price_change_before_sale_cents += t.change_cents;
                     },
                     [&](OrderCancelled const& e) {
                       if (!counted(e.at)) return;
                       ++(e.reason == "payment_declined" ? f.declined : f.cancelled_by_buyer);
                     },
                     [&](OrderExpired const& e) {
                       if (counted(e.at)) ++f.expired;
                     },
                     [&](ChargeRefunded const& e) {
                       if (counted(e.at)) ++f.late_payments_refunded;
                     },
                     [](auto const&) {},
                 },
                 event);
    }
    return true;
  });
  if (!walked) return walked.error();
  std::sort(times_to_sell.begin(), times_to_sell.end());
  if (!times_to_sell.empty()) {
    std::int64_t total = 0;
    for (auto t : times_to_sell) total += t;
    f.time_to_sell_mean_ms = total / static_cast<std::int64_t>(times_to_sell.size());
  }
  f.time_to_sell_median_ms = percentile(times_to_sell, 0.5);
  f.time_to_sell_p90_ms = percentile(times_to_sell, 0.9);
  return f;
}

std::string figures_json(Figures const& f, FigureOptions const& options) {
  JsonWriter w;
  w.begin_object();
  w.key("since");
  options.since ? w.string(format_iso8601(*options.since)) : w.null();
  w.key("until");
  options.until ? w.string(format_iso8601(*options.until)) : w.null();
  w.key("tz").string(options.time_zone);
  w.key("tickets_listed").number(f.tickets_listed);
  w.key("orders_created").number(f.orders_created);
  w.key("sales").number(f.sales);
  w.key("revenue_cents").number(f.revenue_cents);
  w.key("holds").begin_object();
  w.key("paid").number(f.paid).key("cancelled_by_buyer").number(f.cancelled_by_buyer);
  w.key("declined").number(f.declined).key("expired").number(f.expired);
  w.end_object();
  w.key("late_payments_refunded").number(f.late_payments_refunded);
  w.key("time_to_sell_ms").begin_object();
  w.key("mean").number(f.time_to_sell_mean_ms).key("median").number(f.time_to_sell_median_ms);
  w.key("p90").number(f.time_to_sell_p90_ms);
  w.end_object();
  w.key("price_changes_before_sale").begin_object();
  w.key("tickets").number(f.sold_after_price_change).key("changes").number(f.price_changes_before_sale);
  w.key("total_cents").number(f.price_change_before_sale_cents);
  w.end_object();
  w.key("per_day").begin_array();
  for (auto const& [day, d] : f.per_day) {
    w.begin_object().key("day").string(day).key("sales").number(d.sales).key("revenue_cents").number(d.revenue_cents);
    w.end_object();
  }
  w.end_array();
  w.key("per_seller").begin_array();
  for (auto const& [seller, s] : f.per_seller) {
    w.begin_object().key("seller_id").string(seller).key("listed").number(s.listed).key("sales").number(s.sales);
    w.key("revenue_cents").number(s.revenue_cents).end_object();
  }
  w.end_array();
  w.end_object();
  return w.take();
}

std::string figures_text(Figures const& f, FigureOptions const& options) {
  auto const money = [](std::int64_t cents) { return format_units(Money{cents}); };
  auto const duration = [](std::int64_t ms) {
    char out[32];
    std::snprintf(out, sizeof out, "%lldh %02lldm %02llds", static_cast<long long>(ms / 3'600'000),
                  static_cast<long long>(ms / 60'000 % 60), static_cast<long long>(ms / 1000 % 60));
    return std::string(out);
  };
  std::string s;
  s += "period        " + (options.since ? format_iso8601(*options.since) : std::string("start")) + " .. " +
       (options.until ? format_iso8601(*options.until) : std::string("now")) + " (days in " + options.time_zone + ")\n";
  s += "listed        " + std::to_string(f.tickets_listed) + " tickets\n";
  s += "sales         " + std::to_string(f.sales) + ", revenue " + money(f.revenue_cents) + "\n";
  s += "holds ended   paid " + std::to_string(f.paid) + ", cancelled by buyer " + std::to_string(f.cancelled_by_buyer) +
       ", declined " + std::to_string(f.declined) + ", expired " + std::to_string(f.expired) + "\n";
  s += "time to sell  median " + duration(f.time_to_sell_median_ms) + ", p90 " + duration(f.time_to_sell_p90_ms) +
       ", mean " + duration(f.time_to_sell_mean_ms) + "\n";
  s += "price changes " + std::to_string(f.price_changes_before_sale) + " before sale, on " +
       std::to_string(f.sold_after_price_change) + " sold tickets, total " + money(f.price_change_before_sale_cents) +
       "\n";
  s += "refunded      " + std::to_string(f.late_payments_refunded) + " late payments\n";
  s += "per day\n";
  for (auto const& [day, d] : f.per_day) {
    s += "  " + day + "  " + std::to_string(d.sales) + " sales  " + money(d.revenue_cents) + "\n";
  }
  s += "per seller\n";
  for (auto const& [seller, x] : f.per_seller) {
    s += "  " + seller + "  listed " + std::to_string(x.listed) + ", " + std::to_string(x.sales) + " sales  " +
         money(x.revenue_cents) + "\n";
  }
  return s;
}

std::string figures_csv(Figures const& f) {
  std::string s = "kind,key,sales,revenue_cents,listed\n";
  for (auto const& [day, d] : f.per_day) {
    s += "day," + day + ',' + std::to_string(d.sales) + ',' + std::to_string(d.revenue_cents) + ",\n";
  }
  for (auto const& [seller, x] : f.per_seller) {
    s += "seller," + seller + ',' + std::to_string(x.sales) + ',' + std::to_string(x.revenue_cents) + ',' +
         std::to_string(x.listed) + '\n';
  }
  return s;
}

}  // namespace ticketing::analysis

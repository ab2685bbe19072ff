#pragma once
// The marketplace's figures, computed from the log (ticketing analytics).
//
// A fact counts when it happened (its event's `at`) within [since, until):
// a listing when listed, a sale when the order completed, a hold's end when
// it ended. Days are calendar days in the given time zone.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "analysis/positions.hpp"
#include "eventstore/event_log.hpp"

namespace ticketing::analysis {

struct FigureOptions {
  std::optional<Instant> since, until;
  std::string time_zone{"UTC"};  // IANA name, e.g. Europe/Paris
};

struct DayFigures {
  std::int64_t sales{0};
  std::int64_t revenue_cents{0};
  friend bool operator==(DayFigures const&, DayFigures const&) = default;
};

struct SellerFigures {
  std::int64_t listed{0};
  std::int64_t sales{0};
  std::int64_t revenue_cents{0};
  friend bool operator==(SellerFigures const&, SellerFigures const&) = default;
};

struct Figures {
  std::int64_t tickets_listed{0};
  std::int64_t orders_created{0};
  std::int64_t sales{0};
  std::int64_t revenue_cents{0};
  // How holds ended.
  std::int64_t paid{0}, cancelled_by_buyer{0}, declined{0}, expired{0};
  std::int64_t late_payments_refunded{0};
  // Listing to sale, in milliseconds, over the sales counted.
  std::int64_t time_to_sell_mean_ms{0}, time_to_sell_median_ms{0}, time_to_sell_p90_ms{0};
  // Price changes made before a ticket sold, over the tickets sold.
  std::int64_t sold_after_price_change{0};          // tickets whose price changed before they sold
  std::int64_t price_changes_before_sale{0};        // the changes, counted
  std::int64_t price_change_before_sale_cents{0};   // their sum: negative when prices came down
  std::map<std::string, DayFigures> per_day;        // "2026-11-28" in the time zone
  std::map<std::string, SellerFigures> per_seller;  // by seller id
};

// invalid_input for an unknown time zone.
[[nodiscard]] Result<Figures> figures(EventLog& log, Positions const& end, FigureOptions const& options);

[[nodiscard]] std::string figures_json(Figures const& f, FigureOptions const& options);
[[nodiscard]] std::string figures_text(Figures const& f, FigureOptions const& options);
// One row per day, then one per seller: kind,key,sales,revenue_cents,listed
[[nodiscard]] std::string figures_csv(Figures const& f);

}  // namespace ticketing::analysis

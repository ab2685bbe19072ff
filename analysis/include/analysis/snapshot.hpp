#pragma once
// The marketplace as it was at a moment: every ticket and order, in the shapes
// the HTTP API returns them, folded by the read models' own fold over the log
// up to the moment (so it equals what the API served then).

#include <functional>
#include <optional>
#include <string>

#include "analysis/positions.hpp"
#include "eventstore/event_log.hpp"
#include "projections/rows.hpp"

namespace ticketing::analysis {

// Where to stop: commits recorded at or before `as_of` (walk.hpp's times),
// or, if `before` is set, commits before those positions.
struct Moment {
  std::optional<Instant> as_of;
  std::optional<Positions> before;
};

struct SnapshotVisitor {
  std::function<void(views::TicketRow const&)> ticket;
  std::function<void(views::OrderRow const&)> order;
};

// Folds the log up to the moment (never past `end`, the cut the reading
// began with) in memory (projections/row_fold.hpp), each partition apart, on
// a few threads, then visits every ticket, then every order, by id.
[[nodiscard]] Result<void> snapshot(EventLog& log, Positions const& end, Moment const& moment,
                                    SnapshotVisitor const& visit);

// {"kind":"ticket",...API ticket...} / {"kind":"order",...API order...}
[[nodiscard]] std::string snapshot_json(views::TicketRow const& row);
[[nodiscard]] std::string snapshot_json(views::OrderRow const& row);
[[nodiscard]] std::string snapshot_csv_header();
[[nodiscard]] std::string snapshot_csv(views::TicketRow const& row);
[[nodiscard]] std::string snapshot_csv(views::OrderRow const& row);

}  // namespace ticketing::analysis

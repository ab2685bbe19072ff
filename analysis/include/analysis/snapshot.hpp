#pragma once
// The marketplace as it was at a moment: every ticket and order, in the shapes
// the HTTP API returns them, folded by the read models' own fold over the log
// up to the moment (so it equals what the API served then).

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "analysis/positions.hpp"
#include "eventstore/event_log.hpp"
#include "projections/rows.hpp"
#include "projections/view_store.hpp"

namespace ticketing::analysis {

// Where to stop: commits recorded at or before `as_of` (walk.hpp's times),
// or, if `before` is set, commits before those positions.
struct Moment {
  std::optional<Instant> as_of;
  std::optional<Positions> before;
};

// The read models folded from the log up to a moment, in a scratch directory
// removed with them.
class FoldedViews {
 public:
  FoldedViews(std::unique_ptr<views::ViewStore> store, std::string dir);
  ~FoldedViews();
  FoldedViews(FoldedViews const&) = delete;
  FoldedViews& operator=(FoldedViews const&) = delete;
  [[nodiscard]] views::ViewStore& store() { return *store_; }

 private:
  std::unique_ptr<views::ViewStore> store_;
  std::string dir_;
};

// `scratch_dir` must not exist yet. `end`: the cut to read up to (the log's
// end offsets when the reading began).
[[nodiscard]] Result<std::unique_ptr<FoldedViews>> fold_views(EventLog& log, Positions const& end, Moment const& moment,
                                                              std::string const& scratch_dir);

struct SnapshotVisitor {
  std::function<void(views::TicketRow const&)> ticket;
  std::function<void(views::OrderRow const&)> order;
};

// fold_views, then every ticket, then every order, by id.
[[nodiscard]] Result<void> snapshot(EventLog& log, Positions const& end, Moment const& moment,
                                    std::string const& scratch_dir, SnapshotVisitor const& visit);

// {"kind":"ticket",...API ticket...} / {"kind":"order",...API order...}
[[nodiscard]] std::string snapshot_json(views::TicketRow const& row);
[[nodiscard]] std::string snapshot_json(views::OrderRow const& row);
[[nodiscard]] std::string snapshot_csv_header();
[[nodiscard]] std::string snapshot_csv(views::TicketRow const& row);
[[nodiscard]] std::string snapshot_csv(views::OrderRow const& row);

}  // namespace ticketing::analysis

#pragma once
// The ticket and order rows the read models would hold after a sequence of
// events, folded in memory by the read models' own fold. What no row depends
// on (the for-sale indexes, a seller's and a buyer's lists, revoked sessions,
// checkpoints) is left out. For the state of the marketplace as of a moment
// (analysis/snapshot.hpp): memory grows with the tickets and orders folded,
// a few hundred bytes each.

#include <string>
#include <unordered_map>
#include <vector>

#include "domain/events.hpp"
#include "projections/rows.hpp"

namespace ticketing::views {

class RowFold {
 public:
  // Folds the events of one commit after those before it, in log order.
  void apply(Events const& events);
  // Whether an event of this type may change a ticket or order row: the
  // ticket and order events. Others (users', charges') may be left out of
  // what is applied without changing a row.
  [[nodiscard]] static bool folds(std::string_view type) noexcept;

  [[nodiscard]] std::vector<TicketRow> tickets() const;  // by id
  [[nodiscard]] std::vector<OrderRow> orders() const;    // by id

 private:
  class Txn;
  std::unordered_map<std::string, TicketRow> tickets_;  // by row key
  std::unordered_map<std::string, OrderRow> orders_;
};

}  // namespace ticketing::views

#pragma once
// Events recorded before their current schema lack what analysts need:
// OrderCompleted and TicketSold schema 1 had no amount (the order's price),
// TicketUpdated schema 1 no previous price. The codec reads those as 0; the
// log still knows them. A Completer fills them in from the streams involved
// (the order's, the ticket's earlier events), so old logs export the new
// fields too. Events that carry them pass untouched, without a read: every
// event written with its type's current schema does (prices are positive).

#include "eventstore/event_log.hpp"

namespace ticketing::analysis {

class Completer {
 public:
  explicit Completer(EventLog& log) : log_(&log) {}

  // `version` is the event's version in its stream. An event the log cannot
  // complete (its stream unreadable) is returned as it is.
  [[nodiscard]] Event event(Event event, std::int64_t version) const;
  // Every event of `commit`, each at its version (walk.hpp event_versions).
  [[nodiscard]] Commit commit(Commit commit) const;

 private:
  [[nodiscard]] Money order_price(std::string const& order_id) const;
  [[nodiscard]] Money price_before(std::string const& ticket_id, std::int64_t version) const;
  EventLog* log_;
};

}  // namespace ticketing::analysis

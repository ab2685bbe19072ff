#pragma once
// Everything that happened to one ticket: its events, its orders' and their
// charges', in the order the log holds them.

#include <string>
#include <vector>

#include "analysis/event_lines.hpp"
#include "eventstore/event_log.hpp"

namespace ticketing::analysis {

struct PlacedEvent {
  Event event;
  EventPlace place;
};

// not_found when the log has no such ticket.
[[nodiscard]] Result<std::vector<PlacedEvent>> history(EventLog& log, std::string const& ticket_id);

}  // namespace ticketing::analysis

#include "analysis/history.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "analysis/completer.hpp"
#include "analysis/walk.hpp"
#include "domain/ids.hpp"

namespace ticketing::analysis {

Result<std::vector<PlacedEvent>> history(EventLog& log, std::string const& ticket_id) {
  std::vector<RecordedEvent> events;
  auto const read = [&](std::string const& stream) -> Result<void> {
    auto got = log.read_stream(stream, 0);
    if (!got) return got.error();
    std::move(got->begin(), got->end(), std::back_inserter(events));
    return {};
  };
  if (auto r = read(ticket_stream(ticket_id)); !r) return r.error();
  if (events.empty()) return make_error(ErrorCode::not_found, "no ticket " + ticket_id + " in the log");
  // Its orders are the ones that reserved it; their charges, the ones they awaited.
  std::set<std::string> orders;
  for (auto const& e : events) {
    if (auto const* reserved = std::get_if<TicketReserved>(&e.event)) orders.insert(reserved->order_id);
  }
  std::set<std::string> charges;
  for (auto const& order : orders) {
    std::size_t const first = events.size();
    if (auto r = read(order_stream(order)); !r) return r.error();
    for (std::size_t i = first; i < events.size(); ++i) {
      if (auto const* awaiting = std::get_if<OrderAwaitingPayment>(&events[i].event)) {
        charges.insert(awaiting->charge_id);
      }
    }
  }
  for (auto const& charge : charges) {
    if (auto r = read(charge_stream(charge)); !r) return r.error();
  }
  // One commit may hold events of several of these streams: order by
  // position, then by place in the commit (streams read back in version order).
  std::map<Position, RecordedCommit> commits;
  for (auto const& e : events) {
    if (commits.contains(e.position)) continue;
    auto found = log.read_partition(e.position.partition, e.position.offset, 1);
    if (!found) return found.error();
    if (found->empty()) return make_error(ErrorCode::internal, "a stream names a commit the log lacks");
    commits.emplace(e.position, std::move(found->front()));
  }
  std::vector<PlacedEvent> out;
  Completer const completer(log);
  for (auto const& [at, rc] : commits) {
    Position const position = at;  // a lambda below captures it
    auto const versions = event_versions(rc.commit);
    for (std::size_t i = 0; i < rc.commit.events.size(); ++i) {
      Event const& event = rc.commit.events[i];
      std::string stream = stream_of(event);
      bool const ours = std::any_of(events.begin(), events.end(), [&](RecordedEvent const& e) {
        return e.position == position && e.stream == stream && e.version == versions[i];
      });
      if (!ours) continue;
      out.push_back({completer.event(event, versions[i]),
                     EventPlace{std::move(stream), versions[i], position, rc.commit.commit_id,
                                rc.commit.meta.recorded_at, rc.commit.meta.correlation_id}});
    }
  }
  return out;
}

}  // namespace ticketing::analysis

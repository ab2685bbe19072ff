#include "analysis/completer.hpp"

#include "analysis/walk.hpp"
#include "domain/ids.hpp"
#include "domain/overloaded.hpp"

namespace ticketing::analysis {

Money Completer::order_price(std::string const& order_id) const {
  auto const events = log_->read_stream(order_stream(order_id), 0);
  if (!events) return Money{};
  for (auto const& e : *events) {
    if (auto const* created = std::get_if<OrderCreated>(&e.event)) return created->price;
  }
  return Money{};
}

Money Completer::price_before(std::string const& ticket_id, std::int64_t version) const {
  auto const events = log_->read_stream(ticket_stream(ticket_id), 0);
  if (!events) return Money{};
  Money price{};
  for (auto const& e : *events) {
    if (e.version >= version) break;
    if (auto const* created = std::get_if<TicketCreated>(&e.event)) price = created->price;
    if (auto const* updated = std::get_if<TicketUpdated>(&e.event)) price = updated->price;
  }
  return price;
}

Event Completer::event(Event event, std::int64_t version) const {
  std::visit(overloaded{
                 [&](OrderCompleted& e) {
                   if (e.amount.cents == 0) e.amount = order_price(e.order_id);
                 },
                 [&](TicketSold& e) {
                   if (e.amount.cents == 0) e.amount = order_price(e.order_id);
                 },
                 [&](TicketUpdated& e) {
                   if (e.previous_price.cents == 0) e.previous_price = price_before(e.ticket_id, version);
                 },
                 [](auto&) {},
             },
             event);
  return event;
}

Commit Completer::commit(Commit commit) const {
  auto const versions = event_versions(commit);
  for (std::size_t i = 0; i < commit.events.size(); ++i)
    commit.events[i] = event(std::move(commit.events[i]), versions[i]);
  return commit;
}

}  // namespace ticketing::analysis

#include "analysis/snapshot.hpp"

#include <algorithm>
#include <thread>

#include "analysis/event_lines.hpp"
#include "analysis/walk.hpp"
#include "domain/money.hpp"
#include "projections/row_fold.hpp"

namespace ticketing::analysis {
namespace {

std::string with_kind(std::string_view kind, std::string const& object) {
  return "{\"kind\":\"" + std::string(kind) + "\"," + object.substr(1);
}

}  // namespace

Result<void> snapshot(EventLog& log, Positions const& end, Moment const& moment, SnapshotVisitor const& visit) {
  Positions to = end;
  if (moment.before) {
    for (std::size_t p = 0; p < to.size() && p < moment.before->size(); ++p) {
      to[p] = std::min(to[p], (*moment.before)[p]);
    }
  }
  views::RowFold rows;
  Walker walker(log, Positions(log.partition_count(), 0), to, std::clamp(std::thread::hardware_concurrency(), 1u, 4u));
  while (true) {
    auto next = walker.next(to);
    if (!next) return next.error();
    if (!*next) break;
    // Times only grow within a partition: what follows a later one is later too.
    if (moment.as_of && (*next)->recorded_at > *moment.as_of) continue;
    rows.apply((*next)->commit.commit.events);
  }
  for (auto const& row : rows.tickets()) visit.ticket(row);
  for (auto const& row : rows.orders()) visit.order(row);
  return {};
}

std::string snapshot_json(views::TicketRow const& row) { return with_kind("ticket", views::render_ticket(row)); }
std::string snapshot_json(views::OrderRow const& row) { return with_kind("order", views::render_order(row)); }

std::string snapshot_csv_header() {
  return "kind,id,status,price,title,seller_id,buyer_id,ticket_id,order_id,version,expires_at";
}

std::string snapshot_csv(views::TicketRow const& row) {
  std::string const title = csv_field(row.title);
  return "ticket," + row.id + ',' + ticket::to_string(row.status) + ',' + format_units(Money{row.price_cents}) + ',' +
         title + ',' + row.seller_id + ",,," + row.order_id + ',' + std::to_string(row.version) + ',';
}

std::string snapshot_csv(views::OrderRow const& row) {
  std::string const title = csv_field(row.title);
  return "order," + row.id + ',' + order::to_string(row.status) + ',' + format_units(Money{row.price_cents}) + ',' +
         title + ",," + row.buyer_id + ',' + row.ticket_id + ",," + std::to_string(row.version) + ',' +
         format_iso8601(from_millis(row.expires_at_ms));
}

}  // namespace ticketing::analysis

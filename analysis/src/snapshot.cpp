#include "analysis/snapshot.hpp"

#include <algorithm>
#include <atomic>
#include <thread>

#include "analysis/event_lines.hpp"
#include "analysis/walk.hpp"
#include "domain/money.hpp"
#include "eventstore/codec.hpp"
#include "projections/row_fold.hpp"
#include "read_ahead.hpp"

namespace ticketing::analysis {
namespace {

std::string with_kind(std::string_view kind, std::string const& object) {
  return "{\"kind\":\"" + std::string(kind) + "\"," + object.substr(1);
}

}  // namespace

namespace {

// Folds partition `p` from its start up to `to` (exclusive) and the moment's
// time into `rows`. Times only grow within a partition (walk.hpp): what
// follows a commit shown after the moment is after it too. Only the events
// that change rows are decoded.
Result<void> fold_partition(EventLog& log, std::uint32_t p, std::uint64_t to, std::optional<Instant> as_of,
                            views::RowFold& rows) {
  constexpr std::size_t kChunk = 512;
  Instant floor{};
  std::vector<StoredCommit> stored;  // one chunk's memory, reused by every read
  SelectedEvents selected;           // one commit's events' memory, reused likewise
  for (std::uint64_t next = 0; next < to;) {
    auto read = log.read_partition_stored_into(
        p, next, static_cast<std::size_t>(std::min<std::uint64_t>(kChunk, to - next)), stored);
    if (!read) return read.error();
    if (stored.empty()) return {};
    for (auto const& commit : stored) {
      if (commit.position.offset >= to) return {};
      if (auto decoded = decode_selected_events(commit, &views::RowFold::folds, selected); !decoded) {
        return decoded.error();
      }
      floor = shown_time(floor, selected.recorded_at);
      if (as_of && floor > *as_of) return {};
      rows.apply(selected.events);
    }
    next = stored.back().position.offset + 1;
  }
  return {};
}

// Visits the rows of several lists, each by id, in one order by id.
template <class Row, class Visit>
void visit_merged(std::vector<std::vector<Row>> const& lists, Visit const& visit) {
  std::vector<std::size_t> next(lists.size(), 0);
  while (true) {
    Row const* least = nullptr;
    std::size_t from = 0;
    for (std::size_t l = 0; l < lists.size(); ++l) {
      if (next[l] == lists[l].size()) continue;
      Row const& head = lists[l][next[l]];
      if (least == nullptr || head.id < least->id) {
        least = &head;
        from = l;
      }
    }
    if (least == nullptr) return;
    visit(*least);
    ++next[from];
  }
}

}  // namespace

Result<void> snapshot(EventLog& log, Positions const& end, Moment const& moment, SnapshotVisitor const& visit) {
  Positions to = end;
  to.resize(log.partition_count(), 0);
  if (moment.before) {
    for (std::size_t p = 0; p < to.size() && p < moment.before->size(); ++p) {
      to[p] = std::min(to[p], (*moment.before)[p]);
    }
  }
  // A ticket's, its orders' and its charges' streams share the ticket's
  // partition (ARCHITECTURE.md §3): every row is folded from one partition's
  // commits, in their order. So partitions fold apart, on several threads,
  // each into rows of its own (small enough to stay in the caches).
  unsigned const threads = std::clamp(std::thread::hardware_concurrency(), 1u, std::min(4u, log.partition_count()));
  std::vector<std::vector<views::TicketRow>> tickets(to.size());  // per partition, by id
  std::vector<std::vector<views::OrderRow>> orders(to.size());
  std::vector<std::optional<Error>> errors(to.size());
  std::atomic<std::uint32_t> next_partition{0};
  {
    std::vector<std::jthread> workers;
    for (unsigned w = 0; w < threads; ++w) {
      workers.emplace_back([&] {
        for (std::uint32_t p = next_partition++; p < to.size(); p = next_partition++) {
          views::RowFold rows;
          if (auto done = fold_partition(log, p, to[p], moment.as_of, rows); !done) {
            errors[p] = done.error();
            next_partition = static_cast<std::uint32_t>(to.size());  // the others stop too
            return;
          }
          tickets[p] = rows.tickets();
          orders[p] = rows.orders();
        }
      });
    }
  }
  for (auto const& error : errors) {
    if (error) return *error;
  }
  visit_merged(tickets, visit.ticket);
  visit_merged(orders, visit.order);
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

#include "analysis/snapshot.hpp"

#include <algorithm>
#include <filesystem>
#include <thread>

#include "analysis/event_lines.hpp"
#include "analysis/walk.hpp"
#include "domain/money.hpp"
#include "projections/view_store.hpp"

namespace ticketing::analysis {
namespace {

constexpr std::size_t kApplyBatch = 1024;

std::string with_kind(std::string_view kind, std::string const& object) {
  return "{\"kind\":\"" + std::string(kind) + "\"," + object.substr(1);
}

}  // namespace

FoldedViews::FoldedViews(std::unique_ptr<views::ViewStore> store, std::string dir)
    : store_(std::move(store)), dir_(std::move(dir)) {}

FoldedViews::~FoldedViews() {
  store_.reset();
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

Result<std::unique_ptr<FoldedViews>> fold_views(EventLog& log, Positions const& end, Moment const& moment,
                                                std::string const& scratch_dir) {
  Positions to = end;
  if (moment.before) {
    for (std::size_t p = 0; p < to.size() && p < moment.before->size(); ++p) {
      to[p] = std::min(to[p], (*moment.before)[p]);
    }
  }
  if (std::filesystem::exists(scratch_dir)) return make_error(ErrorCode::invalid_input, scratch_dir + " exists");
  auto opened = views::ViewStore::open(scratch_dir, log.partition_count());
  if (!opened) return opened.error();
  auto folded = std::make_unique<FoldedViews>(std::move(*opened), scratch_dir);
  std::vector<RecordedCommit> batch;
  Result<void> applied;
  auto const flush = [&] {
    if (!batch.empty() && applied) applied = folded->store().apply(batch);
    batch.clear();
  };
  Walker walker(log, Positions(log.partition_count(), 0), to, std::clamp(std::thread::hardware_concurrency(), 1u, 4u));
  while (applied) {
    auto next = walker.next(to);
    if (!next) return next.error();
    if (!*next) break;
    // Times only grow within a partition: what follows a later one is later too.
    if (moment.as_of && (*next)->recorded_at > *moment.as_of) continue;
    batch.push_back(std::move((*next)->commit));
    if (batch.size() == kApplyBatch) flush();
  }
  flush();
  if (!applied) return applied.error();
  return folded;
}

Result<void> snapshot(EventLog& log, Positions const& end, Moment const& moment, std::string const& scratch_dir,
                      SnapshotVisitor const& visit) {
  auto folded = fold_views(log, end, moment, scratch_dir);
  if (!folded) return folded.error();
  auto const rows = (*folded)->store().dump();
  for (auto const& [key, value] : rows) {
    if (!key.starts_with("t/")) continue;
    if (auto row = views::decode_row<views::TicketRow>(value)) visit.ticket(*row);
  }
  for (auto const& [key, value] : rows) {
    if (!key.starts_with("o/")) continue;
    if (auto row = views::decode_row<views::OrderRow>(value)) visit.order(*row);
  }
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

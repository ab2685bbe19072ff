#pragma once
// The read models in one RocksDB database, and the fold that maintains them.
//
// apply() folds one commit into every view and records the partition's
// checkpoint in the same WriteBatch, so after a crash each commit is either
// fully reflected (with its checkpoint) or not at all, and is applied again.
// Writes are not synced: the log is the source of truth and the checkpoint
// travels with the data. Queries only read this database, never the log.
//
// Thread safety: apply() from one thread at a time (the projector); queries
// from any thread.

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "domain/result.hpp"
#include "eventstore/commit.hpp"
#include "eventstore/event_log.hpp"
#include "projections/rows.hpp"

namespace rocksdb {
class DB;
class Env;
}  // namespace rocksdb

namespace ticketing::views {

// Which tickets for sale, in which order. `title_contains` matches titles
// case-insensitively (ASCII letters; other bytes as they are).
struct TicketQuery {
  enum class Order { listed, price_low, price_high } order{Order::listed};
  std::string title_contains{};
  std::size_t scan_budget{20'000};  // tickets looked at per page, at most
};

struct TicketPage {
  std::vector<TicketRow> tickets;
  std::string next_cursor;  // empty when no more remain
};

class RenderedCache;

class ViewStore {
 public:
  // `env`: the file system the database uses; null: the default. Tests pass
  // one whose disk fails on demand. Must outlive the store.
  [[nodiscard]] static Result<std::unique_ptr<ViewStore>> open(std::string const& path, std::uint32_t partitions,
                                                               rocksdb::Env* env = nullptr);
  ~ViewStore();
  ViewStore(ViewStore const&) = delete;
  ViewStore& operator=(ViewStore const&) = delete;

  // Folds `commits` into the views in one WriteBatch, with the checkpoints;
  // a commit below the checkpoint of its partition is skipped (applied before).
  [[nodiscard]] Result<void> apply(std::span<RecordedCommit const> commits);
  [[nodiscard]] Result<void> apply(RecordedCommit const& commit) { return apply(std::span(&commit, 1)); }
  // Per partition, the offset of the next commit to apply.
  [[nodiscard]] std::vector<std::uint64_t> checkpoints() const;
  // The log partitions it was opened for.
  [[nodiscard]] std::uint32_t partitions() const noexcept { return partitions_; }

  [[nodiscard]] std::optional<TicketRow> ticket(std::string const& id) const;
  // The ticket as the API shows it (render_ticket), from memory when it was
  // read lately and has not changed since; nullopt when unknown.
  [[nodiscard]] std::optional<std::string> ticket_json(std::string const& id) const;
  // Tickets for sale, oldest listing first (or as `query` orders them; equal
  // prices by listing time, in the order's direction). `cursor` is what a previous page of the same query
  // returned; invalid_input for a cursor that is not one. A page looks at
  // query.scan_budget tickets at most: with a title filter it may then hold
  // fewer than `limit` and still have a next cursor.
  [[nodiscard]] Result<TicketPage> tickets_for_sale(std::size_t limit, std::string const& cursor,
                                                    TicketQuery const& query = {}) const;
  [[nodiscard]] std::vector<TicketRow> tickets_of_seller(std::string const& seller_id) const;
  [[nodiscard]] std::optional<OrderRow> order(std::string const& id) const;
  // The buyer's orders, oldest first.
  [[nodiscard]] std::vector<OrderRow> orders_of_buyer(std::string const& buyer_id) const;
  // unavailable when it cannot be told (storage failed): the caller refuses.
  [[nodiscard]] Result<bool> session_revoked(std::string const& session_id) const;

  // Every key and value, in order: for comparing a rebuilt store to a live one.
  [[nodiscard]] std::vector<std::pair<std::string, std::string>> dump() const;

 private:
  ViewStore(std::unique_ptr<rocksdb::DB> db, std::uint32_t partitions);
  std::unique_ptr<rocksdb::DB> db_;
  std::uint32_t partitions_;
  std::unique_ptr<RenderedCache> rendered_;
};

// Builds a fresh store at `path` (which must not exist yet) from every commit
// of `log`. Used by `ticketing rebuild`.
[[nodiscard]] Result<void> rebuild(EventLog& log, std::string const& path);

}  // namespace ticketing::views

#include "projections/view_store.hpp"

#include <filesystem>
#include <map>

#include <rocksdb/cache.h>
#include <rocksdb/db.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/table.h>

#include "domain/text.hpp"
#include "eventstore/store_files.hpp"
#include "fold.hpp"
#include "keys.hpp"
#include "rendered_cache.hpp"
#include "view_txn.hpp"

namespace ticketing::views {
namespace {

Error storage_error(rocksdb::Status const& s) { return ticketing::storage_error("read model storage", s); }

std::string to_hex(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (char c : bytes) {
    auto const u = static_cast<unsigned char>(c);
    out += kHex[u >> 4];
    out += kHex[u & 0xF];
  }
  return out;
}

std::optional<std::string> from_hex(std::string_view hex) {
  if (hex.size() % 2 != 0) return std::nullopt;
  auto const nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  std::string out;
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    int const hi = nibble(hex[i]), lo = nibble(hex[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out += static_cast<char>(hi * 16 + lo);
  }
  return out;
}

template <class Visit>
void scan_prefix(rocksdb::DB& db, std::string_view prefix, std::string_view start, Visit&& visit) {
  std::unique_ptr<rocksdb::Iterator> it(db.NewIterator(rocksdb::ReadOptions()));
  for (it->Seek(start); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    if (!visit(it->key().ToStringView(), it->value().ToStringView())) break;
  }
}

// Read models from before the price index: it is built once from the
// for-sale index (which holds the same rows), in one write with its marker.
Result<void> build_price_index(rocksdb::DB& db) {
  std::string ignored;
  auto const marker = db.Get(rocksdb::ReadOptions(), keys::kPriceIndexBuilt, &ignored);
  // Built, or the store cannot tell: a store that fails under its reads
  // still opens, and each query reports the fault (a revocation check is
  // refused, never answered "not revoked").
  if (!marker.IsNotFound()) return {};
  rocksdb::WriteBatch batch;
  std::unique_ptr<rocksdb::Iterator> it(db.NewIterator(rocksdb::ReadOptions()));
  for (it->Seek(keys::kForSale); it->Valid() && it->key().starts_with(keys::kForSale); it->Next()) {
    auto const row = decode_row<TicketRow>(it->value().ToStringView());
    if (!row) continue;
    (void)batch.Put(keys::by_price(row->price_cents, row->listed_at_ms, row->id), it->value());  // checked at Write
  }
  if (!it->status().ok()) return storage_error(it->status());
  (void)batch.Put(keys::kPriceIndexBuilt, "");
  auto const written = db.Write(rocksdb::WriteOptions(), &batch);
  if (!written.ok()) return storage_error(written);
  return {};
}

}  // namespace

Result<std::unique_ptr<ViewStore>> ViewStore::open(std::string const& path, std::uint32_t partitions,
                                                   rocksdb::Env* env) {
  rocksdb::Options options;
  options.create_if_missing = true;
  if (env != nullptr) options.env = env;
  bound_diagnostic_log(options);
  options.IncreaseParallelism(2);
  // Memory budget: 32 MiB of memtables, a 128 MiB block cache for reads.
  // Rows are small and read at random: no compression, so a read that misses
  // the cache costs a copy, not a decompression.
  // After a crash the WAL is replayed into memtables (and flushed later); with
  // one column family the WAL holds what the memtables do, so their size
  // bounds a restart's replay (16 MiB: about 0.6 s on the reference machine;
  // smaller memtables replay sooner but cost about a tenth of the orders per
  // second in flushes and compactions).
  options.write_buffer_size = 16 << 20;
  options.max_write_buffer_number = 2;
  options.compression = rocksdb::kNoCompression;
  options.avoid_flush_during_recovery = true;
  // Most point reads look for keys the memtables do not hold (a ticket
  // listed long ago, a session that was never revoked): a bloom over the
  // memtables' keys lets such a read skip their skip lists, as the files'
  // blooms let it skip their blocks.
  options.memtable_prefix_bloom_size_ratio = 0.05;
  options.memtable_whole_key_filtering = true;
  rocksdb::BlockBasedTableOptions table;
  table.block_cache = rocksdb::NewLRUCache(128 << 20);
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  rocksdb::DB* raw = nullptr;
  auto const status = rocksdb::DB::Open(options, path, &raw);
  if (!status.ok()) return storage_error(status);
  std::unique_ptr<rocksdb::DB> db(raw);
  drop_spent_wal_files(*db, path, {db->DefaultColumnFamily()}, keys::kWalRoll);
  if (auto indexed = build_price_index(*db); !indexed) return indexed.error();
  return std::unique_ptr<ViewStore>(new ViewStore(std::move(db), partitions));
}

ViewStore::ViewStore(std::unique_ptr<rocksdb::DB> db, std::uint32_t partitions)
    : db_(std::move(db)), partitions_(partitions), rendered_(std::make_unique<RenderedCache>()) {}

ViewStore::~ViewStore() {
  if (!db_) return;
  // Written out on a clean stop, so that the next open replays no WAL (a
  // failure loses nothing: the WAL is replayed instead).
  (void)db_->Flush(rocksdb::FlushOptions());
  db_->Close();
}

std::vector<std::uint64_t> ViewStore::checkpoints() const {
  // Unreadable: from the start. Safe: apply() skips what its checkpoint
  // covers, and refuses (the projector retries) when that cannot be read.
  auto read = checkpoints::read_all(*db_, partitions_);
  return read ? std::move(*read) : std::vector<std::uint64_t>(partitions_, 0);
}

Result<void> ViewStore::apply(std::span<RecordedCommit const> commits) {
  ViewTxn txn(*db_);
  std::map<std::uint32_t, std::uint64_t> next;  // per partition: the next offset to apply
  for (auto const& commit : commits) {
    std::uint32_t const p = commit.position.partition;
    if (p >= partitions_) return make_error(ErrorCode::internal, "commit from an unknown partition");
    auto it = next.find(p);
    if (it == next.end()) {
      auto const checkpoint = checkpoints::read(*db_, p);
      if (!checkpoint) return checkpoint.error();
      it = next.emplace(p, *checkpoint).first;
    }
    if (commit.position.offset < it->second) continue;  // applied before
    for (auto const& event : commit.commit.events) fold(txn, event);
    it->second = commit.position.offset + 1;
  }
  for (auto const& [p, offset] : next) txn.put_checkpoint(p, offset);
  for (auto const& id : txn.tickets_written()) rendered_->begin_write(id);
  auto const status = db_->Write(rocksdb::WriteOptions(), txn.batch());
  for (auto const& id : txn.tickets_written()) rendered_->end_write(id);
  if (!status.ok()) return storage_error(status);
  return {};
}

std::optional<TicketRow> ViewStore::ticket(std::string const& id) const {
  std::string value;
  if (!db_->Get(rocksdb::ReadOptions(), keys::ticket(id), &value).ok()) return std::nullopt;
  return decode_row<TicketRow>(value);
}

std::optional<std::string> ViewStore::ticket_json(std::string const& id) const {
  RenderedCache::Key const key(id);
  auto found = rendered_->find(key);
  if (found.json) return std::move(found.json);
  auto const row = ticket(id);  // read after the generation was taken
  if (!row) return std::nullopt;
  std::string json = render_ticket(*row);
  rendered_->offer(key, json, found.generation);
  return json;
}

namespace {

bool contains_folded(std::string_view title, std::string_view lowered_needle) {
  if (lowered_needle.empty()) return true;
  std::string lowered(title);
  for (auto& c : lowered) c = text::lower_ascii(c);
  return lowered.find(lowered_needle) != std::string::npos;
}

}  // namespace

Result<TicketPage> ViewStore::tickets_for_sale(std::size_t limit, std::string const& cursor,
                                               TicketQuery const& query) const {
  bool const by_price = query.order != TicketQuery::Order::listed;
  bool const descending = query.order == TicketQuery::Order::price_high;
  std::string_view const prefix = by_price ? keys::kByPrice : keys::kForSale;
  std::size_t const key_size = by_price ? 17 : 9;  // the be64 fields and at least one byte of id
  std::string position(prefix);
  if (!cursor.empty()) {
    auto decoded = from_hex(cursor);
    if (!decoded || decoded->size() < key_size) {
      return make_error(ErrorCode::invalid_input, "Invalid cursor", "cursor");
    }
    position += *decoded;
  }
  std::string needle = query.title_contains;
  for (auto& c : needle) c = text::lower_ascii(c);

  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  if (!descending) {
    it->Seek(position);
    if (!cursor.empty() && it->Valid() && it->key().ToStringView() == position) it->Next();  // strictly after
  } else if (cursor.empty()) {
    std::string past(prefix);
    past.back() = static_cast<char>(past.back() + 1);  // "p0": after every "p/..." key
    it->SeekForPrev(past);
  } else {
    it->SeekForPrev(position);
    if (it->Valid() && it->key().ToStringView() == position) it->Prev();  // strictly before
  }
  TicketPage page;
  std::string last;
  std::size_t examined = 0;
  for (; it->Valid() && it->key().starts_with(prefix); descending ? it->Prev() : it->Next()) {
    if (page.tickets.size() == limit || examined == query.scan_budget) {
      page.next_cursor = to_hex(last);
      break;
    }
    ++examined;
    last.assign(it->key().ToStringView().substr(prefix.size()));
    auto row = decode_row<TicketRow>(it->value().ToStringView());
    if (row && contains_folded(row->title, needle)) page.tickets.push_back(std::move(*row));
  }
  if (!it->status().ok()) return storage_error(it->status());
  return page;
}

std::vector<TicketRow> ViewStore::tickets_of_seller(std::string const& seller_id) const {
  std::vector<TicketRow> out;
  std::string const prefix = keys::of_seller(seller_id);
  scan_prefix(*db_, prefix, prefix, [&](std::string_view key, std::string_view) {
    if (auto row = ticket(std::string(key.substr(prefix.size() + 8)))) out.push_back(std::move(*row));
    return true;
  });
  return out;
}

std::optional<OrderRow> ViewStore::order(std::string const& id) const {
  std::string value;
  if (!db_->Get(rocksdb::ReadOptions(), keys::order(id), &value).ok()) return std::nullopt;
  return decode_row<OrderRow>(value);
}

std::vector<OrderRow> ViewStore::orders_of_buyer(std::string const& buyer_id) const {
  std::vector<OrderRow> out;
  std::string const prefix = keys::of_buyer(buyer_id);
  scan_prefix(*db_, prefix, prefix, [&](std::string_view key, std::string_view) {
    if (auto row = order(std::string(key.substr(prefix.size() + 8)))) out.push_back(std::move(*row));
    return true;
  });
  return out;
}

Result<bool> ViewStore::session_revoked(std::string const& session_id) const {
  std::string value;
  auto const status = db_->Get(rocksdb::ReadOptions(), keys::revoked(session_id), &value);
  if (status.ok()) return true;
  if (status.IsNotFound()) return false;
  return make_error(ErrorCode::unavailable, "read model: " + status.ToString());
}

std::vector<std::pair<std::string, std::string>> ViewStore::dump() const {
  std::vector<std::pair<std::string, std::string>> out;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  for (it->SeekToFirst(); it->Valid(); it->Next()) out.emplace_back(it->key().ToString(), it->value().ToString());
  return out;
}

Result<void> rebuild(EventLog& log, std::string const& path) {
  if (std::filesystem::exists(path)) return make_error(ErrorCode::invalid_input, "rebuild target exists: " + path);
  auto store = ViewStore::open(path, log.partition_count());
  if (!store) return store.error();
  for (std::uint32_t p = 0; p < log.partition_count(); ++p) {
    std::uint64_t offset = 0;
    for (;;) {
      auto commits = log.read_partition(p, offset, 4096);
      if (!commits) return commits.error();
      if (commits->empty()) break;
      if (auto applied = (*store)->apply(std::span<RecordedCommit const>(*commits)); !applied) return applied.error();
      offset = commits->back().position.offset + 1;
    }
  }
  return {};
}

}  // namespace ticketing::views

#pragma once
// Internal: the changes of one commit to the views, readable before they are
// written (a later event of the commit sees an earlier one's change).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <rocksdb/db.h>
#include <rocksdb/utilities/write_batch_with_index.h>

#include "domain/events.hpp"
#include "eventstore/small_store.hpp"
#include "keys.hpp"
#include "projections/rows.hpp"

namespace ticketing::views {

class ViewTxn {
 public:
  explicit ViewTxn(rocksdb::DB& db) : db_(db), batch_(rocksdb::BytewiseComparator(), 0, true) {}

  template <class Row>
  std::optional<Row> get(std::string const& key) {
    std::string value;
    if (!batch_.GetFromBatchAndDB(&db_, rocksdb::ReadOptions(), key, &value).ok()) return std::nullopt;
    return decode_row<Row>(value);
  }
  // Staging into the in-memory batch fails only past WriteBatch's size limit
  // (4 GiB), which the rows of one apply() never reach; what is checked is the
  // write of the whole batch (ViewStore::apply).
  template <class Row>
  void put(std::string const& key, Row const& row) {
    (void)batch_.Put(key, encode_row(row));
    if constexpr (std::is_same_v<Row, TicketRow>) {
      if (std::string_view(key).starts_with(keys::kTicket)) tickets_written_.push_back(row.id);
    }
  }
  // The ids of the tickets whose rows this transaction writes.
  [[nodiscard]] std::vector<std::string> const& tickets_written() const { return tickets_written_; }
  void put_marker(std::string const& key) { (void)batch_.Put(key, rocksdb::Slice()); }
  void put_checkpoint(std::uint32_t partition, std::uint64_t next) { checkpoints::put(batch_, partition, next); }
  void erase(std::string const& key) { (void)batch_.Delete(key); }

  rocksdb::WriteBatch* batch() { return batch_.GetWriteBatch(); }

 private:
  rocksdb::DB& db_;
  rocksdb::WriteBatchWithIndex batch_;
  std::vector<std::string> tickets_written_;
};

}  // namespace ticketing::views

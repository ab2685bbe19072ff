#include "projections/row_fold.hpp"

#include <algorithm>

#include "fold.hpp"

namespace ticketing::views {

// The fold's transaction over rows in memory: ticket and order rows are kept
// (the fold reads nothing else); every other key is dropped.
class RowFold::Txn {
 public:
  static constexpr bool kRowsOnly = true;  // fold.hpp: no index keys built
  explicit Txn(RowFold& rows) : rows_(rows) {}

  template <class Row>
  std::optional<Row> get(std::string const& key) {
    auto const& map = rows<Row>();
    auto it = map.find(key);
    if (it == map.end()) return std::nullopt;
    return it->second;
  }
  template <class Row>
  void put(std::string const& key, Row const& row) {
    if (!key.starts_with(prefix<Row>())) return;  // an index's copy of the row
    rows<Row>()[key] = row;
  }
  void put_marker(std::string const& /*key*/) {}
  void erase(std::string const& /*key*/) {}  // the fold erases index entries only

 private:
  template <class Row>
  auto& rows() {
    if constexpr (std::is_same_v<Row, TicketRow>) {
      return rows_.tickets_;
    } else {
      return rows_.orders_;
    }
  }
  template <class Row>
  static std::string_view prefix() {
    return std::is_same_v<Row, TicketRow> ? keys::kTicket : keys::kOrder;
  }
  RowFold& rows_;
};

void RowFold::apply(Events const& events) {
  Txn txn(*this);
  for (auto const& event : events) fold(txn, event);
}

bool RowFold::folds(std::string_view type) noexcept { return type.starts_with("Ticket") || type.starts_with("Order"); }

namespace {
template <class Row>
std::vector<Row> sorted_by_id(std::unordered_map<std::string, Row> const& map) {
  std::vector<Row const*> by_id;  // sorted as pointers: rows are large to move
  by_id.reserve(map.size());
  for (auto const& [key, row] : map) by_id.push_back(&row);
  std::sort(by_id.begin(), by_id.end(), [](Row const* a, Row const* b) { return a->id < b->id; });
  std::vector<Row> out;
  out.reserve(by_id.size());
  for (Row const* row : by_id) out.push_back(*row);
  return out;
}
}  // namespace

std::vector<TicketRow> RowFold::tickets() const { return sorted_by_id(tickets_); }
std::vector<OrderRow> RowFold::orders() const { return sorted_by_id(orders_); }

}  // namespace ticketing::views

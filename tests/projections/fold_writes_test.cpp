// The read models' fold against a transaction that records what it is told
// to do: every key of a commit written once, no index entry erased that is
// not there, and the for-sale indexes always exactly the tickets for sale
// (under their current price). A write spent on nothing is a memtable insert
// and a tombstone for every order.

#include <map>
#include <set>

#include <doctest/doctest.h>

#include "domain/ids.hpp"
#include "fold.hpp"
#include "keys.hpp"

using namespace ticketing;
using namespace ticketing::views;
using namespace std::chrono_literals;

namespace {

Instant at(std::int64_t seconds) { return from_millis(1'800'000'000'000 + seconds * 1000); }

std::string printable(std::string const& key) {
  std::string out;
  for (char const c : key) {
    auto const byte = static_cast<unsigned char>(c);
    out += (byte >= 0x20 && byte < 0x7f) ? std::string(1, c) : "\\x" + std::to_string(byte);
  }
  return out;
}

// The fold's transaction over a map: what a commit does, checked as it does it.
class RecordingTxn {
 public:
  template <class Row>
  std::optional<Row> get(std::string const& key) {
    auto const it = stored_.find(key);
    if (it == stored_.end()) return std::nullopt;
    return decode_row<Row>(it->second);
  }
  template <class Row>
  void put(std::string const& key, Row const& row) {
    touch(key);
    stored_[key] = encode_row(row);
  }
  void put_marker(std::string const& key) {
    touch(key);
    stored_[key].clear();
  }
  void erase(std::string const& key) {
    touch(key);
    if (stored_.erase(key) == 0) wasted_.push_back("erased, not there: " + printable(key));
  }

  // One commit: its events folded together, as ViewStore::apply does.
  void commit(Events const& events) {
    touched_.clear();
    for (auto const& e : events) fold(*this, e);
  }
  [[nodiscard]] std::vector<std::string> const& wasted() const { return wasted_; }

  // The index entries the rows call for, and those there are.
  [[nodiscard]] std::set<std::string> expected_index() const {
    std::set<std::string> out;
    for (auto const& [key, value] : stored_) {
      if (!key.starts_with(keys::kTicket)) continue;
      auto const row = decode_row<TicketRow>(value);
      REQUIRE(row.has_value());
      if (row->status != ticket::Status::available) continue;
      out.insert(keys::for_sale(row->listed_at_ms, row->id));
      out.insert(keys::by_price(row->price_cents, row->listed_at_ms, row->id));
    }
    return out;
  }
  [[nodiscard]] std::set<std::string> index() const {
    std::set<std::string> out;
    for (auto const& [key, value] : stored_) {
      if (key.starts_with(keys::kForSale) || key.starts_with(keys::kByPrice)) out.insert(key);
    }
    return out;
  }

 private:
  void touch(std::string const& key) {
    if (!touched_.insert(key).second) wasted_.push_back("written twice in one commit: " + printable(key));
  }
  std::map<std::string, std::string> stored_;
  std::set<std::string> touched_;
  std::vector<std::string> wasted_;
};

std::string const kTicket = "aaaaaaaaaaaaaaaaaaaaaaaa";
std::string const kOrder = order_id_for(kTicket, 1);
std::string const kOrder2 = order_id_for(kTicket, 2);
std::string const kCharge = charge_id_for(kOrder2, 1);

}  // namespace

TEST_CASE("fold: a ticket's life spends no write, and its for-sale index entries follow it") {
  RecordingTxn txn;
  std::vector<Events> const life = {
      {TicketCreated{kTicket, "seller", "Concert", Money{2000}, at(0)}},
      {TicketUpdated{kTicket, "Concert", Money{2500}, Money{2000}, at(1)}},         // a new price
      {TicketUpdated{kTicket, "Concert, row A", Money{2500}, Money{2500}, at(2)}},  // the same price
      {OrderCreated{kOrder, kTicket, "buyer", "Concert", Money{2500}, 0, at(10), at(10) + 15min},
       TicketReserved{kTicket, kOrder, "buyer", at(10)}},
      {OrderExpired{kOrder, at(910)}, TicketReleased{kTicket, kOrder, at(910)}},
      {OrderCreated{kOrder2, kTicket, "buyer", "Concert", Money{2500}, 0, at(920), at(920) + 15min},
       TicketReserved{kTicket, kOrder2, "buyer", at(920)}},
      {OrderAwaitingPayment{kOrder2, kCharge, at(930)}},
      {ChargeSucceeded{kCharge, kOrder2, "ch_1", false, at(940)},
       OrderCompleted{kOrder2, kCharge, Money{2500}, at(940)},
       TicketSold{kTicket, kOrder2, "buyer", Money{2500}, at(940)}},
  };
  for (std::size_t i = 0; i < life.size(); ++i) {
    CAPTURE(i);
    txn.commit(life[i]);
    CHECK(txn.index() == txn.expected_index());
  }
  for (auto const& waste : txn.wasted()) FAIL_CHECK(waste);
  CHECK(txn.wasted().empty());
}

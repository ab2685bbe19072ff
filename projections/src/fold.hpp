#pragma once
// Internal: the read models' fold, one event at a time, over a transaction
// `Txn` with get<Row>(key), put(key, row), put_marker(key) and erase(key):
// the views' own (view_txn.hpp) or the rows held in memory (row_fold.cpp).
// It reads only ticket rows (keys::ticket) and order rows (keys::order).

#include "domain/overloaded.hpp"
#include "keys.hpp"
#include "projections/rows.hpp"

namespace ticketing::views {
namespace fold_detail {

// Whether the transaction keeps the indexes and markers beside the rows. One
// that keeps the rows alone (RowFold's) declares `kRowsOnly`: the fold then
// builds no index key for it.
template <class Txn>
inline constexpr bool kKeepsIndexes = !requires {
  Txn::kRowsOnly;
};

// The for-sale indexes (by listing time, by price) hold a copy of each
// available ticket's row, so a page of tickets is one scan. `before` is the
// row as it was (none for a new ticket): only the index entries it had are
// erased, and each key is written once, so no write is spent on a key that
// is not there or written again.
template <class Txn>
void put_ticket(Txn& txn, TicketRow const& row, TicketRow const* before = nullptr) {
  txn.put(keys::ticket(row.id), row);
  if constexpr (!kKeepsIndexes<Txn>) return;
  bool const was_for_sale = before != nullptr && before->status == ticket::Status::available;
  if (row.status == ticket::Status::available) {
    if (was_for_sale && before->price_cents != row.price_cents) {
      txn.erase(keys::by_price(before->price_cents, before->listed_at_ms, before->id));
    }
    txn.put(keys::for_sale(row.listed_at_ms, row.id), row);
    txn.put(keys::by_price(row.price_cents, row.listed_at_ms, row.id), row);
  } else if (was_for_sale) {
    txn.erase(keys::for_sale(before->listed_at_ms, before->id));
    txn.erase(keys::by_price(before->price_cents, before->listed_at_ms, before->id));
  }
}

template <class Txn, class F>
void update_ticket(Txn& txn, std::string const& id, F&& change) {
  auto const before = txn.template get<TicketRow>(keys::ticket(id));
  if (!before) return;  // an event for a ticket the views never saw: nothing to change
  TicketRow row = *before;
  change(row);
  ++row.version;
  put_ticket(txn, row, &*before);
}

template <class Txn, class F>
void update_order(Txn& txn, std::string const& id, F&& change) {
  auto row = txn.template get<OrderRow>(keys::order(id));
  if (!row) return;
  if (!change(*row)) return;
  ++row->version;
  txn.put(keys::order(id), *row);
}

}  // namespace fold_detail

// Folds one event into the views.
template <class Txn>
void fold(Txn& txn, Event const& event) {
  using fold_detail::put_ticket, fold_detail::update_ticket, fold_detail::update_order;
  // Markers are index entries too: their keys are built only for a
  // transaction that keeps them.
  auto const put_marker = [&]([[maybe_unused]] auto const& key_of) {
    if constexpr (fold_detail::kKeepsIndexes<Txn>) txn.put_marker(key_of());
  };
  std::visit(overloaded{
                 [&](UserCreated const&) {},
                 [&](UserSignedIn const&) {},
                 [&](UserSignInFailed const&) {},
                 [&](UserSignedOut const& e) { put_marker([&] { return keys::revoked(e.session_id); }); },
                 [&](TicketCreated const& e) {
                   TicketRow const row = row_of(e);
                   put_ticket(txn, row);
                   put_marker([&] { return keys::by_seller(e.seller_id, row.listed_at_ms, e.ticket_id); });
                 },
                 [&](TicketUpdated const& e) {
                   update_ticket(txn, e.ticket_id, [&](TicketRow& r) {
                     r.title = e.title;
                     r.price_cents = e.price.cents;
                   });
                 },
                 [&](TicketReserved const& e) {
                   // The order that holds it was created in the same commit,
                   // before: its row says when the hold ends.
                   auto const order = txn.template get<OrderRow>(keys::order(e.order_id));
                   update_ticket(txn, e.ticket_id, [&](TicketRow& r) {
                     r.status = ticket::Status::reserved;
                     r.order_id = e.order_id;
                     r.held_until_ms = order ? order->expires_at_ms : 0;
                   });
                 },
                 [&](TicketReleased const& e) {
                   update_ticket(txn, e.ticket_id, [&](TicketRow& r) {
                     r.status = ticket::Status::available;
                     r.order_id.clear();
                     r.held_until_ms = 0;
                   });
                 },
                 [&](TicketSold const& e) {
                   update_ticket(txn, e.ticket_id, [&](TicketRow& r) {
                     r.status = ticket::Status::sold;
                     r.held_until_ms = 0;
                   });
                 },
                 [&](OrderCreated const& e) {
                   OrderRow const row = row_of(e);
                   txn.put(keys::order(e.order_id), row);
                   put_marker([&] { return keys::by_buyer(e.buyer_id, row.created_at_ms, e.order_id); });
                 },
                 [&](OrderAwaitingPayment const& e) {
                   update_order(txn, e.order_id, [&](OrderRow& r) {
                     r.status = order::Status::awaiting_payment;
                     r.charge_id = e.charge_id;
                     return true;
                   });
                 },
                 [&](OrderCompleted const& e) {
                   update_order(txn, e.order_id, [](OrderRow& r) {
                     r.status = order::Status::complete;
                     return true;
                   });
                 },
                 [&](OrderCancelled const& e) {
                   update_order(txn, e.order_id, [](OrderRow& r) {
                     r.status = order::Status::cancelled;
                     return true;
                   });
                 },
                 [&](OrderExpired const& e) {
                   update_order(txn, e.order_id, [](OrderRow& r) {
                     r.status = order::Status::cancelled;
                     return true;
                   });
                 },
                 [&](ChargeCreated const&) {},
                 [&](ChargeSucceeded const&) {},
                 [&](ChargeFailed const&) {},
                 [&](OrderPaymentFailed const& e) {
                   update_order(txn, e.order_id, [&](OrderRow& r) {
                     r.status = order::Status::created;
                     return true;
                   });
                 },
                 [&](ChargeRefunded const&) {},
             },
             event);
}

}  // namespace ticketing::views

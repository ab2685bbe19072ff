#pragma once
// The payment invariants of the README ("Payments"), checked against the whole
// log and the gateway stand-in's own records (test-only).

#include <map>
#include <set>
#include <string>
#include <vector>

#include "domain/overloaded.hpp"
#include "eventstore/event_log.hpp"
#include "gateway_standin.hpp"

namespace ticketing::testing {

struct LogLedger {
  std::map<std::string, std::int64_t> charge_cents;           // ChargeCreated amount, by our charge id
  std::map<std::string, std::string> succeeded;               // our charge id -> gateway id
  std::set<std::string> refund_required;                      // charges that must go back
  std::map<std::string, std::string> refunded;                // our charge id -> refund id
  std::map<std::string, std::int64_t> order_cents;            // OrderCreated price, by order id
  std::map<std::string, std::vector<std::string>> completed;  // order id -> charges that completed it
  std::set<std::string> open_orders;                          // neither complete, cancelled nor expired

  static LogLedger read(EventLog& log) {
    LogLedger l;
    for (std::uint32_t p = 0; p < log.partition_count(); ++p) {
      auto commits = log.read_partition(p, 0, 10'000'000);
      if (!commits) continue;
      for (auto const& c : *commits) {
        for (auto const& e : c.commit.events) l.fold(e);
      }
    }
    return l;
  }

  void fold(Event const& event) {
    std::visit(overloaded{
                   [&](OrderCreated const& e) {
                     order_cents[e.order_id] = e.price.cents;
                     open_orders.insert(e.order_id);
                   },
                   [&](OrderCompleted const& e) {
                     completed[e.order_id].push_back(e.charge_id);
                     open_orders.erase(e.order_id);
                   },
                   [&](OrderCancelled const& e) { open_orders.erase(e.order_id); },
                   [&](OrderExpired const& e) { open_orders.erase(e.order_id); },
                   [&](ChargeCreated const& e) { charge_cents[e.charge_id] = e.amount.cents; },
                   [&](ChargeSucceeded const& e) {
                     succeeded[e.charge_id] = e.gateway_id;
                     if (e.refund_required) refund_required.insert(e.charge_id);
                   },
                   [&](ChargeRefunded const& e) { refunded[e.charge_id] = e.refund_id; },
                   [](auto const&) {},
               },
               event);
  }
};

// Invariant 1 (every charge the gateway made is recorded and ends paying
// exactly one completed order or refunded; charged - refunded = the prices of
// the completed orders; no order paid twice). Returns what is violated.
inline std::vector<std::string> money_violations(LogLedger const& log,
                                                 std::vector<GatewayStandIn::Charge> const& gateway) {
  std::vector<std::string> out;
  std::int64_t charged = 0, refunded = 0, completed = 0;
  std::set<std::string> seen;
  for (auto const& g : gateway) {
    charged += g.amount_cents;
    if (!g.refund_id.empty()) refunded += g.amount_cents;
    if (!seen.insert(g.charge_id).second) out.push_back("charged twice under one charge id: " + g.charge_id);
    auto const recorded = log.succeeded.find(g.charge_id);
    if (recorded == log.succeeded.end() || recorded->second != g.gateway_id) {
      out.push_back("charged, not recorded: " + g.gateway_id + " for " + g.charge_id);
      continue;
    }
    if (!g.refund_id.empty()) {
      auto const r = log.refunded.find(g.charge_id);
      if (r == log.refunded.end() || r->second != g.refund_id) out.push_back("refund not recorded: " + g.charge_id);
      if (!log.refund_required.contains(g.charge_id)) out.push_back("refunded a charge that paid: " + g.charge_id);
    } else if (log.refund_required.contains(g.charge_id)) {
      out.push_back("never refunded: " + g.charge_id);
    }
  }
  for (auto const& [charge, gateway_id] : log.succeeded) {
    if (!seen.contains(charge)) out.push_back("recorded a charge the gateway never made: " + charge);
  }
  for (auto const& [order, charges] : log.completed) {
    if (charges.size() != 1) out.push_back("order completed more than once: " + order);
    completed += log.order_cents.at(order);
    for (auto const& c : charges) {
      if (log.refund_required.contains(c)) out.push_back("a completing charge is refunded: " + c);
    }
  }
  if (charged - refunded != completed) {
    out.push_back("charged - refunded = " + std::to_string(charged - refunded) + " but completed orders cost " +
                  std::to_string(completed));
  }
  return out;
}

}  // namespace ticketing::testing

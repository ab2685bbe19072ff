#include "domain/charge.hpp"

#include "domain/overloaded.hpp"

namespace ticketing::charge {

State initial_state() { return State{}; }

State evolve(State state, ChargeEvent const& event) {
  std::visit(overloaded{
                 [&](ChargeCreated const& e) {
                   state.exists = true;
                   state.charge_id = e.charge_id;
                   state.order_id = e.order_id;
                   state.amount = e.amount;
                   state.status = Status::created;
                 },
                 [&](ChargeSucceeded const& e) {
                   state.status = Status::succeeded;
                   state.gateway_id = e.gateway_id;
                   state.refund_required = e.refund_required;
                 },
                 [&](ChargeFailed const& e) {
                   state.status = Status::failed;
                   state.failure_reason = e.reason;
                   state.retryable = e.retryable;
                 },
                 [&](ChargeRefunded const& e) {
                   state.status = Status::refunded;
                   state.refund_id = e.refund_id;
                 },
             },
             event);
  ++state.version;
  return state;
}

}  // namespace ticketing::charge

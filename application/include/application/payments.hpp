#pragma once
// The payment of an order as one operation, used by the HTTP route (pay) and
// the order saga (resolve, refund). Every gateway outcome has its case:
//
//   gateway says   recorded                       the order
//   succeeded      ChargeSucceeded                completes, ticket sold; or, if it is
//                                                 no longer payable, a refund is due
//   declined       ChargeFailed                   cancelled, ticket released
//   invalid        ChargeFailed (nothing charged) payable again; expired (ticket
//                                                 released) if its deadline passed
//   unreachable    nothing: the charge stays      awaits the outcome: resolve() asks
//   (no answer,    pending, its outcome unknown   the gateway, by our charge id, until
//   5xx, timeout)                                 it answers; a charge not found then is
//                                                 looked for again later (recheck()), and
//                                                 refunded if it turns up
//
// The charge id is the gateway's idempotency key, so a charge repeated with
// it never takes money twice. What a caller is told is read back from the
// log, not taken from the gateway's answer: a request retried with the same
// commit ids gets the first outcome, whoever recorded it.
//
// Thread safety: as the Marketplace and the gateway it is given.

#include <optional>
#include <string>

#include "application/marketplace.hpp"
#include "application/payment_gateway.hpp"

namespace ticketing {

struct PaymentOutcome {
  enum class Kind : std::uint8_t {
    paid,         // the order is complete
    declined,     // the card was declined: the order is cancelled
    not_charged,  // nothing was taken (e.g. the token was refused): the order may be paid again
    unknown,      // no answer yet: the charge is pending and will be resolved
    refund_due,   // money was taken for an order that is no longer payable: it goes back
  };
  Kind kind{Kind::unknown};
  std::string charge_id, order_id;
  Money amount;
  std::string message;               // the gateway's words for the buyer, when this call heard them
  std::optional<Position> position;  // of the last commit made or found, for read-your-writes
};

class Payments {
 public:
  Payments(Marketplace& marketplace, PaymentGateway& gateway) : marketplace_(marketplace), gateway_(gateway) {}

  // Starts a payment of the buyer's order (commit `start`), charges `token`
  // unless the charge already has an outcome (a retried request), and records
  // the gateway's answer (commit `record`). Errors: the refusals of
  // order::StartPayment, and storage failures.
  [[nodiscard]] Result<PaymentOutcome> pay(std::string const& order_id, std::string const& user_id,
                                           std::string const& token, CommandContext const& start,
                                           CommandContext const& record);

  // Asks the gateway what became of a charge that has no recorded outcome,
  // and records it: found -> succeeded; not found -> failed, nothing charged.
  // Nothing to do for a charge that has an outcome. unavailable when the
  // gateway cannot tell (ask again later); not_found for an unknown charge.
  [[nodiscard]] Result<void> resolve(std::string const& charge_id, CommandContext const& ctx);

  // Looks once more for a charge that resolve() found no record of (the
  // gateway's search may lag): found -> recorded as succeeded, which decides
  // its refund. Nothing to do otherwise. unavailable when the gateway cannot tell.
  [[nodiscard]] Result<void> recheck(std::string const& charge_id, CommandContext const& ctx);

  // Refunds a charge the gateway made as `gateway_id` (idempotent, keyed by
  // our charge id) and records the refund.
  [[nodiscard]] Result<void> refund(std::string const& charge_id, std::string const& gateway_id,
                                    CommandContext const& ctx);

 private:
  Marketplace& marketplace_;
  PaymentGateway& gateway_;
};

}  // namespace ticketing

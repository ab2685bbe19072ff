// POST /api/payments: start the payment (the order then awaits it and can
// neither expire nor be cancelled), charge the card through the gateway with
// the charge id as idempotency key, record the outcome.

#include "call.hpp"
#include "domain/ids.hpp"

namespace ticketing::api {
namespace {

HttpResponse payment_response(ChargeCreated const& charge) {
  JsonWriter w;
  w.begin_object();
  w.key("id").string(charge.charge_id).key("orderId").string(charge.order_id);
  w.key("status").string("succeeded").key("amount").raw(format_units(charge.amount));
  w.end_object();
  return json_response(201, w.take());
}

}  // namespace

HttpResponse create_payment(Call& call) {
  std::vector<Error> errors;
  auto const token = call.body.string("token");
  if (!token || token->empty()) errors.push_back(make_error(ErrorCode::invalid_input, "Token is required", "token"));
  auto const order_id = call.body.string("orderId");
  if (!order_id || order_id->empty()) {
    errors.push_back(make_error(ErrorCode::invalid_input, "OrderId is required", "orderId"));
  }
  if (!errors.empty()) return validation_response(errors);
  if (!ticket_id_of_order(*order_id)) return error_response(404, "Not Found");

  auto& market = call.services.marketplace;
  auto started = market.execute(*order_id, order::StartPayment{*order_id, call.user->user_id}, call.command("pay"));
  if (!started) return error_response(started.error());
  ChargeCreated const* created = nullptr;
  for (auto const& e : started->events) {
    if (auto const* c = std::get_if<ChargeCreated>(&e)) created = c;
  }
  if (created == nullptr) return error_response(make_error(ErrorCode::internal, "payment start decided no charge"));
  call.services.metrics.count_commit();

  ChargeResult const result = call.services.gateway.charge(
      ChargeRequest{created->charge_id, created->idempotency_key, *token, created->amount, created->currency});

  using Outcome = ChargeResult::Outcome;
  order::Command record = order::RecordChargeFailed{created->charge_id, result.message, true};
  if (result.outcome == Outcome::succeeded) {
    record = order::RecordChargeSucceeded{created->charge_id, result.gateway_id};
  } else if (result.outcome == Outcome::declined) {
    record = order::RecordChargeFailed{created->charge_id, result.code.empty() ? "declined" : result.code, false};
  } else if (result.outcome == Outcome::unreachable) {
    record = order::RecordChargeFailed{created->charge_id, "gateway unreachable", true};
  }
  auto recorded = market.execute(*order_id, record, call.command("outcome"));
  if (!recorded) return error_response(recorded.error());
  call.await_visible(*recorded);

  switch (result.outcome) {
    case Outcome::succeeded:
      for (auto const& e : recorded->events) {
        if (auto const* s = std::get_if<ChargeSucceeded>(&e); s != nullptr && s->refund_required) {
          return error_response(409, "Order is no longer payable; the charge will be refunded");
        }
      }
      return payment_response(*created);
    case Outcome::declined:
      return error_response(402, result.message.empty() ? "Your card was declined." : result.message);
    case Outcome::invalid: return validation_response({make_error(ErrorCode::invalid_input, result.message, "token")});
    case Outcome::unreachable:
      return error_response(502, "Payment gateway unavailable; the order is still reserved, try again");
  }
  return error_response(make_error(ErrorCode::internal, "unknown payment outcome"));
}

}  // namespace ticketing::api

// POST /api/payments: validates the body, pays through application Payments
// (start, charge, record) and maps the outcome the log holds to HTTP.

#include "call.hpp"
#include "domain/ids.hpp"

namespace ticketing::api {
namespace {

HttpResponse payment_response(PaymentOutcome const& paid) {
  JsonWriter w;
  w.begin_object();
  w.key("id").string(paid.charge_id).key("orderId").string(paid.order_id);
  w.key("status").string("succeeded").key("amount").raw(format_units(paid.amount));
  w.end_object();
  return json_response(201, w.take());
}

HttpResponse outcome_response(PaymentOutcome const& outcome) {
  using Kind = PaymentOutcome::Kind;
  switch (outcome.kind) {
    case Kind::paid: return payment_response(outcome);
    case Kind::declined: return error_response(make_error(ErrorCode::payment_declined, outcome.message));
    case Kind::not_charged:
      if (!outcome.message.empty()) {
        return validation_response({make_error(ErrorCode::invalid_input, outcome.message, "token")});
      }
      return error_response(ErrorCode::payment_not_charged);
    case Kind::unknown: return error_response(ErrorCode::gateway_unavailable);
    case Kind::refund_due: return error_response(ErrorCode::no_longer_payable);
  }
  return error_response(ErrorCode::internal);
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
  if (!ticket_id_of_order(*order_id)) return error_response(ErrorCode::not_found);

  auto paid = call.services.payments.pay(*order_id, call.user->user_id, std::string(*token), call.command("pay"),
                                         call.command("outcome"));
  if (!paid) return error_response(paid.error());
  if (paid->position) call.await_visible(*paid->position);
  return outcome_response(*paid);
}

}  // namespace ticketing::api

#include "application/payments.hpp"

#include "domain/ids.hpp"

namespace ticketing {
namespace {

using Kind = PaymentOutcome::Kind;

// What the log says became of the charge.
Kind kind_of(charge::State const& charge) {
  switch (charge.status) {
    case charge::Status::succeeded:
    case charge::Status::refunded: return charge.refund_required ? Kind::refund_due : Kind::paid;
    case charge::Status::failed: return charge.retryable ? Kind::not_charged : Kind::declined;
    case charge::Status::none:
    case charge::Status::created: break;
  }
  return Kind::unknown;
}

// The command that records the gateway's answer; none for an unknown outcome.
std::optional<order::Command> record_of(std::string const& charge_id, ChargeResult const& result) {
  using Outcome = ChargeResult::Outcome;
  switch (result.outcome) {
    case Outcome::succeeded: return order::RecordChargeSucceeded{charge_id, result.gateway_id};
    case Outcome::declined:
      return order::RecordChargeFailed{charge_id, result.code.empty() ? "declined" : result.code, false};
    case Outcome::invalid:
      return order::RecordChargeFailed{charge_id, result.code.empty() ? "invalid_request" : result.code, true};
    case Outcome::unreachable: break;
  }
  return std::nullopt;
}

ChargeCreated const* charge_started(Events const& events) {
  for (auto const& e : events) {
    if (auto const* c = std::get_if<ChargeCreated>(&e)) return c;
  }
  return nullptr;
}

}  // namespace

Result<PaymentOutcome> Payments::pay(std::string const& order_id, std::string const& user_id, std::string const& token,
                                     CommandContext const& start, CommandContext const& record) {
  auto started = marketplace_.execute(order_id, order::StartPayment{order_id, user_id}, start);
  if (!started) return started.error();
  ChargeCreated const* created = charge_started(started->events);
  if (created == nullptr || !started->append) {
    return make_error(ErrorCode::internal, "starting a payment decided no charge");
  }
  PaymentOutcome out{
      Kind::unknown, created->charge_id, created->order_id, created->amount, {}, started->append->position};

  // A retried request finds its first start: charge only while that charge
  // has no outcome (the gateway answers a repeated key with its first result).
  bool pending = !started->append->duplicate;
  if (!pending) {
    auto ctx = marketplace_.order_context(order_id, out.charge_id);
    if (!ctx) return ctx.error();
    pending = ctx->charge.status == charge::Status::created;
  }
  if (pending) {
    ChargeResult const result = gateway_.charge(
        ChargeRequest{created->charge_id, created->idempotency_key, token, created->amount, created->currency});
    out.message = result.message;
    if (auto command = record_of(out.charge_id, result)) {
      auto recorded = marketplace_.execute(order_id, *command, record);
      if (!recorded) return recorded.error();
      if (recorded->append) out.position = recorded->append->position;
    }
  }
  auto now = marketplace_.order_context(order_id, out.charge_id);
  if (!now) return now.error();
  out.kind = kind_of(now->charge);
  return out;
}

Result<void> Payments::resolve(std::string const& charge_id, CommandContext const& ctx) {
  auto const order_id = order_id_of_charge(charge_id);
  if (!order_id) return make_error(ErrorCode::not_found, "Not Found");
  auto state = marketplace_.order_context(*order_id, charge_id);
  if (!state) return state.error();
  if (state->charge.status != charge::Status::created) return {};
  auto found = gateway_.find_charge(charge_id);
  if (!found) return found.error();
  order::Command const command =
      *found ? order::Command(order::RecordChargeSucceeded{charge_id, **found})
             : order::Command(order::RecordChargeFailed{charge_id, std::string(charge::kNotFoundAtGateway), true});
  auto recorded = marketplace_.execute(*order_id, command, ctx);
  if (!recorded) return recorded.error();
  return {};
}

Result<void> Payments::recheck(std::string const& charge_id, CommandContext const& ctx) {
  auto const order_id = order_id_of_charge(charge_id);
  if (!order_id) return make_error(ErrorCode::not_found, "Not Found");
  auto state = marketplace_.order_context(*order_id, charge_id);
  if (!state) return state.error();
  if (state->charge.status != charge::Status::failed || state->charge.failure_reason != charge::kNotFoundAtGateway) {
    return {};
  }
  auto found = gateway_.find_charge(charge_id);
  if (!found) return found.error();
  if (!*found) return {};
  // The money was taken after all: recorded, and (the order having moved on)
  // refunded by the saga.
  auto recorded = marketplace_.execute(*order_id, order::RecordChargeSucceeded{charge_id, **found}, ctx);
  if (!recorded) return recorded.error();
  return {};
}

Result<void> Payments::refund(std::string const& charge_id, std::string const& gateway_id, CommandContext const& ctx) {
  auto const order_id = order_id_of_charge(charge_id);
  if (!order_id) return make_error(ErrorCode::not_found, "Not Found");
  auto refund = gateway_.refund(gateway_id, "refund:" + charge_id);
  if (!refund) return refund.error();
  auto recorded = marketplace_.execute(*order_id, order::RecordChargeRefunded{charge_id, *refund}, ctx);
  if (!recorded) return recorded.error();
  return {};
}

}  // namespace ticketing

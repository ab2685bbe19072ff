#include "processes/sandbox_gateway.hpp"

#include <array>
#include <cstdio>
#include <string_view>

namespace ticketing {
namespace {

struct Decline {
  std::string_view token, code, message;
};

constexpr std::array<std::string_view, 9> kSucceeding{
    "tok_visa",       "tok_mastercard",       "tok_amex",  "tok_discover", "tok_jcb", "tok_unionpay",
    "tok_visa_debit", "tok_mastercard_debit", "tok_diners"};

constexpr std::array<Decline, 6> kDeclines{{
    {"tok_chargeDeclined", "card_declined", "Your card was declined."},
    {"tok_chargeDeclinedInsufficientFunds", "insufficient_funds", "Your card has insufficient funds."},
    {"tok_chargeDeclinedFraudulent", "fraudulent", "Your card was declined."},
    {"tok_chargeDeclinedIncorrectCvc", "incorrect_cvc", "Your card's security code is incorrect."},
    {"tok_chargeDeclinedExpiredCard", "expired_card", "Your card has expired."},
    {"tok_chargeDeclinedProcessingError", "processing_error",
     "An error occurred while processing your card. Try again in a little bit."},
}};

std::string gateway_id(char const* prefix, std::uint64_t n) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%s_sandbox%016llx", prefix, static_cast<unsigned long long>(n));
  return buf;
}

}  // namespace

ChargeResult SandboxGateway::charge(ChargeRequest const& request) {
  if (request.token == "tok_sandboxUnreachable") return ChargeResult{ChargeResult::Outcome::unreachable, {}, {}, {}};
  std::lock_guard lock(mutex_);
  if (auto it = by_idempotency_key_.find(request.idempotency_key); it != by_idempotency_key_.end()) {
    return it->second;
  }
  ChargeResult result;
  if (std::find(kSucceeding.begin(), kSucceeding.end(), request.token) != kSucceeding.end()) {
    result = ChargeResult{ChargeResult::Outcome::succeeded, gateway_id("ch", ++sequence_), {}, {}};
    succeeded_by_charge_id_[request.charge_id] = result.gateway_id;
  } else if (auto d = std::find_if(kDeclines.begin(), kDeclines.end(),
                                   [&](Decline const& x) { return x.token == request.token; });
             d != kDeclines.end()) {
    result = ChargeResult{ChargeResult::Outcome::declined, {}, std::string(d->message), std::string(d->code)};
  } else {
    result =
        ChargeResult{ChargeResult::Outcome::invalid, {}, "No such token: '" + request.token + "'", "resource_missing"};
  }
  by_idempotency_key_[request.idempotency_key] = result;
  return result;
}

Result<std::string> SandboxGateway::refund(std::string const& gateway_charge_id, std::string const& idempotency_key) {
  std::lock_guard lock(mutex_);
  if (auto it = refunds_by_key_.find(idempotency_key); it != refunds_by_key_.end()) return it->second;
  bool known = false;
  for (auto const& [ours, theirs] : succeeded_by_charge_id_) known = known || theirs == gateway_charge_id;
  if (!known) return make_error(ErrorCode::not_found, "No such charge: '" + gateway_charge_id + "'");
  std::string id = gateway_id("re", ++sequence_);
  refunds_by_key_[idempotency_key] = id;
  return id;
}

Result<std::optional<std::string>> SandboxGateway::find_charge(std::string const& charge_id) {
  std::lock_guard lock(mutex_);
  if (auto it = succeeded_by_charge_id_.find(charge_id); it != succeeded_by_charge_id_.end()) {
    return std::optional<std::string>(it->second);
  }
  return std::optional<std::string>();
}

std::size_t SandboxGateway::successful_charges() const {
  std::lock_guard lock(mutex_);
  return succeeded_by_charge_id_.size();
}

}  // namespace ticketing

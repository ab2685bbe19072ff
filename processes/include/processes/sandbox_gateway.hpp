#pragma once
// A gateway that behaves like Stripe in test mode, without a network:
//   tok_visa, tok_mastercard, tok_amex, tok_discover, tok_jcb, tok_unionpay,
//   tok_visa_debit, tok_mastercard_debit, tok_diners  -> succeeded
//   tok_chargeDeclined                     -> declined (card_declined)
//   tok_chargeDeclinedInsufficientFunds    -> declined (insufficient_funds)
//   tok_chargeDeclinedFraudulent           -> declined (fraudulent)
//   tok_chargeDeclinedIncorrectCvc         -> declined (incorrect_cvc)
//   tok_chargeDeclinedExpiredCard          -> declined (expired_card)
//   tok_chargeDeclinedProcessingError      -> declined (processing_error)
//   tok_sandboxUnreachable (sandbox only)  -> unreachable, nothing charged
//   anything else                          -> invalid ("No such token: '...'")
// Like Stripe, a repeated idempotency key returns the first result. Charges
// and refunds live in this process's memory: it is a stand-in for the
// gateway's own records, used when no STRIPE_KEY is configured.

#include <map>
#include <mutex>

#include "processes/payment_gateway.hpp"

namespace ticketing {

class SandboxGateway final : public PaymentGateway {
 public:
  [[nodiscard]] ChargeResult charge(ChargeRequest const& request) override;
  [[nodiscard]] Result<std::string> refund(std::string const& gateway_charge_id,
                                           std::string const& idempotency_key) override;
  [[nodiscard]] Result<std::optional<std::string>> find_charge(std::string const& charge_id) override;

  // How many charges succeeded (for tests and the sandbox's own accounting).
  [[nodiscard]] std::size_t successful_charges() const;

 private:
  mutable std::mutex mutex_;
  std::map<std::string, ChargeResult> by_idempotency_key_;
  std::map<std::string, std::string> succeeded_by_charge_id_;  // our charge id -> gateway id
  std::map<std::string, std::string> refunds_by_key_;
  std::uint64_t sequence_{0};
};

}  // namespace ticketing

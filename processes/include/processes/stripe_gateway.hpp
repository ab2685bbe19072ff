#pragma once
// The Stripe adapter: Stripe's HTTP API (form-encoded requests, JSON answers),
// the secret key as a Bearer token, our charge id as Idempotency-Key and as
// metadata[charge_id] (so an interrupted payment can be found again with the
// charge search API). HTTPS with certificate and host verification; plain
// HTTP only when the base URL says so (a local stand-in in tests).
//
//   200 with status succeeded      -> succeeded
//   402 (card_error)               -> declined, with Stripe's message and code
//   400/404 (invalid_request_error)-> invalid, nothing charged
//   anything else, or no answer    -> unreachable (outcome unknown)

#include <chrono>
#include <string>

#include "application/payment_gateway.hpp"

namespace ticketing {

struct StripeOptions {
  std::string api_base{"https://api.stripe.com"};
  std::string secret_key;
  std::chrono::seconds timeout{15};
};

class StripeGateway final : public PaymentGateway {
 public:
  explicit StripeGateway(StripeOptions options);
  [[nodiscard]] ChargeResult charge(ChargeRequest const& request) override;
  [[nodiscard]] Result<std::string> refund(std::string const& gateway_charge_id,
                                           std::string const& idempotency_key) override;
  [[nodiscard]] Result<std::optional<std::string>> find_charge(std::string const& charge_id) override;

 private:
  StripeOptions options_;
};

}  // namespace ticketing

#pragma once
// The payment gateway port. Adapters: SandboxGateway (Stripe's test tokens,
// no network) and StripeGateway (Stripe's HTTP API). Calls block; callers run
// them off I/O threads.

#include <optional>
#include <string>

#include "domain/money.hpp"
#include "domain/result.hpp"

namespace ticketing {

struct ChargeRequest {
  std::string charge_id;        // ours; sent as metadata so the charge can be found again
  std::string idempotency_key;  // a retry with the same key never charges twice
  std::string token;            // the card token from the client; never stored
  Money amount;
  std::string currency{"usd"};
};

struct ChargeResult {
  enum class Outcome {
    succeeded,    // money taken: gateway_id set
    declined,     // the card was declined: message set
    invalid,      // the request was refused (e.g. an unknown token): nothing charged
    unreachable,  // no answer: the outcome is unknown
  };
  Outcome outcome{Outcome::unreachable};
  std::string gateway_id;
  std::string message;  // for the buyer, on a decline or refusal
  std::string code;     // the gateway's reason code, e.g. card_declined
};

class PaymentGateway {
 public:
  virtual ~PaymentGateway() = default;
  [[nodiscard]] virtual ChargeResult charge(ChargeRequest const& request) = 0;
  // Returns the refund id; unavailable when the gateway cannot be reached.
  [[nodiscard]] virtual Result<std::string> refund(std::string const& gateway_charge_id,
                                                   std::string const& idempotency_key) = 0;
  // The gateway id of a successful charge made for `charge_id`, nullopt if
  // none was; unavailable when the gateway cannot tell.
  [[nodiscard]] virtual Result<std::optional<std::string>> find_charge(std::string const& charge_id) = 0;
};

}  // namespace ticketing

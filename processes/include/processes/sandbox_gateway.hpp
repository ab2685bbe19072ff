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
// Like Stripe, a repeated idempotency key returns the first result. What it
// charged and refunded is kept durably (RocksDB, synced before it answers) in
// its own directory, like a real gateway's records: a payment interrupted by
// a crash is resolved after a restart exactly as it is against Stripe. It is
// the stand-in for a gateway used when no STRIPE_KEY is configured.
// Thread safety: all members may be called from any thread.

#include <memory>
#include <mutex>

#include "application/payment_gateway.hpp"

namespace rocksdb {
class DB;
class Env;
}  // namespace rocksdb

namespace ticketing {

class SandboxGateway final : public PaymentGateway {
 public:
  // Opens (creating if needed) the sandbox's records in `path`. `env`: as
  // for open_small_store (tests pass a disk that fails on demand).
  [[nodiscard]] static Result<std::unique_ptr<SandboxGateway>> open(std::string const& path,
                                                                    rocksdb::Env* env = nullptr);
  ~SandboxGateway() override;
  SandboxGateway(SandboxGateway const&) = delete;
  SandboxGateway& operator=(SandboxGateway const&) = delete;

  // Unavailable (outcome unknown) if its records cannot be written.
  [[nodiscard]] ChargeResult charge(ChargeRequest const& request) override;
  [[nodiscard]] Result<std::string> refund(std::string const& gateway_charge_id,
                                           std::string const& idempotency_key) override;
  [[nodiscard]] Result<std::optional<std::string>> find_charge(std::string const& charge_id) override;

  // How many charges succeeded (for tests and the sandbox's own accounting).
  [[nodiscard]] std::size_t successful_charges() const;

 private:
  explicit SandboxGateway(std::unique_ptr<rocksdb::DB> db);
  mutable std::mutex mutex_;  // one decision per key at a time
  std::unique_ptr<rocksdb::DB> db_;
};

}  // namespace ticketing

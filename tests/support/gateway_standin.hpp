#pragma once
// A payment gateway stand-in (test-only) that speaks the part of Stripe's
// HTTP API the Stripe adapter uses (POST /v1/charges, GET
// /v1/charges/search, POST /v1/refunds, GET /v1/refunds?charge=) and
// misbehaves on request the way real gateways do. It keeps what it charged
// and refunded, so a test can hold the log against the money actually moved.
//
// The card token chooses how a charge behaves:
//   tok_visa             succeeds
//   tok_chargeDeclined   declined (402 card_error), nothing charged
//   tok_slow             takes the money at once, answers 200 after `slow`
//   tok_slowRefused      answers 400 (nothing charged) after `slow`
//   tok_chargeThen500    takes the money, then answers 500
//   tok_chargeThenDrop   takes the money, then closes the connection unanswered
//   tok_500              answers 500, charges nothing
//   anything else        refused: 400 resource_missing, nothing charged
// set_down(true) makes it unreachable: every connection is closed unanswered
// (searches and refunds too). Like Stripe, a repeated Idempotency-Key gets
// the first answer (an answer lost in transit is replayed as the 200 it was);
// while the first request with a key is still running, 409.

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace ticketing::testing {

class GatewayStandIn {
 public:
  // `search_lag`: a charge shows in searches only this long after it was
  // taken (real gateways' search indexes lag).
  explicit GatewayStandIn(std::chrono::milliseconds slow = std::chrono::milliseconds(1500),
                          std::chrono::milliseconds search_lag = std::chrono::milliseconds(0));
  ~GatewayStandIn();
  GatewayStandIn(GatewayStandIn const&) = delete;
  GatewayStandIn& operator=(GatewayStandIn const&) = delete;

  // "http://127.0.0.1:PORT", for --stripe-api-base.
  [[nodiscard]] std::string base() const;
  void set_down(bool down);

  struct Charge {
    std::string gateway_id;  // ch_...
    std::string charge_id;   // ours (metadata[charge_id])
    std::int64_t amount_cents{0};
    std::string refund_id;  // empty unless refunded
    std::chrono::steady_clock::time_point taken;
  };
  // Every charge that took money, in the order taken.
  [[nodiscard]] std::vector<Charge> charges() const;
  [[nodiscard]] std::int64_t charged_cents() const;
  [[nodiscard]] std::int64_t refunded_cents() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ticketing::testing

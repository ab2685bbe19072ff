// The Stripe adapter against a local stand-in that answers like Stripe's
// charge, refund and search endpoints, including its error bodies, a 500 and
// a hang past the adapter's timeout.

#include "processes/stripe_gateway.hpp"

#include <mutex>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <doctest/doctest.h>

using namespace ticketing;
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

namespace {

struct Seen {
  std::string method, target, authorization, idempotency_key, body;
};

class StripeStandIn {
 public:
  StripeStandIn() : acceptor_(ioc_, {asio::ip::make_address("127.0.0.1"), 0}) {
    thread_ = std::thread([this] { serve(); });
  }
  ~StripeStandIn() {
    stopping_ = true;
    beast::error_code ignored;
    asio::ip::tcp::socket poke(ioc_);
    poke.connect(acceptor_.local_endpoint(), ignored);
    thread_.join();
  }
  [[nodiscard]] std::string base() const {
    return "http://127.0.0.1:" + std::to_string(acceptor_.local_endpoint().port());
  }
  std::vector<Seen> seen() {
    std::lock_guard lock(mutex_);
    return seen_;
  }

 private:
  static std::pair<int, std::string> answer(Seen const& s) {
    if (s.authorization != "Bearer sk_test_123") {
      return {401, R"({"error":{"type":"invalid_request_error","message":"Invalid API Key provided"}})"};
    }
    if (s.target == "/v1/charges") {
      if (s.body.find("source=tok_visa") != std::string::npos) {
        return {200, R"({"id":"ch_3Mtw","object":"charge","amount":2000,"status":"succeeded","paid":true})"};
      }
      if (s.body.find("source=tok_chargeDeclined") != std::string::npos) {
        return {402, R"({"error":{"type":"card_error","code":"card_declined","decline_code":"generic_decline",)"
                     R"("message":"Your card was declined."}})"};
      }
      if (s.body.find("source=tok_boom") != std::string::npos) {
        return {500, R"({"error":{"type":"api_error","message":"Something went wrong on Stripe's end."}})"};
      }
      if (s.body.find("source=tok_slow") != std::string::npos) {
        std::this_thread::sleep_for(std::chrono::milliseconds(2500));
        return {200, R"({"id":"ch_late","status":"succeeded"})"};
      }
      return {400, R"({"error":{"type":"invalid_request_error","code":"resource_missing","param":"source",)"
                   R"("message":"No such token: 'tok_nope'"}})"};
    }
    if (s.target == "/v1/refunds") {
      if (s.body == "charge=ch_3Mtw") return {200, R"({"id":"re_3Mtw","object":"refund","status":"succeeded"})"};
      return {
          400,
          R"({"error":{"type":"invalid_request_error","code":"charge_already_refunded","message":"Charge has already been refunded."}})"};
    }
    if (s.target == "/v1/refunds?charge=ch_other") {
      return {200, R"({"object":"list","data":[{"id":"re_other","status":"succeeded"}],"has_more":false})"};
    }
    if (s.target.starts_with("/v1/charges/search")) {
      if (s.target.find("%27known-charge") != std::string::npos) {
        return {200, R"({"object":"search_result","data":[{"id":"ch_found","status":"succeeded"}],"has_more":false})"};
      }
      return {200, R"({"object":"search_result","data":[],"has_more":false})"};
    }
    return {404, R"({"error":{"type":"invalid_request_error","message":"Unrecognized request URL"}})"};
  }

  void serve() {
    while (!stopping_) {
      asio::ip::tcp::socket socket(ioc_);
      beast::error_code ec;
      acceptor_.accept(socket, ec);
      if (ec || stopping_) continue;
      beast::flat_buffer buffer;
      http::request<http::string_body> req;
      http::read(socket, buffer, req, ec);
      if (ec) continue;
      Seen s{std::string(req.method_string()), std::string(req.target()), std::string(req[http::field::authorization]),
             std::string(req["Idempotency-Key"]), req.body()};
      {
        std::lock_guard lock(mutex_);
        seen_.push_back(s);
      }
      auto const [status, body] = answer(s);
      http::response<http::string_body> res{static_cast<http::status>(status), 11};
      res.set(http::field::content_type, "application/json");
      res.body() = body;
      res.prepare_payload();
      http::write(socket, res, ec);
    }
  }

  asio::io_context ioc_;
  asio::ip::tcp::acceptor acceptor_;
  std::atomic<bool> stopping_{false};
  std::mutex mutex_;
  std::vector<Seen> seen_;
  std::thread thread_;
};

ChargeRequest request(std::string token) {
  return ChargeRequest{"aaaaaaaaaaaaaaaaaaaaaaa1-1-c1", "aaaaaaaaaaaaaaaaaaaaaaa1-1-c1", std::move(token), Money{2000},
                       "usd"};
}

}  // namespace

TEST_CASE("Stripe: a successful charge, sent form-encoded with the key, idempotency key and our charge id") {
  StripeStandIn stripe;
  StripeGateway gateway({stripe.base(), "sk_test_123", std::chrono::seconds(1)});
  auto const r = gateway.charge(request("tok_visa"));
  CHECK(r.outcome == ChargeResult::Outcome::succeeded);
  CHECK(r.gateway_id == "ch_3Mtw");
  auto const seen = stripe.seen();
  REQUIRE(seen.size() == 1);
  CHECK(seen[0].method == "POST");
  CHECK(seen[0].idempotency_key == "aaaaaaaaaaaaaaaaaaaaaaa1-1-c1");
  CHECK(seen[0].body.find("amount=2000") != std::string::npos);
  CHECK(seen[0].body.find("currency=usd") != std::string::npos);
  CHECK(seen[0].body.find("metadata[charge_id]=aaaaaaaaaaaaaaaaaaaaaaa1-1-c1") != std::string::npos);
}

TEST_CASE("Stripe: declines, refusals, server errors and timeouts map to the gateway outcomes") {
  StripeStandIn stripe;
  StripeGateway gateway({stripe.base(), "sk_test_123", std::chrono::seconds(1)});
  auto const declined = gateway.charge(request("tok_chargeDeclined"));
  CHECK(declined.outcome == ChargeResult::Outcome::declined);
  CHECK(declined.message == "Your card was declined.");
  CHECK(declined.code == "generic_decline");
  auto const invalid = gateway.charge(request("tok_nope"));
  CHECK(invalid.outcome == ChargeResult::Outcome::invalid);
  CHECK(invalid.message == "No such token: 'tok_nope'");
  CHECK(gateway.charge(request("tok_boom")).outcome == ChargeResult::Outcome::unreachable);
  auto const started = std::chrono::steady_clock::now();
  CHECK(gateway.charge(request("tok_slow")).outcome == ChargeResult::Outcome::unreachable);
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::milliseconds(2400));
  StripeGateway wrong_key({stripe.base(), "sk_test_wrong", std::chrono::seconds(1)});
  CHECK(wrong_key.charge(request("tok_visa")).outcome == ChargeResult::Outcome::unreachable);
  StripeGateway nobody({"http://127.0.0.1:1", "sk_test_123", std::chrono::seconds(1)});
  CHECK(nobody.charge(request("tok_visa")).outcome == ChargeResult::Outcome::unreachable);
}

TEST_CASE("Stripe: refunds and the charge search") {
  StripeStandIn stripe;
  StripeGateway gateway({stripe.base(), "sk_test_123", std::chrono::seconds(1)});
  auto const refund = gateway.refund("ch_3Mtw", "refund:x");
  REQUIRE(refund.has_value());
  CHECK(*refund == "re_3Mtw");
  // Refunded already (an earlier answer was lost): the existing refund is the answer.
  auto const again = gateway.refund("ch_other", "refund:y");
  REQUIRE(again.has_value());
  CHECK(*again == "re_other");
  auto const found = gateway.find_charge("known-charge");
  REQUIRE(found.has_value());
  CHECK(*found == std::optional<std::string>("ch_found"));
  auto const none = gateway.find_charge("unknown-charge");
  REQUIRE(none.has_value());
  CHECK_FALSE(none->has_value());
  auto const seen = stripe.seen();
  CHECK(seen.back().target.find("metadata%5B%27charge_id%27%5D") != std::string::npos);
}

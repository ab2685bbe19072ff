// The one table from what happened (ErrorCode) to what a client is told:
// the status and message the API contract gives, never an internal detail.

#include <doctest/doctest.h>

#include "api/errors.hpp"

using namespace ticketing;
using ticketing::api::error_response;

namespace {

std::string answered_message(Error const& error) {
  auto const body = error_response(error).body;
  auto const start = body.find("\"message\":\"") + 11;
  return body.substr(start, body.find('"', start) - start);
}

}  // namespace

TEST_CASE("each error code answers the status of the API contract") {
  struct Row {
    ErrorCode code;
    int status;
  };
  for (auto const [code, status] :
       {Row{ErrorCode::malformed_request, 400}, Row{ErrorCode::body_too_large, 413},
        Row{ErrorCode::headers_too_large, 431}, Row{ErrorCode::invalid_input, 400}, Row{ErrorCode::not_found, 404},
        Row{ErrorCode::rejected, 400}, Row{ErrorCode::already_exists, 400}, Row{ErrorCode::conflict, 409},
        Row{ErrorCode::unauthenticated, 401}, Row{ErrorCode::forbidden, 401}, Row{ErrorCode::cross_origin, 403},
        Row{ErrorCode::unsupported_media_type, 415}, Row{ErrorCode::payment_declined, 402},
        Row{ErrorCode::payment_not_charged, 502}, Row{ErrorCode::gateway_unavailable, 502},
        Row{ErrorCode::no_longer_payable, 409}, Row{ErrorCode::resource_exhausted, 429},
        Row{ErrorCode::unavailable, 503}, Row{ErrorCode::internal, 500}}) {
    CAPTURE(to_string(code));
    auto const response = error_response(code);
    CHECK(response.status == status);
    CHECK(response.body.starts_with("{\"errors\":[{\"message\":\""));
  }
}

TEST_CASE("a rule's own words and field are the answer; a fixed message never shows the error's detail") {
  CHECK(answered_message(make_error(ErrorCode::already_exists, "Email in use", "email")) == "Email in use");
  CHECK(
      error_response(make_error(ErrorCode::already_exists, "Email in use", "email")).body.find("\"field\":\"email\"") !=
      std::string::npos);
  CHECK(answered_message(make_error(ErrorCode::payment_declined, {})) == "Your card was declined.");
  CHECK(answered_message(make_error(ErrorCode::payment_declined, "Your card has insufficient funds.")) ==
        "Your card has insufficient funds.");
  CHECK(answered_message(make_error(ErrorCode::forbidden, "seller u1 is not u2")) == "Not authorized");
  CHECK(answered_message(make_error(ErrorCode::internal, "RocksDB: IO error")) == "Something went wrong");
  auto const busy = error_response(make_error(ErrorCode::unavailable, "log: Wrong expected version"));
  CHECK(answered_message(make_error(ErrorCode::unavailable, "log: Wrong expected version")) ==
        "Service temporarily unavailable, try again shortly");
  CHECK(busy.body.find("field") == std::string::npos);
  bool retry_after = false;
  for (auto const& [name, value] : busy.headers) retry_after |= name == "Retry-After" && value == "1";
  CHECK(retry_after);
}

TEST_CASE("the price race carries the current price") {
  Error e = make_error(ErrorCode::conflict, "Ticket price has changed", "price");
  e.current_price_cents = 4000;
  auto const response = error_response(e);
  CHECK(response.status == 409);
  CHECK(response.body == R"({"errors":[{"message":"Ticket price has changed","field":"price"}],"currentPrice":40})");
}

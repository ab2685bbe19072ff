#pragma once
// The one table from error codes to HTTP (API.md "Conventions").

#include "api/http_message.hpp"
#include "domain/result.hpp"

namespace ticketing::api {

// How a code is answered: its status, and the message API.md gives for it.
// A `fixed` message is always the one sent (the error's own text may carry
// detail the client must not see); otherwise it is the default for an error
// with no message of its own.
struct HttpError {
  int status;
  std::string_view message;
  bool fixed;
};
[[nodiscard]] HttpError http_error(ErrorCode code) noexcept;

// {"errors":[{"message","field"?}]}, plus "currentPrice" for the price race,
// Retry-After for throttling and unavailability.
[[nodiscard]] HttpResponse error_response(Error const& error);
[[nodiscard]] inline HttpResponse error_response(ErrorCode code) { return error_response(make_error(code, {})); }
// Several field errors at once, in field order.
[[nodiscard]] HttpResponse validation_response(std::vector<Error> const& errors);

}  // namespace ticketing::api

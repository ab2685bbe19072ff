#pragma once
// The one table from error codes to HTTP (API.md "Conventions").

#include "api/http_message.hpp"
#include "domain/result.hpp"

namespace ticketing::api {

[[nodiscard]] int http_status(ErrorCode code) noexcept;

// {"errors":[{"message","field"?}]}, plus "currentPrice" for the price race,
// Retry-After for throttling. Internal errors answer "Something went wrong"
// and never expose their detail.
[[nodiscard]] HttpResponse error_response(Error const& error);
// Several field errors at once, in field order.
[[nodiscard]] HttpResponse validation_response(std::vector<Error> const& errors);
[[nodiscard]] HttpResponse error_response(int status, std::string_view message);

}  // namespace ticketing::api

#pragma once
// Expected failures as values. Every layer returns Result<T>; nothing throws
// across a layer boundary. One function in api/ maps ErrorCode to HTTP.

#include <cstdint>
#include <optional>
#include <string>
#include <utility>

#include <boost/assert/source_location.hpp>
#include <boost/system/result.hpp>

namespace ticketing {

// What happened, not which status it becomes: one table in api/ (errors.cpp)
// maps each code to its HTTP status. The comment says what a caller may do.
enum class ErrorCode : std::uint8_t {
  malformed_request,       // the bytes are not an acceptable HTTP request; the connection closes
  body_too_large,          // the body is over the limit
  headers_too_large,       // the header (or what the parser must hold back) is over the limit
  invalid_input,           // the request itself is wrong (`field` says where); do not retry unchanged
  not_found,               // the addressed thing does not exist
  rejected,                // a rule of the marketplace refused the command; do not retry unchanged
  already_exists,          // what the command creates exists already (an e-mail in use)
  conflict,                // the state changed since the caller saw it (a version, a price); reload
  unauthenticated,         // no valid session
  forbidden,               // a known user acting on what is not theirs
  cross_origin,            // a mutating request from another origin
  unsupported_media_type,  // a body that is not JSON
  payment_declined,        // the card was declined; the order is cancelled
  payment_not_charged,     // the payment failed and nothing was charged; paying again may succeed
  gateway_unavailable,     // the payment's outcome is unknown; it is being checked
  no_longer_payable,       // a charge went through for an order that ended; it is refunded
  resource_exhausted,      // throttled; retry after `retry_after_seconds`
  unavailable,             // a dependency is down or contention persisted; retry later
  internal,                // a broken invariant or unexpected fault
};

[[nodiscard]] char const* to_string(ErrorCode code) noexcept;

struct Error {
  ErrorCode code{ErrorCode::internal};
  std::string message;
  std::string field;                                // the input field at fault, for invalid_input; else empty
  std::optional<std::int64_t> current_price_cents;  // price race: what it is now
  std::optional<std::int64_t> retry_after_seconds;  // resource_exhausted

  friend bool operator==(Error const&, Error const&) = default;
};

[[nodiscard]] inline Error make_error(ErrorCode code, std::string message, std::string field = {}) {
  return Error{code, std::move(message), std::move(field), std::nullopt, std::nullopt};
}

// Needed by boost::system::result<T, Error>::value() when it holds an error.
[[noreturn]] void throw_exception_from_error(Error const& error, boost::source_location const& loc);

template <class T>
using Result = boost::system::result<T, Error>;

}  // namespace ticketing

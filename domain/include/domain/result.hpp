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

// A small taxonomy, after absl::StatusCode. The comment says what a caller may do.
enum class ErrorCode : std::uint8_t {
  invalid_input,       // the request itself is wrong; do not retry unchanged
  not_found,           // the addressed thing does not exist
  rejected,            // a business rule refused the command; do not retry unchanged
  conflict,            // a version or race lost; reload and retry may succeed
  unauthenticated,     // no, or not the right, identity
  forbidden,           // identity known but not allowed (e.g. cross-origin)
  resource_exhausted,  // throttled; retry after `retry_after_seconds`
  unavailable,         // a dependency is down; retry later
  internal,            // a broken invariant or unexpected fault
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

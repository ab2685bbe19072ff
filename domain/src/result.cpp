#include "domain/result.hpp"

#include <stdexcept>

namespace ticketing {

char const* to_string(ErrorCode code) noexcept {
  switch (code) {
    case ErrorCode::malformed_request: return "malformed_request";
    case ErrorCode::body_too_large: return "body_too_large";
    case ErrorCode::headers_too_large: return "headers_too_large";
    case ErrorCode::invalid_input: return "invalid_input";
    case ErrorCode::not_found: return "not_found";
    case ErrorCode::rejected: return "rejected";
    case ErrorCode::already_exists: return "already_exists";
    case ErrorCode::conflict: return "conflict";
    case ErrorCode::unauthenticated: return "unauthenticated";
    case ErrorCode::forbidden: return "forbidden";
    case ErrorCode::cross_origin: return "cross_origin";
    case ErrorCode::unsupported_media_type: return "unsupported_media_type";
    case ErrorCode::payment_declined: return "payment_declined";
    case ErrorCode::payment_not_charged: return "payment_not_charged";
    case ErrorCode::gateway_unavailable: return "gateway_unavailable";
    case ErrorCode::no_longer_payable: return "no_longer_payable";
    case ErrorCode::resource_exhausted: return "resource_exhausted";
    case ErrorCode::unavailable: return "unavailable";
    case ErrorCode::internal: return "internal";
  }
  return "unknown";
}

void throw_exception_from_error(Error const& error, boost::source_location const& /*loc*/) {
  throw std::runtime_error(std::string(to_string(error.code)) + ": " + error.message);
}

}  // namespace ticketing

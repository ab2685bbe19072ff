#pragma once
// Percent-encoding (RFC 3986) of text in URLs and form bodies.

#include <string>
#include <string_view>

namespace ticketing {

// Every byte but the unreserved ones (letters, digits, - _ . ~) as %XX.
[[nodiscard]] std::string percent_encode(std::string_view text);
// "%2C" -> ","; a '%' not followed by two hex digits stays as it is.
[[nodiscard]] std::string percent_decode(std::string_view text);

}  // namespace ticketing

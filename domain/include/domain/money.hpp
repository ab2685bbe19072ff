#pragma once
// Money is integer cents in one currency (usd). The wire format is a decimal in
// currency units with at most two decimals, as a JSON number or numeric string.

#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

#include "domain/result.hpp"

namespace ticketing {

struct Money {
  std::int64_t cents{0};
  friend auto operator<=>(Money const&, Money const&) = default;
};

inline constexpr std::int64_t kMaxPriceCents = 1'000'000LL * 100;
inline constexpr std::string_view kCurrency = "usd";

// Parses the text of a price as it came on the wire (a JSON number's literal
// text, or the content of a numeric string) and checks the price rules:
// > 0, at most 2 decimals, at most 1000000. Errors carry field "price" and the
// message API.md gives; `required_message` is the text used when the value is
// not a positive number at all (routes word it differently).
[[nodiscard]] Result<Money> parse_price(std::string_view text, std::string_view required_message);

// Checks an already-parsed amount against the same rules.
[[nodiscard]] Result<Money> validate_price(Money price, std::string_view required_message);

// Shortest decimal text in currency units: 2000 -> "20", 1999 -> "19.99", 1990 -> "19.9".
[[nodiscard]] std::string format_units(Money m);

}  // namespace ticketing

#include "domain/money.hpp"

#include <charconv>

namespace ticketing {
namespace {

Error price_error(std::string_view message) {
  return make_error(ErrorCode::invalid_input, std::string(message), "price");
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

Result<Money> validate_price(Money price, std::string_view required_message) {
  if (price.cents <= 0) return price_error(required_message);
  if (price.cents > kMaxPriceCents) return price_error("Price must be at most 1000000");
  return price;
}

Result<Money> parse_price(std::string_view text, std::string_view required_message) {
  // Grammar (JSON number, surrounding blanks allowed in strings):
  //   -? digits ( . digits )? ( [eE] [+-]? digits )?
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  std::size_t i = 0;
  bool negative = false;
  if (i < text.size() && (text[i] == '-' || text[i] == '+')) negative = text[i++] == '-';
  std::string digits;  // all significant digits, integer part then fraction
  std::size_t int_digits = 0;
  while (i < text.size() && is_digit(text[i])) {
    digits += text[i++];
    ++int_digits;
  }
  std::size_t frac_digits = 0;
  if (i < text.size() && text[i] == '.') {
    ++i;
    while (i < text.size() && is_digit(text[i])) {
      digits += text[i++];
      ++frac_digits;
    }
    if (frac_digits == 0 || int_digits == 0) return price_error(required_message);
  }
  if (digits.empty()) return price_error(required_message);
  long exponent = 0;
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    bool exp_negative = false;
    if (i < text.size() && (text[i] == '-' || text[i] == '+')) exp_negative = text[i++] == '-';
    std::size_t const start = i;
    while (i < text.size() && is_digit(text[i]) && i - start < 6) exponent = exponent * 10 + (text[i++] - '0');
    if (i == start) return price_error(required_message);
    if (exp_negative) exponent = -exponent;
  }
  if (i != text.size()) return price_error(required_message);

  // value = digits * 10^(exponent - frac_digits); decimals after the point:
  long const scale = static_cast<long>(frac_digits) - exponent;
  // Strip trailing zeros of the fraction: "20.00" has 0 significant decimals.
  long effective_scale = scale;
  std::string significant = digits;
  while (effective_scale > 0 && !significant.empty() && significant.back() == '0') {
    significant.pop_back();
    --effective_scale;
  }
  bool all_zero = significant.find_first_not_of('0') == std::string::npos;
  if (all_zero || negative) return price_error(required_message);
  if (effective_scale > 2) return price_error("Price must have at most 2 decimal places");
  // cents = significant * 10^(2 - effective_scale)
  long const shift = 2 - effective_scale;
  std::size_t const first = significant.find_first_not_of('0');
  significant = significant.substr(first);
  if (static_cast<long>(significant.size()) + shift > 12) return price_error("Price must be at most 1000000");
  std::int64_t cents = 0;
  std::from_chars(significant.data(), significant.data() + significant.size(), cents);
  for (long k = 0; k < shift; ++k) cents *= 10;
  return validate_price(Money{cents}, required_message);
}

std::string format_units(Money m) {
  std::int64_t const whole = m.cents / 100;
  std::int64_t const frac = m.cents % 100;
  std::string out = std::to_string(whole);
  if (frac == 0) return out;
  out += '.';
  out += static_cast<char>('0' + frac / 10);
  if (frac % 10 != 0) out += static_cast<char>('0' + frac % 10);
  return out;
}

}  // namespace ticketing

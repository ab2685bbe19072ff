#pragma once
// E-mail addresses: validated and normalised so that uniqueness ignores case
// and Unicode composition: trimmed of white space, NFC, case-folded
// (text::fold). The normalised form is the user's partition key; what the
// user typed (trimmed) is kept for display.

#include <string>
#include <string_view>

#include "domain/result.hpp"

namespace ticketing {

class Email {
 public:
  // invalid_input "Email must be valid" (field "email") unless `text` is a
  // plausible address: one '@', a non-empty local part, a dotted domain, no
  // blanks or control characters, at most 254 characters.
  [[nodiscard]] static Result<Email> parse(std::string_view text);

  [[nodiscard]] std::string const& normalized() const noexcept { return value_; }
  [[nodiscard]] std::string const& display() const noexcept { return display_; }
  // Equal when the normalised forms are.
  friend bool operator==(Email const& a, Email const& b) noexcept { return a.value_ == b.value_; }

 private:
  Email(std::string value, std::string display) : value_(std::move(value)), display_(std::move(display)) {}
  std::string value_;
  std::string display_;
};

}  // namespace ticketing

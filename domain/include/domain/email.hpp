#pragma once
// E-mail addresses: validated and normalised (trimmed, lower-cased) so that
// uniqueness is case-insensitive. The normalised form is the user's partition key.

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
  friend bool operator==(Email const&, Email const&) = default;

 private:
  explicit Email(std::string value) : value_(std::move(value)) {}
  std::string value_;
};

}  // namespace ticketing

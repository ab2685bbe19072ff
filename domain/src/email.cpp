#include "domain/email.hpp"

#include <algorithm>

#include "domain/text.hpp"

namespace ticketing {

Result<Email> Email::parse(std::string_view text) {
  auto const invalid = [] { return make_error(ErrorCode::invalid_input, "Email must be valid", "email"); };
  if (!text::valid_utf8(text)) return invalid();
  text = text::trim(text);
  if (text.empty() || text.size() > 254) return invalid();
  auto const at = text.find('@');
  if (at == std::string_view::npos || at == 0 || at > 64 || text.find('@', at + 1) != std::string_view::npos) {
    return invalid();
  }
  std::string_view const domain = text.substr(at + 1);
  auto const dot = domain.rfind('.');
  if (domain.empty() || dot == std::string_view::npos || dot == 0 || dot + 2 > domain.size() || domain.front() == '-' ||
      domain.find("..") != std::string_view::npos) {
    return invalid();
  }
  auto const bad_char = [](char c) {
    auto const u = static_cast<unsigned char>(c);
    return u <= 0x20 || u == 0x7f || c == '<' || c == '>' || c == '(' || c == ')' || c == ',' || c == ';' || c == ':' ||
           c == '\\' || c == '"' || c == '[' || c == ']';
  };
  if (std::any_of(text.begin(), text.end(), bad_char)) return invalid();
  if (text::has_control(text)) return invalid();
  std::string normalized = text::fold(text);
  if (normalized.empty() || normalized.size() > 254) return invalid();
  return Email(std::move(normalized), std::string(text));
}

}  // namespace ticketing

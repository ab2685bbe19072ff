#pragma once
// The text rules every user-facing string follows, with Unicode's own
// definitions (ICU) of white space, control characters, normalisation and
// case. Input is UTF-8; a string that is not well-formed UTF-8 is refused by
// the callers (valid_utf8), never repaired silently.

#include <cstddef>
#include <string>
#include <string_view>

namespace ticketing::text {

[[nodiscard]] bool valid_utf8(std::string_view s) noexcept;

// Code points of well-formed UTF-8 (what a person counts as characters for
// the limits of the API; combining marks count on their own).
[[nodiscard]] std::size_t code_points(std::string_view s) noexcept;

// `s` without leading and trailing white space (Unicode's White_Space
// property: spaces, tabs, line breaks, no-break and ideographic spaces, ...).
[[nodiscard]] std::string_view trim(std::string_view s) noexcept;

// True if `s` holds a control character (general category Cc: C0, DEL, C1),
// which has no place in a single-line text such as a title.
[[nodiscard]] bool has_control(std::string_view s) noexcept;

// The form two strings are compared in when case and composition must not
// matter (e-mail addresses): NFC, full case folding, NFC again. Empty if `s`
// is not well-formed UTF-8.
[[nodiscard]] std::string fold(std::string_view s);

// ASCII-only case-insensitive comparison, for protocol tokens (header names,
// paths, schemes), where Unicode case rules must not apply.
[[nodiscard]] bool iequals_ascii(std::string_view a, std::string_view b) noexcept;
[[nodiscard]] constexpr char lower_ascii(char c) noexcept {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

}  // namespace ticketing::text

#include "domain/text.hpp"

#include <cstdint>
#include <cstring>
#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>
#include <unicode/utf8.h>

namespace ticketing::text {
namespace {

// Calls f(code point, start, end) for each code point of `s`; false if `s`
// is not well-formed UTF-8 (f is not called past the fault).
template <class F>
bool each_code_point(std::string_view s, F&& f) {
  auto const* bytes = reinterpret_cast<std::uint8_t const*>(s.data());
  auto const length = static_cast<std::int32_t>(s.size());
  std::int32_t i = 0;
  while (i < length) {
    std::int32_t const start = i;
    UChar32 c = 0;
    U8_NEXT(bytes, i, length, c);
    if (c < 0) return false;
    if (!f(c, static_cast<std::size_t>(start), static_cast<std::size_t>(i))) return true;
  }
  return true;
}

bool is_space(UChar32 c) { return u_hasBinaryProperty(c, UCHAR_WHITE_SPACE) != 0; }

bool is_ascii(std::string_view s) noexcept {
  std::uint64_t high = 0;  // the bytes' top bits, eight bytes at a time
  std::size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    std::uint64_t word = 0;
    std::memcpy(&word, s.data() + i, 8);
    high |= word;
  }
  for (; i < s.size(); ++i) high |= static_cast<unsigned char>(s[i]);
  return (high & 0x8080808080808080ULL) == 0;
}

}  // namespace

bool valid_utf8(std::string_view s) noexcept {
  if (is_ascii(s)) return true;  // most text is: checked without decoding it
  if (s.size() > static_cast<std::size_t>(INT32_MAX)) return false;
  return each_code_point(s, [](UChar32, std::size_t, std::size_t) { return true; });
}

std::size_t code_points(std::string_view s) noexcept {
  std::size_t n = 0;
  for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80 ? 1 : 0;
  return n;
}

std::string_view trim(std::string_view s) noexcept {
  std::size_t first = s.size(), last = 0;
  each_code_point(s, [&](UChar32 c, std::size_t start, std::size_t end) {
    if (!is_space(c)) {
      if (first == s.size()) first = start;
      last = end;
    }
    return true;
  });
  return first == s.size() ? std::string_view() : s.substr(first, last - first);
}

bool has_control(std::string_view s) noexcept {
  bool control = false;
  each_code_point(s, [&](UChar32 c, std::size_t, std::size_t) {
    control = u_charType(c) == U_CONTROL_CHAR;
    return !control;
  });
  return control;
}

std::string fold(std::string_view s) {
  if (!valid_utf8(s)) return {};
  UErrorCode status = U_ZERO_ERROR;
  icu::Normalizer2 const* nfc = icu::Normalizer2::getNFCInstance(status);
  if (U_FAILURE(status)) return {};
  icu::UnicodeString text =
      icu::UnicodeString::fromUTF8(icu::StringPiece(s.data(), static_cast<std::int32_t>(s.size())));
  icu::UnicodeString folded = nfc->normalize(text, status);
  folded.foldCase(U_FOLD_CASE_DEFAULT);
  folded = nfc->normalize(folded, status);
  if (U_FAILURE(status)) return {};
  std::string out;
  folded.toUTF8String(out);
  return out;
}

bool iequals_ascii(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (lower_ascii(a[i]) != lower_ascii(b[i])) return false;
  }
  return true;
}

}  // namespace ticketing::text

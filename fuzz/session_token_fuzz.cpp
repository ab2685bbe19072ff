// The session token parser: only a token this key signed (HS256) and not
// expired is accepted; anything else, however shaped, is anonymous.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "api/auth.hpp"

using namespace ticketing;

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
  static api::TokenSigner const signer("fuzz-key-0123456789abcdef0123456789abcdef");
  std::string_view const token(reinterpret_cast<char const*>(data), size);
  Instant const now = from_millis(1'800'000'000'000);
  if (auto claims = signer.verify(token, now)) {
    // Accepted: what was signed (header and claims) is exactly what this key
    // signs for those claims; only a signature can vindicate a token.
    std::string const resigned = signer.sign(*claims);
    auto const signed_part = [](std::string_view t) { return t.substr(0, t.rfind('.')); };
    if (signed_part(resigned) != signed_part(token)) __builtin_trap();
  }
  return 0;
}

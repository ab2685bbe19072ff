// Session tokens: a token verified once is found again by its whole text
// only, its expiry is checked on every use, and many threads verify at once.

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include <doctest/doctest.h>

#include "api/auth.hpp"

using namespace ticketing;
using ticketing::api::SessionClaims;
using ticketing::api::TokenSigner;

namespace {

Instant const kNow = from_millis(1'800'000'000'000);
std::int64_t const kNowSeconds = 1'800'000'000;

SessionClaims claims(int n, std::int64_t lifetime_s = 3600) {
  std::string const id = std::to_string(n);
  return {"user-" + id, "user" + id + "@example.com", "session-" + id, kNowSeconds, kNowSeconds + lifetime_s};
}

// The token with its character at `at` (from the end when negative) changed.
std::string with_changed_char(std::string token, std::ptrdiff_t at) {
  auto const i = static_cast<std::size_t>(at < 0 ? static_cast<std::ptrdiff_t>(token.size()) + at : at);
  token[i] = token[i] == 'A' ? 'B' : 'A';
  return token;
}

}  // namespace

TEST_CASE("a token verifies the same way every time, and is refused once it expires") {
  TokenSigner signer("test-key-0123456789abcdef0123456789abcdef");
  std::string const token = signer.sign(claims(1, 60));
  for (int i = 0; i < 3; ++i) {
    auto const verified = signer.verify(token, kNow);
    REQUIRE(verified.has_value());
    CHECK(verified->user_id == "user-1");
    CHECK(verified->email == "user1@example.com");
    CHECK(verified->session_id == "session-1");
    CHECK(verified->expires_at == kNowSeconds + 60);
  }
  // Verified (and so remembered) above: its expiry still holds.
  CHECK_FALSE(signer.verify(token, kNow + std::chrono::seconds(60)).has_value());
  CHECK_FALSE(signer.verify(token, kNow + std::chrono::hours(24)).has_value());
  CHECK(signer.verify(token, kNow + std::chrono::seconds(59)).has_value());
}

TEST_CASE("a verified token's altered copies are refused") {
  TokenSigner signer("test-key-0123456789abcdef0123456789abcdef");
  std::string const token = signer.sign(claims(2));
  REQUIRE(signer.verify(token, kNow).has_value());
  CHECK_FALSE(signer.verify(with_changed_char(token, -1), kNow).has_value());  // the signature's last character
  CHECK_FALSE(signer.verify(with_changed_char(token, 0), kNow).has_value());   // the header's first
  CHECK_FALSE(signer.verify(token.substr(0, token.size() - 1), kNow).has_value());
  CHECK_FALSE(signer.verify(token + "A", kNow).has_value());
  CHECK_FALSE(signer.verify(token.substr(0, token.rfind('.') + 1), kNow).has_value());
  CHECK(signer.verify(token, kNow).has_value());
}

TEST_CASE("the comparison of remembered tokens tells apart texts that differ in any one bit, of any length") {
  // A changed token rarely meets the remembered one (its slot is chosen by a
  // hash of its text): the comparison itself is checked here.
  for (std::size_t length = 0; length <= 41; ++length) {
    std::string text;
    for (std::size_t i = 0; i < length; ++i) text += static_cast<char>('a' + static_cast<char>(i % 26));
    CHECK(api::equal_in_constant_time(text, std::string(text)));
    for (std::size_t at = 0; at < length; ++at) {
      for (int bit = 0; bit < 8; ++bit) {
        std::string other = text;
        other[at] = static_cast<char>(other[at] ^ (1 << bit));
        CHECK_FALSE_MESSAGE(api::equal_in_constant_time(text, other), "length " << length << " at " << at);
      }
    }
    CHECK_FALSE(api::equal_in_constant_time(text, text + "a"));
    CHECK_FALSE(api::equal_in_constant_time(text + "a", text));
  }
}

TEST_CASE("a token verified by one key is refused by another") {
  TokenSigner ours("test-key-0123456789abcdef0123456789abcdef");
  TokenSigner theirs("other-key-0123456789abcdef0123456789abcde");
  std::string const token = ours.sign(claims(3));
  REQUIRE(ours.verify(token, kNow).has_value());
  CHECK_FALSE(theirs.verify(token, kNow).has_value());
  std::string const their_token = theirs.sign(claims(3));
  REQUIRE(theirs.verify(their_token, kNow).has_value());
  CHECK_FALSE(ours.verify(their_token, kNow).has_value());
}

TEST_CASE("more sessions than the signer remembers all verify, each as itself") {
  TokenSigner signer("test-key-0123456789abcdef0123456789abcdef");
  std::vector<std::string> tokens;
  tokens.reserve(10'000);
  for (int n = 0; n < 10'000; ++n) tokens.push_back(signer.sign(claims(n)));
  for (int round = 0; round < 2; ++round) {
    for (int n = 0; n < 10'000; ++n) {
      auto const verified = signer.verify(tokens[static_cast<std::size_t>(n)], kNow);
      REQUIRE(verified.has_value());
      REQUIRE(verified->user_id == "user-" + std::to_string(n));
    }
  }
}

TEST_CASE("concurrent verifications of shared tokens, genuine and forged, each get their own answer") {
  TokenSigner signer("test-key-0123456789abcdef0123456789abcdef");
  std::vector<std::string> tokens;
  tokens.reserve(64);
  for (int n = 0; n < 64; ++n) tokens.push_back(signer.sign(claims(n)));
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  threads.reserve(4);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 2'000; ++i) {
        auto const n = static_cast<std::size_t>((i * 7 + t) % 64);
        auto const genuine = signer.verify(tokens[n], kNow);
        if (!genuine || genuine->user_id != "user-" + std::to_string(n)) ++wrong;
        if (signer.verify(with_changed_char(tokens[n], -2), kNow)) ++wrong;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  CHECK(wrong.load() == 0);
}

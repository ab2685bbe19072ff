#include <array>
#include <cstdint>
#include <cstring>
#include <functional>
#include <mutex>

#include <simdjson.h>
#include <sodium.h>

#include "api/auth.hpp"
#include "encoding/json_writer.hpp"

namespace ticketing::api {
namespace {

std::string base64url(std::string_view bytes) {
  std::string out(sodium_base64_encoded_len(bytes.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<unsigned char const*>(bytes.data()), bytes.size(),
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  out.resize(out.size() - 1);  // the terminating NUL
  return out;
}

std::optional<std::string> from_base64url(std::string_view text) {
  std::string out(text.size(), '\0');
  std::size_t len = 0;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(), text.size(), nullptr,
                        &len, nullptr, sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0) {
    return std::nullopt;
  }
  out.resize(len);
  return out;
}

std::string hmac(std::string const& key, std::string_view message) {
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_state state;
  crypto_auth_hmacsha256_init(&state, reinterpret_cast<unsigned char const*>(key.data()), key.size());
  crypto_auth_hmacsha256_update(&state, reinterpret_cast<unsigned char const*>(message.data()), message.size());
  crypto_auth_hmacsha256_final(&state, mac);
  return {reinterpret_cast<char const*>(mac), sizeof mac};
}

constexpr std::string_view kHeader = R"({"alg":"HS256","typ":"JWT"})";

}  // namespace

// Every byte is compared, eight at a time, and the differences gathered with
// no branch on them (libsodium's sodium_memcmp does the same a byte at a
// time, which was most of the check of a remembered token).
bool equal_in_constant_time(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;  // lengths are not secret
  std::uint64_t differ = 0;
  std::size_t i = 0;
  for (; i + 8 <= a.size(); i += 8) {
    std::uint64_t x = 0, y = 0;
    std::memcpy(&x, a.data() + i, 8);
    std::memcpy(&y, b.data() + i, 8);
    differ |= x ^ y;
  }
  for (; i < a.size(); ++i) differ |= static_cast<std::uint8_t>(a[i] ^ b[i]);
  // Keeps the compiler from reasoning about `differ` to end the loop early.
  __asm__("" : "+r"(differ));
  return differ == 0;
}

// A bounded table of the tokens this signer verified, with their claims:
// every request of a session carries the same token, and checking its
// signature (base64 decoding, HMAC-SHA256, two JSON parses) is most of what
// admitting a request that is refused anyway costs. A token's slot is given
// by a hash of its text; a slot holds one token, and a newer one replaces it.
// A token is found only by its whole text, compared in constant time, so a
// forged token learns nothing from the table, and only verified tokens enter
// it. The expiry, the one check that depends on the time, is made on every
// use. At most kSlots tokens (4,096 of at most 4 KiB each; a few hundred
// bytes in practice).
class TokenSigner::Verified {
 public:
  std::optional<SessionClaims> find(std::string_view token) {
    Slot& slot = slot_of(token);
    std::lock_guard lock(slot.mutex);
    if (slot.token.empty() || !equal_in_constant_time(slot.token, token)) {
      return std::nullopt;
    }
    return slot.claims;
  }

  void keep(std::string_view token, SessionClaims const& claims) {
    Slot& slot = slot_of(token);
    std::lock_guard lock(slot.mutex);
    slot.token.assign(token);
    slot.claims = claims;
  }

 private:
  static constexpr std::size_t kSlots = 4096;
  struct Slot {
    std::mutex mutex;
    std::string token;
    SessionClaims claims;
  };
  Slot& slot_of(std::string_view token) { return slots_[std::hash<std::string_view>{}(token) % kSlots]; }
  std::array<Slot, kSlots> slots_;
};

TokenSigner::TokenSigner(std::string key) : key_(std::move(key)), verified_(std::make_unique<Verified>()) {}
TokenSigner::~TokenSigner() = default;

std::string TokenSigner::sign(SessionClaims const& c) const {
  JsonWriter payload;
  payload.begin_object();
  payload.key("id").string(c.user_id).key("email").string(c.email).key("sid").string(c.session_id);
  payload.key("iat").number(c.issued_at).key("exp").number(c.expires_at);
  payload.end_object();
  std::string token = base64url(kHeader) + "." + base64url(payload.str());
  std::string const signature = base64url(hmac(key_, token));
  return token + "." + signature;
}

std::optional<SessionClaims> TokenSigner::verify(std::string_view token, Instant now) const {
  if (token.size() > 4096) return std::nullopt;
  auto const now_s = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  if (auto known = verified_->find(token)) {
    if (known->expires_at <= now_s) return std::nullopt;
    return known;
  }
  auto const first = token.find('.');
  auto const second = token.find('.', first == std::string_view::npos ? 0 : first + 1);
  if (first == std::string_view::npos || second == std::string_view::npos) return std::nullopt;
  std::string_view const signing_input = token.substr(0, second);
  auto const signature = from_base64url(token.substr(second + 1));
  std::string const expected = hmac(key_, signing_input);
  if (!signature || signature->size() != expected.size() ||
      sodium_memcmp(signature->data(), expected.data(), expected.size()) != 0) {
    return std::nullopt;
  }
  auto const header = from_base64url(token.substr(0, first));
  auto const payload = from_base64url(token.substr(first + 1, second - first - 1));
  if (!header || !payload) return std::nullopt;

  thread_local simdjson::dom::parser parser;  // reused: its buffers are allocated once per thread
  simdjson::dom::element h;
  std::string_view alg;
  if (parser.parse(*header).get(h) || h["alg"].get_string().get(alg) || alg != "HS256") return std::nullopt;
  simdjson::dom::element p;
  SessionClaims c;
  std::string_view id, email, sid;
  if (parser.parse(*payload).get(p) || p["id"].get_string().get(id) || p["email"].get_string().get(email) ||
      p["sid"].get_string().get(sid) || p["iat"].get_int64().get(c.issued_at) ||
      p["exp"].get_int64().get(c.expires_at)) {
    return std::nullopt;
  }
  if (c.expires_at <= now_s) return std::nullopt;
  c.user_id = id;
  c.email = email;
  c.session_id = sid;
  verified_->keep(token, c);
  return c;
}

std::string random_hex(std::size_t bytes) {
  std::string raw(bytes, '\0');
  randombytes_buf(raw.data(), raw.size());
  std::string hex(bytes * 2 + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), reinterpret_cast<unsigned char const*>(raw.data()), raw.size());
  hex.pop_back();
  return hex;
}

bool init_crypto() { return sodium_init() >= 0; }

}  // namespace ticketing::api

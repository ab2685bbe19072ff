#pragma once
// Authentication: session tokens (HS256 JWT, libsodium HMAC-SHA256),
// password hashes (Argon2id, libsodium crypto_pwhash) with a bounded queue,
// and the limits on sign-up and sign-in attempts. The key and passwords are never logged.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "api/background.hpp"
#include "api/rate_limit.hpp"
#include "domain/result.hpp"
#include "domain/time.hpp"
#include "domain/user.hpp"

namespace ticketing::api {

struct SessionClaims {
  std::string user_id, email, session_id;
  std::int64_t issued_at{0};   // seconds since epoch
  std::int64_t expires_at{0};  // seconds since epoch
};

class TokenSigner {
 public:
  explicit TokenSigner(std::string key);
  ~TokenSigner();
  TokenSigner(TokenSigner const&) = delete;
  TokenSigner& operator=(TokenSigner const&) = delete;

  [[nodiscard]] std::string sign(SessionClaims const& claims) const;
  // The claims of a token signed with this key, with header alg HS256 and not
  // expired at `now`; nullopt for anything else (tampered, alg none, expired).
  // Safe to call from many threads at once.
  [[nodiscard]] std::optional<SessionClaims> verify(std::string_view token, Instant now) const;

 private:
  std::string key_;
  // The tokens whose signature was checked lately, so that a session's next
  // request is not checked again (tokens.cpp); bounded.
  class Verified;
  std::unique_ptr<Verified> verified_;
};

// Argon2id cost: interactive (the default, ~70 ms and 64 MiB per hash),
// moderate, sensitive, or minimum (for tests only).
struct PasswordCost {
  unsigned long long ops;
  std::size_t mem;
  [[nodiscard]] static std::optional<PasswordCost> named(std::string_view name);
};

// Password hashing has its own bounded queue: at most `concurrency` hashes
// run at once (each takes `cost.mem` memory) and at most `max_waiting` wait;
// beyond that a call is refused at once (unavailable, retry after 1 s), so a
// burst of sign-ups cannot occupy the threads other writes need.
class PasswordHasher {
 public:
  PasswordHasher(PasswordCost cost, int concurrency, int max_waiting);
  [[nodiscard]] Result<std::string> hash(std::string const& password);
  [[nodiscard]] Result<bool> verify(std::string const& hash, std::string const& password);
  // Spends the time of a verification, for an unknown account, so that
  // timing does not tell which e-mails exist. Always false.
  [[nodiscard]] Result<bool> verify_dummy(std::string const& password);

 private:
  class Slot;
  PasswordCost cost_;
  int concurrency_;
  int max_waiting_;
  std::mutex mutex_;
  std::condition_variable cv_;
  int running_{0};
  int waiting_{0};
  std::string dummy_hash_;
};

// The limits on sign-ups and sign-ins, each a reservation taken before the
// password is hashed or checked, and where failed sign-ins are recorded.
struct AuthLimits {
  explicit AuthLimits(std::size_t signups_per_address_per_hour)
      : signups_by_address(signups_per_address_per_hour, std::chrono::hours(1)) {}
  // Many people may share one address (NAT): higher than an account's limit.
  RateLimit signin_failures_by_address{50, std::chrono::minutes(15)};
  // Slots only: an account's failures are kept in its stream (user::State).
  RateLimit signins_by_account{user::kMaxSignInFailures, user::kSignInFailureWindow};
  RateLimit signups_by_address;
  Background recorder{1024};
};

// Initialises the cryptography library (libsodium); call once before any of
// the above. False if it cannot be used.
[[nodiscard]] bool init_crypto();

// Random bytes as lowercase hex (libsodium's CSPRNG).
[[nodiscard]] std::string random_hex(std::size_t bytes);

// Whether `a` and `b` are equal, in a time that depends on their lengths
// only (never on where they differ): for comparing secrets.
[[nodiscard]] bool equal_in_constant_time(std::string_view a, std::string_view b) noexcept;

}  // namespace ticketing::api

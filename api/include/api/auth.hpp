#pragma once
// Authentication: session tokens (HS256 JWT, libsodium HMAC-SHA256),
// password hashes (Argon2id, libsodium crypto_pwhash), and sign-in throttling
// per client address. The key and passwords are never logged.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "domain/time.hpp"

namespace ticketing::api {

struct SessionClaims {
  std::string user_id, email, session_id;
  std::int64_t issued_at{0};   // seconds since epoch
  std::int64_t expires_at{0};  // seconds since epoch
};

class TokenSigner {
 public:
  explicit TokenSigner(std::string key) : key_(std::move(key)) {}
  [[nodiscard]] std::string sign(SessionClaims const& claims) const;
  // The claims of a token signed with this key, with header alg HS256 and not
  // expired at `now`; nullopt for anything else (tampered, alg none, expired).
  [[nodiscard]] std::optional<SessionClaims> verify(std::string_view token, Instant now) const;

 private:
  std::string key_;
};

// Argon2id cost: interactive (the default, ~70 ms and 64 MiB per hash),
// moderate, sensitive, or minimum (for tests only).
struct PasswordCost {
  unsigned long long ops;
  std::size_t mem;
  [[nodiscard]] static std::optional<PasswordCost> named(std::string_view name);
};

class PasswordHasher {
 public:
  // At most `concurrency` hashes run at once (each takes `cost.mem` memory).
  PasswordHasher(PasswordCost cost, int concurrency);
  [[nodiscard]] std::optional<std::string> hash(std::string const& password);
  [[nodiscard]] bool verify(std::string const& hash, std::string const& password);
  // Spends the time of a verification, for an unknown account, so that
  // timing does not tell which e-mails exist.
  void verify_dummy(std::string const& password);

 private:
  class Slot;
  PasswordCost cost_;
  int concurrency_;
  std::mutex mutex_;
  std::condition_variable cv_;
  int running_{0};
  std::string dummy_hash_;
};

// Sign-in failures per client address: at most `max_failures` in `window`;
// beyond that, attempts are refused until the oldest failure ages out.
class SigninThrottle {
 public:
  SigninThrottle(std::size_t max_failures, Duration window, std::size_t max_addresses = 100'000);
  // Seconds to wait, or nullopt when an attempt is allowed now.
  [[nodiscard]] std::optional<std::int64_t> retry_after(std::string const& address, Instant now);
  void record_failure(std::string const& address, Instant now);

 private:
  std::size_t max_failures_;
  Duration window_;
  std::size_t max_addresses_;
  std::mutex mutex_;
  std::unordered_map<std::string, std::deque<Instant>> failures_;
};

// Random bytes as lowercase hex (libsodium's CSPRNG).
[[nodiscard]] std::string random_hex(std::size_t bytes);

}  // namespace ticketing::api

#include <sodium.h>

#include "api/auth.hpp"

namespace ticketing::api {

std::optional<PasswordCost> PasswordCost::named(std::string_view name) {
  if (name == "interactive")
    return PasswordCost{crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE};
  if (name == "moderate") return PasswordCost{crypto_pwhash_OPSLIMIT_MODERATE, crypto_pwhash_MEMLIMIT_MODERATE};
  if (name == "sensitive") return PasswordCost{crypto_pwhash_OPSLIMIT_SENSITIVE, crypto_pwhash_MEMLIMIT_SENSITIVE};
  if (name == "minimum") return PasswordCost{crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN};
  return std::nullopt;
}

// Holds one of the hasher's concurrency slots for its lifetime, or is
// refused (admitted() false) when the queue is full.
class PasswordHasher::Slot {
 public:
  explicit Slot(PasswordHasher& h) : h_(h) {
    std::unique_lock lock(h_.mutex_);
    if (h_.running_ >= h_.concurrency_ && h_.waiting_ >= h_.max_waiting_) return;
    ++h_.waiting_;
    h_.cv_.wait(lock, [&] { return h_.running_ < h_.concurrency_; });
    --h_.waiting_;
    ++h_.running_;
    admitted_ = true;
  }
  ~Slot() {
    if (!admitted_) return;
    {
      std::lock_guard lock(h_.mutex_);
      --h_.running_;
    }
    h_.cv_.notify_one();
  }
  Slot(Slot const&) = delete;
  Slot& operator=(Slot const&) = delete;
  [[nodiscard]] bool admitted() const noexcept { return admitted_; }

 private:
  PasswordHasher& h_;
  bool admitted_{false};
};

namespace {

Error busy() {
  Error e = make_error(ErrorCode::unavailable, "Too many sign-ups and sign-ins at once, try again shortly");
  e.retry_after_seconds = 1;
  return e;
}

}  // namespace

PasswordHasher::PasswordHasher(PasswordCost cost, int concurrency, int max_waiting)
    : cost_(cost), concurrency_(concurrency), max_waiting_(max_waiting) {
  if (auto made = hash(random_hex(16))) dummy_hash_ = std::move(*made);
}

Result<std::string> PasswordHasher::hash(std::string const& password) {
  Slot slot(*this);
  if (!slot.admitted()) return busy();
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str(out, password.data(), password.size(), cost_.ops, cost_.mem) != 0) {
    return make_error(ErrorCode::internal, "password hashing failed");
  }
  return std::string(out);
}

Result<bool> PasswordHasher::verify(std::string const& hash, std::string const& password) {
  Slot slot(*this);
  if (!slot.admitted()) return busy();
  return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

Result<bool> PasswordHasher::verify_dummy(std::string const& password) {
  auto const checked = verify(dummy_hash_, password);
  if (!checked) return checked.error();
  return false;
}

}  // namespace ticketing::api

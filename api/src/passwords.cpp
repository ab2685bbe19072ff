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

// Holds one of the hasher's concurrency slots for its lifetime.
class PasswordHasher::Slot {
 public:
  explicit Slot(PasswordHasher& h) : h_(h) {
    std::unique_lock lock(h_.mutex_);
    h_.cv_.wait(lock, [&] { return h_.running_ < h_.concurrency_; });
    ++h_.running_;
  }
  ~Slot() {
    {
      std::lock_guard lock(h_.mutex_);
      --h_.running_;
    }
    h_.cv_.notify_one();
  }
  Slot(Slot const&) = delete;
  Slot& operator=(Slot const&) = delete;

 private:
  PasswordHasher& h_;
};

PasswordHasher::PasswordHasher(PasswordCost cost, int concurrency) : cost_(cost), concurrency_(concurrency) {
  dummy_hash_ = hash(random_hex(16)).value_or(std::string());
}

std::optional<std::string> PasswordHasher::hash(std::string const& password) {
  Slot slot(*this);
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str(out, password.data(), password.size(), cost_.ops, cost_.mem) != 0) return std::nullopt;
  return std::string(out);
}

bool PasswordHasher::verify(std::string const& hash, std::string const& password) {
  Slot slot(*this);
  return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

void PasswordHasher::verify_dummy(std::string const& password) { (void)verify(dummy_hash_, password); }

SigninThrottle::SigninThrottle(std::size_t max_failures, Duration window, std::size_t max_addresses)
    : max_failures_(max_failures), window_(window), max_addresses_(max_addresses) {}

std::optional<std::int64_t> SigninThrottle::retry_after(std::string const& address, Instant now) {
  std::lock_guard lock(mutex_);
  auto it = failures_.find(address);
  if (it == failures_.end()) return std::nullopt;
  auto& q = it->second;
  while (!q.empty() && q.front() + window_ <= now) q.pop_front();
  if (q.size() < max_failures_) return std::nullopt;
  auto const wait = std::chrono::duration_cast<std::chrono::milliseconds>(q.front() + window_ - now).count();
  return (wait + 999) / 1000;
}

void SigninThrottle::record_failure(std::string const& address, Instant now) {
  std::lock_guard lock(mutex_);
  if (failures_.size() >= max_addresses_ && !failures_.contains(address)) {
    // Bounded memory: forget addresses whose failures have all aged out, or
    // else an arbitrary one.
    for (auto it = failures_.begin(); it != failures_.end();) {
      it = (it->second.empty() || it->second.back() + window_ <= now) ? failures_.erase(it) : std::next(it);
    }
    if (failures_.size() >= max_addresses_) failures_.erase(failures_.begin());
  }
  auto& q = failures_[address];
  q.push_back(now);
  while (q.size() > max_failures_) q.pop_front();
}

}  // namespace ticketing::api

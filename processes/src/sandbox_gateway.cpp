#include "processes/sandbox_gateway.hpp"

#include <algorithm>
#include <array>
#include <string_view>

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include "eventstore/small_store.hpp"

namespace ticketing {
namespace {

// Layout: k<idempotency key> -> outcome | gateway id | 0x1f | message | 0x1f | code
//         c<our charge id>   -> gateway id of the successful charge
//         g<gateway id>      -> our charge id
//         r<refund key>      -> refund id

struct Decline {
  std::string_view token, code, message;
};

constexpr std::array<std::string_view, 9> kSucceeding{
    "tok_visa",       "tok_mastercard",       "tok_amex",  "tok_discover", "tok_jcb", "tok_unionpay",
    "tok_visa_debit", "tok_mastercard_debit", "tok_diners"};

constexpr std::array<Decline, 6> kDeclines{{
    {"tok_chargeDeclined", "card_declined", "Your card was declined."},
    {"tok_chargeDeclinedInsufficientFunds", "insufficient_funds", "Your card has insufficient funds."},
    {"tok_chargeDeclinedFraudulent", "fraudulent", "Your card was declined."},
    {"tok_chargeDeclinedIncorrectCvc", "incorrect_cvc", "Your card's security code is incorrect."},
    {"tok_chargeDeclinedExpiredCard", "expired_card", "Your card has expired."},
    {"tok_chargeDeclinedProcessingError", "processing_error",
     "An error occurred while processing your card. Try again in a little bit."},
}};

Error storage_error(rocksdb::Status const& s) { return ticketing::storage_error("sandbox gateway storage", s); }

rocksdb::WriteOptions synced() {
  rocksdb::WriteOptions w;
  w.sync = true;
  return w;
}

std::string encode(ChargeResult const& r) {
  std::string v(1, static_cast<char>('0' + static_cast<int>(r.outcome)));
  v += r.gateway_id + '\x1f' + r.message + '\x1f' + r.code;
  return v;
}

ChargeResult decode(std::string_view v) {
  ChargeResult r;
  if (v.empty()) return r;
  r.outcome = static_cast<ChargeResult::Outcome>(v.front() - '0');
  v.remove_prefix(1);
  auto const a = v.find('\x1f');
  auto const b = v.find('\x1f', a == std::string_view::npos ? v.size() : a + 1);
  if (a == std::string_view::npos || b == std::string_view::npos) return ChargeResult{};
  r.gateway_id = v.substr(0, a);
  r.message = v.substr(a + 1, b - a - 1);
  r.code = v.substr(b + 1);
  return r;
}

ChargeResult decide(ChargeRequest const& request) {
  if (std::find(kSucceeding.begin(), kSucceeding.end(), request.token) != kSucceeding.end()) {
    // One gateway id per charge of ours: unique, and the same after a restart.
    return ChargeResult{ChargeResult::Outcome::succeeded, "ch_sandbox_" + request.charge_id, {}, {}};
  }
  if (auto d =
          std::find_if(kDeclines.begin(), kDeclines.end(), [&](Decline const& x) { return x.token == request.token; });
      d != kDeclines.end()) {
    return ChargeResult{ChargeResult::Outcome::declined, {}, std::string(d->message), std::string(d->code)};
  }
  return ChargeResult{ChargeResult::Outcome::invalid, {}, "No such token: '" + request.token + "'", "resource_missing"};
}

}  // namespace

Result<std::unique_ptr<SandboxGateway>> SandboxGateway::open(std::string const& path, rocksdb::Env* env) {
  auto db = open_small_store(path, "sandbox gateway storage", env);
  if (!db) return db.error();
  return std::unique_ptr<SandboxGateway>(new SandboxGateway(std::move(*db)));
}

SandboxGateway::SandboxGateway(std::unique_ptr<rocksdb::DB> db) : db_(std::move(db)) {}

SandboxGateway::~SandboxGateway() {
  if (db_) db_->Close();
}

ChargeResult SandboxGateway::charge(ChargeRequest const& request) {
  if (request.token == "tok_sandboxUnreachable") return ChargeResult{ChargeResult::Outcome::unreachable, {}, {}, {}};
  std::lock_guard lock(mutex_);
  std::string const key = "k" + request.idempotency_key;
  std::string stored;
  auto const found = db_->Get(rocksdb::ReadOptions(), key, &stored);
  if (found.ok()) return decode(stored);
  if (!found.IsNotFound()) return ChargeResult{};  // cannot tell: unknown
  ChargeResult result = decide(request);
  rocksdb::WriteBatch batch;
  batch.Put(key, encode(result));
  if (result.outcome == ChargeResult::Outcome::succeeded) {
    batch.Put("c" + request.charge_id, result.gateway_id);
    batch.Put("g" + result.gateway_id, request.charge_id);
  }
  if (!db_->Write(synced(), &batch).ok()) return ChargeResult{};  // nothing kept, nothing charged: unknown
  return result;
}

Result<std::string> SandboxGateway::refund(std::string const& gateway_charge_id, std::string const& idempotency_key) {
  std::lock_guard lock(mutex_);
  std::string value;
  auto const refunded = db_->Get(rocksdb::ReadOptions(), "r" + idempotency_key, &value);
  if (refunded.ok()) return value;
  if (!refunded.IsNotFound()) return storage_error(refunded);
  auto const charged = db_->Get(rocksdb::ReadOptions(), "g" + gateway_charge_id, &value);
  if (charged.IsNotFound()) return make_error(ErrorCode::not_found, "No such charge: '" + gateway_charge_id + "'");
  if (!charged.ok()) return storage_error(charged);
  std::string const id = "re_sandbox_" + value;
  if (auto const s = db_->Put(synced(), "r" + idempotency_key, id); !s.ok()) return storage_error(s);
  return id;
}

Result<std::optional<std::string>> SandboxGateway::find_charge(std::string const& charge_id) {
  std::string value;
  auto const s = db_->Get(rocksdb::ReadOptions(), "c" + charge_id, &value);
  if (s.IsNotFound()) return std::optional<std::string>();
  if (!s.ok()) return storage_error(s);
  return std::optional<std::string>(std::move(value));
}

std::size_t SandboxGateway::successful_charges() const {
  std::lock_guard lock(mutex_);
  std::size_t n = 0;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  for (it->Seek("c"); it->Valid() && it->key().starts_with("c"); it->Next()) ++n;
  return n;
}

}  // namespace ticketing

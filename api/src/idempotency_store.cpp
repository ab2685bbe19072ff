#include "api/idempotency_store.hpp"

#include <charconv>
#include <functional>

#include "encoding/byte_order.hpp"

namespace ticketing::api {
namespace {

void put_str(std::string& out, std::string const& s) {
  bytes::put_be64(out, s.size());
  out += s;
}
bool get_str(std::string_view& in, std::string& s) {
  if (in.size() < 8) return false;
  auto const n = bytes::get_be64(in);
  in.remove_prefix(8);
  if (in.size() < n) return false;
  s.assign(in.substr(0, n));
  in.remove_prefix(n);
  return true;
}

}  // namespace

std::optional<HttpResponse> IdempotencyStore::find(std::string const& slot, Instant now) const {
  auto const value = store_.find(slot, now);
  if (!value || value->size() < 8) return std::nullopt;
  std::string_view in = *value;
  HttpResponse r;
  r.status = static_cast<int>(bytes::get_be64(in));
  in.remove_prefix(8);
  std::string count_text;
  if (!get_str(in, r.body) || !get_str(in, count_text)) return std::nullopt;
  std::size_t headers = 0;  // a damaged record is no record, never an exception
  auto const [end, fault] = std::from_chars(count_text.data(), count_text.data() + count_text.size(), headers);
  if (fault != std::errc() || end != count_text.data() + count_text.size()) return std::nullopt;
  for (std::size_t i = 0; i < headers; ++i) {
    std::string name, v;
    if (!get_str(in, name) || !get_str(in, v)) return std::nullopt;
    r.headers.emplace_back(std::move(name), std::move(v));
  }
  return r;
}

void IdempotencyStore::store(std::string const& slot, HttpResponse const& response, Instant now) {
  std::string value;
  bytes::put_be64(value, static_cast<std::uint64_t>(response.status));
  put_str(value, response.body);
  put_str(value, std::to_string(response.headers.size()));
  for (auto const& [name, v] : response.headers) {
    put_str(value, name);
    put_str(value, v);
  }
  (void)store_.store(slot, value, now);  // not remembered: a repeat runs again, and the log dedups its commits
}

std::mutex& IdempotencyStore::lock(std::string const& slot) {
  return locks_[std::hash<std::string>{}(slot) % locks_.size()];
}

}  // namespace ticketing::api

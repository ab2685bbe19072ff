#include "gateway_standin.hpp"

#include <atomic>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <sys/socket.h>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace ticketing::testing {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

std::string percent_decode(std::string_view in) {
  std::string out;
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '+') {
      out += ' ';
    } else if (in[i] == '%' && i + 2 < in.size()) {
      out += static_cast<char>(std::stoi(std::string(in.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      out += in[i];
    }
  }
  return out;
}

std::map<std::string, std::string> form(std::string_view body) {
  std::map<std::string, std::string> fields;
  while (!body.empty()) {
    auto const amp = body.find('&');
    std::string_view pair = body.substr(0, amp);
    auto const eq = pair.find('=');
    if (eq != std::string_view::npos) fields[percent_decode(pair.substr(0, eq))] = percent_decode(pair.substr(eq + 1));
    if (amp == std::string_view::npos) break;
    body.remove_prefix(amp + 1);
  }
  return fields;
}

std::string error_body(std::string_view type, std::string_view code, std::string_view message) {
  return R"({"error":{"type":")" + std::string(type) + R"(","code":")" + std::string(code) + R"(","message":")" +
         std::string(message) + R"("}})";
}

struct Answer {
  int status{200};
  std::string body;
  bool drop{false};  // close the connection instead of answering
};

}  // namespace

struct GatewayStandIn::Impl {
  std::chrono::milliseconds slow;
  std::chrono::milliseconds search_lag;
  asio::io_context ioc;
  tcp::acceptor acceptor{ioc, {asio::ip::make_address("127.0.0.1"), 0}};
  std::atomic<bool> stopping{false};
  std::atomic<bool> down{false};

  mutable std::mutex mutex;
  std::vector<Charge> charges;
  std::map<std::string, Answer> by_key;  // first answers, by Idempotency-Key
  std::set<std::string> running;         // keys whose first request is still running
  std::set<int> open_sockets;
  std::vector<std::thread> threads;
  std::uint64_t sequence{0};
  std::thread acceptor_thread;

  Impl(std::chrono::milliseconds s, std::chrono::milliseconds lag) : slow(s), search_lag(lag) {
    acceptor_thread = std::thread([this] { accept_loop(); });
  }

  ~Impl() {
    stopping = true;
    beast::error_code ignored;
    tcp::socket poke(ioc);
    poke.connect(acceptor.local_endpoint(), ignored);
    acceptor_thread.join();
    {
      std::lock_guard lock(mutex);
      for (int fd : open_sockets) ::shutdown(fd, SHUT_RDWR);
    }
    for (auto& t : threads) t.join();
  }

  void accept_loop() {
    while (!stopping) {
      auto socket = std::make_shared<tcp::socket>(ioc);
      beast::error_code ec;
      acceptor.accept(*socket, ec);
      if (ec || stopping) continue;
      std::lock_guard lock(mutex);
      open_sockets.insert(socket->native_handle());
      threads.emplace_back([this, socket] { serve(*socket); });
    }
  }

  void serve(tcp::socket& socket) {
    beast::flat_buffer buffer;
    beast::error_code ec;
    while (!stopping && !down) {
      http::request<http::string_body> req;
      http::read(socket, buffer, req, ec);
      if (ec || down) break;
      Answer const a = answer(req);
      if (a.drop) break;
      http::response<http::string_body> res{static_cast<http::status>(a.status), 11};
      res.set(http::field::content_type, "application/json");
      res.body() = a.body;
      res.keep_alive(req.keep_alive());
      res.prepare_payload();
      http::write(socket, res, ec);
      if (ec || !req.keep_alive()) break;
    }
    std::lock_guard lock(mutex);
    open_sockets.erase(socket.native_handle());
    socket.close(ec);
  }

  Answer answer(http::request<http::string_body> const& req) {
    std::string const target(req.target());
    std::string const key(req["Idempotency-Key"]);
    if (req.method() == http::verb::get && target.starts_with("/v1/charges/search")) return search(target);
    if (req.method() == http::verb::get && target.starts_with("/v1/refunds")) return list_refunds(target);
    if (!key.empty()) {
      std::lock_guard lock(mutex);
      if (auto it = by_key.find(key); it != by_key.end()) {
        Answer replay = it->second;
        replay.drop = false;
        return replay;
      }
      if (!running.insert(key).second) {
        return {409, error_body("idempotency_error", "idempotency_key_in_use", "A request with this key is running"),
                false};
      }
    }
    Answer a = req.method() == http::verb::post && target == "/v1/charges"   ? charge(form(req.body()))
               : req.method() == http::verb::post && target == "/v1/refunds" ? refund(form(req.body()))
                                                                             : Answer{404, "{}", false};
    if (!key.empty()) {
      std::lock_guard lock(mutex);
      running.erase(key);
      by_key[key] = a;
      // An answer lost in transit was a success: replay it as such.
      if (a.drop) by_key[key] = Answer{200, a.body, false};
    }
    return a;
  }

  std::string take(std::string const& charge_id, std::int64_t cents) {
    std::lock_guard lock(mutex);
    std::string id = "ch_standin_" + std::to_string(++sequence);
    charges.push_back(Charge{id, charge_id, cents, {}, std::chrono::steady_clock::now()});
    return id;
  }

  Answer charge(std::map<std::string, std::string> const& f) {
    std::string const token = f.contains("source") ? f.at("source") : "";
    std::string const charge_id = f.contains("metadata[charge_id]") ? f.at("metadata[charge_id]") : "";
    std::int64_t const cents = f.contains("amount") ? std::stoll(f.at("amount")) : 0;
    auto const succeeded = [&](std::string const& id) {
      return Answer{200, R"({"id":")" + id + R"(","object":"charge","status":"succeeded","paid":true})", false};
    };
    if (token == "tok_visa") return succeeded(take(charge_id, cents));
    if (token == "tok_chargeDeclined") {
      return {402, error_body("card_error", "card_declined", "Your card was declined."), false};
    }
    if (token == "tok_slow") {
      std::string const id = take(charge_id, cents);
      std::this_thread::sleep_for(slow);
      return succeeded(id);
    }
    if (token == "tok_chargeThen500") {
      take(charge_id, cents);
      return {500, error_body("api_error", "", "Something went wrong on the gateway's end."), false};
    }
    if (token == "tok_chargeThenDrop") return Answer{200, succeeded(take(charge_id, cents)).body, true};
    if (token == "tok_500")
      return {500, error_body("api_error", "", "Something went wrong on the gateway's end."), false};
    if (token == "tok_slowRefused") std::this_thread::sleep_for(slow);
    return {400, error_body("invalid_request_error", "resource_missing", "No such token: '" + token + "'"), false};
  }

  Answer refund(std::map<std::string, std::string> const& f) {
    std::string const id = f.contains("charge") ? f.at("charge") : "";
    std::lock_guard lock(mutex);
    for (auto& c : charges) {
      if (c.gateway_id != id) continue;
      if (!c.refund_id.empty()) {
        return {400,
                error_body("invalid_request_error", "charge_already_refunded", "Charge has already been refunded."),
                false};
      }
      c.refund_id = "re_standin_" + std::to_string(++sequence);
      return {200, R"({"id":")" + c.refund_id + R"(","object":"refund","status":"succeeded"})", false};
    }
    return {400, error_body("invalid_request_error", "resource_missing", "No such charge: '" + id + "'"), false};
  }

  // query=metadata['charge_id']:'<id>'
  Answer search(std::string const& target) {
    std::string const query = percent_decode(target);
    std::string const marker = "charge_id']:'";
    auto const at = query.find(marker);
    if (at == std::string::npos)
      return {400, error_body("invalid_request_error", "parameter_invalid", "bad query"), false};
    std::string const wanted =
        query.substr(at + marker.size(), query.find('\'', at + marker.size()) - at - marker.size());
    std::string data;
    std::lock_guard lock(mutex);
    for (auto const& c : charges) {
      if (c.charge_id != wanted || std::chrono::steady_clock::now() - c.taken < search_lag) continue;
      if (!data.empty()) data += ',';
      data += R"({"id":")" + c.gateway_id + R"(","status":"succeeded"})";
    }
    return {200, R"({"object":"search_result","data":[)" + data + R"(],"has_more":false})", false};
  }

  Answer list_refunds(std::string const& target) {
    auto const at = target.find("charge=");
    std::string const id = at == std::string::npos ? "" : target.substr(at + 7, target.find('&', at) - at - 7);
    std::string data;
    std::lock_guard lock(mutex);
    for (auto const& c : charges) {
      if (c.gateway_id == id && !c.refund_id.empty()) data = R"({"id":")" + c.refund_id + R"(","status":"succeeded"})";
    }
    return {200, R"({"object":"list","data":[)" + data + R"(],"has_more":false})", false};
  }
};

GatewayStandIn::GatewayStandIn(std::chrono::milliseconds slow, std::chrono::milliseconds search_lag)
    : impl_(std::make_unique<Impl>(slow, search_lag)) {}
GatewayStandIn::~GatewayStandIn() = default;

std::string GatewayStandIn::base() const {
  return "http://127.0.0.1:" + std::to_string(impl_->acceptor.local_endpoint().port());
}

void GatewayStandIn::set_down(bool down) {
  impl_->down = down;
  if (!down) return;
  std::lock_guard lock(impl_->mutex);
  for (int fd : impl_->open_sockets) ::shutdown(fd, SHUT_RDWR);
}

std::vector<GatewayStandIn::Charge> GatewayStandIn::charges() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->charges;
}

std::int64_t GatewayStandIn::charged_cents() const {
  std::int64_t sum = 0;
  for (auto const& c : charges()) sum += c.amount_cents;
  return sum;
}

std::int64_t GatewayStandIn::refunded_cents() const {
  std::int64_t sum = 0;
  for (auto const& c : charges()) sum += c.refund_id.empty() ? 0 : c.amount_cents;
  return sum;
}

}  // namespace ticketing::testing

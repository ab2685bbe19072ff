#include "processes/stripe_gateway.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <simdjson.h>

#include "encoding/percent.hpp"

namespace ticketing {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

struct HttpAnswer {
  int status{0};  // 0: no answer (network error or timeout)
  std::string body;
};

struct Url {
  bool tls{true};
  std::string host, port, prefix;
};

Url parse_url(std::string const& base) {
  Url u;
  std::string rest = base;
  if (rest.starts_with("https://")) {
    rest = rest.substr(8);
  } else if (rest.starts_with("http://")) {
    rest = rest.substr(7);
    u.tls = false;
  }
  auto const slash = rest.find('/');
  std::string const authority = rest.substr(0, slash);
  u.prefix = slash == std::string::npos ? "" : rest.substr(slash);
  while (!u.prefix.empty() && u.prefix.back() == '/') u.prefix.pop_back();
  auto const colon = authority.rfind(':');
  u.host = colon == std::string::npos ? authority : authority.substr(0, colon);
  u.port = colon == std::string::npos ? (u.tls ? "443" : "80") : authority.substr(colon + 1);
  return u;
}

template <class Stream>
asio::awaitable<HttpAnswer> exchange(Stream& stream, http::request<http::string_body>& request) {
  auto [write_ec, written] = co_await http::async_write(stream, request, asio::as_tuple(asio::use_awaitable));
  if (write_ec) co_return HttpAnswer{};
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(1 << 20);
  auto [read_ec, read] = co_await http::async_read(stream, buffer, parser, asio::as_tuple(asio::use_awaitable));
  if (read_ec) co_return HttpAnswer{};
  co_return HttpAnswer{static_cast<int>(parser.get().result_int()), std::move(parser.get().body())};
}

asio::awaitable<HttpAnswer> send(Url const& url, http::request<http::string_body> request,
                                 std::chrono::seconds timeout) {
  auto executor = co_await asio::this_coro::executor;
  asio::ip::tcp::resolver resolver(executor);
  auto [resolve_ec, endpoints] =
      co_await resolver.async_resolve(url.host, url.port, asio::as_tuple(asio::use_awaitable));
  if (resolve_ec) co_return HttpAnswer{};
  if (!url.tls) {
    beast::tcp_stream stream(executor);
    stream.expires_after(timeout);  // covers connect, write and read
    auto [ec, ep] = co_await stream.async_connect(endpoints, asio::as_tuple(asio::use_awaitable));
    if (ec) co_return HttpAnswer{};
    co_return co_await exchange(stream, request);
  }
  asio::ssl::context tls(asio::ssl::context::tls_client);
  beast::error_code ignored;
  tls.set_default_verify_paths(ignored);
  tls.set_verify_mode(asio::ssl::verify_peer);
  beast::ssl_stream<beast::tcp_stream> stream(executor, tls);
  // SSL_set_tlsext_host_name is a macro with a C-style cast; call what it expands to.
  if (SSL_ctrl(stream.native_handle(), SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
               const_cast<char*>(url.host.c_str())) != 1) {
    co_return HttpAnswer{};
  }
  stream.set_verify_callback(asio::ssl::host_name_verification(url.host));
  beast::get_lowest_layer(stream).expires_after(timeout);
  auto [ec, ep] =
      co_await beast::get_lowest_layer(stream).async_connect(endpoints, asio::as_tuple(asio::use_awaitable));
  if (ec) co_return HttpAnswer{};
  auto [handshake_ec] =
      co_await stream.async_handshake(asio::ssl::stream_base::client, asio::as_tuple(asio::use_awaitable));
  if (handshake_ec) co_return HttpAnswer{};
  co_return co_await exchange(stream, request);
}

// One request on a fresh connection, within the timeout. Blocks the caller.
HttpAnswer call(StripeOptions const& options, http::verb verb, std::string const& target, std::string const& body,
                std::string const& idempotency_key) {
  Url const url = parse_url(options.api_base);
  http::request<http::string_body> request{verb, url.prefix + target, 11};
  request.set(http::field::host, url.host);
  request.set(http::field::authorization, "Bearer " + options.secret_key);
  request.set(http::field::user_agent, "ticketing");
  request.set("Stripe-Version", "2022-11-15");
  if (!idempotency_key.empty()) request.set("Idempotency-Key", idempotency_key);
  if (verb == http::verb::post) {
    request.set(http::field::content_type, "application/x-www-form-urlencoded");
    request.body() = body;
  }
  request.prepare_payload();
  asio::io_context ioc;
  HttpAnswer answer;
  asio::co_spawn(ioc, send(url, std::move(request), options.timeout), [&](std::exception_ptr const& e, HttpAnswer a) {
    if (!e) answer = std::move(a);
  });
  ioc.run_for(options.timeout + std::chrono::seconds(1));  // a resolver that hangs ends here too
  return answer;
}

struct StripeError {
  std::string type, code, decline_code, message;
};

StripeError read_error(std::string const& body) {
  StripeError e;
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(body).get(doc)) return e;
  simdjson::dom::element error;
  if (doc["error"].get(error)) return e;
  std::string_view s;
  if (!error["type"].get_string().get(s)) e.type = s;
  if (!error["code"].get_string().get(s)) e.code = s;
  if (!error["decline_code"].get_string().get(s)) e.decline_code = s;
  if (!error["message"].get_string().get(s)) e.message = s;
  return e;
}

}  // namespace

StripeGateway::StripeGateway(StripeOptions options) : options_(std::move(options)) {}

ChargeResult StripeGateway::charge(ChargeRequest const& r) {
  std::string const body = "amount=" + std::to_string(r.amount.cents) + "&currency=" + percent_encode(r.currency) +
                           "&source=" + percent_encode(r.token) +
                           "&metadata[charge_id]=" + percent_encode(r.charge_id) +
                           "&description=" + percent_encode("ticketing " + r.charge_id);
  HttpAnswer const answer = call(options_, http::verb::post, "/v1/charges", body, r.idempotency_key);
  using Outcome = ChargeResult::Outcome;
  if (answer.status == 200) {
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    std::string_view id, status;
    if (parser.parse(answer.body).get(doc) || doc["id"].get_string().get(id) ||
        doc["status"].get_string().get(status)) {
      return {Outcome::unreachable, {}, {}, {}};
    }
    if (status == "succeeded") return {Outcome::succeeded, std::string(id), {}, {}};
    if (status == "failed") return {Outcome::declined, {}, "Your card was declined.", "card_declined"};
    return {Outcome::unreachable, {}, {}, {}};  // pending: the outcome is not known yet
  }
  StripeError const e = read_error(answer.body);
  if (answer.status == 402 || e.type == "card_error") {
    return {Outcome::declined,
            {},
            e.message.empty() ? "Your card was declined." : e.message,
            e.decline_code.empty() ? e.code : e.decline_code};
  }
  if ((answer.status == 400 || answer.status == 404) && e.type == "invalid_request_error") {
    return {Outcome::invalid, {}, e.message, e.code};
  }
  return {Outcome::unreachable, {}, {}, {}};
}

Result<std::string> StripeGateway::refund(std::string const& gateway_charge_id, std::string const& idempotency_key) {
  HttpAnswer const answer =
      call(options_, http::verb::post, "/v1/refunds", "charge=" + percent_encode(gateway_charge_id), idempotency_key);
  if (answer.status == 200) {
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    std::string_view id;
    if (!parser.parse(answer.body).get(doc) && !doc["id"].get_string().get(id)) return std::string(id);
  }
  StripeError const e = read_error(answer.body);
  if (e.code == "charge_already_refunded") {
    // Refunded before (by an earlier try whose answer was lost, or by hand):
    // the refund that exists is the one to record.
    HttpAnswer const listed =
        call(options_, http::verb::get, "/v1/refunds?charge=" + percent_encode(gateway_charge_id), {}, {});
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    simdjson::dom::array data;
    if (listed.status == 200 && !parser.parse(listed.body).get(doc) && !doc["data"].get_array().get(data)) {
      for (auto element : data) {
        std::string_view id;
        if (!element["id"].get_string().get(id)) return std::string(id);
      }
    }
    return make_error(ErrorCode::unavailable, "refund exists but could not be listed");
  }
  return make_error(ErrorCode::unavailable, "refund failed: HTTP " + std::to_string(answer.status) + " " + e.message);
}

Result<std::optional<std::string>> StripeGateway::find_charge(std::string const& charge_id) {
  std::string const query = "metadata['charge_id']:'" + charge_id + "'";
  HttpAnswer const answer =
      call(options_, http::verb::get, "/v1/charges/search?query=" + percent_encode(query), {}, {});
  if (answer.status != 200) return make_error(ErrorCode::unavailable, "charge search failed");
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  simdjson::dom::array data;
  if (parser.parse(answer.body).get(doc) || doc["data"].get_array().get(data)) {
    return make_error(ErrorCode::unavailable, "charge search answered something else");
  }
  for (auto element : data) {
    std::string_view id, status;
    if (!element["id"].get_string().get(id) && !element["status"].get_string().get(status) && status == "succeeded") {
      return std::optional<std::string>(std::string(id));
    }
  }
  return std::optional<std::string>();
}

}  // namespace ticketing

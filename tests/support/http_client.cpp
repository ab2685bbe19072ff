#include "http_client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace ticketing::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

std::string HttpResult::header(std::string const& name) const {
  auto it = headers.find(name);
  return it == headers.end() ? std::string() : it->second;
}

boost::json::value HttpResult::json() const { return boost::json::parse(body); }

std::string HttpResult::error_message(std::size_t i) const {
  try {
    auto const doc = json();
    auto const& errors = doc.at("errors").as_array();
    if (i >= errors.size()) return {};
    return std::string(errors[i].at("message").as_string());
  } catch (...) {
    return {};
  }
}

std::string HttpResult::error_field(std::size_t i) const {
  try {
    auto const doc = json();
    auto const& e = doc.at("errors").as_array().at(i).as_object();
    auto it = e.find("field");
    return it == e.end() ? std::string() : std::string(it->value().as_string());
  } catch (...) {
    return {};
  }
}

struct HttpClient::Impl {
  std::uint16_t port;
  asio::io_context ioc;
  std::optional<beast::tcp_stream> stream;
  beast::flat_buffer buffer;

  void connect() {
    stream.emplace(ioc);
    stream->expires_after(std::chrono::seconds(30));
    stream->connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  }
};

HttpClient::HttpClient(std::uint16_t port) : impl_(std::make_unique<Impl>()) { impl_->port = port; }
HttpClient::~HttpClient() = default;
HttpClient::HttpClient(HttpClient&&) noexcept = default;

HttpResult HttpClient::request(std::string const& method, std::string const& target, std::string const& body,
                               std::vector<std::pair<std::string, std::string>> const& headers) {
  http::request<http::string_body> req{http::string_to_verb(method), target, 11};
  req.set(http::field::host, "127.0.0.1:" + std::to_string(impl_->port));
  req.keep_alive(true);
  if (send_cookie && !session.empty()) req.set(http::field::cookie, "session=" + session);
  for (auto const& [k, v] : headers) req.set(k, v);
  req.body() = body;
  req.prepare_payload();
  for (int attempt = 0; attempt < 2; ++attempt) {
    try {
      if (!impl_->stream) impl_->connect();
      impl_->stream->expires_after(std::chrono::seconds(30));
      beast::error_code write_error;
      http::write(*impl_->stream, req, write_error);  // on failure, an answer may still be waiting
      http::response_parser<http::string_body> parser;
      parser.body_limit(64 << 20);
      http::read(*impl_->stream, impl_->buffer, parser);
      auto& res = parser.get();
      HttpResult out;
      out.status = static_cast<int>(res.result_int());
      for (auto const& f : res) {
        std::string name(f.name_string());
        for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        out.headers.emplace(name, std::string(f.value()));
        if (name == "set-cookie") {
          std::string const v(f.value());
          if (v.starts_with("session=")) session = v.substr(8, v.find(';') - 8);
        }
      }
      out.body = std::move(res.body());
      if (!res.keep_alive()) impl_->stream.reset();
      return out;
    } catch (std::exception const&) {
      impl_->stream.reset();
      impl_->buffer.clear();
    }
  }
  return HttpResult{};
}

HttpResult HttpClient::post(std::string const& target, boost::json::value const& body,
                            std::vector<std::pair<std::string, std::string>> const& headers) {
  auto all = headers;
  all.emplace_back("Content-Type", "application/json");
  return request("POST", target, boost::json::serialize(body), all);
}

HttpResult HttpClient::put(std::string const& target, boost::json::value const& body) {
  return request("PUT", target, boost::json::serialize(body), {{"Content-Type", "application/json"}});
}

std::string raw_exchange(std::uint16_t port, std::string const& bytes, std::chrono::milliseconds timeout) {
  asio::io_context ioc;
  beast::tcp_stream stream(ioc);
  stream.expires_after(timeout);
  beast::error_code ec;
  stream.connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), ec);
  if (ec) return {};
  asio::write(stream, asio::buffer(bytes), ec);
  std::string out;
  char buf[4096];
  for (;;) {
    auto const n = stream.read_some(asio::buffer(buf), ec);
    out.append(buf, n);
    if (ec) break;
  }
  return out;
}

}  // namespace ticketing::testing

#pragma once
// A blocking HTTP/1.1 client for API tests (test-only). One keep-alive
// connection per client; reconnects when the server closed it. Remembers the
// session cookie like a browser would.

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/json.hpp>

namespace ticketing::testing {

struct HttpResult {
  int status{0};                                    // 0: no answer
  std::multimap<std::string, std::string> headers;  // names lower-cased
  std::string body;

  [[nodiscard]] std::string header(std::string const& name) const;
  [[nodiscard]] boost::json::value json() const;  // throws on a body that is not JSON
  // errors[0].message / errors[0].field, or "" if absent.
  [[nodiscard]] std::string error_message(std::size_t i = 0) const;
  [[nodiscard]] std::string error_field(std::size_t i = 0) const;
};

class HttpClient {
 public:
  explicit HttpClient(std::uint16_t port);
  ~HttpClient();
  HttpClient(HttpClient&&) noexcept;

  HttpResult request(std::string const& method, std::string const& target, std::string const& body = {},
                     std::vector<std::pair<std::string, std::string>> const& headers = {});
  // JSON body with Content-Type application/json.
  HttpResult post(std::string const& target, boost::json::value const& body,
                  std::vector<std::pair<std::string, std::string>> const& headers = {});
  HttpResult put(std::string const& target, boost::json::value const& body);
  HttpResult get(std::string const& target) { return request("GET", target); }
  HttpResult del(std::string const& target) { return request("DELETE", target); }

  // The session cookie value this client sends ("" when none).
  std::string session;
  bool send_cookie{true};

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Sends raw bytes on a fresh connection and returns what comes back until the
// server closes or `timeout` passes.
std::string raw_exchange(std::uint16_t port, std::string const& bytes,
                         std::chrono::milliseconds timeout = std::chrono::milliseconds(3000));

}  // namespace ticketing::testing

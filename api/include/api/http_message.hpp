#pragma once
// Requests and responses as handlers see them: plain data, no Beast, so only
// the server translation unit pays for Beast's templates.

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ticketing::api {

struct HttpRequest {
  std::string method;                                        // upper case: GET, POST, ...
  std::string path;                                          // without the query string
  std::string query;                                         // after '?', raw
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
  std::string body;
  std::string remote_address;
  std::string request_id;

  // The first header named `name` (lower case), or empty.
  [[nodiscard]] std::string_view header(std::string_view name) const;
  // A query parameter's raw value, or nullopt.
  [[nodiscard]] std::optional<std::string> query_param(std::string_view name) const;
};

struct HttpResponse {
  int status{200};
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;  // JSON unless a Content-Type header says otherwise

  HttpResponse& header(std::string name, std::string value) {
    headers.emplace_back(std::move(name), std::move(value));
    return *this;
  }
};

[[nodiscard]] HttpResponse json_response(int status, std::string body);

}  // namespace ticketing::api

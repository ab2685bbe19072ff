#pragma once
// Requests and responses as handlers see them: plain data, no Beast, so only
// the server translation unit pays for Beast's templates.

#include <memory>
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
  // A query parameter's value with %XX escapes decoded, or nullopt.
  [[nodiscard]] std::optional<std::string> query_param(std::string_view name) const;
};

// The rest of a response whose length is not known when its head is sent
// (Server-Sent Events). The server asks for more until the stream ends, the
// client goes away or stops reading, or the server stops. One connection
// calls it, from one thread at a time.
class ResponseStream {
 public:
  virtual ~ResponseStream() = default;
  // Appends what is ready now to `out`, about `limit` bytes at most, without
  // waiting for more. False when the stream has ended (after what it appended).
  virtual bool poll(std::string& out, std::size_t limit) = 0;
};

struct HttpResponse {
  int status{200};
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;  // JSON unless a Content-Type header says otherwise
  // Set: the body is `body`, then what the stream yields; the connection
  // closes when it ends.
  std::shared_ptr<ResponseStream> stream;

  HttpResponse& header(std::string name, std::string value) {
    headers.emplace_back(std::move(name), std::move(value));
    return *this;
  }
};

[[nodiscard]] HttpResponse json_response(int status, std::string body);

}  // namespace ticketing::api

#pragma once
// The HTTP/1.1 server (Boost.Beast): keep-alive connections on N I/O threads,
// each running its own event loop (a connection stays on the loop that
// accepted it), one coroutine per connection (which serialises its socket's
// operations, so no strand is needed); requests that may block are
// answered on a worker pool, payments (which wait on the gateway) on one of
// their own. Limits: body size (413), header size (431), a
// read timeout against slow clients, and a cap on open connections (503).
// A malformed request gets 400 and closes its own connection only. A response
// with a stream is sent in chunks as the stream yields them (see ServerConfig).

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "api/api.hpp"
#include "domain/result.hpp"

namespace ticketing::api {

struct ServerConfig {
  std::string host{"127.0.0.1"};
  std::uint16_t port{3000};  // 0: any free port (see HttpServer::port)
  int io_threads{2};
  int workers{64};  // threads for blocking handlers
  // Payments wait on the gateway (up to its timeout) on threads of their own;
  // at most max_payments are answered or wait for one at once (503 beyond).
  int payment_workers{16};
  std::size_t max_payments{128};
  std::size_t max_body_bytes{std::size_t{64} * 1024};
  std::size_t max_header_bytes{std::size_t{16} * 1024};
  std::chrono::seconds read_timeout{30};
  std::size_t max_connections{10'000};
  std::chrono::seconds shutdown_grace{10};
  // Streamed responses (Server-Sent Events): at most this many at once (503
  // beyond); a reader that takes longer than write_timeout to accept the
  // next part is dropped, so none is ever buffered without bound.
  std::size_t max_streams{1000};
  std::chrono::milliseconds stream_poll{250};  // how often an idle stream looks for more
  std::chrono::seconds stream_heartbeat{15};   // a comment line when nothing else was sent
  std::chrono::seconds stream_write_timeout{10};
  int stream_send_buffer{64 * 1024};  // bytes the kernel may hold for one stream
};

// One request read from `bytes` with the parser, limits and checks a
// connection applies (the header limit, the body limit, the bound on what is
// buffered, RFC 9112 framing), without a socket: for tests and fuzzing.
struct ParsedRequest {
  std::optional<HttpRequest> request;  // set when the bytes hold a whole acceptable request
  std::optional<Error> refusal;        // else why the server refuses it (neither: it waits for more)
};
[[nodiscard]] ParsedRequest parse_request(std::string_view bytes, ServerConfig const& limits);

class HttpServer {
 public:
  HttpServer(ServerConfig config, Api& api, Logger& log);
  ~HttpServer();
  HttpServer(HttpServer const&) = delete;
  HttpServer& operator=(HttpServer const&) = delete;

  // Binds and starts serving; unavailable if the address cannot be bound.
  [[nodiscard]] Result<void> start();
  [[nodiscard]] std::uint16_t port() const;
  // Payments being answered or waiting for a payment worker.
  [[nodiscard]] std::size_t payments_in_progress() const;
  // Event streams being sent (a request for one counts from its arrival;
  // one past --max-streams, until it is refused).
  [[nodiscard]] std::size_t streams_open() const;
  // Stops accepting, lets requests in flight finish (up to the grace period),
  // then closes every connection and joins all threads.
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ticketing::api

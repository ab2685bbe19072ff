#include "api/server.hpp"

#include <array>
#include <atomic>
#include <functional>
#include <optional>
#include <thread>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>

#include "api/errors.hpp"
#include "domain/text.hpp"

namespace ticketing::api {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using namespace boost::asio::experimental::awaitable_operators;

namespace {

// RFC 9112: a request whose Transfer-Encoding does not end in chunked has
// no determinable length (§6.3), and HTTP/1.1 needs Host (§3.2). Empty
// when the header may proceed, else why not.
std::string_view header_fault(http::request<http::string_body> const& req) {
  if (req.version() >= 11 && req.find(http::field::host) == req.end()) return "Host header is required";
  if (auto const te = req.find(http::field::transfer_encoding); te != req.end()) {
    std::string_view codings = te->value();
    while (!codings.empty() && (codings.back() == ' ' || codings.back() == '\t')) codings.remove_suffix(1);
    auto const comma = codings.rfind(',');
    std::string_view last = comma == std::string_view::npos ? codings : codings.substr(comma + 1);
    while (!last.empty() && (last.front() == ' ' || last.front() == '\t')) last.remove_prefix(1);
    if (!beast::iequals(last, "chunked")) return "Transfer-Encoding must end with chunked";
  }
  return {};
}

HttpRequest to_request(http::request<http::string_body>& req, std::string const& remote, std::string request_id) {
  HttpRequest r;
  r.method = std::string(req.method_string());
  std::string_view target = req.target();
  // Absolute form (RFC 9112 §3.2.2): "http://host/path?q" is served as "/path?q".
  if (auto const scheme = target.find("://"); scheme != std::string_view::npos && target.front() != '/') {
    auto const path = target.find('/', scheme + 3);
    target = path == std::string_view::npos ? std::string_view("/") : target.substr(path);
  }
  auto const q = target.find('?');
  r.path = std::string(target.substr(0, q));
  if (q != std::string_view::npos) r.query = std::string(target.substr(q + 1));
  for (auto const& field : req) {
    std::string name(field.name_string());
    for (auto& c : name) c = text::lower_ascii(c);
    r.headers.emplace_back(std::move(name), std::string(field.value()));
  }
  r.body = std::move(req.body());
  r.remote_address = remote;
  r.request_id = std::move(request_id);
  return r;
}

// 1xx, 204 and 304 responses have no body (RFC 9110 §6.4.1).
bool bodiless(int status) { return (status >= 100 && status < 200) || status == 204 || status == 304; }

// The head of a response (RFC 9112 §4-6):
// the status line, Server, the response's own headers, the framing
// (Content-Length, none for 1xx, 204 and 304) and what the connection does
// next, where the version would otherwise say otherwise. A header whose
// name or value would break the head (CR, LF) is left out.
std::string response_head(HttpResponse const& res, unsigned version, bool keep_alive) {
  std::string head;
  head.reserve(256);
  head += version >= 11 ? "HTTP/1.1 " : "HTTP/1.0 ";
  head += std::to_string(res.status);
  head += ' ';
  head += std::string_view(http::obsolete_reason(http::int_to_status(static_cast<unsigned>(res.status))));
  head += "\r\nServer: ticketing\r\n";
  for (auto const& [name, value] : res.headers) {
    if (name.find_first_of("\r\n:") != std::string::npos || value.find_first_of("\r\n") != std::string::npos) continue;
    head += name;
    head += ": ";
    head += value;
    head += "\r\n";
  }
  if (!bodiless(res.status)) {
    head += "Content-Length: ";
    head += std::to_string(res.body.size());
    head += "\r\n";
  }
  if (version >= 11 && !keep_alive) head += "Connection: close\r\n";
  if (version < 11 && keep_alive) head += "Connection: keep-alive\r\n";
  head += "\r\n";
  return head;
}

// How reading a request ended: whole, refused (answer `why`, then close),
// or closed by the peer or a timeout.
struct ReadOutcome {
  enum Kind { whole, refused, closed } kind;
  Error why;
};
ReadOutcome refused(ErrorCode code, std::string_view message = {}) {
  return {ReadOutcome::refused, make_error(code, std::string(message))};
}

// Counts a streamed response, or a payment, for as long as it is open,
// however it ends.
struct CountedSlot {
  explicit CountedSlot(std::atomic<std::size_t>& counter) : open(counter), count(++counter) {}
  ~CountedSlot() { --open; }
  CountedSlot(CountedSlot const&) = delete;
  CountedSlot& operator=(CountedSlot const&) = delete;
  std::atomic<std::size_t>& open;
  std::size_t count;  // including this one
};

}  // namespace

struct HttpServer::Impl {
  ServerConfig config;
  Api& api;
  Logger& log;
  // One event loop per I/O thread, each run by its thread alone (as nginx's
  // workers): a connection stays on the loop that accepted it, so its
  // readiness and its handlers never cross threads or contend for one queue.
  std::vector<std::unique_ptr<asio::io_context>> loops;
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> keep_running;
  std::size_t next_loop = 0;  // the accept loop's round robin
  asio::thread_pool workers;
  asio::thread_pool payment_workers;  // requests that wait on the payment gateway, apart
  tcp::acceptor acceptor;
  std::vector<std::thread> threads;
  std::atomic<std::size_t> connections{0};
  std::atomic<std::size_t> in_flight{0};
  // Answers the API owes to requests it took without a worker; each holds
  // its connection's executor until given.
  std::atomic<std::size_t> answers_pending{0};
  std::atomic<std::size_t> streams{0};
  std::atomic<std::size_t> payments{0};  // answered or waiting for a payment worker
  std::atomic<bool> stopping{false};
  std::atomic<std::uint64_t> request_counter{0};
  std::string id_prefix;

  Impl(ServerConfig c, Api& a, Logger& l)
      : config(std::move(c)),
        api(a),
        log(l),
        loops(make_loops(config.io_threads)),
        workers(static_cast<std::size_t>(std::max(1, config.workers))),
        payment_workers(static_cast<std::size_t>(std::max(1, config.payment_workers))),
        acceptor(*loops.front()) {
    for (auto const& loop : loops) keep_running.push_back(asio::make_work_guard(*loop));
  }

  static std::vector<std::unique_ptr<asio::io_context>> make_loops(int count) {
    std::vector<std::unique_ptr<asio::io_context>> out;
    for (int n = 0; n < std::max(1, count); ++n) out.push_back(std::make_unique<asio::io_context>(1));
    return out;
  }

  std::string next_request_id() {
    static constexpr char kHex[] = "0123456789abcdef";
    std::uint64_t n = ++request_counter;
    std::string id = id_prefix + "00000000";
    for (std::size_t i = id.size(); i-- > id_prefix.size() && n != 0; n >>= 4) id[i] = kHex[n & 0xF];
    return id;
  }

  // Writes `res` whole: its head and body in one gathered write.
  static asio::awaitable<beast::error_code> send(beast::tcp_stream& stream, HttpResponse const& res, unsigned version,
                                                 bool keep_alive) {
    std::string const head = response_head(res, version, keep_alive);
    std::array<asio::const_buffer, 2> const parts{asio::buffer(head),
                                                  bodiless(res.status) ? asio::const_buffer() : asio::buffer(res.body)};
    auto [ec, written] = co_await asio::async_write(stream, parts, asio::as_tuple(asio::use_awaitable));
    co_return ec;
  }

  // Sends a streamed response: the head, then each part the stream yields
  // as one chunk (HTTP/1.0: raw, ended by closing). Polls an idle stream
  // every stream_poll and sends a comment line after stream_heartbeat of
  // silence, which also finds clients that went away. A reader that does
  // not take a part within stream_write_timeout is dropped: a stream holds
  // at most one part and the kernel's (reduced) send buffer.
  asio::awaitable<void> send_stream(beast::tcp_stream& stream, HttpResponse response, unsigned version) {
    beast::error_code ignored;
    stream.socket().set_option(asio::socket_base::send_buffer_size(config.stream_send_buffer), ignored);
    http::response<http::empty_body> head{static_cast<http::status>(response.status), version};
    head.set(http::field::server, "ticketing");
    for (auto& [name, value] : response.headers) head.insert(name, value);
    head.keep_alive(false);
    bool const chunked = version >= 11;
    if (chunked) head.chunked(true);
    http::response_serializer<http::empty_body> serializer{head};
    stream.expires_after(config.stream_write_timeout);
    auto [head_ec, head_n] = co_await http::async_write_header(stream, serializer, asio::as_tuple(asio::use_awaitable));
    if (head_ec) co_return;
    std::shared_ptr<ResponseStream> const source = std::move(response.stream);
    std::string part = std::move(response.body);
    auto last_sent = std::chrono::steady_clock::now();
    asio::steady_timer idle(stream.get_executor());
    bool more = true;
    while (!stopping) {
      std::size_t const limit = std::size_t{64} * 1024;
      if (more && part.size() < limit) more = source->poll(part, limit);
      auto const now = std::chrono::steady_clock::now();
      if (part.empty() && more) {
        if (now - last_sent < config.stream_heartbeat) {
          // Idle: wait for the next poll, or for the client to close (a
          // stream's client sends nothing; anything readable ends it), so a
          // closed stream frees its slot at once, not at the next heartbeat.
          idle.expires_after(config.stream_poll);
          auto const woke =
              co_await (idle.async_wait(asio::as_tuple(asio::use_awaitable)) ||
                        stream.socket().async_wait(tcp::socket::wait_read, asio::as_tuple(asio::use_awaitable)));
          if (woke.index() == 1) co_return;
          continue;
        }
        part = ":\n\n";
      }
      if (!part.empty()) {
        stream.expires_after(config.stream_write_timeout);
        auto [ec, n] =
            chunked ? co_await asio::async_write(stream, http::make_chunk(asio::buffer(part)),
                                                 asio::as_tuple(asio::use_awaitable))
                    : co_await asio::async_write(stream, asio::buffer(part), asio::as_tuple(asio::use_awaitable));
        if (ec) co_return;  // gone, or too slow: dropped
        part.clear();
        last_sent = now;
      }
      if (!more) break;
    }
    if (chunked) {
      stream.expires_after(config.stream_write_timeout);
      co_await asio::async_write(stream, http::make_chunk_last(), asio::as_tuple(asio::use_awaitable));
    }
  }

  // A response to a request that could not be read whole; the connection closes.
  asio::awaitable<void> refuse(beast::tcp_stream& stream, Error const& why) {
    HttpResponse res = error_response(why);
    res.header("X-Request-Id", next_request_id());
    stream.expires_after(std::chrono::seconds(5));
    co_await send(stream, res, 11, false);
    // Lingering close: stop sending, then read and drop what the client is
    // still sending (bounded), so it receives this answer instead of a reset.
    beast::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream.expires_after(std::chrono::seconds(2));
    std::array<char, 16384> sink;
    std::size_t drained = 0;
    while (drained < std::size_t{8} * 1024 * 1024) {
      auto [ec, n] = co_await stream.async_read_some(asio::buffer(sink), asio::as_tuple(asio::use_awaitable));
      if (ec) break;
      drained += n;
    }
  }

  // Reads one request: the header, its checks, then the body. Empty on
  // success; else the status and message to refuse it with (0: just close).
  asio::awaitable<ReadOutcome> read_request(beast::tcp_stream& stream, beast::flat_buffer& buffer,
                                            http::request_parser<http::string_body>& parser) {
    stream.expires_after(config.read_timeout);
    auto [ec, n] = co_await http::async_read_header(stream, buffer, parser, asio::as_tuple(asio::use_awaitable));
    if (!ec) {
      if (auto const fault = header_fault(parser.get()); !fault.empty())
        co_return refused(ErrorCode::malformed_request, fault);
      std::tie(ec, n) = co_await http::async_read(stream, buffer, parser, asio::as_tuple(asio::use_awaitable));
    }
    if (!ec) co_return ReadOutcome{ReadOutcome::whole, {}};
    if (ec == http::error::body_limit) co_return refused(ErrorCode::body_too_large);
    // The header, a chunk header with its extensions, or the trailer did not
    // fit the connection's buffer (bounded by the header limit).
    if (ec == http::error::header_limit || ec == http::error::buffer_overflow) {
      co_return refused(ErrorCode::headers_too_large);
    }
    if (ec == http::error::end_of_stream || ec == beast::error::timeout || ec == asio::error::eof ||
        ec == asio::error::connection_reset || ec == asio::error::operation_aborted) {
      co_return ReadOutcome{ReadOutcome::closed, {}};
    }
    co_return refused(ErrorCode::malformed_request);
  }

  // A request whose command commits without a worker: decided on this
  // thread, answered here when its commit is durable and visible. Empty when
  // the API declines it (it then goes to a worker).
  asio::awaitable<std::optional<HttpResponse>> answer_async(HttpRequest const& request, Api::Match const& route) {
    auto const executor = co_await asio::this_coro::executor;
    co_return co_await asio::async_initiate<decltype(asio::use_awaitable), void(std::optional<HttpResponse>)>(
        [&](auto handler) {
          auto held = std::make_shared<decltype(handler)>(std::move(handler));
          ++answers_pending;
          api.handle_async(request, route, later_on(executor), [this, executor, held](std::optional<HttpResponse> r) {
            asio::post(executor, [held, r = std::move(r)]() mutable { std::move (*held)(std::move(r)); });
            --answers_pending;
          });
        },
        asio::use_awaitable);
  }

  // A request that waits on the payment gateway: answered on the payment
  // workers, at most max_payments at once (503 beyond, nothing charged), so a
  // gateway that hangs holds up payments and nothing else.
  asio::awaitable<HttpResponse> answer_payment(HttpRequest const& request, Api::Match const& route) {
    CountedSlot const slot(payments);
    if (slot.count > config.max_payments) {
      co_return api.refuse(request, route, make_error(ErrorCode::unavailable, "too many payments in progress"));
    }
    co_return co_await asio::co_spawn(
        payment_workers, [&]() -> asio::awaitable<HttpResponse> { co_return api.handle(request, route); },
        asio::use_awaitable);
  }

  // The API's way back to a connection: its executor, and timers on it.
  static Api::Later later_on(asio::any_io_executor const& executor) {
    return Api::Later{
        .post = [executor](std::function<void()> f) { asio::post(executor, std::move(f)); },
        .after = [executor](std::chrono::milliseconds delay, std::function<void()> f) -> std::function<void()> {
          // Started and cancelled through a strand: in that order, never at once.
          auto const strand = asio::make_strand(executor);
          auto timer = std::make_shared<asio::steady_timer>(strand);
          asio::post(strand, [timer, delay, f = std::move(f)]() mutable {
            timer->expires_after(delay);
            timer->async_wait([timer, f = std::move(f)](beast::error_code const& ec) {
              if (!ec) f();
            });
          });
          return [strand, timer] { asio::post(strand, [timer] { timer->cancel(); }); };
        }};
  }

  asio::awaitable<void> session(tcp::socket socket) {
    beast::tcp_stream stream(std::move(socket));
    beast::error_code ignored;
    // Every write is a whole answer or a whole event: sent at once, never
    // held by Nagle's algorithm behind an unacknowledged one.
    stream.socket().set_option(tcp::no_delay(true), ignored);
    std::string const remote = stream.socket().remote_endpoint(ignored).address().to_string();
    // Bounded: everything the parser holds back (the header, a chunk header
    // with its extensions, trailers) must fit; body bytes move to the body,
    // which has its own limit.
    beast::flat_buffer buffer(config.max_header_bytes + 4096);
    while (!stopping) {
      http::request_parser<http::string_body> parser;
      parser.header_limit(static_cast<std::uint32_t>(config.max_header_bytes));
      parser.body_limit(config.max_body_bytes);
      auto const read = co_await read_request(stream, buffer, parser);
      if (read.kind == ReadOutcome::closed) break;
      if (read.kind == ReadOutcome::refused) {
        co_await refuse(stream, read.why);
        break;
      }
      auto& req = parser.get();
      bool const keep_alive = req.keep_alive() && !stopping;
      unsigned const version = req.version();
      HttpRequest request = to_request(req, remote, next_request_id());
      ++in_flight;
      HttpResponse response;
      Api::Match const route = api.match(request);
      std::optional<HttpResponse> answered;
      std::optional<CountedSlot> stream_slot;  // held while the stream is sent
      if (api.streams(route)) stream_slot.emplace(streams);
      if (stream_slot && stream_slot->count > config.max_streams) {
        answered = api.refuse(request, route, make_error(ErrorCode::unavailable, "too many event streams are open"));
      } else if (api.answers_inline(route)) {
        answered = api.handle(request, route);
      } else if (api.answers_async(route, request)) {
        answered = co_await answer_async(request, route);
      }
      if (answered) {
        response = std::move(*answered);
      } else if (api.calls_gateway(route)) {
        response = co_await answer_payment(request, route);
      } else {
        response = co_await asio::co_spawn(
            workers, [&]() -> asio::awaitable<HttpResponse> { co_return api.handle(request, route); },
            asio::use_awaitable);
      }
      --in_flight;
      if (response.stream) {
        if (!stream_slot) stream_slot.emplace(streams);  // every stream sent is counted
        co_await send_stream(stream, std::move(response), version);
        break;
      }
      stream.expires_after(config.read_timeout);
      auto const write_ec = co_await send(stream, response, version, keep_alive);
      if (write_ec || !keep_alive) break;
    }
    stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream.close();
  }

  asio::awaitable<void> accept_loop() {
    while (!stopping) {
      // No strand: a connection is one coroutine with one operation pending at
      // a time, which already serialises everything done on its socket.
      auto& loop = *loops[next_loop++ % loops.size()];
      auto [ec, socket] = co_await acceptor.async_accept(loop, asio::as_tuple(asio::use_awaitable));
      if (ec) {
        if (stopping || ec == asio::error::operation_aborted) co_return;
        // Out of descriptors (EMFILE, ENFILE) or memory: keep serving the
        // open connections and try again a little later, not in a busy loop.
        asio::steady_timer pause(acceptor.get_executor(), std::chrono::milliseconds(50));
        co_await pause.async_wait(asio::as_tuple(asio::use_awaitable));
        continue;
      }
      if (connections >= config.max_connections) {
        auto const executor = socket.get_executor();
        asio::co_spawn(executor, reject(std::move(socket)), asio::detached);
        continue;
      }
      ++connections;
      auto const executor = socket.get_executor();
      asio::co_spawn(executor, session(std::move(socket)), [this](std::exception_ptr const& e) {
        --connections;
        if (e) {
          try {
            std::rethrow_exception(e);
          } catch (std::exception const& ex) {
            log.line("error", "connection failed", "\"error\":\"" + std::string(ex.what()) + "\"");
          }
        }
      });
    }
  }

  asio::awaitable<void> reject(tcp::socket socket) {
    beast::tcp_stream stream(std::move(socket));
    co_await refuse(stream, make_error(ErrorCode::unavailable, "too many connections"));
    beast::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
  }
};

HttpServer::HttpServer(ServerConfig config, Api& api, Logger& log)
    : impl_(std::make_unique<Impl>(std::move(config), api, log)) {
  impl_->id_prefix = random_hex(4);
}

HttpServer::~HttpServer() { stop(); }

Result<void> HttpServer::start() {
  auto& i = *impl_;
  beast::error_code ec;
  auto const address = asio::ip::make_address(i.config.host, ec);
  if (ec) return make_error(ErrorCode::invalid_input, "invalid listen address " + i.config.host);
  tcp::endpoint const endpoint{address, i.config.port};
  i.acceptor.open(endpoint.protocol(), ec);
  if (!ec) i.acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) i.acceptor.bind(endpoint, ec);
  if (!ec) i.acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return make_error(ErrorCode::unavailable,
                      "cannot listen on " + i.config.host + ":" + std::to_string(i.config.port) + ": " + ec.message());
  }
  asio::co_spawn(i.acceptor.get_executor(), i.accept_loop(), asio::detached);
  for (auto const& loop : i.loops) i.threads.emplace_back([&loop = *loop] { loop.run(); });
  return {};
}

std::uint16_t HttpServer::port() const {
  beast::error_code ec;
  return impl_->acceptor.local_endpoint(ec).port();
}

std::size_t HttpServer::payments_in_progress() const { return impl_->payments; }

std::size_t HttpServer::streams_open() const { return impl_->streams; }

void HttpServer::stop() {
  auto& i = *impl_;
  if (i.stopping.exchange(true)) return;
  asio::post(i.acceptor.get_executor(), [&i] {
    beast::error_code ignored;
    i.acceptor.close(ignored);
  });
  auto const deadline = std::chrono::steady_clock::now() + i.config.shutdown_grace;
  while (i.in_flight > 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  // Every answer owed is given before the I/O threads stop (a commit in the
  // log's queue or a read model behind still answers, at the latest when its
  // consistency timeout passes): none may reach an executor that is gone.
  while (i.answers_pending > 0) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  std::this_thread::sleep_for(std::chrono::milliseconds(20));  // responses in flight reach their sockets
  i.keep_running.clear();
  for (auto const& loop : i.loops) loop->stop();
  for (auto& t : i.threads) {
    if (t.joinable()) t.join();
  }
  i.workers.join();
  i.payment_workers.join();
}

ParsedRequest parse_request(std::string_view bytes, ServerConfig const& limits) {
  http::request_parser<http::string_body> parser;
  parser.header_limit(static_cast<std::uint32_t>(limits.max_header_bytes));
  parser.body_limit(limits.max_body_bytes);
  parser.eager(true);
  std::size_t const buffered_limit = limits.max_header_bytes + 4096;  // as the connection's buffer
  bool checked = false;
  beast::error_code ec;
  while (!parser.is_done()) {
    // The parser holds back what it cannot consume yet; the connection's
    // buffer bounds that.
    std::size_t const offered = std::min(bytes.size(), buffered_limit);
    std::size_t const used = parser.put(asio::buffer(bytes.data(), offered), ec);
    bytes.remove_prefix(used);
    if (ec == http::error::need_more || (!ec && used == 0)) {
      // Beast's contract: after need_more, offer the unconsumed bytes again
      // only together with new ones.
      ec = {};
      bool const unoffered = bytes.size() > offered - used;
      if (!unoffered) return {};  // everything offered: it waits for more
      if (used == 0) return {std::nullopt, make_error(ErrorCode::headers_too_large, {})};  // a full buffer, no progress
      continue;
    }
    if (ec == http::error::body_limit) return {std::nullopt, make_error(ErrorCode::body_too_large, {})};
    if (ec == http::error::header_limit) return {std::nullopt, make_error(ErrorCode::headers_too_large, {})};
    if (ec) return {std::nullopt, make_error(ErrorCode::malformed_request, {})};
    if (parser.is_header_done() && !checked) {
      checked = true;
      if (auto const fault = header_fault(parser.get()); !fault.empty()) {
        return {std::nullopt, make_error(ErrorCode::malformed_request, std::string(fault))};
      }
    }
  }
  return {to_request(parser.get(), "127.0.0.1", "parsed"), std::nullopt};
}

}  // namespace ticketing::api

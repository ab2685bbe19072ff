// The edges of HTTP (RFC 9112 framing, bounded buffering) and of the
// descriptor supply, against the real server process.

#include <thread>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>

#include "api_fixture.hpp"
#include "eventually.hpp"

using namespace ticketing::testing;
using namespace std::chrono_literals;
namespace asio = boost::asio;

namespace {

std::string status_line(std::string const& answer) { return answer.substr(0, answer.find("\r\n")); }

// Opens `n` TCP connections to the server and keeps them open.
std::vector<asio::ip::tcp::socket> open_connections(asio::io_context& ioc, std::uint16_t port, int n) {
  std::vector<asio::ip::tcp::socket> sockets;
  for (int i = 0; i < n; ++i) {
    asio::ip::tcp::socket s(ioc);
    boost::system::error_code ec;
    s.connect({asio::ip::make_address("127.0.0.1"), port}, ec);
    if (!ec) sockets.push_back(std::move(s));
  }
  return sockets;
}

}  // namespace

TEST_CASE("a chunk extension or trailer larger than the header limit is refused, not buffered") {
  ApiFixture f;
  std::string const extension(1 << 20, 'x');
  std::string const with_extension =
      "POST /api/users/signin HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
      "Transfer-Encoding: chunked\r\n\r\n2;ext=" +
      extension + "\r\n{}\r\n0\r\n\r\n";
  CHECK(status_line(raw_exchange(f.server.port(), with_extension)) == "HTTP/1.1 431 Request Header Fields Too Large");
  std::string trailers;
  for (int i = 0; i < 20'000; ++i) trailers += "X-Trailer-" + std::to_string(i) + ": value\r\n";
  std::string const with_trailers =
      "POST /api/users/signin HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
      "Transfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n" +
      trailers + "\r\n";
  CHECK(status_line(raw_exchange(f.server.port(), with_trailers)) == "HTTP/1.1 431 Request Header Fields Too Large");
  // Small ones are fine.
  std::string const small =
      "POST /api/users/signout HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
      "Connection: close\r\nTransfer-Encoding: chunked\r\n\r\n2;a=b\r\n{}\r\n0\r\nX-T: 1\r\n\r\n";
  CHECK(status_line(raw_exchange(f.server.port(), small)) == "HTTP/1.1 200 OK");
  CHECK(f.server.client().get("/healthz").status == 200);
}

TEST_CASE("Transfer-Encoding must end with chunked, HTTP/1.1 needs Host, absolute-form targets are served") {
  ApiFixture f;
  for (std::string te : {"chunked, gzip", "xchunked", "gzip"}) {
    std::string const req =
        "POST /api/users/signout HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        "Transfer-Encoding: " +
        te + "\r\n\r\n2\r\n{}\r\n0\r\n\r\n";
    std::string const answer = raw_exchange(f.server.port(), req);
    CHECK_MESSAGE(status_line(answer) == "HTTP/1.1 400 Bad Request", te);
    CHECK_MESSAGE(answer.find("Transfer-Encoding must end with chunked") != std::string::npos, te);
    // The body is never parsed as a next request: exactly one answer.
    CHECK(answer.find("HTTP/1.1", 1) == std::string::npos);
  }
  std::string const no_host = raw_exchange(f.server.port(), "GET /healthz HTTP/1.1\r\n\r\n");
  CHECK(status_line(no_host) == "HTTP/1.1 400 Bad Request");
  CHECK(no_host.find("Host header is required") != std::string::npos);
  CHECK(status_line(raw_exchange(f.server.port(), "GET /healthz HTTP/1.0\r\n\r\n")) == "HTTP/1.0 200 OK");
  CHECK(status_line(raw_exchange(f.server.port(),
                                 "GET http://example.com/healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")) ==
        "HTTP/1.1 200 OK");
}

TEST_CASE("out of descriptors: the server backs off instead of spinning, and serves again when they free up") {
  ApiFixture f({"--max-connections", "5000"});  // a cap above what the descriptors allow
  f.server.descriptor_limit = 96;
  f.server.restart();
  asio::io_context ioc;
  auto held = open_connections(ioc, f.server.port(), 200);  // far more than 96
  std::this_thread::sleep_for(300ms);
  auto const before = f.server.cpu_time();
  std::this_thread::sleep_for(2s);
  auto const spent = f.server.cpu_time() - before;
  MESSAGE("server CPU while out of descriptors: " << spent.count() << " ms in 2 s");
  CHECK(spent < 1000ms);  // a busy accept loop would use the whole core
  held.clear();
  CHECK(eventually([&] { return f.server.client().get("/healthz").status == 200; }));
}

TEST_CASE("the default connection cap comes from the descriptor limit and answers 503 before they run out") {
  ApiFixture f;
  f.server.descriptor_limit = 128;  // cap: 128 less a reserve of 64
  f.server.restart();
  asio::io_context ioc;
  auto held = open_connections(ioc, f.server.port(), 100);
  std::size_t refused = 0;
  for (auto& s : held) {
    boost::system::error_code ec;
    asio::write(s, asio::buffer(std::string("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")), ec);
  }
  for (auto& s : held) {
    std::array<char, 64> buf{};
    boost::system::error_code ec;
    std::size_t const n = s.read_some(asio::buffer(buf), ec);
    if (std::string_view(buf.data(), n).starts_with("HTTP/1.1 503")) ++refused;
  }
  MESSAGE(refused << " of 100 connections refused with 503");
  CHECK(refused >= 30);
  held.clear();
  CHECK(eventually([&] { return f.server.client().get("/healthz").status == 200; }));
}

TEST_CASE("a literal that only starts like null is an invalid body (400), not a server fault") {
  // Found by the JSON body fuzzer: simdjson threw on it, which answered 500.
  ApiFixture f;
  auto c = f.server.client();
  auto r = c.request("POST", "/api/users/signin", R"({"email":"a@b.co","password":"x","n":nulm})",
                     {{"Content-Type", "application/json"}});
  CHECK(r.status == 400);
  CHECK(r.error_message() == "Invalid JSON body");
}

namespace {

struct Answer {
  std::string head, body;
};

// Splits what a connection received into answers, each framed by its
// Content-Length (none: no body); fails the test on a head without one.
std::vector<Answer> answers_in(std::string bytes) {
  std::vector<Answer> out;
  while (!bytes.empty()) {
    auto const end = bytes.find("\r\n\r\n");
    REQUIRE(end != std::string::npos);
    Answer a{bytes.substr(0, end + 2), {}};
    auto const length_at = a.head.find("Content-Length: ");
    std::size_t length = 0;
    if (length_at != std::string::npos) length = std::stoul(a.head.substr(length_at + 16));
    REQUIRE(bytes.size() >= end + 4 + length);
    a.body = bytes.substr(end + 4, length);
    bytes.erase(0, end + 4 + length);
    out.push_back(std::move(a));
  }
  return out;
}

}  // namespace

TEST_CASE("responses are framed by Content-Length, in order, and say when the connection ends") {
  ApiFixture f;
  // HTTP/1.1, pipelined: two answers in order, the last says it closes.
  auto const pipelined = answers_in(raw_exchange(f.server.port(),
                                                 "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\nGET /api/tickets/nope "
                                                 "HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
  REQUIRE(pipelined.size() == 2);
  CHECK(status_line(pipelined[0].head) == "HTTP/1.1 200 OK");
  CHECK(pipelined[0].head.find("Connection:") == std::string::npos);  // persistent by default
  CHECK(pipelined[0].head.find("\r\nServer: ticketing\r\n") != std::string::npos);
  CHECK(pipelined[0].head.find("\r\nX-Request-Id: ") != std::string::npos);
  CHECK(status_line(pipelined[1].head) == "HTTP/1.1 404 Not Found");
  CHECK(pipelined[1].head.find("\r\nConnection: close\r\n") != std::string::npos);
  CHECK(pipelined[1].head.find("\r\nContent-Type: application/json") != std::string::npos);
  CHECK(pipelined[1].body.find("\"errors\"") != std::string::npos);
  // HTTP/1.0: persistent only when asked, and then said so.
  auto const old = answers_in(raw_exchange(
      f.server.port(), "GET /healthz HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET /healthz HTTP/1.0\r\n\r\n"));
  REQUIRE(old.size() == 2);
  CHECK(status_line(old[0].head) == "HTTP/1.0 200 OK");
  CHECK(old[0].head.find("\r\nConnection: keep-alive\r\n") != std::string::npos);
  CHECK(status_line(old[1].head) == "HTTP/1.0 200 OK");
  CHECK(old[1].head.find("Connection:") == std::string::npos);  // closes, as 1.0 does by default
}

// The edges of HTTP (RFC 9112 framing, bounded buffering) and of the
// descriptor supply, against the real server process.

#include <filesystem>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <thread>
#include <unistd.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>

#include "api_fixture.hpp"
#include "eventually.hpp"
#include "sse_client.hpp"

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

namespace {

// TCP_NODELAY of each connection the server process `pid` accepted on `port`
// (its descriptors copied into this process to ask: pidfd_getfd).
std::vector<int> nodelay_of_accepted(pid_t pid, std::uint16_t port) {
  std::vector<int> out;
  int const process = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
  REQUIRE(process >= 0);
  for (auto const& entry : std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/fd")) {
    int const target = std::stoi(entry.path().filename().string());
    int const fd = static_cast<int>(::syscall(SYS_pidfd_getfd, process, target, 0));
    if (fd < 0) continue;  // closed meanwhile
    sockaddr_in local{}, peer{};
    socklen_t local_size = sizeof local, peer_size = sizeof peer;
    int type = 0;
    socklen_t type_size = sizeof type;
    bool const accepted = ::getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &type_size) == 0 && type == SOCK_STREAM &&
                          ::getsockname(fd, reinterpret_cast<sockaddr*>(&local), &local_size) == 0 &&
                          local.sin_family == AF_INET && ntohs(local.sin_port) == port &&
                          ::getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &peer_size) == 0;
    if (accepted) {
      int nodelay = 0;
      socklen_t size = sizeof nodelay;
      REQUIRE(::getsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &nodelay, &size) == 0);
      out.push_back(nodelay);
    }
    ::close(fd);
  }
  ::close(process);
  return out;
}

}  // namespace

TEST_CASE("connections send at once: Nagle's algorithm never holds back an answer or a streamed event") {
  // A stream writes one small event at a time: with Nagle's algorithm the
  // next waits for the previous one's acknowledgement, which a client may
  // delay by up to 40 ms (and a response's tail likewise behind its head).
  ApiFixture f;
  auto c = f.server.client();
  REQUIRE(c.get("/healthz").status == 200);  // a keep-alive connection, open
  SseClient changes(f.server.port(), "/api/tickets/changes");
  REQUIRE(changes.status() == 200);
  auto const nodelay = nodelay_of_accepted(f.server.pid(), f.server.port());
  CHECK(nodelay.size() >= 2);
  for (int const on : nodelay) CHECK(on != 0);
}

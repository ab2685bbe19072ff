#pragma once
// A small HTTP/1.1 load generator for the benchmarks: N keep-alive
// connections issue requests from a generator until a deadline or a request
// budget, recording every latency and status.

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace ticketing::bench {

struct LoadResult {
  std::uint64_t requests{0};
  double seconds{0};
  double p50_ms{0}, p99_ms{0}, max_ms{0};
  std::map<int, std::uint64_t> statuses;
  [[nodiscard]] double rate() const { return seconds > 0 ? static_cast<double>(requests) / seconds : 0; }
};

// Returns the raw HTTP request for the n-th request of connection `c`, or ""
// when that connection is done.
using RequestMaker = std::function<std::string(std::size_t connection, std::uint64_t n)>;

// Runs `connections` connections against 127.0.0.1:port until `duration`
// passes (or every connection is done). `threads` client threads.
// Called with each response's status and body (serialised across connections).
using ResponseSink = std::function<void(int status, std::string const& body)>;

// When the first requests go: each connection's as soon as it is connected,
// or every connection's once all are connected (requests from clients that
// hold open connections, as browsers do, released at once; the connections
// then close only once all are done; one thread only).
enum class Start { as_connected, all_connected };

LoadResult run_load(std::uint16_t port, std::size_t connections, std::chrono::duration<double> duration,
                    RequestMaker const& make, int threads = 1, ResponseSink const& sink = {},
                    Start start = Start::as_connected);

std::string http_get(std::string const& target, std::string const& cookie = {});
std::string http_post(std::string const& target, std::string const& json, std::string const& cookie = {});

// One request on a fresh connection: status and body; sets `cookie` from Set-Cookie.
std::pair<int, std::string> request_once(std::uint16_t port, std::string const& raw, std::string* cookie = nullptr);

}  // namespace ticketing::bench

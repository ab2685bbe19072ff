#pragma once
// Configuration of `ticketing serve`: every flag also comes from an
// environment variable; flags win. Secrets (JWT_KEY, STRIPE_KEY,
// TICKETING_ADMIN_TOKEN) come only
// from the environment and are never printed.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ticketing::app {

struct ServeConfig {
  std::string host{"127.0.0.1"};
  std::uint16_t port{3000};
  std::string data_dir{"./data"};
  std::chrono::seconds reservation_ttl{900};
  int io_threads{2};
  int workers{64};
  int payment_workers{16};
  std::string payment_gateway;  // sandbox | stripe; empty: stripe iff STRIPE_KEY is set
  std::string stripe_api_base{"https://api.stripe.com"};
  std::string password_cost{"interactive"};
  std::chrono::seconds session_ttl{86400};
  bool secure_cookies{false};
  std::size_t max_connections{0};  // 0: derived from the descriptor limit (serve.cpp)
  std::chrono::seconds read_timeout{30};
  std::size_t max_streams{1000};
  std::size_t change_window{16384};  // commits; 0: no shared window
  std::chrono::seconds stream_write_timeout{10};
  std::uint32_t partitions{16};
  std::chrono::seconds payment_resolution_delay{60};
  std::chrono::seconds payment_recheck_delay{900};
  std::size_t signups_per_address{100};  // per hour
  std::string store{"embedded"};         // embedded | kafka
  std::string brokers;                   // kafka: bootstrap servers
  std::string topic{"ticketing.commits"};
  std::chrono::seconds kafka_timeout{10};
  bool role_api{true}, role_projector{true}, role_saga{true};
  std::string jwt_key;                 // from JWT_KEY
  std::string stripe_key;              // from STRIPE_KEY
  std::string stripe_publishable_key;  // from STRIPE_PUBLISHABLE_KEY: the web app's card fields
  std::string admin_token;  // from TICKETING_ADMIN_TOKEN: the analysts' routes (GET /api/events, /api/analytics)
};

// Parses flags (argv after the subcommand) over the environment. On error,
// returns the message to print; on --help, returns the usage with help=true.
struct ParseResult {
  std::optional<ServeConfig> config;
  std::string message;
  bool help{false};
};
[[nodiscard]] ParseResult parse_serve_config(std::vector<std::string> const& args);
[[nodiscard]] std::string serve_usage();

}  // namespace ticketing::app

#include "config.hpp"

#include <charconv>
#include <cstdlib>
#include <functional>
#include <map>
#include <thread>

#include "domain/user.hpp"

namespace ticketing::app {
namespace {

struct Option {
  std::string flag, env, help;
  std::function<std::optional<std::string>(ServeConfig&, std::string const&)> apply;  // error text or nullopt
  bool is_switch{false};
};

template <class T>
std::optional<T> number(std::string const& text) {
  T value{};
  auto const [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::function<std::optional<std::string>(ServeConfig&, std::string const&)> seconds(
    std::chrono::seconds ServeConfig::*field, long min, long max) {
  return [=](ServeConfig& c, std::string const& v) -> std::optional<std::string> {
    auto n = number<long>(v);
    if (!n || *n < min || *n > max)
      return "must be a whole number of seconds from " + std::to_string(min) + " to " + std::to_string(max);
    c.*field = std::chrono::seconds(*n);
    return std::nullopt;
  };
}

// A whole number of at least 1 into `field`.
std::function<std::optional<std::string>(ServeConfig&, std::string const&)> positive(std::size_t ServeConfig::*field) {
  return [=](ServeConfig& c, std::string const& v) -> std::optional<std::string> {
    auto n = number<std::size_t>(v);
    if (!n || *n < 1) return "must be a positive number";
    c.*field = *n;
    return std::nullopt;
  };
}

std::vector<Option> const& options() {
  static std::vector<Option> const all{
      {"--listen", "TICKETING_LISTEN", "HOST:PORT to serve on (default 127.0.0.1:3000; port 0 picks a free one)",
       [](ServeConfig& c, std::string const& v) -> std::optional<std::string> {
         auto const colon = v.rfind(':');
         if (colon == std::string::npos || colon == 0) return "must be HOST:PORT";
         auto port = number<unsigned>(v.substr(colon + 1));
         if (!port || *port > 65535) return "has an invalid port";
         c.host = v.substr(0, colon);
         if (c.host.size() > 2 && c.host.front() == '[' && c.host.back() == ']')
           c.host = c.host.substr(1, c.host.size() - 2);
         c.port = static_cast<std::uint16_t>(*port);
         return std::nullopt;
       }},
      {"--data", "TICKETING_DATA", "data directory (default ./data)",
       [](ServeConfig& c, std::string const& v) -> std::optional<std::string> {
         if (v.empty()) return "must not be empty";
         c.data_dir = v;
         return std::nullopt;
       }},
      {"--reservation-ttl", "TICKETING_RESERVATION_TTL", "seconds a buyer holds a ticket (default 900)",
       seconds(&ServeConfig::reservation_ttl, 1, 86400)},
      {"--threads", "TICKETING_THREADS", "I/O threads (default: the number of cores)",
       [](ServeConfig& c, std::string const& v) -> std::optional<std::string> {
         auto n = number<int>(v);
         if (!n || *n < 1 || *n > 256) return "must be from 1 to 256";
         c.io_threads = *n;
         return std::nullopt;
       }},
      {"--workers", "TICKETING_WORKERS", "threads for requests that block: hashing, waiting commands (default 64)",
       [](ServeConfig& c, std::string const& v) -> std::optional<std::string> {
         auto n = number<int>(v);
         if (!n || *n < 1 || *n > 4096) return "must be from 1 to 4096";
         c.workers = *n;
         return std::nullopt;
       }},
      {"--payment-workers", "TICKETING_PAYMENT_WORKERS",
       "threads for payments, which wait on the gateway; 8 times as many may wait for one (default 16)",
       [](ServeConfig& c, std::string const& v) -> std::optional<std::string> {
         auto n = number<int>(v);
         if (!n || *n < 1 || *n > 1024) return "must be from 1 to 1024";
         c.payment_workers = *n;
         return std::nullopt;
       }},
      {"--payment-gateway", "TICKETING_PAYMENT_GATEWAY", "sandbox | stripe (default: stripe if STRIPE_KEY is set)",
       [](ServeConfig& c, std::string const& v) -> std::optional<std::string> {
         if (v != "sandbox" && v != "stripe") return "must be sandbox or stripe";
         c.payment_gateway = v;
         return std::nullopt;
       }},
      {"--stripe-api-base", "STRIPE_API_BASE", "Stripe API base URL (default https://api.stripe.com)",
       [](ServeConfig& c, std::string const& v) -> std::optional<std::string> {
         if (!v.starts_with("https://") && !v.starts_with("http://")) return "must be an http(s) URL";
         c.stripe_api_base = v;
         return std::nullopt;
       }},
      {"--password-cost", "TICKETING_PASSWORD_COST",
       "Argon2id cost: interactive (default), moderate, sensitive, minimum",
       [](ServeConfig& c, std::string const& v) -> std::optional<std::string> {
         if (v != "interactive" && v != "moderate" && v != "sensitive" && v != "minimum") {
           return "must be interactive, moderate, sensitive or minimum";
         }
         c.password_cost = v;
         return std::nullopt;
       }},
      {"--session-ttl", "TICKETING_SESSION_TTL", "seconds a session token is valid (default 86400)",
       seconds(&ServeConfig::session_ttl, 60,
               std::chrono::duration_cast<std::chrono::seconds>(user::kMaxSessionLifetime).count())},
      {"--secure-cookies", "TICKETING_SECURE_COOKIES", "mark the session cookie Secure (behind TLS)",
       [](ServeConfig& c, std::string const& v) -> std::optional<std::string> {
         if (v != "1" && v != "0" && v != "true" && v != "false") return "must be 1, 0, true or false";
         c.secure_cookies = v == "1" || v == "true";
         return std::nullopt;
       },
       true},
      {"--max-connections", "TICKETING_MAX_CONNECTIONS",
       "open connections at most (default: what the descriptor limit leaves, at most 10000)",
       positive(&ServeConfig::max_connections)},
      {"--signups-per-address", "TICKETING_SIGNUPS_PER_ADDRESS",
       "sign-ups allowed from one client address per hour (default 100)", positive(&ServeConfig::signups_per_address)},
      {"--read-timeout", "TICKETING_READ_TIMEOUT", "seconds to read one request (default 30)",
       seconds(&ServeConfig::read_timeout, 1, 3600)},
      {"--max-streams", "TICKETING_MAX_STREAMS",
       "event streams (Server-Sent Events) open at once, at most (default 1000)", positive(&ServeConfig::max_streams)},
      {"--change-window", "TICKETING_CHANGE_WINDOW",
       "newest changes kept rendered for the public changes streams that keep up, in commits (default 16384; 0: each "
       "stream reads and renders the log itself)",
       [](ServeConfig& c, std::string const& v) -> std::optional<std::string> {
         auto n = number<std::size_t>(v);
         if (!n || *n > 1'000'000) return "must be a number of commits from 0 to 1000000";
         c.change_window = *n;
         return std::nullopt;
       }},
      {"--stream-write-timeout", "TICKETING_STREAM_WRITE_TIMEOUT",
       "seconds an event stream's reader may take to accept the next part before it is dropped (default 10)",
       seconds(&ServeConfig::stream_write_timeout, 1, 3600)},
      {"--partitions", "TICKETING_PARTITIONS", "log partitions, fixed when the data directory is created (default 16)",
       [](ServeConfig& c, std::string const& v) -> std::optional<std::string> {
         auto n = number<std::uint32_t>(v);
         if (!n || *n < 1 || *n > 1024) return "must be from 1 to 1024";
         c.partitions = *n;
         return std::nullopt;
       }},
      {"--store", "TICKETING_STORE", "embedded (default: RocksDB in --data) or kafka (--brokers, --topic)",
       [](ServeConfig& c, std::string const& v) -> std::optional<std::string> {
         if (v != "embedded" && v != "kafka") return "must be embedded or kafka";
         c.store = v;
         return std::nullopt;
       }},
      {"--brokers", "TICKETING_BROKERS", "Kafka bootstrap servers HOST:PORT[,...] (with --store kafka)",
       [](ServeConfig& c, std::string const& v) -> std::optional<std::string> {
         if (v.empty() || v.find(':') == std::string::npos) return "must be HOST:PORT[,HOST:PORT...]";
         c.brokers = v;
         return std::nullopt;
       }},
      {"--topic", "TICKETING_TOPIC", "Kafka topic of commits (default ticketing.commits)",
       [](ServeConfig& c, std::string const& v) -> std::optional<std::string> {
         if (v.empty()) return "must not be empty";
         c.topic = v;
         return std::nullopt;
       }},
      {"--kafka-timeout", "TICKETING_KAFKA_TIMEOUT",
       "seconds a command waits to see its commit in the topic before answering 503 (default 10)",
       seconds(&ServeConfig::kafka_timeout, 1, 300)},
      {"--roles", "TICKETING_ROLES", "what this process runs: api,projector,saga (default all)",
       [](ServeConfig& c, std::string const& v) -> std::optional<std::string> {
         c.role_api = c.role_projector = c.role_saga = false;
         std::size_t start = 0;
         while (start <= v.size()) {
           auto const comma = v.find(',', start);
           std::string const role = v.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
           if (role == "api") {
             c.role_api = true;
           } else if (role == "projector") {
             c.role_projector = true;
           } else if (role == "saga") {
             c.role_saga = true;
           } else {
             return "has an unknown role '" + role + "' (api, projector, saga)";
           }
           if (comma == std::string::npos) break;
           start = comma + 1;
         }
         return std::nullopt;
       }},
      {"--payment-resolution-delay", "TICKETING_PAYMENT_RESOLUTION_DELAY",
       "seconds after which a payment with no recorded outcome is looked up at the gateway (default 60)",
       seconds(&ServeConfig::payment_resolution_delay, 1, 86400)},
      {"--payment-recheck-delay", "TICKETING_PAYMENT_RECHECK_DELAY",
       "seconds after which a payment the gateway had no record of is looked for once more (default 900)",
       seconds(&ServeConfig::payment_recheck_delay, 1, 7L * 86400)},
  };
  return all;
}

}  // namespace

std::string serve_usage() {
  std::string out =
      "usage: ticketing serve [options]\n\nServes the marketplace: the HTTP API, the read models and the order saga, "
      "on the embedded store (default) or on Kafka (--store kafka), in the roles --roles names.\n\noptions (each also "
      "read from the environment variable shown):\n";
  for (auto const& o : options()) {
    out += "  " + o.flag + (o.is_switch ? "" : " VALUE");
    out += std::string(std::max<std::size_t>(2, 34 - o.flag.size() - (o.is_switch ? 0 : 6)), ' ');
    out += o.help + " [" + o.env + "]\n";
  }
  out +=
      "  --help                            this text\n\nsecrets, from the environment only:\n"
      "  JWT_KEY      key signing session tokens (when unset, one is generated once and kept in the data directory)\n"
      "  STRIPE_KEY   Stripe secret key; selects the Stripe gateway unless --payment-gateway says otherwise\n"
      "  STRIPE_PUBLISHABLE_KEY  the web app takes cards with Stripe.js (else a form for Stripe's test cards)\n"
      "  TICKETING_ADMIN_TOKEN  bearer token of the analysts' routes, GET /api/events and GET /api/analytics\n"
      "               (when unset, those routes answer 404)\n";
  return out;
}

ParseResult parse_serve_config(std::vector<std::string> const& args) {
  ServeConfig config;
  config.io_threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  for (auto const& o : options()) {
    if (char const* value = std::getenv(o.env.c_str()); value != nullptr && *value != '\0') {
      if (auto error = o.apply(config, value)) return {std::nullopt, o.env + " " + *error, false};
    }
  }
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string arg = args[i];
    if (arg == "--help" || arg == "-h") return {std::nullopt, serve_usage(), true};
    std::string value;
    bool has_value = false;
    if (auto eq = arg.find('='); eq != std::string::npos) {
      value = arg.substr(eq + 1);
      arg = arg.substr(0, eq);
      has_value = true;
    }
    auto const it = std::find_if(options().begin(), options().end(), [&](Option const& o) { return o.flag == arg; });
    if (it == options().end()) return {std::nullopt, "unknown option " + arg + "\n\n" + serve_usage(), false};
    if (!has_value) {
      if (it->is_switch) {
        value = "1";
      } else if (i + 1 < args.size()) {
        value = args[++i];
      } else {
        return {std::nullopt, arg + " needs a value", false};
      }
    }
    if (auto error = it->apply(config, value)) return {std::nullopt, arg + " " + *error, false};
  }
  if (char const* key = std::getenv("JWT_KEY"); key != nullptr) config.jwt_key = key;
  if (char const* key = std::getenv("STRIPE_KEY"); key != nullptr) config.stripe_key = key;
  if (char const* key = std::getenv("STRIPE_PUBLISHABLE_KEY"); key != nullptr) config.stripe_publishable_key = key;
  if (char const* token = std::getenv("TICKETING_ADMIN_TOKEN"); token != nullptr) config.admin_token = token;
  if (config.payment_gateway.empty()) config.payment_gateway = config.stripe_key.empty() ? "sandbox" : "stripe";
  if (config.payment_gateway == "stripe" && config.stripe_key.empty()) {
    return {std::nullopt, "--payment-gateway stripe needs STRIPE_KEY in the environment", false};
  }
  if (config.store == "kafka" && config.brokers.empty()) {
    return {std::nullopt, "--store kafka needs --brokers HOST:PORT[,...]", false};
  }
  if (config.role_api) config.role_projector = true;  // queries and read-your-writes need the read models
  if (!config.jwt_key.empty() && config.jwt_key.size() < 32) {
    return {std::nullopt, "JWT_KEY must be at least 32 characters", false};
  }
  return {config, {}, false};
}

}  // namespace ticketing::app

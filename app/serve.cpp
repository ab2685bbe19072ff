#include "serve.hpp"

#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <future>
#include <sys/resource.h>
#include <sys/stat.h>

#include <sodium.h>

#include "api/server.hpp"
#include "eventstore/kafka_log.hpp"
#include "eventstore/rocksdb_log.hpp"
#include "eventstore/small_store.hpp"
#include "eventstore/snapshot_store.hpp"
#include "processes/order_saga.hpp"
#include "processes/sandbox_gateway.hpp"
#include "processes/stripe_gateway.hpp"
#include "reading.hpp"

namespace ticketing::app {
namespace {

namespace fs = std::filesystem;

// JWT_KEY, or a key generated once and kept (mode 0600) in the data directory.
std::optional<std::string> session_key(ServeConfig const& config, api::Logger& log) {
  if (!config.jwt_key.empty()) return config.jwt_key;
  fs::path const file = fs::path(config.data_dir) / "jwt.key";
  if (std::ifstream in(file); in) {
    std::string key;
    std::getline(in, key);
    if (key.size() >= 32) {
      log.line("warn", "JWT_KEY is not set; using the key kept in the data directory");
      return key;
    }
  }
  std::string const key = api::random_hex(32);
  {
    std::ofstream out(file, std::ios::trunc);
    out << key << "\n";
    if (!out) return std::nullopt;
  }
  ::chmod(file.c_str(), 0600);
  log.line("warn", "JWT_KEY is not set; generated a key and kept it in the data directory");
  return key;
}

template <class T>
T ok_or_exit(Result<T> r, char const* what) {
  if (!r) {
    std::fprintf(stderr, "ticketing: cannot open %s: %s\n", what, r.error().message.c_str());
    std::exit(1);
  }
  return std::move(*r);
}

// Raises the soft limit on open descriptors to the hard one; returns it.
rlim_t raise_descriptor_limit() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return 1024;
  if (limit.rlim_cur < limit.rlim_max) {
    rlimit raised = limit;
    raised.rlim_cur = limit.rlim_max;
    if (::setrlimit(RLIMIT_NOFILE, &raised) == 0) limit = raised;
  }
  return limit.rlim_cur;
}

// Connections the server may hold so that the cap answers 503 before
// descriptors run out: the limit less a reserve for the databases' files,
// the log and the gateway's connections; at most 10,000.
std::size_t connection_cap(rlim_t descriptors) {
  rlim_t const reserve = std::max<rlim_t>(64, descriptors / 4);
  if (descriptors <= reserve + 16) return 16;
  return static_cast<std::size_t>(std::min<rlim_t>(10'000, descriptors - reserve));
}

// SIGINT and SIGTERM are taken by sigwait in serve(); every thread started
// after this inherits the mask. A closed peer never kills the process.
sigset_t block_stop_signals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  ::signal(SIGPIPE, SIG_IGN);
  return signals;
}

bool create_data_dir(std::string const& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) std::fprintf(stderr, "ticketing: cannot create data directory %s: %s\n", dir.c_str(), ec.message().c_str());
  return !ec;
}

Result<std::unique_ptr<EventLog>> open_event_log(ServeConfig const& config) {
  fs::path const data(config.data_dir);
  if (config.store == "kafka") {
    KafkaLogOptions kafka;
    kafka.brokers = config.brokers;
    kafka.topic = config.topic;
    kafka.local_path = (data / "replica").string();
    kafka.append_timeout = config.kafka_timeout;
    auto log = KafkaLog::open(kafka);
    if (!log) return log.error();
    return std::unique_ptr<EventLog>(std::move(*log));
  }
  auto log = RocksDbLog::open({.path = (data / "log").string(), .partitions = config.partitions});
  if (!log) return log.error();
  return std::unique_ptr<EventLog>(std::move(*log));
}

Result<std::unique_ptr<PaymentGateway>> open_gateway(ServeConfig const& config) {
  if (config.payment_gateway == "stripe") {
    return std::unique_ptr<PaymentGateway>(
        std::make_unique<StripeGateway>(StripeOptions{config.stripe_api_base, config.stripe_key}));
  }
  auto sandbox = SandboxGateway::open((fs::path(config.data_dir) / "sandbox-gateway").string());
  if (!sandbox) return sandbox.error();
  return std::unique_ptr<PaymentGateway>(std::move(*sandbox));
}

struct Stores {
  std::unique_ptr<EventLog> log;
  std::unique_ptr<views::ViewStore> views;
  std::unique_ptr<TimerStore> timers;
  std::unique_ptr<ExpiringStore> replies;
  std::unique_ptr<PaymentGateway> gateway;
  std::unique_ptr<SnapshotStore> snapshots;
};

// Opens the databases of the data directory. After a crash each replays its
// write-ahead log first; the read models, the largest, open on their own
// thread while the others open one after the other on this one, so a restart
// takes about the longest of them rather than their sum. The read models are
// opened for the partition count asked for; a log created with another count
// keeps its own, and they are then opened again with the log's.
Stores open_stores(ServeConfig const& config) {
  fs::path const data(config.data_dir);
  std::string const views_path = (data / "views").string();
  auto views_opening =
      std::async(std::launch::async, [&] { return views::ViewStore::open(views_path, config.partitions); });
  auto log = open_event_log(config);
  std::optional<Result<std::unique_ptr<TimerStore>>> timers;
  std::optional<Result<std::unique_ptr<ExpiringStore>>> replies;
  std::optional<Result<std::unique_ptr<PaymentGateway>>> gateway;
  std::optional<Result<std::unique_ptr<SnapshotStore>>> snapshots;
  if (log) {
    timers = TimerStore::open((data / "saga").string(), (*log)->partition_count());
    if (*timers) replies = ExpiringStore::open((data / "api").string(), "the API's replies", api::kIdempotencyWindow);
    if (replies && *replies) gateway = open_gateway(config);
    if (gateway && *gateway) snapshots = SnapshotStore::open((data / "snapshots").string());
  }
  auto views = views_opening.get();  // before any exit: the open runs on another thread
  Stores opened;
  opened.log = ok_or_exit(std::move(log), config.store == "kafka" ? "the Kafka event log" : "the event log");
  opened.timers = ok_or_exit(std::move(*timers), "the saga timers");
  opened.replies = ok_or_exit(std::move(*replies), "the API's replies");
  opened.gateway = ok_or_exit(std::move(*gateway), "the sandbox gateway's records");
  opened.snapshots = ok_or_exit(std::move(*snapshots), "the write-side snapshots");
  opened.views = ok_or_exit(std::move(views), "the read models");
  if (opened.views->partitions() != opened.log->partition_count()) {
    opened.views.reset();
    opened.views = ok_or_exit(views::ViewStore::open(views_path, opened.log->partition_count()), "the read models");
  }
  return opened;
}

// `saga_runs`: this process has the saga's role (its lag means nothing otherwise).
void add_gauges(api::Metrics& metrics, EventLog& event_log, views::Projector const& projector, OrderSaga const& saga,
                bool saga_runs, SnapshotStore const& snapshots) {
  metrics.gauge("ticketing_snapshots_stored", "Write-side snapshots stored since the start.",
                [&] { return static_cast<double>(snapshots.stored()); });
  metrics.gauge("ticketing_snapshot_store_failures",
                "Write-side snapshots that could not be stored since the start (commands fold longer streams).",
                [&] { return static_cast<double>(snapshots.failed()); });
  metrics.gauge("ticketing_projection_lag_commits", "Commits in the log not yet in the read models.",
                [&] { return static_cast<double>(projector.lag()); });
  metrics.gauge("ticketing_pending_timers", "Durable saga timers waiting to fire.",
                [&] { return static_cast<double>(saga.pending_timers()); });
  if (saga_runs) {
    metrics.gauge("ticketing_saga_lag_commits",
                  "Commits in the log the saga has not taken yet (grows while its timer store cannot be written).",
                  [&] { return static_cast<double>(saga.lag()); });
  }
  metrics.gauge("ticketing_saga_timers_loaded",
                "1 once the saga has read its durable timers (it reads them again while their store fails).",
                [&] { return saga.loaded() ? 1.0 : 0.0; });
  if (auto* kafka = dynamic_cast<KafkaLog*>(&event_log)) {
    metrics.gauge("ticketing_replication_lag_records", "Records of the Kafka topic not yet in the local replica.",
                  [kafka] { return static_cast<double>(kafka->replication_lag()); });
    metrics.gauge("ticketing_kafka_skipped_records", "Records of the Kafka topic skipped as not commits.",
                  [kafka] { return static_cast<double>(kafka->skipped_records()); });
  }
}

api::ServerConfig server_config_of(ServeConfig const& config) {
  api::ServerConfig server;
  server.host = config.host;
  server.port = config.port;
  server.io_threads = config.io_threads;
  server.workers = config.workers;
  server.payment_workers = config.payment_workers;
  server.max_payments = static_cast<std::size_t>(config.payment_workers) * 8;
  server.max_connections =
      config.max_connections != 0 ? config.max_connections : connection_cap(raise_descriptor_limit());
  server.read_timeout = config.read_timeout;
  server.max_streams = config.max_streams;
  server.stream_write_timeout = config.stream_write_timeout;
  return server;
}

// Starts listening when this process has the api role; prints where (the
// tests and scripts read that line). False if it cannot listen.
bool start_api(ServeConfig const& config, api::HttpServer& server, api::Logger& log) {
  std::string where = "-";
  if (config.role_api) {
    if (auto started = server.start(); !started) {
      std::fprintf(stderr, "ticketing: %s\n", started.error().message.c_str());
      return false;
    }
    where = config.host + ":" + std::to_string(server.port());
    std::printf("listening on %s\n", where.c_str());
  } else {
    std::printf("running without the api role\n");
  }
  std::fflush(stdout);
  log.line("info", "serving",
           "\"listen\":\"" + where + "\",\"data\":\"" + config.data_dir + "\",\"gateway\":\"" + config.payment_gateway +
               "\",\"reservation_ttl_s\":" + std::to_string(config.reservation_ttl.count()));
  return true;
}

}  // namespace

// Opens the stores, starts the roles this process has (projector, saga,
// API), and runs until SIGINT or SIGTERM; then stops them in reverse order.
int serve(ServeConfig const& config) {
  sigset_t signals = block_stop_signals();
  if (sodium_init() < 0) {
    std::fprintf(stderr, "ticketing: libsodium failed to initialise\n");
    return 1;
  }
  api::Logger log;
  if (!create_data_dir(config.data_dir)) return 1;
  auto const key = session_key(config, log);
  if (!key) {
    std::fprintf(stderr, "ticketing: cannot write the session key to the data directory\n");
    return 1;
  }
  fs::path const data(config.data_dir);
  auto [event_log, views, timers, replies, gateway, snapshots] = open_stores(config);
  api::IdempotencyStore idempotency(*replies);

  SystemClock const clock;
  CommandRunner runner(*event_log,
                       CommandRunnerOptions{.shared_log = config.store == "kafka", .snapshots = snapshots.get()});
  Marketplace marketplace(runner);
  views::Projector projector(*event_log, *views);
  if (config.role_projector) projector.start();
  Payments payments(marketplace, *gateway);
  OrderSaga saga(*event_log, marketplace, payments, clock, *timers,
                 SagaOptions{.payment_resolution_delay = config.payment_resolution_delay,
                             .payment_recheck_delay = config.payment_recheck_delay});
  if (config.role_saga) saga.start();

  api::TokenSigner tokens(*key);
  // Two hashes at once (each takes 64 MiB at the default cost), eight waiting;
  // more are refused with 503 and Retry-After.
  api::PasswordHasher passwords(*api::PasswordCost::named(config.password_cost), 2, 8);
  api::Metrics metrics;
  add_gauges(metrics, *event_log, projector, saga, config.role_saga, *snapshots);
  api::AuthLimits limits(config.signups_per_address);
  auto redactor = ok_or_exit(redactor_for(data, false), "the pseudonym key");
  api::Services services{*event_log,
                         marketplace,
                         *views,
                         projector,
                         payments,
                         clock,
                         tokens,
                         passwords,
                         limits,
                         idempotency,
                         metrics,
                         log,
                         api::ApiConfig{.reservation_ttl = config.reservation_ttl,
                                        .session_ttl = config.session_ttl,
                                        .secure_cookies = config.secure_cookies,
                                        .stripe_publishable_key = config.stripe_publishable_key,
                                        .change_window_commits = config.change_window},
                         api::AnalystAccess{.admin_token = config.admin_token, .redactor = std::move(redactor)}};
  api::Api api(services);
  api::HttpServer server(server_config_of(config), api, log);
  metrics.gauge("ticketing_payments_in_progress", "Payments being answered or waiting for a payment worker.",
                [&server] { return static_cast<double>(server.payments_in_progress()); });
  metrics.gauge("ticketing_event_streams_open", "Event streams (Server-Sent Events) open, at most --max-streams.",
                [&server] { return static_cast<double>(server.streams_open()); });
  if (config.change_window > 0) {
    metrics.gauge("ticketing_change_streams_alone",
                  "Streams of /api/tickets/changes reading the log by themselves, not from the shared window "
                  "(not yet joined, or left behind: a larger --change-window keeps more of them in it).",
                  [&services] { return static_cast<double>(api::ticket_change_streams_alone(*services.live)); });
  }
  if (!start_api(config, server, log)) return 1;

  int signal_number = 0;
  sigwait(&signals, &signal_number);
  log.line("info", "stopping", "\"signal\":" + std::to_string(signal_number));
  server.stop();
  saga.stop();
  projector.stop();
  log.line("info", "stopped");
  return 0;
}

}  // namespace ticketing::app

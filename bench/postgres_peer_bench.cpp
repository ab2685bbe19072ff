// The embedded log next to what a user would pick instead: a PostgreSQL
// event store (one events table, UNIQUE(stream_id, version) for optimistic
// concurrency, synchronous commit), on the same disk, in the same run. The
// workload is the same for both: durable single-event commits over 10,000
// streams from 1, 16 and 64 concurrent clients (bench/append_load.hpp),
// driven two ways: a thread per client waiting for each commit, and
// asynchronous clients on one driver thread (each with one commit in
// flight), as the server's I/O threads append. The second measures the
// stores rather than the scheduling of 64 client threads on the same cores.
//
// PostgreSQL is Debian's (`apt install postgresql`), started privately by
// this program in a temporary directory (Unix socket only) and stopped at
// the end. Run as root, it runs PostgreSQL as the `postgres` user.
//
// Usage: postgres_peer_bench [SECONDS_PER_RUN] [DIR]

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <libpq-fe.h>
#include <poll.h>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>

#include "append_load.hpp"
#include "eventstore/codec.hpp"
#include "eventstore/rocksdb_log.hpp"

using namespace ticketing;
using namespace ticketing::bench;
namespace fs = std::filesystem;

namespace {

std::string const kBin = "/usr/lib/postgresql/15/bin/";

// Runs a PostgreSQL tool, as `postgres` when this process is root (initdb
// and postgres refuse to run as root).
int run_tool(std::string const& command) {
  std::string const line = (::geteuid() == 0 ? "runuser -u postgres -- " : "") + command;
  return std::system(line.c_str());
}

class PrivatePostgres {
 public:
  explicit PrivatePostgres(fs::path dir) : dir_(std::move(dir)) {
    fs::create_directories(dir_);
    if (::geteuid() == 0 && std::system(("chown -R postgres " + dir_.string()).c_str()) != 0) {
      throw std::runtime_error("cannot give " + dir_.string() + " to the postgres user");
    }
    std::string const data = (dir_ / "data").string();
    if (run_tool(kBin + "initdb -D " + data + " -U bench --auth=trust -E UTF8 > " + (dir_ / "initdb.log").string() +
                 " 2>&1") != 0) {
      throw std::runtime_error("initdb failed: see " + (dir_ / "initdb.log").string());
    }
    // Durable as the embedded log: fsync and synchronous commit (the
    // defaults, said explicitly); Unix socket only.
    std::string const options = "-c listen_addresses='' -c unix_socket_directories=" + dir_.string() +
                                " -c fsync=on -c synchronous_commit=on -c max_connections=100 -p 5439";
    if (run_tool(kBin + "pg_ctl -D " + data + " -o \"" + options + "\" -w -l " + (dir_ / "postgres.log").string() +
                 " start > /dev/null") != 0) {
      throw std::runtime_error("postgres did not start: see " + (dir_ / "postgres.log").string());
    }
  }
  ~PrivatePostgres() {
    (void)run_tool(kBin + "pg_ctl -D " + (dir_ / "data").string() + " -m fast -w stop > /dev/null");
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }
  PrivatePostgres(PrivatePostgres const&) = delete;
  PrivatePostgres& operator=(PrivatePostgres const&) = delete;

  [[nodiscard]] std::string conninfo() const {
    return "host=" + dir_.string() + " port=5439 user=bench dbname=postgres";
  }

 private:
  fs::path dir_;
};

struct Connection {
  explicit Connection(std::string const& conninfo) : pg(PQconnectdb(conninfo.c_str())) {
    if (PQstatus(pg) != CONNECTION_OK) throw std::runtime_error(std::string("connect: ") + PQerrorMessage(pg));
  }
  ~Connection() { PQfinish(pg); }
  Connection(Connection const&) = delete;
  Connection& operator=(Connection const&) = delete;
  void exec(char const* sql) const {
    PGresult* r = PQexec(pg, sql);
    bool const ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    PQclear(r);
    if (!ok) throw std::runtime_error(std::string("exec: ") + PQerrorMessage(pg));
  }
  PGconn* pg;
};

// The same commits as the embedded log's run: one TicketUpdated per commit,
// its JSON as the log stores it, on the client's next owned stream; each
// client on its own connection.
RunResult run_postgres(std::string const& conninfo, int clients, double seconds, std::vector<std::int64_t>& versions) {
  return run_clients(clients, seconds, [&](int) {
    auto conn = std::make_shared<Connection>(conninfo);
    PQclear(PQprepare(conn->pg, "append", "INSERT INTO events (stream_id, version, type, data) VALUES ($1, $2, $3, $4)",
                      4, nullptr));
    return [conn, &versions, seq = std::uint64_t{0}](int stream) mutable {
      auto& version = versions[static_cast<std::size_t>(stream)];
      Commit const commit = update_commit(stream, version, ++seq);
      std::string const stream_id = commit.expected.front().stream;
      std::string const next = std::to_string(version + 1);
      std::string const data = encode_event(commit.events.front());
      char const* values[] = {stream_id.c_str(), next.c_str(), "TicketUpdated", data.c_str()};
      PGresult* r = PQexecPrepared(conn->pg, "append", 4, values, nullptr, nullptr, 0);
      bool const ok = PQresultStatus(r) == PGRES_COMMAND_OK;
      PQclear(r);
      if (!ok) {
        std::fprintf(stderr, "insert failed: %s", PQerrorMessage(conn->pg));
        return false;
      }
      ++version;
      return true;
    };
  });
}

// The same commits from asynchronous clients on one driver thread, as
// run_async drives the embedded log: each client's connection has one
// INSERT in flight; the driver polls every connection's socket, takes each
// answer, times it and sends that client's next INSERT. Stops sending after
// `seconds`, then drains.
RunResult run_postgres_async(std::string const& conninfo, int clients, double seconds,
                             std::vector<std::int64_t>& versions) {
  struct Client {
    std::unique_ptr<Connection> conn;
    int stream;
    Clock::time_point started;
    std::uint64_t seq = 0;
  };
  std::vector<Client> all(static_cast<std::size_t>(clients));
  std::vector<std::vector<double>> latencies(all.size());
  std::vector<pollfd> sockets(all.size());
  auto const send = [&](std::size_t i) {
    auto& client = all[i];
    Commit const commit = update_commit(client.stream, versions[static_cast<std::size_t>(client.stream)], ++client.seq);
    std::string const stream_id = commit.expected.front().stream;
    std::string const next = std::to_string(versions[static_cast<std::size_t>(client.stream)] + 1);
    std::string const data = encode_event(commit.events.front());
    char const* values[] = {stream_id.c_str(), next.c_str(), "TicketUpdated", data.c_str()};
    client.started = Clock::now();
    if (PQsendQueryPrepared(client.conn->pg, "append", 4, values, nullptr, nullptr, 0) != 1) {
      throw std::runtime_error(std::string("send: ") + PQerrorMessage(client.conn->pg));
    }
    sockets[i] = pollfd{PQsocket(client.conn->pg), POLLIN, 0};
  };
  for (std::size_t i = 0; i < all.size(); ++i) {
    all[i].conn = std::make_unique<Connection>(conninfo);
    all[i].stream = static_cast<int>(i);
    PQclear(PQprepare(all[i].conn->pg, "append",
                      "INSERT INTO events (stream_id, version, type, data) VALUES ($1, $2, $3, $4)", 4, nullptr));
    latencies[i].reserve(400'000);
  }
  auto const begin = Clock::now();
  auto const deadline = begin + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
  for (std::size_t i = 0; i < all.size(); ++i) send(i);
  std::size_t in_flight = all.size();
  while (in_flight > 0) {
    int const ready = ::poll(sockets.data(), sockets.size(), static_cast<int>(kAnswerLimit.count() * 1000));
    if (ready < 0) throw std::runtime_error("poll failed");
    if (ready == 0) throw std::runtime_error("PostgreSQL answered no INSERT for 30 s");
    for (std::size_t i = 0; i < all.size(); ++i) {
      if (sockets[i].fd < 0 || (sockets[i].revents & (POLLIN | POLLERR | POLLHUP)) == 0) continue;
      PGconn* pg = all[i].conn->pg;
      if (PQconsumeInput(pg) != 1) throw std::runtime_error(std::string("receive: ") + PQerrorMessage(pg));
      while (PQisBusy(pg) == 0) {
        PGresult* r = PQgetResult(pg);
        if (r == nullptr) {  // this client's INSERT is answered and committed
          auto const now = Clock::now();
          auto& client = all[i];
          latencies[i].push_back(std::chrono::duration<double, std::micro>(now - client.started).count());
          ++versions[static_cast<std::size_t>(client.stream)];
          client.stream = next_stream(client.stream, static_cast<int>(i), clients);
          sockets[i].fd = -1;
          --in_flight;
          if (now < deadline) {
            send(i);
            ++in_flight;
          }
          break;
        }
        bool const ok = PQresultStatus(r) == PGRES_COMMAND_OK;
        PQclear(r);
        if (!ok) throw std::runtime_error(std::string("insert failed: ") + PQerrorMessage(pg));
      }
    }
  }
  return summarize(latencies, std::chrono::duration<double>(Clock::now() - begin).count());
}

}  // namespace

int main(int argc, char** argv) {
  double const seconds = argc > 1 ? std::stod(argv[1]) : 10.0;
  fs::path const dir = argc > 2 ? fs::path(argv[2]) : fs::temp_directory_path() / "ticketing-postgres-peer";
  if (!fs::exists(kBin + "initdb")) {
    std::fprintf(stderr, "PostgreSQL is not installed (apt install postgresql)\n");
    return 1;
  }
  fs::remove_all(dir);
  fs::create_directories(dir);
  try {
    PrivatePostgres postgres(dir / "postgres");
    {
      Connection setup(postgres.conninfo());
      setup.exec(
          "CREATE TABLE events (position bigserial PRIMARY KEY, stream_id text NOT NULL, version bigint NOT NULL, "
          "type text NOT NULL, data jsonb NOT NULL, recorded_at timestamptz NOT NULL DEFAULT now(), "
          "UNIQUE (stream_id, version))");
      setup.exec(
          "INSERT INTO events (stream_id, version, type, data) SELECT 'ticket-' || lpad(s::text, 24, '0'), 0, "
          "'TicketCreated', '{}' FROM generate_series(0, 9999) s");
    }
    auto log = RocksDbLog::open({.path = (dir / "log").string(), .partitions = 16});
    if (!log) throw std::runtime_error(log.error().message);
    create_streams(**log);
    std::vector<std::int64_t> log_versions(kStreams, 0), pg_versions(kStreams, 0);
    std::atomic<std::uint64_t> seq{0};
    std::printf("durable single-event commits over %d streams, %.0f s per run, same disk (%s)\n", kStreams, seconds,
                dir.c_str());
    std::printf("clients: a thread each, waiting for its commit; or asynchronous, one driver thread for all\n");
    std::printf("%-8s %-7s %-26s %12s %10s %10s %8s\n", "clients", "driver", "store", "commits/s", "p50 (us)",
                "p99 (us)", "ratio");
    for (int const clients : {1, 16, 64}) {
      for (bool const async : {false, true}) {
        if (async && clients == 1) continue;  // one client is one commit in flight either way
        auto const ours = async ? run_async(**log, clients, seconds, log_versions, seq)
                                : run(**log, clients, seconds, log_versions, seq);
        auto const peer = async ? run_postgres_async(postgres.conninfo(), clients, seconds, pg_versions)
                                : run_postgres(postgres.conninfo(), clients, seconds, pg_versions);
        char const* const driver = async ? "async" : "threads";
        std::printf("%-8d %-7s %-26s %12.0f %10.0f %10.0f %8s\n", clients, driver, "PostgreSQL 15 event store",
                    peer.commits_per_second, peer.p50_us, peer.p99_us, "1.00x");
        std::printf("%-8d %-7s %-26s %12.0f %10.0f %10.0f %7.2fx\n", clients, driver, "embedded log (RocksDB)",
                    ours.commits_per_second, ours.p50_us, ours.p99_us,
                    ours.commits_per_second / peer.commits_per_second);
      }
    }
  } catch (std::exception const& e) {
    std::fprintf(stderr, "postgres_peer_bench: %s\n", e.what());
    fs::remove_all(dir);
    return 1;
  }
  fs::remove_all(dir);
  return 0;
}

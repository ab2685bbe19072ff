// Loads a running ticketing server over HTTP and prints requests/s with p50
// and p99 latency for: GET /api/tickets/:id, GET /api/tickets, POST
// /api/orders on distinct tickets, and 1,000 concurrent buyers of one ticket;
// plus the server's peak memory with N tickets listed and the time a restart
// takes to answer /readyz with 200 (after kill -9 while writing, and after a
// clean stop).
// In the same run it
// measures nginx serving a static file of the ticket JSON's size, in turn
// with our GET (twice each, the better run of each kept; with wrk, right
// after ours), and prints our figure as a ratio to it. Reads are measured once the server is idle
// after the listing (its flushes and compactions done), as nginx is.
//
// Usage: http_bench TICKETING_BINARY [--tickets N] [--seconds S] [--connections C] [--keep]
// The server is started here on a fresh data directory (password hashing at
// the "minimum" cost, so that signing up 1,000 buyers measures the API, not
// Argon2id). nginx (Debian's nginx-light) is used when /usr/sbin/nginx exists.

#include <algorithm>
#include <arpa/inet.h>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <netinet/in.h>
#include <optional>
#include <random>
#include <signal.h>
#include <sstream>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

#include "http_load.hpp"
#include "server_process.hpp"

using namespace ticketing::bench;
namespace fs = std::filesystem;

namespace {

std::uint16_t free_port() {
  int const s = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(s, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(s, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(s);
  return ntohs(addr.sin_port);
}

// nginx with 2 workers (as many as the server's I/O threads) serving `body`.
std::optional<Child> start_nginx(fs::path const& dir, std::string const& body) {
  if (!fs::exists("/usr/sbin/nginx")) return std::nullopt;
  fs::create_directories(dir / "www");
  std::ofstream(dir / "www" / "ticket.json") << body;
  std::uint16_t const port = free_port();
  std::ofstream(dir / "nginx.conf")
      << "worker_processes 2;\ndaemon off;\npid " << (dir / "nginx.pid").string() << ";\nerror_log "
      << (dir / "error.log").string()
      << ";\nevents { worker_connections 4096; }\nhttp {\n access_log off;\n keepalive_requests 100000000;\n"
      << " server {\n  listen 127.0.0.1:" << port << ";\n  root " << (dir / "www").string()
      << ";\n  location / { default_type application/json; }\n }\n}\n";
  pid_t const pid = ::fork();
  if (pid == 0) {
    ::execl("/usr/sbin/nginx", "nginx", "-c", (dir / "nginx.conf").c_str(), "-p", dir.c_str(),
            static_cast<char*>(nullptr));
    _exit(127);
  }
  for (int i = 0; i < 100; ++i) {
    if (request_once(port, http_get("/ticket.json")).first == 200) return Child{pid, port};
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ::kill(pid, SIGTERM);
  return std::nullopt;
}

struct WrkResult {
  double rate{0};
  std::string p50, p99;
};

// Runs wrk (when installed) with a Lua script; parses requests/s and the
// latency distribution it prints with --latency.
std::optional<WrkResult> run_wrk(std::string const& url, fs::path const& script, double seconds,
                                 std::size_t connections) {
  if (!fs::exists("/usr/bin/wrk")) return std::nullopt;
  std::string const command = "/usr/bin/wrk -t1 -c" + std::to_string(connections) + " -d" +
                              std::to_string(static_cast<int>(seconds)) + "s --latency" +
                              (script.empty() ? std::string() : " -s " + script.string()) + " " + url + " 2>&1";
  std::FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return std::nullopt;
  std::string out;
  char buf[512];
  while (std::fgets(buf, sizeof buf, pipe) != nullptr) out += buf;
  ::pclose(pipe);
  WrkResult r;
  std::istringstream lines(out);
  std::string line;
  while (std::getline(lines, line)) {
    std::istringstream words(line);
    std::string first, second;
    words >> first >> second;
    if (first == "Requests/sec:") r.rate = std::stod(second);
    if (first == "50%") r.p50 = second;
    if (first == "99%") r.p99 = second;
  }
  if (r.rate <= 0) return std::nullopt;
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: http_bench TICKETING_BINARY [--tickets N] [--seconds S] [--connections C]\n");
    return 64;
  }
  std::string const binary = argv[1];
  std::size_t tickets = 100'000;
  double seconds = 10;
  std::size_t connections = 64;
  bool keep = false;  // --keep: leave the data directory for a profiler
  for (int i = 2; i < argc; ++i) {
    std::string const flag = argv[i];
    if (flag == "--keep") {
      keep = true;
    } else if (i + 1 < argc) {
      if (flag == "--tickets") tickets = std::stoul(argv[i + 1]);
      if (flag == "--seconds") seconds = std::stod(argv[i + 1]);
      if (flag == "--connections") connections = std::stoul(argv[i + 1]);
      ++i;
    }
  }
  ::signal(SIGPIPE, SIG_IGN);
  fs::path const dir = fs::temp_directory_path() / ("ticketing-http-bench-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  Child const server = start_server(binary, dir / "data");
  std::printf("server pid %d on 127.0.0.1:%u; %zu connections; %.0f s per run; one client thread\n", server.pid,
              server.port, connections, seconds);

  std::string const seller = sign_up(server.port, "seller@example.com");
  std::string const buyer = sign_up(server.port, "buyer@example.com");

  // Listing: durable commits through the whole stack.
  std::vector<std::string> ids;
  ids.reserve(tickets);
  std::atomic<std::uint64_t> listed{0};
  auto const listing = run_load(
      server.port, connections, std::chrono::hours(1),
      [&](std::size_t, std::uint64_t) -> std::string {
        std::uint64_t const n = listed++;
        if (n >= tickets) return {};
        return http_post("/api/tickets", R"({"title":"Bench ticket )" + std::to_string(n) + R"(","price":25})", seller);
      },
      1,
      [&](int status, std::string const& body) {
        if (status == 201) ids.push_back(json_field(body, "id"));
      });
  print("POST /api/tickets (listing)", listing);
  std::printf("server memory with %zu tickets listed: VmRSS %s, VmHWM (peak) %s\n", ids.size(),
              proc_status(server.pid, "VmRSS").c_str(), proc_status(server.pid, "VmHWM").c_str());

  std::printf("server idle %.0f s after the listing (flushes and compactions)\n",
              wait_until_idle(server.pid, std::chrono::seconds(120)));
  std::string const sample = request_once(server.port, http_get("/api/tickets/" + ids.front())).second;
  // The peer, started beside the idle server: the two are measured in turn,
  // twice each, and each keeps its better run, so that a burst of a
  // neighbour on this shared machine does not decide the ratio.
  auto nginx = start_nginx(dir / "nginx", sample);
  std::mt19937_64 rng(42);
  auto const ours_once = [&] {
    return run_load(server.port, connections, std::chrono::duration<double>(seconds), [&](std::size_t, std::uint64_t) {
      thread_local std::mt19937_64 local(rng());
      return http_get("/api/tickets/" + ids[local() % ids.size()]);
    });
  };
  auto const nginx_once = [&] {
    return run_load(nginx->port, connections, std::chrono::duration<double>(seconds),
                    [&](std::size_t, std::uint64_t) { return http_get("/ticket.json"); });
  };
  auto const better = [](LoadResult a, LoadResult b) { return b.rate() > a.rate() ? b : a; };
  LoadResult by_id = ours_once();
  std::optional<LoadResult> static_file;
  if (nginx) static_file = nginx_once();
  by_id = better(by_id, ours_once());
  if (nginx) static_file = better(*static_file, nginx_once());
  print("GET /api/tickets/:id (better of 2)", by_id);
  if (static_file) {
    print("nginx: static file, same size (better of 2)", *static_file);
    std::printf("GET /api/tickets/:id as a ratio of nginx: %.2f (ticket JSON %zu bytes)\n",
                by_id.rate() / static_file->rate(), sample.size());
  } else {
    std::printf("nginx not found (apt-get install nginx-light): no ratio printed\n");
  }
  // The same with wrk, a leaner client, over all the listed ids.
  fs::path const ids_file = dir / "ids.txt";
  {
    std::ofstream out(ids_file);
    for (auto const& id : ids) out << id << "\n";
  }
  fs::path const script = dir / "random_ticket.lua";
  std::ofstream(script) << "ids = {}\nfor line in io.lines(\"" << ids_file.string()
                        << "\") do ids[#ids + 1] = line end\n"
                           "request = function() return wrk.format(\"GET\", \"/api/tickets/\" .. "
                           "ids[math.random(#ids)]) end\n";
  auto const wrk_ours = run_wrk("http://127.0.0.1:" + std::to_string(server.port), script, seconds, connections);
  if (wrk_ours) {
    std::printf("%-44s %10.0f req/s  p50 %s  p99 %s\n", "wrk: GET /api/tickets/:id (random ids)", wrk_ours->rate,
                wrk_ours->p50.c_str(), wrk_ours->p99.c_str());
  }
  if (nginx && wrk_ours) {  // right after, as its peer
    auto const wrk_nginx =
        run_wrk("http://127.0.0.1:" + std::to_string(nginx->port) + "/ticket.json", {}, seconds, connections);
    if (wrk_nginx) {
      std::printf("%-44s %10.0f req/s  p50 %s  p99 %s\n", "wrk: nginx static file", wrk_nginx->rate,
                  wrk_nginx->p50.c_str(), wrk_nginx->p99.c_str());
      std::printf("with wrk: GET /api/tickets/:id as a ratio of nginx: %.2f\n", wrk_ours->rate / wrk_nginx->rate);
    }
  }
  if (nginx) stop(*nginx);
  auto const page = run_load(server.port, connections, std::chrono::duration<double>(seconds),
                             [&](std::size_t, std::uint64_t) { return http_get("/api/tickets"); });
  print("GET /api/tickets (first page of 100)", page);

  std::atomic<std::size_t> next{0};
  auto const orders = run_load(server.port, connections, std::chrono::duration<double>(seconds),
                               [&](std::size_t, std::uint64_t) -> std::string {
                                 std::size_t const n = next++;
                                 if (n >= ids.size()) return {};
                                 return http_post("/api/orders", R"({"ticketId":")" + ids[n] + R"("})", buyer);
                               });
  print("POST /api/orders (distinct tickets, durable)", orders);

  // The hot ticket: 1,000 buyers, one request each, all at once; first with
  // their connections open (as a browser that has shown the ticket holds
  // one), then each on a new connection, its setup competing with the others'
  // requests. Each rush on a ticket of its own, five rushes each way: one
  // rush's p99 swings twofold on this machine, so the median is the figure.
  constexpr std::size_t kBuyers = 1000;
  constexpr int kRushes = 5;
  std::vector<std::string> cookies;
  for (std::size_t i = 0; i < kBuyers; ++i)
    cookies.push_back(sign_up(server.port, "hot" + std::to_string(i) + "@example.com"));
  auto const hot_ticket = [&](char const* label, Start start) {
    std::vector<double> ratios;
    int single_winner = 0;
    for (int k = 0; k < kRushes; ++k) {
      std::string const hot = json_field(
          request_once(server.port, http_post("/api/tickets", R"({"title":"Final","price":500})", seller)).second,
          "id");
      auto const rush = run_load(
          server.port, kBuyers, std::chrono::seconds(60),
          [&](std::size_t c, std::uint64_t n) -> std::string {
            if (n > 0) return {};
            return http_post("/api/orders", R"({"ticketId":")" + hot + R"("})", cookies[c]);
          },
          1, {}, start);
      if (k == 0) print(label, rush);
      auto const winners = rush.statuses.count(201) ? rush.statuses.at(201) : 0;
      if (winners == 1) ++single_winner;
      ratios.push_back(orders.p99_ms > 0 ? rush.p99_ms / orders.p99_ms : 0);
      std::printf("  rush %d: p99 %.2f ms, %.2f of orders' p99; sold to %llu buyer(s)\n", k + 1, rush.p99_ms,
                  ratios.back(), static_cast<unsigned long long>(winners));
    }
    std::sort(ratios.begin(), ratios.end());
    std::printf(
        "  hot ticket sold to exactly one buyer in %d of %d rushes; p99 as a ratio of orders' p99: median %.2f "
        "(%.2f-%.2f)\n",
        single_winner, kRushes, ratios[kRushes / 2], ratios.front(), ratios.back());
  };
  hot_ticket("1,000 buyers of one ticket, connections open", Start::all_connected);
  hot_ticket("1,000 buyers of one ticket, new connections", Start::as_connected);
  std::printf("server peak memory (VmHWM): %s\n", proc_status(server.pid, "VmHWM").c_str());

  // Restart with everything above in the log and the read models: the time
  // from starting the process to its first 200 from /readyz. First after
  // kill -9 in the middle of writing (what the WAL holds is replayed), then
  // after a clean stop.
  auto const restart = [&](char const* after) {
    auto const start = std::chrono::steady_clock::now();
    Child const again = start_server(binary, dir / "data");
    while (request_once(again.port, http_get("/readyz")).first != 200) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    std::printf("restart to /readyz 200 with %zu tickets and their orders, after %s: %.3f s\n", ids.size(), after,
                std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    return again;
  };
  std::atomic<bool> writing{true};
  std::thread writer([&] {
    std::size_t n = 0;
    while (writing) {
      (void)request_once(
          server.port,
          http_post("/api/tickets", R"({"title":"Late ticket )" + std::to_string(n++) + R"(","price":25})", seller));
    }
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  ::kill(server.pid, SIGKILL);
  ::waitpid(server.pid, nullptr, 0);
  writing = false;
  writer.join();
  Child const recovered = restart("kill -9 while writing");
  stop(recovered);
  stop(restart("a clean stop"));
  if (keep) {
    std::printf("kept %s\n", dir.c_str());
  } else {
    fs::remove_all(dir);
  }
}

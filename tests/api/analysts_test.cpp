// The analysts' commands against a live server's data directory: export
// (formats, order, filters, resuming, following, redaction), history,
// snapshot and analytics, while the server runs and writes.

#include <atomic>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <sys/wait.h>
#include <thread>

#include "api_fixture.hpp"
#include "domain/time.hpp"
#include "eventually.hpp"
#include "tool_process.hpp"

using namespace ticketing::testing;
using namespace std::chrono_literals;

namespace {

json::object parse_line(std::string const& line) { return json::parse(line).as_object(); }

std::string positions_of(ToolResult const& r) {
  auto const at = r.err.find("positions: ");
  REQUIRE(at != std::string::npos);
  return r.err.substr(at + 11, r.err.find('\n', at) - at - 11);
}

}  // namespace

TEST_CASE("analysts: export while the server writes: whole commits in one order, nothing personal") {
  ApiFixture f;
  auto seller = f.user("Seller.Person");
  std::atomic<bool> writing{true};
  std::set<std::string> listed;
  std::thread writer([&] {
    for (int i = 0; i < 40; ++i) listed.insert(str(ApiFixture::list_ticket(seller, "T" + std::to_string(i)).at("id")));
    writing = false;
  });
  while (writing) {  // each export reads a consistent cut while listings commit
    auto const during = run_tool({"export", "--data", f.server.data_dir(), "--types", "TicketCreated"});
    REQUIRE_MESSAGE(during.status == 0, during.err);
    for (auto const& line : during.lines()) CHECK(parse_line(line).at("type") == "TicketCreated");
  }
  writer.join();

  auto const r = run_tool({"export", "--data", f.server.data_dir()});
  REQUIRE_MESSAGE(r.status == 0, r.err);
  std::set<std::string> exported;
  std::string previous;
  for (auto const& line : r.lines()) {
    auto const e = parse_line(line);
    for (char const* key : {"type", "schema", "stream", "version", "at", "data", "partition", "offset", "commit_id",
                            "recorded_at", "correlation_id"}) {
      CHECK_MESSAGE(e.contains(key), key);
    }
    std::string const recorded_at = str(e.at("recorded_at"));
    CHECK(recorded_at >= previous);  // one order: by recorded_at
    previous = recorded_at;
    if (e.at("type") == "TicketCreated") exported.insert(str(e.at("data").at("ticket_id")));
  }
  CHECK(exported == listed);
  CHECK(r.out.find("@example.com") == std::string::npos);
  CHECK(r.out.find("Seller.Person") == std::string::npos);
  CHECK(r.out.find("$argon2") == std::string::npos);

  auto const personal = run_tool({"export", "--data", f.server.data_dir(), "--include-personal-data"});
  CHECK(personal.out.find("seller.person@example.com") != std::string::npos);
  CHECK(personal.out.find("$argon2") == std::string::npos);
}

TEST_CASE("analysts: --after takes up where the last export ended, --types and --stream filter") {
  ApiFixture f;
  auto seller = f.user("seller");
  auto buyer = f.user("buyer");
  std::string const first = str(ApiFixture::list_ticket(seller).at("id"));
  auto const before = run_tool({"export", "--data", f.server.data_dir()});
  REQUIRE(before.status == 0);
  std::string const second = str(ApiFixture::list_ticket(seller).at("id"));
  std::string const order = str(ApiFixture::place_order(buyer, second).at("id"));

  auto const after = run_tool({"export", "--data", f.server.data_dir(), "--after", positions_of(before)});
  REQUIRE_MESSAGE(after.status == 0, after.err);
  std::vector<std::string> types;
  for (auto const& line : after.lines()) types.push_back(str(parse_line(line).at("type")));
  CHECK(types == std::vector<std::string>{"TicketCreated", "OrderCreated", "TicketReserved"});
  CHECK(after.out.find(first) == std::string::npos);
  CHECK(after.out.find(order) != std::string::npos);

  auto const orders = run_tool({"export", "--data", f.server.data_dir(), "--types", "Order*,TicketReserved"});
  std::vector<std::string> order_types;
  for (auto const& line : orders.lines()) order_types.push_back(str(parse_line(line).at("type")));
  CHECK(order_types == std::vector<std::string>{"OrderCreated", "TicketReserved"});

  auto const stream = run_tool({"export", "--data", f.server.data_dir(), "--stream", "ticket-" + second});
  std::vector<std::string> stream_types;
  for (auto const& line : stream.lines()) stream_types.push_back(str(parse_line(line).at("type")));
  CHECK(stream_types == std::vector<std::string>{"TicketCreated", "TicketReserved"});

  auto const bad = run_tool({"export", "--data", f.server.data_dir(), "--after", "99:1"});
  CHECK(bad.status == 1);
  CHECK(bad.err.find("out of range") != std::string::npos);
}

TEST_CASE("analysts: csv is one event per line with flat typed columns, commits one commit per line") {
  ApiFixture f;
  auto seller = f.user("seller");
  std::string const ticket = str(ApiFixture::list_ticket(seller, "Row \"A\", seat 3", 25.5).at("id"));
  auto const csv = run_tool({"export", "--data", f.server.data_dir(), "--format", "csv", "--types", "TicketCreated"});
  REQUIRE(csv.status == 0);
  auto const lines = csv.lines();
  REQUIRE(lines.size() == 2);
  CHECK(lines[0] ==
        "at,type,schema,stream,version,partition,offset,ticket_id,order_id,charge_id,user_id,seller_id,buyer_id,"
        "price_cents,amount_cents,previous_price_cents,reason,title");
  CHECK(lines[1].find(",TicketCreated,2,ticket-" + ticket + ",0,") != std::string::npos);
  CHECK(lines[1].ends_with(",2550,,,,\"Row \"\"A\"\", seat 3\""));

  auto const commits = run_tool({"export", "--data", f.server.data_dir(), "--format", "commits"});
  REQUIRE(commits.status == 0);
  for (auto const& line : commits.lines()) {
    auto const c = parse_line(line);
    CHECK(c.contains("partition"));
    CHECK(c.at("commit").as_object().contains("events"));
  }
}

TEST_CASE("analysts: --follow prints a new order soon after its commit, and the positions when interrupted") {
  ApiFixture f;
  auto seller = f.user("seller");
  auto buyer = f.user("buyer");
  std::string const ticket = str(ApiFixture::list_ticket(seller).at("id"));
  ToolProcess follow({"export", "--data", f.server.data_dir(), "--follow", "--types", "OrderCreated"});
  std::string const order = str(ApiFixture::place_order(buyer, ticket).at("id"));
  std::optional<std::string> line;
  for (int i = 0; i < 100 && !line; ++i) line = follow.read_line(200ms);
  REQUIRE(line.has_value());
  CHECK(str(parse_line(*line).at("data").at("order_id")) == order);
  auto const stopped = follow.interrupt();
  CHECK(stopped.status == 0);
  CHECK(stopped.err.find("positions: ") != std::string::npos);
}

TEST_CASE("analysts: --follow outlasts a log that cannot be read for a while and goes on where it was") {
  ApiFixture f;
  auto seller = f.user("seller");
  std::string const before = str(ApiFixture::list_ticket(seller, "Before").at("id"));
  ToolProcess follow({"export", "--data", f.server.data_dir(), "--follow", "--types", "TicketCreated"});
  auto const next_ticket = [&] {
    std::optional<std::string> line;
    for (int i = 0; i < 100 && !line; ++i) line = follow.read_line(200ms);
    REQUIRE(line.has_value());
    return str(parse_line(*line).at("data").at("ticket_id"));
  };
  CHECK(next_ticket() == before);
  // The server stops and its log is being restored: moved away, and in its
  // place a directory whose files are not all there yet (CURRENT names a
  // manifest not yet copied). It comes back whole a little later and the
  // server starts again on it.
  REQUIRE(::kill(follow.pid(), SIGSTOP) == 0);
  REQUIRE(f.server.terminate() == 0);
  std::filesystem::path const log = std::filesystem::path(f.server.data_dir()) / "log";
  std::filesystem::rename(log, log.string() + "-away");
  std::filesystem::create_directory(log);
  std::ofstream(log / "CURRENT") << "MANIFEST-999999\n";
  REQUIRE(::kill(follow.pid(), SIGCONT) == 0);
  std::this_thread::sleep_for(1500ms);  // several attempts to follow fail meanwhile
  std::filesystem::remove_all(log);
  std::filesystem::rename(log.string() + "-away", log);
  f.server.restart();
  auto late_seller = f.user("late.seller");
  std::string const after = str(ApiFixture::list_ticket(late_seller, "After").at("id"));
  CHECK(next_ticket() == after);  // the next line: nothing missed, nothing twice
  auto const stopped = follow.interrupt();
  CHECK(stopped.status == 0);
  CHECK(stopped.out.empty());
  CHECK(stopped.err.find("cannot follow the log") != std::string::npos);
  CHECK(stopped.err.find("following the log again") != std::string::npos);
}

TEST_CASE("analysts: snapshot --as-of T is the state the API served at T") {
  ApiFixture f;
  auto seller = f.user("seller");
  auto buyer = f.user("buyer");
  std::string const kept = str(ApiFixture::list_ticket(seller, "Kept", 20).at("id"));
  std::string const sold = str(ApiFixture::list_ticket(seller, "Sold", 30).at("id"));
  std::string const held = str(ApiFixture::place_order(buyer, sold).at("id"));
  auto anon = f.server.client();
  std::map<std::string, json::value> served{{kept, anon.get("/api/tickets/" + kept).json()},
                                            {sold, anon.get("/api/tickets/" + sold).json()},
                                            {held, buyer.get("/api/orders/" + held).json()}};
  std::this_thread::sleep_for(20ms);  // T falls strictly between the two phases' commits
  std::string const t = ticketing::format_iso8601(
      std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now()));
  std::this_thread::sleep_for(20ms);
  REQUIRE(seller.put("/api/tickets/" + kept, {{"title", "Kept, cheaper"}, {"price", 15}}).status == 200);
  REQUIRE(buyer.post("/api/payments", {{"token", "tok_visa"}, {"orderId", held}}).status == 201);

  auto const then = run_tool({"snapshot", "--data", f.server.data_dir(), "--as-of", t});
  REQUIRE_MESSAGE(then.status == 0, then.err);
  std::map<std::string, json::value> snapshot;
  for (auto const& line : then.lines()) {
    auto row = parse_line(line);
    row.erase("kind");
    snapshot[str(row.at("id"))] = row;
  }
  CHECK(snapshot == served);
  auto const now = run_tool({"snapshot", "--data", f.server.data_dir(), "--as-of", "2100-01-01"});
  CHECK(now.out.find(R"("status":"sold")") != std::string::npos);
  CHECK(now.out.find("Kept, cheaper") != std::string::npos);
}

TEST_CASE("analysts: history of a ticket, and analytics, on a live directory") {
  ApiFixture f;
  auto seller = f.user("seller");
  auto buyer = f.user("buyer");
  auto const b = hold(seller, buyer);
  REQUIRE(pay(buyer, b.order, "tok_visa").status == 201);
  auto const h = run_tool({"history", "--data", f.server.data_dir(), b.ticket, "--format", "jsonl"});
  REQUIRE_MESSAGE(h.status == 0, h.err);
  std::vector<std::string> types;
  for (auto const& line : h.lines()) types.push_back(str(parse_line(line).at("type")));
  CHECK(types == std::vector<std::string>{"TicketCreated", "OrderCreated", "TicketReserved", "OrderAwaitingPayment",
                                          "ChargeCreated", "ChargeSucceeded", "OrderCompleted", "TicketSold"});
  auto const text = run_tool({"history", "--data", f.server.data_dir(), b.ticket});
  CHECK(text.lines().size() == 8);
  CHECK(run_tool({"history", "--data", f.server.data_dir(), "ffffffffffffffffffffffff"}).status == 1);

  auto const a = run_tool({"analytics", "--data", f.server.data_dir(), "--format", "json"});
  REQUIRE_MESSAGE(a.status == 0, a.err);
  auto const figures = json::parse(a.out);
  CHECK(figures.at("tickets_listed") == 1);
  CHECK(figures.at("sales") == 1);
  CHECK(figures.at("revenue_cents") == 2000);
  CHECK(run_tool({"analytics", "--data", f.server.data_dir(), "--tz", "Mars/Olympus"}).status == 1);
}

TEST_CASE("analysts: the commands work on a stopped directory too, and say what they take") {
  ApiFixture f;
  auto seller = f.user("seller");
  ApiFixture::list_ticket(seller);
  f.server.terminate();
  auto const r = run_tool({"export", "--data", f.server.data_dir(), "--types", "TicketCreated"});
  REQUIRE_MESSAGE(r.status == 0, r.err);
  CHECK(r.lines().size() == 1);
  for (std::string const command : {"export", "history", "snapshot", "analytics", "rebuild"}) {
    auto const help = run_tool({command, "--help"});
    CHECK(help.status == 0);
    CHECK(help.out.starts_with("usage: ticketing " + command));
  }
  CHECK(run_tool({"export", "--data", f.server.data_dir(), "--format", "xml"}).status == 1);
  CHECK(run_tool({"export", "--bogus"}).status == 64);
  // Standard output that cannot be written (a full disk): an error, and no
  // positions that would tell a nightly job it has what it never got.
  std::string const err = f.server.data_dir() + "/../export.err";
  int const status = std::system(
      (std::string(TICKETING_BINARY) + " export --data " + f.server.data_dir() + " > /dev/full 2> " + err).c_str());
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 1);
  std::ifstream in(err);
  std::string const said((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  CHECK(said.find("cannot write to standard output") != std::string::npos);
  CHECK(said.find("positions:") == std::string::npos);
}

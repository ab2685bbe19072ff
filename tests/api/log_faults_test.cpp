// What the API answers when the event log's disk fails to make a write
// durable: the command is refused (never acknowledged), /readyz says why, and
// the read side keeps answering from what was durable; and when its disk
// fills up, until there is room again.

#include <doctest/doctest.h>

#include "api_stack.hpp"
#include "domain/ids.hpp"
#include "failing_disk.hpp"

using namespace ticketing;
using namespace ticketing::testing;

TEST_CASE("a log whose disk failed a sync: orders answer 503 until a restart, /readyz says why, reads still answer") {
  FailingDisk disk;
  ApiStack stack({.log_env = disk.env()});
  auto const [seller, buyer, ticket] = stack.seller_buyer_ticket();  // the read models have the listing
  CHECK(stack.call("GET", "/readyz").status == 200);

  disk.fail_wal_syncs(true);
  auto const refused = stack.call("POST", "/api/orders", {{"ticketId", ticket}}, buyer);
  CHECK(refused.status == 503);
  REQUIRE(refused.json.at("errors").as_array().size() == 1);
  CHECK(disk.failed_syncs() >= 1);

  // The disk answers again, but what the failed sync covered cannot be
  // vouched for: commands stay refused, and readiness tells the operator.
  disk.fail_wal_syncs(false);
  CHECK(stack.call("POST", "/api/orders", {{"ticketId", ticket}}, buyer).status == 503);
  auto const ready = stack.call("GET", "/readyz");
  CHECK(ready.status == 503);
  CHECK(std::string(ready.json.at("fault").as_string()).find("restart") != std::string::npos);

  // Reads answer from what was durable: the ticket was never held.
  auto const shown = stack.call("GET", "/api/tickets/" + ticket);
  REQUIRE(shown.status == 200);
  CHECK(shown.json.at("status") == "available");
  CHECK(stack.call("GET", "/api/orders", nullptr, buyer).json.as_array().empty());
}

TEST_CASE("a log whose disk fills up: orders answer 503 and /readyz says the disk is full, until there is room") {
  FailingDisk disk;
  ApiStack stack({.log_env = disk.env()});
  auto const [seller, buyer, ticket] = stack.seller_buyer_ticket();  // the read models have the listing
  CHECK(stack.call("GET", "/readyz").status == 200);

  // Commits of 64 KiB each straight into the log until its memtable's flush
  // meets the full disk and the log refuses one.
  disk.fail_table_writes(FailingDisk::TableFault::no_space);
  bool refused = false;
  for (int n = 0; n < 2000 && !refused; ++n) {
    std::string const id = "filler" + std::string(18 - std::to_string(n).size(), '0') + std::to_string(n);
    Commit commit;
    commit.commit_id = id;
    commit.partition_key = id;
    commit.expected = {{ticket_stream(id), kNoStream}};
    commit.events.emplace_back(
        TicketCreated{id, "seller", std::string(std::size_t{64} << 10, 'f'), Money{1000}, stack.clock.now()});
    commit.meta.recorded_at = stack.clock.now();
    refused = !stack.log->append(commit).has_value();
  }
  REQUIRE(refused);
  auto const order = stack.call("POST", "/api/orders", {{"ticketId", ticket}}, buyer);
  CHECK(order.status == 503);
  auto const ready = stack.call("GET", "/readyz");
  CHECK(ready.status == 503);
  CHECK(std::string(ready.json.at("fault").as_string()).find("disk is full") != std::string::npos);
  CHECK(stack.call("GET", "/api/tickets/" + ticket).status == 200);  // reads answer meanwhile

  // Room again: the log recovers by itself, /readyz says ready, and the
  // order that was refused goes through.
  disk.fail_table_writes(FailingDisk::TableFault::none);
  REQUIRE(eventually([&] { return stack.call("GET", "/readyz").status == 200; }));
  CHECK(stack.call("POST", "/api/orders", {{"ticketId", ticket}}, buyer).status == 201);
}

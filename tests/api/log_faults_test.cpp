// What the API answers when the event log's disk fails to make a write
// durable: the command is refused (never acknowledged), /readyz says why, and
// the read side keeps answering from what was durable.

#include <doctest/doctest.h>

#include "api_stack.hpp"
#include "failing_disk.hpp"

using namespace ticketing;
using namespace ticketing::testing;

TEST_CASE("a log whose disk failed a sync: orders answer 503 until a restart, /readyz says why, reads still answer") {
  FailingDisk disk;
  ApiStack stack({.log_env = disk.env()});
  auto const seller = stack.sign_up("seller");
  auto const buyer = stack.sign_up("buyer");
  auto const ticket = stack.list_ticket(seller);
  stack.advance(Duration{0});  // the read models have the listing
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

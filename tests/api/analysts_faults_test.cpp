// The analysts' routes when the log is slow or broken, in-process
// (tests/support/api_stack.hpp) with the API reading the log through a
// GatedLog: a computation of the figures held in the middle of its reads, a
// feed whose read fails.

#include <algorithm>
#include <thread>

#include <doctest/doctest.h>

#include "api_stack.hpp"
#include "sse_text.hpp"

using namespace ticketing;
using namespace ticketing::testing;

namespace {

std::vector<std::pair<std::string, std::string>> admin(std::string last_event_id = {}) {
  std::vector<std::pair<std::string, std::string>> headers{{"authorization", "Bearer secret"}};
  if (!last_event_id.empty()) headers.emplace_back("last-event-id", std::move(last_event_id));
  return headers;
}

// Everything the stream has ready now; `open` says whether it goes on.
std::string drain(api::ResponseStream& stream, bool& open) {
  std::string out;
  open = stream.poll(out, std::size_t{1} << 20);
  return out;
}

}  // namespace

TEST_CASE("analytics: while one computation runs, another is told to retry, and a repeat is answered from it") {
  ApiStack s({.reservation_ttl = std::chrono::minutes(15), .admin_token = "secret"});
  auto const seller = s.sign_up("seller");
  s.list_ticket(seller);
  s.list_ticket(seller, 30);

  s.event_log.hold_reads();
  api::HttpResponse first;
  std::thread computing([&] { first = s.raw("GET", "/api/analytics", admin()); });
  REQUIRE(eventually([&] { return s.event_log.waiting() > 0; }));  // in the middle of reading the log

  auto const other = s.raw("GET", "/api/analytics?tz=Europe/Paris", admin());
  CHECK(other.status == 503);
  bool retry_after = false;
  for (auto const& [name, value] : other.headers) retry_after = retry_after || (name == "Retry-After" && value == "2");
  CHECK(retry_after);
  CHECK(other.body == R"({"errors":[{"message":"Service temporarily unavailable, try again shortly"}]})");
  // The same question has no result yet either: told to retry, not queued.
  CHECK(s.raw("GET", "/api/analytics", admin()).status == 503);

  s.event_log.release_reads();
  computing.join();
  REQUIRE(first.status == 200);
  CHECK(first.body.find("\"tickets_listed\":2") != std::string::npos);

  // Asked again over the same log: the last result, without reading the log.
  std::uint64_t const reads = s.event_log.partition_reads();
  auto const again = s.raw("GET", "/api/analytics", admin());
  CHECK(again.status == 200);
  CHECK(again.body == first.body);
  CHECK(s.event_log.partition_reads() == reads);
  // Nothing runs now: the other question is computed.
  CHECK(s.raw("GET", "/api/analytics?tz=Europe/Paris", admin()).status == 200);
}

TEST_CASE("events feed: a read of the log that fails ends the stream, and the client resumes after its last id") {
  ApiStack s({.reservation_ttl = std::chrono::minutes(15), .admin_token = "secret"});
  auto const seller = s.sign_up("seller");
  auto const first_ticket = s.list_ticket(seller);
  REQUIRE(eventually([&] { return s.projector.applied() == s.log->end_offsets(); }));

  auto const opened = s.raw("GET", "/api/events", admin());
  REQUIRE(opened.status == 200);
  REQUIRE(opened.stream);
  bool open = false;
  SseLines const before = sse_lines(drain(*opened.stream, open));
  REQUIRE(open);
  REQUIRE_FALSE(before.ids.empty());
  CHECK(before.data.size() == 2);  // the seller signed up, the ticket listed
  CHECK(std::any_of(before.data.begin(), before.data.end(),
                    [&](std::string const& d) { return d.find(first_ticket) != std::string::npos; }));

  s.event_log.fail_reads(true);
  auto const second_ticket = s.list_ticket(seller, 40);
  REQUIRE(eventually([&] { return s.projector.applied() == s.log->end_offsets(); }));
  std::string const after_fault = drain(*opened.stream, open);
  CHECK_FALSE(open);  // the response ends; nothing half-sent
  CHECK(after_fault.empty());

  s.event_log.fail_reads(false);
  auto const resumed = s.raw("GET", "/api/events", admin(before.ids.back()));
  REQUIRE(resumed.status == 200);
  SseLines const rest = sse_lines(drain(*resumed.stream, open));
  CHECK(open);
  REQUIRE(rest.data.size() == 1);  // exactly what it missed: the second listing
  CHECK(rest.data[0].find(second_ticket) != std::string::npos);
  CHECK(rest.data[0].find("TicketCreated") != std::string::npos);
}

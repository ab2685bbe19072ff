// The kept replies to Idempotency-Keys: what was stored is found whole, and a
// damaged record is no record (the request runs again and the log dedups its
// commit), never an exception that would answer 500.

#include "api/idempotency_store.hpp"

#include <doctest/doctest.h>

#include "domain/time.hpp"
#include "encoding/byte_order.hpp"
#include "temp_dir.hpp"

using namespace ticketing;

namespace {

Instant const kNow = *parse_iso8601("2026-11-30T10:00:00.000Z");

// A length-prefixed field as the store writes it.
std::string field(std::string const& s) {
  std::string out;
  bytes::put_be64(out, s.size());
  return out + s;
}

}  // namespace

TEST_CASE("a kept reply is found whole; a damaged one is no reply") {
  testing::TempDir dir;
  auto expiring = ExpiringStore::open(dir.str(), "replies", api::kIdempotencyWindow);
  REQUIRE(expiring.has_value());
  api::IdempotencyStore replies(**expiring);

  api::HttpResponse reply;
  reply.status = 201;
  reply.body = R"({"id":"o1"})";
  reply.headers = {{"Location", "/api/orders/o1"}, {"X-Request-Id", "r1"}};
  replies.store("user|POST /api/orders|key-1", reply, kNow);
  auto const found = replies.find("user|POST /api/orders|key-1", kNow);
  REQUIRE(found.has_value());
  CHECK(found->status == 201);
  CHECK(found->body == reply.body);
  CHECK(found->headers == reply.headers);
  CHECK_FALSE(replies.find("user|POST /api/orders|key-2", kNow).has_value());

  std::string status;
  bytes::put_be64(status, 201);
  std::string const body = field(R"({"id":"o1"})");
  for (std::string const& damaged : {
           status + body + field("x"),                        // a header count that is no number
           status + body + field("1x"),                       // trailing bytes after it
           status + body + field("99999999999999999999999"),  // out of range
           status + body + field("2") + field("Location"),    // fewer headers than counted
           status + body.substr(0, 12),                       // cut inside the body
           std::string("\x00\x00", 2),                        // shorter than a status
       }) {
    REQUIRE((*expiring)->store("damaged", damaged, kNow).has_value());
    CHECK_FALSE(replies.find("damaged", kNow).has_value());
  }
}

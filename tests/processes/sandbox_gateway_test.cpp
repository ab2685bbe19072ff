// The sandbox gateway's records on a disk that fails: a charge or refund it
// cannot make durable is answered as unknown (or unavailable), never as done,
// and after a restart its records and its answers agree: one charge per
// idempotency key, found by our charge id, refunded once.

#include "processes/sandbox_gateway.hpp"

#include <doctest/doctest.h>

#include "failing_disk.hpp"
#include "temp_dir.hpp"

using namespace ticketing;

namespace {

ChargeRequest const kCharge{"charge-1", "pay-charge-1", "tok_visa", Money{2500}};

}  // namespace

TEST_CASE("a sandbox charge whose record cannot be made durable is unknown, and one charge stands after a restart") {
  testing::TempDir dir;
  std::string const path = (dir.path() / "gateway").string();
  {
    testing::FailingDisk disk;
    auto gateway = *SandboxGateway::open(path, disk.env());
    disk.fail_wal_syncs(true);
    CHECK(gateway->charge(kCharge).outcome == ChargeResult::Outcome::unreachable);
    // Retried while the disk still fails: unknown again, never a decision
    // the records do not hold.
    CHECK(gateway->charge(kCharge).outcome == ChargeResult::Outcome::unreachable);
    CHECK(disk.failed_syncs() > 0);
  }
  auto gateway = *SandboxGateway::open(path);
  // The record may have reached the disk before its sync failed. Either way,
  // the charge's id and a retry with its key now agree, and there is one.
  auto const found = gateway->find_charge(kCharge.charge_id);
  REQUIRE(found.has_value());
  auto const retried = gateway->charge(kCharge);
  REQUIRE(retried.outcome == ChargeResult::Outcome::succeeded);
  if (*found) CHECK(retried.gateway_id == **found);
  auto const after = gateway->find_charge(kCharge.charge_id);
  REQUIRE(after.has_value());
  REQUIRE(after->has_value());
  CHECK(**after == retried.gateway_id);
  CHECK(gateway->charge(kCharge).gateway_id == retried.gateway_id);
  CHECK(gateway->successful_charges() == 1);
}

TEST_CASE("a sandbox refund whose record cannot be made durable is unavailable, and refunds once after a restart") {
  testing::TempDir dir;
  std::string const path = (dir.path() / "gateway").string();
  std::string gateway_id;
  {
    testing::FailingDisk disk;
    auto gateway = *SandboxGateway::open(path, disk.env());
    auto const charged = gateway->charge(kCharge);
    REQUIRE(charged.outcome == ChargeResult::Outcome::succeeded);
    gateway_id = charged.gateway_id;
    disk.fail_wal_syncs(true);
    auto const refund = gateway->refund(gateway_id, "refund-1");
    REQUIRE(!refund.has_value());
    CHECK(refund.error().code == ErrorCode::unavailable);
  }
  auto gateway = *SandboxGateway::open(path);
  CHECK(gateway->find_charge(kCharge.charge_id).value() == std::optional<std::string>(gateway_id));
  auto const refunded = gateway->refund(gateway_id, "refund-1");
  REQUIRE(refunded.has_value());
  CHECK(*refunded == "re_sandbox_" + kCharge.charge_id);
  auto const again = gateway->refund(gateway_id, "refund-1");
  REQUIRE(again.has_value());
  CHECK(*again == *refunded);
  CHECK(gateway->successful_charges() == 1);
}

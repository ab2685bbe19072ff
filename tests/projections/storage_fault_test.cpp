// What the read models answer when their storage fails under them: a question
// whose answer admits someone (is this session revoked?) is refused, not
// answered "no".

#include <string>

#include <doctest/doctest.h>

#include "damaged_block.hpp"
#include "projections/view_store.hpp"
#include "temp_dir.hpp"

using namespace ticketing;
using namespace ticketing::testing;

TEST_CASE("a storage error while checking a revoked session is an error, never \"not revoked\"") {
  testing::TempDir dir;
  auto const path = dir.path() / "views";
  {
    auto store = std::move(*views::ViewStore::open(path.string(), 1));
    Commit commit{.commit_id = "c1", .partition_key = "user-u1", .expected = {}, .events = {}, .meta = {}};
    commit.events.push_back(UserSignedOut{"u1", "a@example.com", "s1", Instant{}});
    REQUIRE(store->apply(RecordedCommit{Position{0, 0}, commit}).has_value());
    REQUIRE(store->session_revoked("s1").value());
  }
  DamagedBlock const damaged(path, "r/s1");

  auto store = views::ViewStore::open(path.string(), 1);
  REQUIRE_MESSAGE(store.has_value(), (store ? "" : store.error().message));
  auto const revoked = (*store)->session_revoked("s1");
  REQUIRE_FALSE(revoked.has_value());
  CHECK(revoked.error().code == ErrorCode::unavailable);
}

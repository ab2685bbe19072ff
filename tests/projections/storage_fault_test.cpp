// What the read models answer when their storage fails under them: a question
// whose answer admits someone (is this session revoked?) is refused, not
// answered "no".

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include <doctest/doctest.h>
#include <rocksdb/db.h>

#include "projections/view_store.hpp"
#include "temp_dir.hpp"

using namespace ticketing;

namespace {

// Moves everything the store holds into table files (uncompressed), then
// overwrites the bytes of `key` where a data block holds it, so reading that
// block fails its checksum. The index and meta blocks stay intact: the store
// still opens.
void corrupt_key_on_disk(std::filesystem::path const& path, std::string const& key) {
  {
    rocksdb::DB* raw = nullptr;
    REQUIRE(rocksdb::DB::Open(rocksdb::Options(), path.string(), &raw).ok());
    std::unique_ptr<rocksdb::DB> db(raw);
    REQUIRE(db->Flush(rocksdb::FlushOptions()).ok());
  }
  int corrupted = 0;
  for (auto const& entry : std::filesystem::directory_iterator(path)) {
    if (entry.path().extension() != ".sst") continue;
    std::fstream file(entry.path(), std::ios::in | std::ios::out | std::ios::binary);
    std::string const bytes((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
    auto const at = bytes.find(key);
    if (at == std::string::npos) continue;
    file.seekp(static_cast<std::streamoff>(at));
    std::string const garbage(key.size(), '\xA5');
    file.write(garbage.data(), static_cast<std::streamsize>(garbage.size()));
    ++corrupted;
  }
  REQUIRE(corrupted == 1);
}

}  // namespace

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
  corrupt_key_on_disk(path, "r/s1");

  auto store = views::ViewStore::open(path.string(), 1);
  REQUIRE_MESSAGE(store.has_value(), (store ? "" : store.error().message));
  auto const revoked = (*store)->session_revoked("s1");
  REQUIRE_FALSE(revoked.has_value());
  CHECK(revoked.error().code == ErrorCode::unavailable);
}

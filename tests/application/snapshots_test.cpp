// Write-side snapshots: a long stream is folded from its snapshot on, to the
// same state as a fold from its start; a snapshot that does not match the log
// is ignored; a store that cannot be written costs only a longer fold; two
// processes sharing a log (Kafka nodes) each keep their own.

#include <atomic>
#include <thread>
#include <vector>

#include <doctest/doctest.h>

#include "application/marketplace.hpp"
#include "application/snapshot_formats.hpp"
#include "domain/ids.hpp"
#include "eventstore/rocksdb_log.hpp"
#include "eventstore/snapshot_store.hpp"
#include "failing_disk.hpp"
#include "temp_dir.hpp"

using namespace ticketing;
using namespace std::chrono_literals;

namespace {

Instant const kStart = *parse_iso8601("2026-11-30T10:00:00.000Z");

Email email_of(std::string const& text) { return *Email::parse(text); }

class Fixture {
 public:
  explicit Fixture(rocksdb::Env* snapshot_env = nullptr)
      : log_(*RocksDbLog::open({.path = (dir_.path() / "log").string(), .partitions = 4})),
        snapshots_(*SnapshotStore::open((dir_.path() / "snapshots").string(), snapshot_env)) {}

  [[nodiscard]] EventLog& log() { return *log_; }
  [[nodiscard]] SnapshotStore& snapshots() { return *snapshots_; }
  // Closes the snapshot store (as a clean stop does) and opens it again on
  // `env`. Runners made before must not be used after.
  void reopen_snapshots(rocksdb::Env* env = nullptr) {
    snapshots_.reset();
    snapshots_ = *SnapshotStore::open((dir_.path() / "snapshots").string(), env);
  }

  // A runner as the server makes one: its cache empty, as after a restart.
  [[nodiscard]] std::unique_ptr<CommandRunner> runner(std::int64_t snapshot_every = 16) {
    return std::make_unique<CommandRunner>(
        *log_, CommandRunnerOptions{.snapshots = snapshots_.get(), .snapshot_every = snapshot_every});
  }
  // One that folds every stream from its start.
  [[nodiscard]] std::unique_ptr<CommandRunner> plain_runner() { return std::make_unique<CommandRunner>(*log_); }

  [[nodiscard]] user::State user(CommandRunner& runner, Email const& email) {
    auto state = Marketplace(runner).user(email);
    REQUIRE(state.has_value());
    return *state;
  }

 private:
  testing::TempDir dir_;
  std::unique_ptr<RocksDbLog> log_;
  std::unique_ptr<SnapshotStore> snapshots_;
};

CommandContext context(std::string const& commit_id, Instant at) {
  return CommandContext{commit_id, CommitMeta{"corr", "cause", "", "", at}, false};
}

// Signs `email` up, then in `sign_ins` times (each with its own session),
// then fails `failures` times; one minute apart. Returns the time after.
Instant sign_up_and_in(Marketplace& marketplace, Email const& email, int sign_ins, int failures) {
  Instant at = kStart;
  auto const next = [&] { return at += 1min; };
  REQUIRE(marketplace
              .execute(user::SignUp{"u-" + email.normalized(), email, "hash", "s-0"},
                       context(email.normalized() + "-up", next()))
              .has_value());
  for (int i = 1; i <= sign_ins; ++i) {
    auto const session = "s-" + std::to_string(i);
    REQUIRE(marketplace.execute(user::SignIn{email, session, true}, context(email.normalized() + "-" + session, next()))
                .has_value());
  }
  for (int i = 1; i <= failures; ++i) {
    REQUIRE(
        marketplace
            .execute(user::SignIn{email, "", false}, context(email.normalized() + "-fail-" + std::to_string(i), next()))
            .has_value());
  }
  return at;
}

}  // namespace

TEST_CASE("a long stream is folded from its snapshot, to the state a fold from its start gives") {
  Fixture f;
  Email const email = email_of("long@example.com");
  auto runner = f.runner(16);
  Marketplace marketplace(*runner);
  sign_up_and_in(marketplace, email, 100, 3);

  user::State const from_start = f.user(*f.plain_runner(), email);
  CHECK(from_start.version == 103);
  CHECK(from_start.open_sessions.size() == 101);
  CHECK(from_start.recent_failures.size() == 3);
  CHECK(f.user(*runner, email) == from_start);

  auto const snapshot = f.snapshots().find(user_stream(email.normalized()));
  REQUIRE(snapshot);
  CHECK(snapshot->format == "user/3");
  CHECK(snapshot->version > 103 - 16);
  CHECK(snapshot->version <= 103);
  CHECK(f.snapshots().stored() == 6);  // at versions 15, 31, 47, 63, 79 and 95
  CHECK(f.snapshots().failed() == 0);

  // After a restart: from the snapshot, to the same state.
  CHECK(f.user(*f.runner(16), email) == from_start);

  // And the snapshot is what the fold starts from: one whose state differs
  // from the log's shows through.
  auto poisoned = *snapshot;
  auto state = snapshot_formats::user.decode(snapshot->state);
  REQUIRE(state);
  state->display_email = "poisoned@example.com";
  poisoned.state = snapshot_formats::user.encode(*state);
  REQUIRE(f.snapshots().store(user_stream(email.normalized()), poisoned).has_value());
  user::State const folded = f.user(*f.runner(16), email);
  CHECK(folded.display_email == "poisoned@example.com");
  CHECK(folded.version == from_start.version);
  CHECK(folded.open_sessions == from_start.open_sessions);
}

TEST_CASE("a snapshot that does not match the log, or cannot be read, is ignored") {
  Fixture f;
  Email const email = email_of("mismatch@example.com");
  auto runner = f.runner(8);
  Marketplace marketplace(*runner);
  sign_up_and_in(marketplace, email, 40, 0);
  std::string const stream = user_stream(email.normalized());
  user::State const from_start = f.user(*f.plain_runner(), email);

  auto snapshot = f.snapshots().find(stream);
  REQUIRE(snapshot);
  auto state = snapshot_formats::user.decode(snapshot->state);
  REQUIRE(state);
  state->display_email = "poisoned@example.com";
  snapshot->state = snapshot_formats::user.encode(*state);

  SUBCASE("taken at another position of the log (a log restored from elsewhere)") { ++snapshot->position.offset; }
  SUBCASE("past the stream's end (a log restored from before it)") { snapshot->version = from_start.version + 1; }
  SUBCASE("of another format (a State changed since)") { snapshot->format = "user/2"; }
  SUBCASE("damaged state") { snapshot->state.resize(snapshot->state.size() / 2); }
  SUBCASE("state with bytes past its end") { snapshot->state.push_back('\0'); }

  REQUIRE(f.snapshots().store(stream, *snapshot).has_value());
  CHECK(f.user(*f.runner(8), email) == from_start);
}

TEST_CASE("a lockout recorded partly in a snapshot holds after a restart") {
  Fixture f;
  Email const email = email_of("locked@example.com");
  Instant at = kStart;
  {
    auto runner = f.runner(8);
    Marketplace marketplace(*runner);
    at = sign_up_and_in(marketplace, email, 60, static_cast<int>(user::kMaxSignInFailures));
  }
  auto const snapshot = f.snapshots().find(user_stream(email.normalized()));
  REQUIRE(snapshot);
  auto const kept = snapshot_formats::user.decode(snapshot->state);
  REQUIRE(kept);
  CHECK(!kept->recent_failures.empty());  // the snapshot holds some of the failures

  f.reopen_snapshots();  // a clean stop keeps what was only in memory
  CHECK(f.snapshots().find(user_stream(email.normalized())) == snapshot);
  auto restarted = f.runner(8);
  Marketplace marketplace(*restarted);
  auto const refused = marketplace.execute(user::SignIn{email, "s-new", true}, context("after-restart", at + 1min));
  REQUIRE(!refused.has_value());
  CHECK(refused.error().code == ErrorCode::resource_exhausted);
}

TEST_CASE("snapshots never wait for the disk; a disk that fails them costs only a longer fold") {
  testing::FailingDisk disk;
  Fixture f(disk.env());
  int const wal_writes = disk.writes();
  Email const email = email_of("nodisk@example.com");
  {
    auto runner = f.runner(4);
    Marketplace marketplace(*runner);
    sign_up_and_in(marketplace, email, 30, 2);  // every command commits
  }
  CHECK(f.snapshots().stored() == 8);
  CHECK(f.snapshots().failed() == 0);
  CHECK(disk.writes() == wal_writes);  // nothing written to the disk on the commands' path

  // The disk fails the flush that a clean stop makes: the snapshots, held
  // only in memory, are lost; the states are not.
  disk.fail_table_writes(testing::FailingDisk::TableFault::io_error);
  f.reopen_snapshots();
  CHECK(disk.failed_table_writes() > 0);
  CHECK(!f.snapshots().find(user_stream(email.normalized())));
  user::State const from_start = f.user(*f.plain_runner(), email);
  CHECK(from_start.version == 32);
  CHECK(from_start.recent_failures.size() == 2);
  auto runner = f.runner(4);
  CHECK(f.user(*runner, email) == from_start);  // folded from the start, and kept anew
  CHECK(f.snapshots().find(user_stream(email.normalized())));
}

TEST_CASE("concurrent commands on long streams reach the same states with snapshots as without") {
  Fixture f;
  auto runner = f.runner(4);
  Marketplace marketplace(*runner);
  std::vector<Email> const emails{email_of("a@example.com"), email_of("b@example.com")};
  for (auto const& email : emails) {
    REQUIRE(marketplace
                .execute(user::SignUp{"u-" + email.normalized(), email, "hash", "s-0"},
                         context(email.normalized() + "-up", kStart))
                .has_value());
  }
  // Four threads sign both users in, 60 times each: every sign-in commits,
  // racing the others on the same two streams while snapshots are taken.
  constexpr int kThreads = 4;
  constexpr int kEach = 60;
  std::atomic<int> failed{0};
  std::vector<std::thread> threads;
  threads.reserve(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        Email const& email = emails[static_cast<std::size_t>(i % 2)];
        auto const session = "t" + std::to_string(t) + "-" + std::to_string(i);
        if (!marketplace.execute(user::SignIn{email, session, true},
                                 context(email.normalized() + session, kStart + 1min))) {
          ++failed;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  CHECK(failed == 0);

  for (auto const& email : emails) {
    user::State const from_start = f.user(*f.plain_runner(), email);
    CHECK(from_start.open_sessions.size() == 1 + kThreads * kEach / 2);
    CHECK(f.user(*runner, email) == from_start);
    CHECK(f.user(*f.runner(4), email) == from_start);
    CHECK(f.snapshots().find(user_stream(email.normalized())));
  }
}

TEST_CASE("two processes on one log, each with its own snapshots, fold a long stream alike") {
  // As Kafka nodes do: each runner's cache may be behind the other's
  // commits, so it tops its stream up from the log before deciding.
  Fixture f;
  testing::TempDir other_dir;
  auto other_snapshots = *SnapshotStore::open(other_dir.str());
  CommandRunner a(f.log(), CommandRunnerOptions{.shared_log = true, .snapshots = &f.snapshots(), .snapshot_every = 8});
  CommandRunner b(f.log(),
                  CommandRunnerOptions{.shared_log = true, .snapshots = other_snapshots.get(), .snapshot_every = 8});
  Marketplace on_a(a);
  Marketplace on_b(b);
  Email const email = email_of("shared@example.com");
  REQUIRE(on_a.execute(user::SignUp{"u-shared", email, "hash", "s-0"}, context("shared-up", kStart)).has_value());
  for (int i = 1; i <= 50; ++i) {
    Marketplace& on = i % 3 == 0 ? on_b : on_a;
    auto const session = "s-" + std::to_string(i);
    REQUIRE(on.execute(user::SignIn{email, session, true}, context("shared-" + session, kStart + 1min)).has_value());
  }
  user::State const from_start = f.user(*f.plain_runner(), email);
  CHECK(from_start.open_sessions.size() == 51);
  CHECK(f.user(a, email) == from_start);
  CHECK(f.user(b, email) == from_start);
  CHECK(f.snapshots().find(user_stream(email.normalized())));
  CHECK(other_snapshots->find(user_stream(email.normalized())));
}

TEST_CASE("each aggregate's snapshot format reads back every member it wrote") {
  user::State u{.exists = true,
                .user_id = "u1",
                .email = "a@example.com",
                .password_hash = "$argon2id$v=19$...",
                .display_email = "A@Example.com",
                .recent_failures = {kStart, kStart + 1s},
                .open_sessions = {{"s1", kStart}, {"s2", kStart + 1h}},
                .sessions_checked_at = kStart + 1h,
                .version = 7};
  ticket::State t{.exists = true,
                  .ticket_id = "t1",
                  .seller_id = "u1",
                  .title = "Concert \xc3\xa9t\xc3\xa9",
                  .price = Money{2500},
                  .status = ticket::Status::reserved,
                  .order_id = "o1",
                  .orders_placed = 3,
                  .version = 5};
  order::State o{.exists = true,
                 .order_id = "o1",
                 .ticket_id = "t1",
                 .buyer_id = "u2",
                 .title = "Concert",
                 .price = Money{2500},
                 .ticket_version = 4,
                 .created_at = kStart,
                 .expires_at = kStart + 15min,
                 .status = order::Status::awaiting_payment,
                 .expired = true,
                 .charge_id = "c1",
                 .payment_attempts = 2,
                 .version = 3};
  charge::State c{.exists = true,
                  .charge_id = "c1",
                  .order_id = "o1",
                  .gateway_id = "pi_1",
                  .refund_id = "re_1",
                  .failure_reason = "card_declined",
                  .amount = Money{2500},
                  .status = charge::Status::refunded,
                  .refund_required = true,
                  .retryable = true,
                  .version = 4};
  CHECK(snapshot_formats::user.decode(snapshot_formats::user.encode(u)) == u);
  CHECK(snapshot_formats::ticket.decode(snapshot_formats::ticket.encode(t)) == t);
  CHECK(snapshot_formats::order.decode(snapshot_formats::order.encode(o)) == o);
  CHECK(snapshot_formats::charge.decode(snapshot_formats::charge.encode(c)) == c);
  CHECK(snapshot_formats::user.decode(snapshot_formats::user.encode(user::initial_state())) == user::initial_state());

  // Cut short anywhere, it is not a state.
  std::string const bytes = snapshot_formats::order.encode(o);
  for (std::size_t n = 0; n < bytes.size(); ++n) {
    CHECK(!snapshot_formats::order.decode(std::string_view(bytes).substr(0, n)));
  }
  // A status no enumerator names is not one either.
  t.status = static_cast<ticket::Status>(7);
  CHECK(!snapshot_formats::ticket.decode(snapshot_formats::ticket.encode(t)));
}

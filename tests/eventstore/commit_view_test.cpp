// A stored commit taken apart without decoding its events: the view shows
// what decoding the commit gives, and each event decodes from it alone.

#include "eventstore/commit_view.hpp"

#include <filesystem>
#include <map>

#include <doctest/doctest.h>

#include "eventstore/codec.hpp"
#include "golden.hpp"
#include "samples.hpp"

using namespace ticketing;

namespace {

// Every sample event in one commit, which expects something of every stream
// but the user's (so that one counts from 0).
Commit sample_commit() {
  Commit c;
  c.commit_id = "cmt-\"1\"";
  c.partition_key = "5f1e2d3c4b5a69788796a5b4";
  c.events = samples::all_events();
  std::map<std::string, std::int64_t> expected;
  for (auto const& e : c.events) {
    if (!stream_of(e).starts_with("user-")) expected.emplace(stream_of(e), 4);
  }
  for (auto const& [stream, version] : expected) c.expected.push_back({stream, version});
  c.meta = CommitMeta{"corr-1", "cause-1", "user-1", "idem-1", samples::t0() + std::chrono::milliseconds(7)};
  return c;
}

std::string data_json(Event const& event) {
  JsonWriter w;
  write_event_data(w, event);
  return w.take();
}

}  // namespace

TEST_CASE("a commit's view shows what decoding it gives, and each event decodes from its view") {
  Commit const commit = sample_commit();
  CommitReader reader;
  auto const view = reader.read(encode_commit(commit));
  REQUIRE_MESSAGE(view.has_value(), (view ? "" : view.error().message));
  CommitView const& v = **view;
  CHECK(v.commit_id == commit.commit_id);
  CHECK(v.partition_key == commit.partition_key);
  CHECK(v.correlation_id == "corr-1");
  CHECK(v.recorded_at == commit.meta.recorded_at);
  REQUIRE(v.events.size() == commit.events.size());
  std::map<std::string, std::int64_t> next;
  for (auto const& e : commit.expected) next[e.stream] = e.version + 1;
  for (std::size_t i = 0; i < commit.events.size(); ++i) {
    Event const& event = commit.events[i];
    EventView const& e = v.events[i];
    std::string const stream = stream_of(event);
    CHECK(e.stream == stream);
    CHECK(e.version == next[stream]++);
    CHECK(e.type == type_name(event));
    CHECK(e.schema == current_schema_version(event));
    CHECK(e.at == samples::t0());
    CHECK(e.data == data_json(event));
    auto const decoded = decode_event(e);
    REQUIRE(decoded.has_value());
    CHECK(*decoded == event);
  }
  CHECK(v.events[0].version == 0);  // the user's stream: nothing expected of it
}

TEST_CASE("an event written with any schema ever used decodes from its view as decode_event reads it") {
  auto const dir = golden::dir() / "events";
  int files = 0;
  for (auto const& entry : std::filesystem::directory_iterator(dir)) {
    std::string const written = golden::event(entry.path().filename().string());
    // {"type":...} as the event of a stored commit: {"stream":"s",...}
    std::string const stored = R"({"commit_id":"c","partition_key":"k","expected":[],"events":[{"stream":"s",)" +
                               written.substr(1) +
                               R"(],"meta":{"correlation_id":"","recorded_at":"2026-11-21T10:00:00.000Z"}})";
    CommitReader reader;
    auto const view = reader.read(stored);
    REQUIRE_MESSAGE(view.has_value(), entry.path().string());
    REQUIRE((*view)->events.size() == 1);
    EventView const& e = (*view)->events[0];
    auto const expected = decode_event(written);
    REQUIRE(expected.has_value());
    CHECK(e.type == type_name(*expected));
    CHECK(entry.path().filename().string().starts_with(std::string(e.type) + ".v" + std::to_string(e.schema) + "."));
    auto const decoded = decode_event(e);
    REQUIRE_MESSAGE(decoded.has_value(), entry.path().string());
    CHECK_MESSAGE(*decoded == *expected, entry.path().string());
    ++files;
  }
  CHECK(files >= 19);
}

TEST_CASE("a view's data members: strings unescaped, integers in decimal, others skipped") {
  Commit c = sample_commit();
  c.events = {TicketCreated{"t1", "s1", "Row \"A\"\n", Money{2050}, samples::t0()},
              ChargeSucceeded{"c1", "o1", "ch_1", true, samples::t0()}};
  CommitReader reader;
  auto const view = reader.read(encode_commit(c));
  REQUIRE(view.has_value());
  std::vector<std::pair<std::string, std::string>> seen;
  for (auto const& e : (*view)->events) {
    for (DataMember const& member : e.members) seen.emplace_back(member.key, member.text);
  }
  std::vector<std::pair<std::string, std::string>> const expected{{"ticket_id", "t1"},
                                                                  {"seller_id", "s1"},
                                                                  {"title", "Row \"A\"\n"},
                                                                  {"price_cents", "2050"},
                                                                  {"at", "2026-11-21T10:11:12.345Z"},
                                                                  {"charge_id", "c1"},
                                                                  {"order_id", "o1"},
                                                                  {"gateway_id", "ch_1"},
                                                                  {"at", "2026-11-21T10:11:12.345Z"}};
  CHECK(seen == expected);
}

TEST_CASE("what is not a stored commit is refused with a reason, and the reader goes on") {
  CommitReader reader;
  std::string const good = encode_commit(sample_commit());
  std::string no_at = good;
  no_at.replace(no_at.find(R"("at":)"), 4, R"("on")");  // the first event's data has no "at"
  std::string bad_time = good;
  bad_time.replace(bad_time.find("2026-11-21T10:11:12.345Z"), 24, "yesterday, around noon..");
  for (
      std::string const& bad :
      {std::string("not json"), std::string("[]"), std::string(R"({"commit_id":"c"})"), good.substr(0, good.size() / 2),
       no_at, bad_time,
       std::string(
           R"({"commit_id":"c","partition_key":"k","expected":[],"events":[{"stream":"s","type":"TicketOpened","schema":1}],"meta":{}})")}) {
    auto const view = reader.read(bad);
    REQUIRE_FALSE_MESSAGE(view.has_value(), bad);
    CHECK(view.error().code == ErrorCode::invalid_input);
    CHECK(view.error().message.starts_with("malformed record"));
  }
  auto const view = reader.read(good);
  REQUIRE(view.has_value());
  CHECK((*view)->events.size() == samples::all_events().size());
}

TEST_CASE("a stored commit is read in place: the bytes past its end are not part of it") {
  Commit const commit = sample_commit();
  std::string const json = encode_commit(commit);
  StoredCommit stored{Position{0, 0}, json + R"(],"commit_id":"other"})" + std::string(kDecodeSlack, ' ')};
  stored.encoded.resize(json.size());
  REQUIRE(stored.encoded.capacity() >= stored.encoded.size() + kDecodeSlack);
  CommitReader reader;
  auto const view = reader.read(stored);
  REQUIRE_MESSAGE(view.has_value(), (view ? "" : view.error().message));
  CHECK((*view)->commit_id == commit.commit_id);
  REQUIRE((*view)->events.size() == commit.events.size());
  for (std::size_t i = 0; i < commit.events.size(); ++i)
    CHECK(decode_event((*view)->events[i]).value() == commit.events[i]);

  stored.encoded.resize(json.size() - 1);  // the closing brace gone
  CHECK_FALSE(reader.read(stored).has_value());
}

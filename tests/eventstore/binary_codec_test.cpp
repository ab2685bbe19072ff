// The embedded log's binary encoding of a commit: it decodes to the commit
// it was made from, its layout is pinned by a golden file, and any damage to
// it is refused with a reason, never read past its end.

#include <filesystem>
#include <fstream>
#include <limits>
#include <map>

#include <doctest/doctest.h>

#include "encoding/varint.hpp"
#include "eventstore/codec.hpp"
#include "eventstore/commit_view.hpp"
#include "golden.hpp"
#include "sample_commit.hpp"
#include "samples.hpp"

using namespace ticketing;

namespace {

using samples::every_event_commit;

// A commit whose values sit at the edges of what each kind of member holds.
Commit edge_commit() {
  Commit c;
  c.commit_id = std::string("with\0nul", 8);
  c.partition_key = "";
  c.expected = {{"ticket-\xC3\xA9t\xC3\xA9", kMaxStreamVersion}, {"order-1", kNoStream}, {"charge-1", 0}};
  c.events.emplace_back(TicketCreated{"t1", "s1", std::string(300, 'x'),
                                      Money{std::numeric_limits<std::int64_t>::max()}, from_millis(-62167219200000)});
  c.events.emplace_back(TicketUpdated{"t1", "\"quoted\" \\ \n", Money{std::numeric_limits<std::int64_t>::min()},
                                      Money{0}, from_millis(253402300799999)});
  c.events.emplace_back(ChargeSucceeded{"c1", "o1", "g1", true, from_millis(0)});
  c.events.emplace_back(ChargeFailed{"c1", "o1", "declined", false, from_millis(-1)});
  c.meta = CommitMeta{"", "", "", "", from_millis(1)};
  return c;
}

}  // namespace

TEST_CASE("a commit encoded for the log decodes back to itself, and its JSON form to the same") {
  for (Commit const& c : {every_event_commit(), edge_commit()}) {
    std::string const stored = encode_stored_commit(c);
    auto const decoded = decode_commit(stored);
    REQUIRE_MESSAGE(decoded.has_value(), (decoded ? "" : decoded.error().message));
    CHECK(*decoded == c);
    auto const again = decode_commit(encode_commit(*decoded));
    REQUIRE(again.has_value());
    CHECK(*again == c);
  }
  // What the encoding is for: fewer bytes than the JSON of the same commit.
  Commit const c = every_event_commit();
  CHECK(encode_stored_commit(c).size() * 3 < encode_commit(c).size() * 2);
}

TEST_CASE("the binary layout is the golden file's, byte for byte") {
  auto const file = golden::dir() / "commit.bin";
  if (std::getenv("TICKETING_UPDATE_GOLDEN") != nullptr) {
    std::ofstream(file, std::ios::binary) << encode_stored_commit(every_event_commit());
  }
  std::string const golden_bytes = golden::read_file(file);
  CHECK(golden_bytes == encode_stored_commit(every_event_commit()));
  auto const decoded = decode_commit(golden_bytes);
  REQUIRE(decoded.has_value());
  CHECK(*decoded == every_event_commit());
}

TEST_CASE("the selected events of a binary commit are those its JSON form gives") {
  for (Commit const& c : {every_event_commit(), edge_commit()}) {
    std::string const stored = encode_stored_commit(c);
    std::string const json = encode_commit(c);
    for (auto wanted : {+[](std::string_view type) noexcept { return type.starts_with("Ticket"); },
                        +[](std::string_view type) noexcept { return type.starts_with("Charge"); },
                        +[](std::string_view) noexcept { return false; }}) {
      auto const from_binary = decode_selected_events(stored, wanted);
      auto const from_json = decode_selected_events(json, wanted);
      REQUIRE(from_binary.has_value());
      REQUIRE(from_json.has_value());
      CHECK(from_binary->recorded_at == c.meta.recorded_at);
      CHECK(from_binary->events == from_json->events);
      StoredCommit const read{{}, stored};
      auto const in_place = decode_selected_events(read, wanted);
      REQUIRE(in_place.has_value());
      CHECK(in_place->events == from_json->events);
    }
  }
}

TEST_CASE("selected events decoded into reused memory are each commit's own, whatever the commit before held") {
  // One SelectedEvents across commits whose events differ in number, type
  // and length: every decode gives exactly what a fresh one gives, with no
  // member, event or length left over from the commit before it.
  auto const everything = +[](std::string_view) noexcept { return true; };
  auto const tickets = +[](std::string_view type) noexcept { return type.starts_with("Ticket"); };
  Commit shorter = edge_commit();
  shorter.events = {TicketUpdated{"t2", "short", Money{5}, Money{4}, from_millis(7)}};
  Commit other_type = edge_commit();
  other_type.events = {TicketReserved{"t3", "o3", "b3", from_millis(8)},
                       TicketSold{"t3", "o3", "b3", Money{9}, from_millis(9)}};
  Commit none = edge_commit();
  none.events = {OrderCreated{"o4", "t4", "b4", "title", Money{1}, 0, from_millis(1), from_millis(2)}};
  SelectedEvents reused;
  for (Commit const& c : {every_event_commit(), edge_commit(), shorter, other_type, edge_commit(), none, shorter}) {
    for (auto wanted : {everything, tickets}) {
      std::string const stored = encode_stored_commit(c);
      StoredCommit const read{{}, stored};
      REQUIRE(decode_selected_events(read, wanted, reused).has_value());
      auto const fresh = decode_selected_events(stored, wanted);
      REQUIRE(fresh.has_value());
      CHECK(reused.events == fresh->events);
      CHECK(reused.recorded_at == c.meta.recorded_at);
    }
  }
  // A damaged commit is refused; the next one decodes whole all the same.
  std::string damaged = encode_stored_commit(every_event_commit());
  damaged.pop_back();
  REQUIRE_FALSE(decode_selected_events(StoredCommit{{}, damaged}, everything, reused).has_value());
  std::string const stored = encode_stored_commit(shorter);
  REQUIRE(decode_selected_events(StoredCommit{{}, stored}, everything, reused).has_value());
  CHECK(reused.events == shorter.events);
}

TEST_CASE("one event of a commit, by its index, in either encoding: that event alone, or none past the last") {
  for (Commit const& c : {every_event_commit(), edge_commit()}) {
    for (std::string const& encoded : {encode_stored_commit(c), encode_commit(c)}) {
      for (std::size_t i = 0; i < c.events.size(); ++i) {
        auto const event = decode_event_at(encoded, i);
        REQUIRE(event.has_value());
        REQUIRE(event->has_value());
        CHECK(**event == c.events[i]);
      }
      auto const past = decode_event_at(encoded, c.events.size());
      REQUIRE(past.has_value());
      CHECK_FALSE(past->has_value());
      // A damaged commit is refused, whichever event is asked for.
      std::string const cut = encoded.substr(0, encoded.size() - 1);
      CHECK_FALSE(decode_event_at(cut, 0).has_value());
    }
  }
}

TEST_CASE("a binary commit's view is its JSON form's") {
  Commit const c = every_event_commit();
  CommitReader from_json, from_binary;
  auto const json_view = from_json.read(encode_commit(c));
  std::string stored = encode_stored_commit(c);
  stored.reserve(stored.size() + kDecodeSlack);
  StoredCommit const read{{}, stored};  // the view points into it
  auto const binary_view = from_binary.read(read);
  REQUIRE(json_view.has_value());
  REQUIRE_MESSAGE(binary_view.has_value(), (binary_view ? "" : binary_view.error().message));
  CommitView const& j = **json_view;
  CommitView const& b = **binary_view;
  CHECK(b.commit_id == j.commit_id);
  CHECK(b.partition_key == j.partition_key);
  CHECK(b.correlation_id == j.correlation_id);
  CHECK(b.recorded_at == j.recorded_at);
  REQUIRE(b.events.size() == j.events.size());
  for (std::size_t i = 0; i < b.events.size(); ++i) {
    CHECK(b.events[i].stream == j.events[i].stream);
    CHECK(b.events[i].version == j.events[i].version);
    CHECK(b.events[i].type == j.events[i].type);
    CHECK(b.events[i].schema == j.events[i].schema);
    CHECK(b.events[i].at == j.events[i].at);
    CHECK(b.events[i].data == j.events[i].data);
    REQUIRE(b.events[i].members.size() == j.events[i].members.size());
    for (std::size_t k = 0; k < b.events[i].members.size(); ++k) {
      CHECK(b.events[i].members[k].key == j.events[i].members[k].key);
      CHECK(b.events[i].members[k].text == j.events[i].members[k].text);
    }
    CHECK(decode_event(b.events[i]).value() == c.events[i]);
  }
  // Read from bytes that die first, the view still shows the commit (the
  // reader keeps its own copy).
  auto const copied = [&] {
    std::string const bytes = encode_stored_commit(c);
    return from_binary.read(std::string_view(bytes));
  }();
  REQUIRE(copied.has_value());
  CHECK((*copied)->commit_id == "cmt-1");
  CHECK((*copied)->events.back().members.front().text == (*json_view)->events.back().members.front().text);
}

TEST_CASE("every truncation and a changed bit in every byte of a binary commit: refused or read within its bytes") {
  // Each cut is copied into a buffer of its own size, so that a read past
  // its end is a fault the sanitizers report.
  for (Commit const& c : {every_event_commit(), edge_commit()}) {
    std::string const stored = encode_stored_commit(c);
    for (std::size_t size = 1; size < stored.size(); ++size) {
      std::unique_ptr<char[]> const cut(new char[size]);
      std::copy_n(stored.data(), size, cut.get());
      auto const decoded = decode_commit(std::string_view(cut.get(), size));
      REQUIRE_FALSE_MESSAGE(decoded.has_value(), "a commit cut to ", size, " bytes decoded");
      CHECK(decoded.error().code == ErrorCode::invalid_input);
      CHECK_FALSE(decode_selected_events(std::string_view(cut.get(), size), nullptr).has_value());
    }
    std::size_t refused = 0;
    for (std::size_t at = 1; at < stored.size(); ++at) {
      for (int bit : {0, 3, 7}) {  // a varint's value, its middle, its continuation
        std::string damaged = stored;
        damaged[at] = static_cast<char>(damaged[at] ^ (1 << bit));
        auto const decoded = decode_commit(damaged);
        if (!decoded) {
          ++refused;
          continue;
        }
        // What still decodes is a commit that has a JSON form.
        auto const again = decode_commit(encode_commit(*decoded));
        REQUIRE(again.has_value());
        CHECK(*again == *decoded);
      }
    }
    CHECK(refused > 0);
  }
  CHECK_FALSE(decode_commit(encode_stored_commit(every_event_commit()) + "x").has_value());  // bytes past the end
}

TEST_CASE("binary commits whose members are not what their schema says are refused, naming the fault") {
  auto const refused = [](std::string const& bytes, std::string_view says) {
    auto const decoded = decode_commit(bytes);
    REQUIRE_FALSE(decoded.has_value());
    CHECK_MESSAGE(decoded.error().message.find(says) != std::string::npos, decoded.error().message);
  };
  Commit one;
  one.commit_id = "c";
  one.partition_key = "k";
  one.events.emplace_back(ChargeSucceeded{"c1", "o1", "g1", true, from_millis(5)});
  std::string const good = encode_stored_commit(one);
  REQUIRE(decode_commit(good).has_value());
  // The bool's byte is the data's last but one (the instant 5 is one byte).
  std::string bad_bool = good;
  bad_bool[bad_bool.size() - 2] = 2;
  refused(bad_bool, "ChargeSucceeded's data does not match its schema");
  std::string unknown_type = good;
  unknown_type.replace(unknown_type.find("ChargeSucceeded"), 15, "ChargeSucceedeX");
  refused(unknown_type, "unknown event type ChargeSucceedeX");
  std::string other_schema = good;
  other_schema[other_schema.find("ChargeSucceeded") + 15] = 9;
  refused(other_schema, "ChargeSucceeded has unknown schema 9");
  std::string not_utf8 = good;
  not_utf8[not_utf8.find("g1")] = static_cast<char>(0xC3);
  refused(not_utf8, "ChargeSucceeded's data does not match its schema");
  // An expected version past any stream's length (counting on from it
  // would overflow), or below "no stream": refused, in both encodings and
  // by the view.
  for (std::int64_t const version : {kMaxStreamVersion + 1, std::numeric_limits<std::int64_t>::max(), kNoStream - 1}) {
    Commit far = one;
    far.expected = {{"charge-c1", version}};
    refused(encode_stored_commit(far), "expected.version is out of range");
    std::string const json = R"({"commit_id":"c","partition_key":"k","expected":[{"stream":"charge-c1","version":)" +
                             std::to_string(version) +
                             R"(}],"events":[],"meta":{"recorded_at":"2026-11-21T10:00:00.000Z"}})";
    refused(json, "expected.version is out of range");
    CommitReader reader;
    CHECK_FALSE(reader.read(json).has_value());
  }
  // An instant past 9999 has no ISO-8601 form: refused.
  one.events[0] = ChargeSucceeded{"c1", "o1", "g1", true, from_millis(253402300800000)};
  refused(encode_stored_commit(one), "ChargeSucceeded's data does not match its schema");
}

TEST_CASE("varints: seven bits a byte, zigzag for signed values, refused when cut or past ten bytes") {
  for (std::uint64_t v : {std::uint64_t{0}, std::uint64_t{127}, std::uint64_t{128}, std::uint64_t{16383},
                          std::uint64_t{16384}, std::numeric_limits<std::uint64_t>::max()}) {
    std::string bytes;
    varint::put(bytes, v);
    std::size_t const expected_size = v < 128 ? 1 : v < 16384 ? 2 : v == 16384 ? 3 : 10;
    CHECK(bytes.size() == expected_size);
    std::string_view in = bytes;
    std::uint64_t out = 1;
    REQUIRE(varint::get(in, out));
    CHECK(out == v);
    CHECK(in.empty());
    std::string_view cut = std::string_view(bytes).substr(0, bytes.size() - 1);
    CHECK_FALSE(varint::get(cut, out));
  }
  for (std::int64_t v : {std::int64_t{0}, std::int64_t{-1}, std::int64_t{1}, std::int64_t{-64}, std::int64_t{64},
                         std::numeric_limits<std::int64_t>::min(), std::numeric_limits<std::int64_t>::max()}) {
    std::string bytes;
    varint::put_signed(bytes, v);
    CHECK(bytes.size() == (v >= -64 && v < 64 ? 1u : v == 64 ? 2u : 10u));
    std::string_view in = bytes;
    std::int64_t out = 1;
    REQUIRE(varint::get_signed(in, out));
    CHECK(out == v);
  }
  std::string_view const too_long("\x80\x80\x80\x80\x80\x80\x80\x80\x80\x80\x01", 11);
  std::string_view in = too_long;
  std::uint64_t out = 0;
  CHECK_FALSE(varint::get(in, out));
}

#include "eventstore/codec.hpp"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include <doctest/doctest.h>

#include "golden.hpp"
#include "sample_commit.hpp"
#include "samples.hpp"

using namespace ticketing;

namespace {

std::filesystem::path golden_dir() { return golden::dir(); }
using golden::read_file;

using samples::every_event_commit;

}  // namespace

TEST_CASE("every event type encodes to JSON and decodes back") {
  static_assert(std::variant_size_v<Event> == 19);
  auto const all = samples::all_events();
  REQUIRE(all.size() == std::variant_size_v<Event>);
  for (std::size_t i = 0; i < all.size(); ++i) {
    CHECK(all[i].index() == i);  // one sample per alternative, in order
    std::string const json = encode_event(all[i]);
    auto decoded = decode_event(json);
    REQUIRE_MESSAGE(decoded.has_value(), json);
    CHECK_MESSAGE(*decoded == all[i], json);
  }
}

TEST_CASE("a commit encodes to one JSON document and decodes back") {
  Commit const c = every_event_commit();
  std::string const json = encode_commit(c);
  auto decoded = decode_commit(json);
  REQUIRE_MESSAGE(decoded.has_value(), (decoded ? "" : decoded.error().message));
  CHECK(*decoded == c);
  CHECK(json.find("\"price_cents\":2050") != std::string::npos);
  CHECK(json.find("\"recorded_at\":\"2026-11-21T10:11:12.345Z\"") != std::string::npos);
}

TEST_CASE("encoded events match the golden samples validated against schemas/") {
  bool const update = std::getenv("TICKETING_UPDATE_GOLDEN") != nullptr;
  for (auto const& event : samples::all_events()) {
    std::string const type(type_name(event));
    auto const file = golden_dir() / "events" / (type + ".v" + std::to_string(current_schema_version(type)) + ".json");
    std::string const json = encode_event(event) + "\n";
    if (update) {
      std::filesystem::create_directories(file.parent_path());
      std::ofstream(file, std::ios::binary) << json;
    }
    CHECK_MESSAGE(read_file(file) == json, file.string());
  }
  auto const commit_file = golden_dir() / "commit.json";
  if (update) std::ofstream(commit_file, std::ios::binary) << encode_commit(every_event_commit()) << "\n";
  CHECK(read_file(commit_file) == encode_commit(every_event_commit()) + "\n");
}

TEST_CASE("an event written with an older schema is upgraded on read") {
  // TicketCreated v1 named the seller user_id and stored the price as a
  // decimal string in currency units.
  std::string const v1 = read_file(golden_dir() / "events" / "TicketCreated.v1.json");
  auto decoded = decode_event(v1);
  REQUIRE_MESSAGE(decoded.has_value(), (decoded ? "" : decoded.error().message));
  auto const& created = std::get<TicketCreated>(*decoded);
  CHECK(created.seller_id == "9a8b7c6d5e4f3a2b1c0d9e8f");
  CHECK(created.price == Money{2050});
  CHECK(created.title == "Arctic Monkeys, Row A");
  // Re-encoding writes the current schema.
  CHECK(encode_event(*decoded).find("\"schema\":2") != std::string::npos);
}

TEST_CASE("UserCreated schema 1, which had no display form of the e-mail, shows the stored one") {
  std::string const v1 = read_file(golden_dir() / "events" / "UserCreated.v1.json");
  auto decoded = decode_event(v1);
  REQUIRE_MESSAGE(decoded.has_value(), (decoded ? "" : decoded.error().message));
  auto const& created = std::get<UserCreated>(*decoded);
  CHECK(created.email == "alice@example.com");
  CHECK(created.display_email == "alice@example.com");
  CHECK(encode_event(*decoded).find("\"schema\":2") != std::string::npos);
}

TEST_CASE("TicketUpdated, OrderCompleted and TicketSold schema 1 read with the new amounts unknown (0)") {
  auto const updated = decode_event(read_file(golden_dir() / "events" / "TicketUpdated.v1.json"));
  REQUIRE(updated.has_value());
  CHECK(std::get<TicketUpdated>(*updated).price == Money{4000});
  CHECK(std::get<TicketUpdated>(*updated).previous_price == Money{});
  auto const completed = decode_event(read_file(golden_dir() / "events" / "OrderCompleted.v1.json"));
  REQUIRE(completed.has_value());
  CHECK(std::get<OrderCompleted>(*completed).amount == Money{});
  auto const sold = decode_event(read_file(golden_dir() / "events" / "TicketSold.v1.json"));
  REQUIRE(sold.has_value());
  CHECK(std::get<TicketSold>(*sold).amount == Money{});
  CHECK(std::get<TicketSold>(*sold).buyer_id == "1b2c3d4e5f6a7b8c9d0e1f2a");
  CHECK(encode_event(*sold).find("\"schema\":2") != std::string::npos);
  // Schema 2 without its new field is malformed, not silently 0.
  CHECK_FALSE(decode_event(R"({"type":"OrderCompleted","schema":2,"data":{"order_id":"o","charge_id":"c",)"
                           R"("at":"2026-11-21T10:11:12.345Z"}})")
                  .has_value());
}

TEST_CASE("malformed records are refused with a reason, never a crash") {
  for (std::string_view bad :
       {"", "{", "[]", "{\"type\":\"TicketCreated\"}", "{\"type\":\"Nope\",\"schema\":1,\"data\":{}}",
        "{\"type\":\"TicketSold\",\"schema\":1,\"data\":{\"ticket_id\":1}}",
        "{\"type\":\"TicketSold\",\"schema\":9,\"data\":{}}", "{\"data\":{},\"type\":\"TicketSold\",\"schema\":1}",
        "{\"type\":\"OrderExpired\",\"schema\":1,\"data\":{\"order_id\":\"x\",\"at\":\"yesterday\"}}"}) {
    auto decoded = decode_event(bad);
    CHECK_FALSE_MESSAGE(decoded.has_value(), bad);
    if (!decoded) CHECK(decoded.error().code == ErrorCode::invalid_input);
  }
  CHECK_FALSE(decode_commit("{\"commit_id\":\"x\"}").has_value());
  CHECK_FALSE(decode_commit("not json at all").has_value());
}

TEST_CASE("JSON strings escape quotes, backslashes and control characters wherever they fall") {
  // The escaper skips eight plain characters at a time; each byte value is
  // tried at every place within and across those words.
  auto const reference = [](std::string_view text) {
    std::string out = "\"";
    for (char c : text) {
      auto const u = static_cast<unsigned char>(c);
      if (c == '"' || c == '\\') {
        out += '\\';
        out += c;
      } else if (u < 0x20) {
        static constexpr std::string_view kShort = "btn.fr";  // codes 8 to 13; 11 has no short form
        if (u >= 8 && u <= 13 && u != 11) {
          out += '\\';
          out += kShort[u - 8];
        } else {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", u);
          out += buf;
        }
      } else {
        out += c;
      }
    }
    return out + "\"";
  };
  for (int b = 0; b < 256; ++b) {
    for (std::size_t at = 0; at < 19; ++at) {
      std::string text(19, 'a');
      text[at] = static_cast<char>(b);
      std::string out;
      append_json_string(out, text);
      REQUIRE_MESSAGE(out == reference(text), "byte ", b, " at ", at);
    }
  }
  std::string out;
  append_json_string(out, "");
  CHECK(out == "\"\"");
}

TEST_CASE("a commit's selected events are the events of those types decode_commit gives, with its time") {
  Commit const c = every_event_commit();
  std::string const json = encode_commit(c);
  auto const orders_only = [](std::string_view type) noexcept { return type.starts_with("Order"); };
  auto const selected = decode_selected_events(json, orders_only);
  REQUIRE(selected.has_value());
  CHECK(selected->recorded_at == c.meta.recorded_at);
  Events expected;
  for (auto const& e : c.events) {
    if (orders_only(type_name(e))) expected.push_back(e);
  }
  CHECK(expected.size() == 6);
  CHECK(selected->events == expected);
  auto const none = decode_selected_events(json, [](std::string_view) noexcept { return false; });
  REQUIRE(none.has_value());
  CHECK(none->events.empty());

  // An event written with an older schema is upgraded as decode_event does.
  std::string const v1 = read_file(golden_dir() / "events" / "TicketSold.v1.json");
  std::string const old_commit = R"({"commit_id":"c","partition_key":"k","expected":[],"events":[{"stream":"s",)" +
                                 v1.substr(1, v1.find_last_of('}')) +
                                 R"(],"meta":{"recorded_at":"2026-11-21T10:00:00.000Z"}})";
  auto const upgraded = decode_selected_events(old_commit, [](std::string_view) noexcept { return true; });
  REQUIRE_MESSAGE(upgraded.has_value(), old_commit);
  REQUIRE(upgraded->events.size() == 1);
  CHECK(upgraded->events[0] == decode_event(v1).value());

  for (std::string const& bad : {std::string("nope"), std::string(R"({"events":[]})"), json.substr(0, json.size() / 2),
                                 std::string(R"({"events":[{"schema":1}],"meta":{"recorded_at":"x"}})"),
                                 std::string(R"({"events":[],"meta":{"recorded_at":"x"}})"),
                                 std::string(R"({"events":[],"meta":{"user_id":"u","recorded_at":7}})")}) {
    auto const refused = decode_selected_events(bad, [](std::string_view) noexcept { return true; });
    REQUIRE_FALSE_MESSAGE(refused.has_value(), bad);
    CHECK(refused.error().code == ErrorCode::invalid_input);
  }
}

// A commit as a log reads it has spare capacity past its end; a decoder that
// parses it in place must read the commit alone, whatever those bytes hold.
namespace {
StoredCommit with_litter_past_its_end(std::string const& json) {
  StoredCommit stored{Position{0, 0},
                      json + R"(,"events":[],"meta":{"recorded_at":"x"}})" + std::string(kDecodeSlack, '}')};
  stored.encoded.resize(json.size());
  return stored;
}
}  // namespace

TEST_CASE("a stored commit's selected events are decoded in place, and the same without spare room") {
  Commit const c = every_event_commit();
  std::string const json = encode_commit(c);
  auto const every = [](std::string_view) noexcept { return true; };
  auto const expected = decode_selected_events(json, every);
  REQUIRE(expected.has_value());

  StoredCommit const roomy = with_litter_past_its_end(json);
  REQUIRE(roomy.encoded.capacity() >= roomy.encoded.size() + kDecodeSlack);
  auto const in_place = decode_selected_events(roomy, every);
  REQUIRE(in_place.has_value());
  CHECK(in_place->events == expected->events);
  CHECK(in_place->recorded_at == c.meta.recorded_at);

  StoredCommit tight{Position{0, 0}, {}};
  tight.encoded.reserve(json.size());
  tight.encoded.assign(json);
  auto const copied = decode_selected_events(tight, every);
  REQUIRE(copied.has_value());
  CHECK(copied->events == expected->events);

  // A truncated commit is refused in place as it is from a view.
  StoredCommit cut = with_litter_past_its_end(json);
  cut.encoded.resize(json.size() / 2);
  CHECK_FALSE(decode_selected_events(cut, every).has_value());
}

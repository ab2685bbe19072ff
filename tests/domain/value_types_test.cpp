#include <doctest/doctest.h>

#include "domain/email.hpp"
#include "domain/ids.hpp"
#include "domain/money.hpp"
#include "domain/text.hpp"
#include "domain/ticket.hpp"
#include "domain/time.hpp"

using namespace ticketing;

namespace {
constexpr std::string_view kRequired = "Price must be greater than 0";

std::int64_t cents(std::string_view text) {
  auto m = parse_price(text, kRequired);
  REQUIRE_MESSAGE(m.has_value(), text);
  return m->cents;
}

std::string price_error(std::string_view text) {
  auto m = parse_price(text, kRequired);
  REQUIRE_FALSE_MESSAGE(m.has_value(), text);
  CHECK(m.error().field == "price");
  CHECK(m.error().code == ErrorCode::invalid_input);
  return m.error().message;
}
}  // namespace

TEST_CASE("prices parse from wire numbers and numeric strings into integer cents") {
  CHECK(cents("20") == 2000);
  CHECK(cents("19.99") == 1999);
  CHECK(cents("20.00") == 2000);
  CHECK(cents("0.01") == 1);
  CHECK(cents("19.9") == 1990);
  CHECK(cents("1e2") == 10000);
  CHECK(cents("1.5E1") == 1500);
  CHECK(cents("1000000") == 100'000'000);
  CHECK(cents(" 12.50 ") == 1250);
  CHECK(cents("20.000") == 2000);  // trailing zeros are not decimals that matter
}

TEST_CASE("prices outside the rules are refused with the message of API.md") {
  CHECK(price_error("0") == kRequired);
  CHECK(price_error("-5") == kRequired);
  CHECK(price_error("0.00") == kRequired);
  CHECK(price_error("abc") == kRequired);
  CHECK(price_error("") == kRequired);
  CHECK(price_error("1.") == kRequired);
  CHECK(price_error(".5") == kRequired);
  CHECK(price_error("12.345") == "Price must have at most 2 decimal places");
  CHECK(price_error("0.001") == "Price must have at most 2 decimal places");
  CHECK(price_error("1000000.01") == "Price must be at most 1000000");
  CHECK(price_error("1e7") == "Price must be at most 1000000");
  CHECK(price_error("99999999999999999999999") == "Price must be at most 1000000");
  CHECK(price_error("12abc") == kRequired);
}

TEST_CASE("money formats as the shortest decimal in units") {
  CHECK(format_units(Money{2000}) == "20");
  CHECK(format_units(Money{1999}) == "19.99");
  CHECK(format_units(Money{1990}) == "19.9");
  CHECK(format_units(Money{5}) == "0.05");
}

TEST_CASE("e-mail addresses are validated and normalised case-insensitively") {
  auto const a = Email::parse("Alice@Example.COM");
  REQUIRE(a.has_value());
  CHECK(a->normalized() == "alice@example.com");
  CHECK(Email::parse(" bob@example.org ")->normalized() == "bob@example.org");
  for (auto bad : {"", "alice", "@example.com", "alice@", "alice@example", "a b@example.com", "alice@@example.com",
                   "alice@.com", "alice@example.", "alice@exa..mple.com"}) {
    auto const r = Email::parse(bad);
    REQUIRE_FALSE_MESSAGE(r.has_value(), bad);
    CHECK(r.error().message == "Email must be valid");
    CHECK(r.error().field == "email");
  }
  CHECK_FALSE(Email::parse(std::string(250, 'a') + "@example.com").has_value());
}

TEST_CASE("order and charge ids embed their ticket id") {
  std::string const ticket = "0123456789abcdef01234567";
  auto const order = order_id_for(ticket, 3);
  CHECK(ticket_id_of_order(order) == ticket);
  auto const charge = charge_id_for(order, 1);
  CHECK(order_id_of_charge(charge) == order);
  CHECK_FALSE(ticket_id_of_order("nonsense").has_value());
  CHECK_FALSE(ticket_id_of_order(ticket + "-0").has_value());
  CHECK_FALSE(ticket_id_of_order(ticket + "-x").has_value());
  CHECK_FALSE(ticket_id_of_order("0123456789ABCDEF01234567-1").has_value());
  CHECK(is_generated_id(ticket));
  CHECK_FALSE(is_generated_id("xyz"));
}

TEST_CASE("instants format and parse as ISO-8601 UTC with milliseconds") {
  auto const t = parse_iso8601("2026-11-21T10:11:12.345Z");
  REQUIRE(t.has_value());
  CHECK(format_iso8601(*t) == "2026-11-21T10:11:12.345Z");
  CHECK(format_iso8601(from_millis(0)) == "1970-01-01T00:00:00.000Z");
  CHECK_FALSE(parse_iso8601("2026-02-30T10:11:12.345Z").has_value());
  CHECK_FALSE(parse_iso8601("2026-11-21 10:11:12.345Z").has_value());
  CHECK_FALSE(parse_iso8601("2026-11-21T25:11:12.345Z").has_value());
}

TEST_CASE("e-mail addresses compare after Unicode normalisation and case folding, and keep their typed form") {
  auto const upper = Email::parse("\xC3\x89lodie@example.fr");        // "Élodie", precomposed
  auto const lower = Email::parse("\xC3\xA9lodie@example.fr");        // "élodie"
  auto const decomposed = Email::parse("E\xCC\x81lodie@Example.FR");  // "E" + combining acute
  REQUIRE(upper.has_value());
  REQUIRE(lower.has_value());
  REQUIRE(decomposed.has_value());
  CHECK(upper->normalized() == lower->normalized());
  CHECK(decomposed->normalized() == lower->normalized());
  CHECK(*upper == *lower);
  CHECK(upper->display() == "\xC3\x89lodie@example.fr");
  // White space of any kind around the address is not part of it.
  auto const spaced = Email::parse("\xC2\xA0\tbob@example.com\xE3\x80\x80");  // no-break and ideographic spaces
  REQUIRE(spaced.has_value());
  CHECK(spaced->display() == "bob@example.com");
  CHECK_FALSE(Email::parse("bob\x01@example.com").has_value());
  CHECK_FALSE(Email::parse("\xFF\xFE@example.com").has_value());  // not UTF-8
}

TEST_CASE("titles count characters, not bytes, trim Unicode white space and refuse control characters") {
  std::string euros;
  for (int i = 0; i < 200; ++i) euros += "\xE2\x82\xAC";  // 200 x "€" = 600 bytes
  CHECK(ticket::validate_title(euros).has_value());
  CHECK(ticket::validate_title(euros + "\xE2\x82\xAC").error().message == "Title must be at most 200 characters");
  CHECK(ticket::validate_title("\n\n\r\n\t").error().message == "Title is required");
  CHECK(ticket::validate_title("\xE3\x80\x80 \xC2\xA0").error().message == "Title is required");
  CHECK(*ticket::validate_title("\xC2\xA0 Arctic Monkeys\n") == "Arctic Monkeys");
  CHECK(ticket::validate_title("Row A\nRow B").error().message == "Title must not contain control characters");
  CHECK(ticket::validate_title("Row\x07").error().message == "Title must not contain control characters");
  CHECK(ticket::validate_title("Row \xC2\x85 B").error().message == "Title must not contain control characters");
  CHECK(ticket::validate_title("\xC3\x28").error().message == "Title must be valid text");
}

TEST_CASE("UTF-8 is checked wherever a fault falls, in the ASCII words and past them") {
  // The check reads eight bytes at a time while they are ASCII: a fault or
  // a multi-byte character is tried at every place within and past them.
  for (std::size_t at = 0; at < 20; ++at) {
    std::string text(20, 'a');
    text[at] = static_cast<char>(0xFF);  // never in UTF-8
    CHECK_FALSE_MESSAGE(text::valid_utf8(text), at);
    text.replace(at, 1, "\xC3\xA9");  // é
    CHECK_MESSAGE(text::valid_utf8(text), at);
    text.replace(at, 2, "\xC3");  // a lead byte without its continuation
    CHECK_FALSE_MESSAGE(text::valid_utf8(text), at);
    text.replace(at, 1, "\xED\xA0\x80");  // a surrogate
    CHECK_FALSE_MESSAGE(text::valid_utf8(text), at);
  }
  CHECK(text::valid_utf8(""));
  CHECK(text::valid_utf8(std::string(1000, 'x')));
}

// The export over a log holding every event type, some written with older
// schemas: lines copied from the stored events and lines of events that must
// be upgraded, completed or redacted come out exactly as rendering every
// decoded event would make them; a read that fails ends it with the fault.

#include "analysis/export.hpp"

#include <algorithm>
#include <filesystem>
#include <map>

#include <doctest/doctest.h>

#include "analysis/completer.hpp"
#include "analysis/event_lines.hpp"
#include "analysis/snapshot.hpp"
#include "eventstore/codec.hpp"
#include "eventstore/rocksdb_log.hpp"
#include "gated_log.hpp"
#include "golden.hpp"
#include "samples.hpp"
#include "temp_dir.hpp"

using namespace ticketing;
using namespace ticketing::analysis;

namespace {

// A replica log (it stores the bytes it is given) holding each sample event
// in a commit of its own; the types whose schema changed are stored as their
// first schema wrote them (no amounts, no previous price, no display e-mail).
std::unique_ptr<RocksDbLog> log_of_every_schema(std::filesystem::path const& dir) {
  auto opened = RocksDbLog::open({.path = dir.string(), .partitions = 3, .replica = true});
  REQUIRE(opened.has_value());
  auto log = std::move(*opened);
  std::map<std::string, std::int64_t> versions;
  std::map<std::uint32_t, std::uint64_t> offsets;
  std::vector<ReplicatedRecord> records;
  int n = 0;
  for (Event const& event : samples::all_events()) {
    std::string const type(type_name(event));
    std::string const stream = stream_of(event);
    std::string const key = stream.starts_with("user-") ? stream.substr(5) : "5f1e2d3c4b5a69788796a5b4";
    std::string body = encode_event(event);
    if (current_schema_version(type) > 1) body = golden::event(type + ".v1.json");
    auto [known, fresh] = versions.emplace(stream, kNoStream);
    std::int64_t const expected = known->second++;
    JsonWriter meta;
    meta.begin_object()
        .key("correlation_id")
        .string("corr-" + std::to_string(n))
        .key("causation_id")
        .string("")
        .key("user_id")
        .string("")
        .key("idempotency_key")
        .string("")
        .key("recorded_at")
        .string(format_iso8601(samples::t0() + std::chrono::seconds(n)))
        .end_object();
    std::string const encoded =
        R"({"commit_id":"c)" + std::to_string(n) + R"(","partition_key":")" + key + R"(","expected":[{"stream":")" +
        stream + R"(","version":)" + std::to_string(expected) + R"(}],"events":[{"stream":")" + stream +
        R"(","version":)" + std::to_string(expected + 1) + "," + body.substr(1) + R"(],"meta":)" + meta.take() + "}";
    auto commit = decode_commit(encoded);
    REQUIRE_MESSAGE(commit.has_value(), encoded);
    std::uint32_t const partition = log->partition_of(key);
    records.push_back(ReplicatedRecord{std::move(*commit), encoded, Position{partition, offsets[partition]++},
                                       [](auto r) { REQUIRE(r.has_value()); }});
    ++n;
  }
  std::map<std::uint32_t, std::uint64_t> consumed(offsets.begin(), offsets.end());
  log->apply_replicated(std::move(records), consumed);
  return log;
}

// What an export is: every commit decoded, completed, redacted, each event
// rendered, in the walk's order.
std::string decoded_lines(EventLog& log, ExportFormat format, Redactor const& redactor) {
  Completer const completer(log);
  std::string out;
  REQUIRE(walk(log, Positions(log.partition_count(), 0), log.end_offsets(), [&](RecordedCommit const& rc, Instant at) {
            auto const versions = event_versions(rc.commit);
            Commit const shown = redactor.commit(completer.commit(rc.commit));
            for (std::size_t i = 0; i < shown.events.size(); ++i) {
              EventPlace const place{stream_of(shown.events[i]), versions[i], rc.position, shown.commit_id, at,
                                     shown.meta.correlation_id};
              if (format == ExportFormat::csv) {
                append_csv_line(out, shown.events[i], place);
              } else {
                append_jsonl_line(out, shown.events[i], place);
              }
              out += '\n';
            }
            return true;
          }).has_value());
  return out;
}

std::string exported(EventLog& log, ExportFormat format, Redactor const& redactor) {
  std::string out;
  ExportOptions options;
  options.format = format;
  REQUIRE(export_lines(log, Positions(log.partition_count(), 0), log.end_offsets(), options, redactor,
                       [&](std::string_view text) {
                         out += text;
                         return true;
                       })
              .has_value());
  return out;
}

}  // namespace

TEST_CASE("export: stored lines and upgraded, completed, redacted lines are the decoded events' lines") {
  testing::TempDir dir;
  auto const log = log_of_every_schema(dir.path());
  auto const pseudonym = [](std::string_view email) { return "p" + std::to_string(email.size()); };
  for (bool const personal : {false, true}) {
    Redactor const redactor(pseudonym, personal);
    for (ExportFormat const format : {ExportFormat::jsonl, ExportFormat::csv}) {
      CAPTURE(personal);
      CAPTURE(static_cast<int>(format));
      std::string const lines = exported(*log, format, redactor);
      CHECK(lines == decoded_lines(*log, format, redactor));
      CHECK(std::count(lines.begin(), lines.end(), '\n') == 19);
      CHECK(lines.find("argon2") == std::string::npos);
      CHECK((lines.find("alice@example.com") == std::string::npos) == !personal);
    }
  }
  // Completed from the log: schema 1 had no amounts and no previous price.
  std::string const jsonl = exported(*log, ExportFormat::jsonl, Redactor(pseudonym, false));
  CHECK(jsonl.find(R"("type":"TicketSold","schema":2)") != std::string::npos);
  CHECK(jsonl.find(R"("buyer_id":"1b2c3d4e5f6a7b8c9d0e1f2a","amount_cents":4000)") != std::string::npos);
  CHECK(jsonl.find(R"("price_cents":4000,"previous_price_cents":2050)") != std::string::npos);
}

TEST_CASE("export and snapshot: a read of the log that fails ends them with the storage fault, nothing half-written") {
  testing::TempDir dir;
  auto const log = log_of_every_schema(dir.path());
  testing::GatedLog gated(*log);
  gated.fail_reads(true);
  Redactor const redactor([](std::string_view email) { return std::string(email.size(), 'x'); }, false);
  for (ExportFormat const format : {ExportFormat::jsonl, ExportFormat::csv, ExportFormat::commits}) {
    std::string out;
    ExportOptions options;
    options.format = format;
    auto const done = export_lines(gated, Positions(gated.partition_count(), 0), gated.end_offsets(), options, redactor,
                                   [&](std::string_view text) {
                                     out += text;
                                     return true;
                                   });
    REQUIRE_FALSE(done.has_value());
    CHECK(done.error().code == ErrorCode::unavailable);
    CHECK(done.error().message.find("injected read fault") != std::string::npos);
    CHECK(out.empty());
  }
  int rows = 0;
  auto const snapped =
      snapshot(gated, gated.end_offsets(), {},
               {.ticket = [&](views::TicketRow const&) { ++rows; }, .order = [&](views::OrderRow const&) { ++rows; }});
  REQUIRE_FALSE(snapped.has_value());
  CHECK(snapped.error().code == ErrorCode::unavailable);
  CHECK(rows == 0);
  // Readable again, the same export is whole.
  gated.fail_reads(false);
  CHECK(exported(gated, ExportFormat::jsonl, redactor) == exported(*log, ExportFormat::jsonl, redactor));
}

TEST_CASE("an export ended by a failed read says where its lines end: resumed from there, nothing missed or repeated") {
  testing::TempDir dir;
  auto opened = RocksDbLog::open({.path = dir.str(), .partitions = 1});
  REQUIRE(opened.has_value());
  auto const& log = *opened;
  // More commits than the walk reads at a time, so a later read can fail.
  for (int n = 0; n < 300; ++n) {
    std::string const id = std::to_string(n);
    std::string const ticket = std::string(24 - id.size(), '0') + id;
    Commit c;
    c.commit_id = "list-" + id;
    c.partition_key = ticket;
    c.expected = {{ticket_stream(ticket), kNoStream}};
    c.events.emplace_back(TicketCreated{ticket, "seller", "Show " + id, Money{1000 + n}, samples::t0()});
    c.meta.recorded_at = samples::t0() + std::chrono::seconds(n);
    REQUIRE(log->append(std::move(c)).has_value());
  }
  Redactor const redactor([](std::string_view email) { return std::string(email.size(), 'x'); }, false);
  std::string const whole = exported(*log, ExportFormat::jsonl, redactor);
  testing::GatedLog gated(*log);
  gated.fail_reads_after(1);
  ExportOptions options;
  std::string first;
  Positions delivered(1, 0);
  auto const failed = export_lines(
      gated, Positions(1, 0), gated.end_offsets(), options, redactor,
      [&](std::string_view text) {
        first += text;
        return true;
      },
      &delivered);
  REQUIRE_FALSE(failed.has_value());
  CHECK(failed.error().code == ErrorCode::unavailable);
  // Some lines went out before the failure, and the positions say how many.
  CHECK(delivered[0] > 0);
  CHECK(delivered[0] < 300);
  CHECK(static_cast<std::uint64_t>(std::count(first.begin(), first.end(), '\n')) == delivered[0]);

  gated.fail_reads(false);
  std::string rest;
  REQUIRE(export_lines(gated, delivered, gated.end_offsets(), options, redactor, [&](std::string_view text) {
            rest += text;
            return true;
          }).has_value());
  CHECK(first + rest == whole);
}

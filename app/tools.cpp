#include "tools.hpp"

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <map>
#include <thread>

#include "analysis/event_lines.hpp"
#include "analysis/export.hpp"
#include "analysis/figures.hpp"
#include "analysis/history.hpp"
#include "analysis/snapshot.hpp"
#include "analysis/type_filter.hpp"
#include "analysis/walk.hpp"
#include "eventstore/codec.hpp"
#include "projections/view_store.hpp"
#include "reading.hpp"

namespace ticketing::app {
namespace {

namespace fs = std::filesystem;

int fail(std::string const& message) {
  std::fprintf(stderr, "ticketing: %s\n", message.c_str());
  return 1;
}

// One subcommand's options: --name VALUE pairs and bare flags, plus
// positional arguments. --help prints `usage`.
struct Options {
  std::map<std::string, std::string> values;
  std::vector<std::string> positional;
  [[nodiscard]] bool has(std::string const& name) const { return values.contains(name); }
  [[nodiscard]] std::string get(std::string const& name, std::string const& fallback = {}) const {
    auto it = values.find(name);
    return it == values.end() ? fallback : it->second;
  }
};

struct Spec {
  std::string usage;
  std::vector<std::string> valued;  // options that take a value
  std::vector<std::string> flags;
};

// nullopt after printing help (status 0) or a usage error (status 64).
std::optional<Options> parse(Spec const& spec, std::vector<std::string> const& args, int& status) {
  Options out;
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string const& a = args[i];
    if (a == "--help" || a == "-h") {
      std::fputs(spec.usage.c_str(), stdout);
      status = 0;
      return std::nullopt;
    }
    if (!a.starts_with("--")) {
      out.positional.push_back(a);
    } else if (std::find(spec.flags.begin(), spec.flags.end(), a) != spec.flags.end()) {
      out.values[a] = "1";
    } else if (std::find(spec.valued.begin(), spec.valued.end(), a) != spec.valued.end() && i + 1 < args.size()) {
      out.values[a] = args[++i];
    } else {
      std::fprintf(stderr, "ticketing: unknown option or missing value: %s\n\n%s", a.c_str(), spec.usage.c_str());
      status = 64;
      return std::nullopt;
    }
  }
  return out;
}

std::atomic<bool> interrupted{false};
extern "C" void on_interrupt(int /*signal*/) { interrupted = true; }

// ---- export ----

Spec const kExport{
    "usage: ticketing export --data DIR [options]\n\n"
    "Writes the events of the log to standard output, in one order over all partitions (by recorded_at,\n"
    "then partition and offset), while a server may be running on DIR. At the end, the positions it\n"
    "reached go to standard error (\"positions: 0:12,1:7,...\"); --after takes them back.\n\n"
    "  --format jsonl|csv|commits  jsonl (default): one event per line; csv: one event per line, flat\n"
    "                              columns; commits: one commit per line as the log holds it\n"
    "  --since TIME, --until TIME  only commits recorded at or after / before TIME (ISO-8601 UTC)\n"
    "  --after POSITIONS           only what comes after these positions (as a previous run printed)\n"
    "  --types LIST                only these event types; a name ending in * is a prefix (Order*,TicketSold)\n"
    "  --stream ID                 only the events of this stream (ticket-..., order-..., charge-..., user-...)\n"
    "  --follow                    after the existing events, print new ones as they are committed, until\n"
    "                              interrupted (within a second of their commit); while the log cannot be\n"
    "                              read (moved, restored), says so on standard error and keeps trying\n"
    "  --include-personal-data     show e-mail addresses (password hashes are never shown); by default\n"
    "                              each address is a pseudonym, the same for one address in one DIR\n",
    {"--data", "--format", "--since", "--until", "--after", "--types", "--stream"},
    {"--follow", "--include-personal-data"}};

int export_events(Options const& o) {
  std::string const format = o.get("--format", "jsonl");
  analysis::ExportOptions options;
  if (format == "csv") {
    options.format = analysis::ExportFormat::csv;
  } else if (format == "commits") {
    options.format = analysis::ExportFormat::commits;
  } else if (format != "jsonl") {
    return fail("--format must be jsonl, csv or commits");
  }
  analysis::ExportFilter& filter = options.filter;
  for (auto const& [option, slot] : {std::pair{"--since", &filter.since}, std::pair{"--until", &filter.until}}) {
    if (!o.has(option)) continue;
    *slot = parse_utc_time(o.get(option));
    if (!*slot) return fail(std::string(option) + " must be an ISO-8601 UTC time, e.g. 2026-11-28T14:05:00Z");
  }
  filter.types = analysis::TypeFilter(o.get("--types"));
  filter.stream = o.get("--stream");

  fs::path const data = o.get("--data", "./data");
  auto reading = LogReading::open(data);
  if (!reading) return fail("cannot read the log: " + reading.error().message);
  auto redactor = redactor_for(data, o.has("--include-personal-data"));
  if (!redactor) return fail(redactor.error().message);
  std::unique_ptr<LogReading> open_reading = std::move(*reading);
  RocksDbLog* log = &open_reading->log();
  analysis::Positions from(log->partition_count(), 0);
  if (o.has("--after")) {
    auto after = analysis::parse_positions(o.get("--after"), log->partition_count());
    if (!after) return fail("--after: " + after.error().message);
    from = *after;
  }
  if (format == "csv") std::puts(analysis::csv_header().c_str());
  bool written = true;  // a failed write stops the export before it claims the positions
  auto const write = [&written](std::string_view text) {
    written = std::fwrite(text.data(), 1, text.size(), stdout) == text.size();
    return written;
  };

  std::signal(SIGINT, on_interrupt);
  std::signal(SIGTERM, on_interrupt);
  for (;;) {
    analysis::Positions end = log->end_offsets();
    for (std::size_t p = 0; p < end.size(); ++p) end[p] = std::max(end[p], from[p]);
    analysis::Positions delivered = from;
    if (auto walked = analysis::export_lines(*log, from, end, options, *redactor, write, &delivered); !walked) {
      // What was written is whole lines: said where it ends (once it is out),
      // so an export with --after from there writes exactly the rest.
      if (written && std::fflush(stdout) == 0) {
        std::fprintf(stderr, "positions: %s\n", analysis::format_positions(delivered).c_str());
      }
      return fail(walked.error().message);
    }
    if (!written || std::fflush(stdout) != 0) return fail("cannot write to standard output");
    from = end;
    if (!o.has("--follow")) break;
    for (int i = 0; i < 4 && !interrupted; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    if (interrupted) break;
    if (auto caught = log->catch_up(); !caught) {
      // The log could not be followed (its directory moved away, its files
      // replaced by a restore): read it afresh once it is back, from the
      // positions delivered so far, trying every second until interrupted.
      std::fprintf(stderr, "export: cannot follow the log (%s); trying again every second\n",
                   caught.error().message.c_str());
      for (;;) {
        for (int i = 0; i < 20 && !interrupted; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
        if (interrupted) break;
        auto reopened = LogReading::open(data);
        if (reopened && (*reopened)->log().partition_count() == from.size()) {
          open_reading.reset();
          open_reading = std::move(*reopened);
          log = &open_reading->log();
          std::fprintf(stderr, "export: following the log again\n");
          break;
        }
      }
      if (interrupted) break;
    }
  }
  std::fprintf(stderr, "positions: %s\n", analysis::format_positions(from).c_str());
  return 0;
}

// ---- history ----

Spec const kHistory{
    "usage: ticketing history --data DIR TICKET_ID [--format text|jsonl]\n\n"
    "Every event of the ticket, its orders and their charges, in the order of the log, while a server\n"
    "may be running on DIR. text (default): one line per event; jsonl: the lines of `export`.\n",
    {"--data", "--format"},
    {}};

int history(Options const& o) {
  std::string const format = o.get("--format", "text");
  if (format != "text" && format != "jsonl") return fail("--format must be text or jsonl");
  if (o.positional.size() != 1) return fail("history takes one TICKET_ID");
  fs::path const data = o.get("--data", "./data");
  auto reading = LogReading::open(data);
  if (!reading) return fail("cannot read the log: " + reading.error().message);
  auto redactor = redactor_for(data, false);
  if (!redactor) return fail(redactor.error().message);
  auto events = analysis::history((*reading)->log(), o.positional[0]);
  if (!events) return fail(events.error().message);
  for (auto const& [event, place] : *events) {
    Event const shown = redactor->event(event);
    if (format == "jsonl") {
      std::puts(analysis::jsonl_line(shown, place).c_str());
      continue;
    }
    std::string const encoded = encode_event(shown);
    std::string_view const data_json =
        std::string_view(encoded).substr(encoded.find("\"data\":") + 7, encoded.size() - encoded.find("\"data\":") - 8);
    std::printf("%s  %-22s %s v%lld  %.*s\n", format_iso8601(place.recorded_at).c_str(),
                std::string(type_name(shown)).c_str(), place.stream.c_str(), static_cast<long long>(place.version),
                static_cast<int>(data_json.size()), data_json.data());
  }
  return 0;
}

// ---- snapshot ----

Spec const kSnapshot{
    "usage: ticketing snapshot --data DIR --as-of TIME|POSITIONS [--format jsonl|csv]\n\n"
    "The state of every ticket and order as it was at TIME (ISO-8601 UTC: what was committed at or before\n"
    "it) or at POSITIONS (as export prints them), one per line: kind (ticket or order) and the fields the\n"
    "HTTP API returns for it. Works while a server runs on DIR.\n",
    {"--data", "--as-of", "--format"},
    {}};

int snapshot(Options const& o) {
  std::string const format = o.get("--format", "jsonl");
  if (format != "jsonl" && format != "csv") return fail("--format must be jsonl or csv");
  if (!o.has("--as-of")) return fail("snapshot needs --as-of TIME|POSITIONS");
  fs::path const data = o.get("--data", "./data");
  auto reading = LogReading::open(data);
  if (!reading) return fail("cannot read the log: " + reading.error().message);
  RocksDbLog& log = (*reading)->log();
  analysis::Moment moment;
  std::string const as_of = o.get("--as-of");
  if (as_of.find(':') != std::string::npos && as_of.find('-') == std::string::npos) {
    auto before = analysis::parse_positions(as_of, log.partition_count());
    if (!before) return fail("--as-of: " + before.error().message);
    moment.before = *before;
  } else {
    moment.as_of = parse_utc_time(as_of);
    if (!moment.as_of) return fail("--as-of must be an ISO-8601 UTC time or positions (0:12,1:7)");
  }
  if (format == "csv") std::puts(analysis::snapshot_csv_header().c_str());
  bool const csv = format == "csv";
  auto done =
      analysis::snapshot(log, log.end_offsets(), moment,
                         {.ticket =
                              [&](views::TicketRow const& r) {
                                std::puts((csv ? analysis::snapshot_csv(r) : analysis::snapshot_json(r)).c_str());
                              },
                          .order =
                              [&](views::OrderRow const& r) {
                                std::puts((csv ? analysis::snapshot_csv(r) : analysis::snapshot_json(r)).c_str());
                              }});
  if (!done) return fail(done.error().message);
  return 0;
}

// ---- analytics ----

Spec const kAnalytics{
    "usage: ticketing analytics --data DIR [--since TIME] [--until TIME] [--tz ZONE] [--format text|json|csv]\n\n"
    "The marketplace's figures, from the log (works while a server runs on DIR): listings, sales and revenue;\n"
    "how holds ended (paid, cancelled by the buyer, declined, expired); time from listing to sale (median,\n"
    "90th percentile, mean); price changes before sale; sales and revenue per day and per seller.\n\n"
    "  --since TIME, --until TIME  count what happened in [since, until) (ISO-8601 UTC)\n"
    "  --tz ZONE                   the time zone of the days (IANA name, default UTC)\n"
    "  --format text|json|csv      text (default); json: one document; csv: a row per day and per seller\n",
    {"--data", "--since", "--until", "--tz", "--format"},
    {}};

int analytics(Options const& o) {
  std::string const format = o.get("--format", "text");
  if (format != "text" && format != "json" && format != "csv") return fail("--format must be text, json or csv");
  analysis::FigureOptions options;
  options.time_zone = o.get("--tz", "UTC");
  for (auto const& [option, slot] : {std::pair{"--since", &options.since}, std::pair{"--until", &options.until}}) {
    if (!o.has(option)) continue;
    *slot = parse_utc_time(o.get(option));
    if (!*slot) return fail(std::string(option) + " must be an ISO-8601 UTC time, e.g. 2026-11-28T14:05:00Z");
  }
  fs::path const data = o.get("--data", "./data");
  auto reading = LogReading::open(data);
  if (!reading) return fail("cannot read the log: " + reading.error().message);
  RocksDbLog& log = (*reading)->log();
  auto const f = analysis::figures(log, log.end_offsets(), options);
  if (!f) return fail(f.error().message);
  if (format == "json") {
    std::puts(analysis::figures_json(*f, options).c_str());
  } else if (format == "csv") {
    std::fputs(analysis::figures_csv(*f).c_str(), stdout);
  } else {
    std::fputs(analysis::figures_text(*f, options).c_str(), stdout);
  }
  return 0;
}

// ---- rebuild ----

Spec const kRebuild{
    "usage: ticketing rebuild --data DIR\n\n"
    "Rebuilds the read models of DIR from its log, then swaps them in. The server must be stopped.\n",
    {"--data"},
    {}};

int rebuild(Options const& o) {
  fs::path const data = o.get("--data", "./data");
  fs::path const log_dir = fs::exists(data / "log") ? data / "log" : data / "replica";
  auto log = RocksDbLog::open({.path = log_dir.string()});
  if (!log) return fail("cannot open the log (is a server running on this directory?): " + log.error().message);
  fs::path const fresh = data / "views.rebuilding";
  fs::remove_all(fresh);
  if (auto built = views::rebuild(**log, fresh.string()); !built) return fail(built.error().message);
  fs::path const old = data / "views.old";
  fs::remove_all(old);
  if (fs::exists(data / "views")) fs::rename(data / "views", old);
  fs::rename(fresh, data / "views");
  fs::remove_all(old);
  std::printf("read models rebuilt from the log into %s\n", (data / "views").c_str());
  return 0;
}

}  // namespace

int run_tool(std::string const& command, std::vector<std::string> const& args) {
  struct Tool {
    Spec const* spec;
    int (*run)(Options const&);
  };
  static std::map<std::string, Tool> const kTools{{"export", {&kExport, export_events}},
                                                  {"history", {&kHistory, history}},
                                                  {"snapshot", {&kSnapshot, snapshot}},
                                                  {"analytics", {&kAnalytics, analytics}},
                                                  {"rebuild", {&kRebuild, rebuild}}};
  auto const tool = kTools.find(command);
  if (tool == kTools.end()) return fail("unknown command " + command);
  int status = 0;
  auto options = parse(*tool->second.spec, args, status);
  if (!options) return status;
  return tool->second.run(*options);
}

}  // namespace ticketing::app

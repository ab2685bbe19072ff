#include "commands.hpp"

#include <cstdio>
#include <filesystem>

#include "eventstore/codec.hpp"
#include "eventstore/rocksdb_log.hpp"
#include "projections/view_store.hpp"

namespace ticketing::app {
namespace {

namespace fs = std::filesystem;

int fail(std::string const& message) {
  std::fprintf(stderr, "ticketing: %s\n", message.c_str());
  return 1;
}

std::string csv_field(std::string_view s) {
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

// The embedded log, or a Kafka node's local replica of the topic.
fs::path log_dir(fs::path const& data) { return fs::exists(data / "log") ? data / "log" : data / "replica"; }

int rebuild(fs::path const& data) {
  auto log = RocksDbLog::open({.path = log_dir(data).string()});
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

int export_log(fs::path const& data, std::string const& format) {
  if (format != "jsonl" && format != "csv") return fail("--format must be jsonl or csv");
  auto log = RocksDbLog::open({.path = log_dir(data).string()});
  if (!log) return fail("cannot open the log: " + log.error().message);
  if (format == "csv") std::puts("partition,offset,commit_id,recorded_at,stream,type,event_json");
  for (std::uint32_t p = 0; p < (*log)->partition_count(); ++p) {
    std::uint64_t offset = 0;
    for (;;) {
      auto commits = (*log)->read_partition(p, offset, 1024);
      if (!commits) return fail(commits.error().message);
      if (commits->empty()) break;
      for (auto const& rc : *commits) {
        if (format == "jsonl") {
          std::printf("{\"partition\":%u,\"offset\":%llu,\"commit\":%s}\n", p,
                      static_cast<unsigned long long>(rc.position.offset), encode_commit(rc.commit).c_str());
        } else {
          for (auto const& e : rc.commit.events) {
            std::printf("%u,%llu,%s,%s,%s,%s,%s\n", p, static_cast<unsigned long long>(rc.position.offset),
                        csv_field(rc.commit.commit_id).c_str(), format_iso8601(rc.commit.meta.recorded_at).c_str(),
                        csv_field(stream_of(e)).c_str(), std::string(type_name(e)).c_str(),
                        csv_field(encode_event(e)).c_str());
          }
        }
        offset = rc.position.offset + 1;
      }
    }
  }
  return 0;
}

int analytics(fs::path const& data) {
  auto store = views::ViewStore::open((data / "views").string(), 1);
  if (!store) return fail("cannot open the read models: " + store.error().message);
  std::string out = "{\"totals\":" + views::render_totals((*store)->totals()) + ",\"sales_per_day\":[";
  bool first = true;
  for (auto const& [day, stats] : (*store)->sales_per_day()) {
    if (!first) out += ',';
    first = false;
    out += "{\"day\":\"" + day + "\",\"sales\":" + std::to_string(stats.sales) +
           ",\"revenue_cents\":" + std::to_string(stats.revenue_cents) + "}";
  }
  out += "]}";
  std::puts(out.c_str());
  return 0;
}

}  // namespace

int run_tool(std::string const& command, std::vector<std::string> const& args) {
  fs::path data = "./data";
  std::string format = "jsonl";
  for (std::size_t i = 0; i < args.size(); ++i) {
    if ((args[i] == "--data" || args[i] == "--format") && i + 1 < args.size()) {
      if (args[i] == "--data") {
        data = args[i + 1];
      } else {
        format = args[i + 1];
      }
      ++i;
    } else {
      return fail("unknown option " + args[i]);
    }
  }
  if (!fs::exists(data / "log") && !fs::exists(data / "replica")) return fail("no log in " + data.string());
  if (command == "rebuild") return rebuild(data);
  if (command == "export") return export_log(data, format);
  return analytics(data);
}

}  // namespace ticketing::app

#include "analysis/export.hpp"

#include "analysis/completer.hpp"
#include "analysis/event_lines.hpp"

namespace ticketing::analysis {
namespace {

bool in_range(ExportFilter const& filter, Instant recorded_at) {
  return (!filter.since || recorded_at >= *filter.since) && (!filter.until || recorded_at < *filter.until);
}

// The text of one commit: its events' lines, or the commit's line.
std::string render(RecordedCommit& rc, Instant recorded_at, ExportOptions const& options, Completer const& completer,
                   Redactor const& redactor) {
  ExportFilter const& filter = options.filter;
  if (!in_range(filter, recorded_at)) return {};
  auto const versions = event_versions(rc.commit);
  std::vector<std::string> logged_streams;
  if (!filter.stream.empty()) {
    for (auto const& e : rc.commit.events) logged_streams.push_back(stream_of(e));
  }
  Commit shown = redactor.commit(completer.commit(std::move(rc.commit)));
  std::string text;
  for (std::size_t i = 0; i < shown.events.size(); ++i) {
    Event const& event = shown.events[i];
    if (!filter.types.matches(type_name(event))) continue;
    std::string stream = stream_of(event);
    if (!filter.stream.empty() && filter.stream != stream && filter.stream != logged_streams[i]) continue;
    if (options.format == ExportFormat::commits) {
      text = commit_line(RecordedCommit{rc.position, std::move(shown)}, recorded_at);
      text += '\n';
      return text;
    }
    EventPlace const place{std::move(stream), versions[i], rc.position,
                           shown.commit_id,   recorded_at, shown.meta.correlation_id};
    if (options.format == ExportFormat::csv) {
      append_csv_line(text, event, place);
    } else {
      append_jsonl_line(text, event, place);
    }
    text += '\n';
  }
  return text;
}

}  // namespace

Result<void> export_lines(EventLog& log, Positions const& from, Positions const& to, ExportOptions const& options,
                          Redactor const& redactor, TextVisitor const& write) {
  Completer const completer(log);
  return render_walk(
      log, from, to,
      [&](RecordedCommit& rc, Instant recorded_at) { return render(rc, recorded_at, options, completer, redactor); },
      [&](std::string_view text) { return text.empty() || write(text); });
}

}  // namespace ticketing::analysis

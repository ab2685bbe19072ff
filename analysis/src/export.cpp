#include "analysis/export.hpp"

#include "analysis/completer.hpp"
#include "analysis/event_lines.hpp"
#include "eventstore/codec.hpp"

namespace ticketing::analysis {
namespace {

bool in_range(ExportFilter const& filter, Instant recorded_at) {
  return (!filter.since || recorded_at >= *filter.since) && (!filter.until || recorded_at < *filter.until);
}

// Whether the event's line is its stored data copied through: nothing to
// upgrade (its type's current schema, so nothing to complete either) and
// nothing to redact.
bool exported_as_stored(EventView const& event) {
  return event.schema == current_schema_version(event.type) && !Redactor::may_change(event.type);
}

// The commits format: the whole commit, completed and redacted, when any of
// its events is in.
Result<std::string> commit_text(StoredCommit const& stored, Instant recorded_at, ExportFilter const& filter,
                                Completer const& completer, Redactor const& redactor) {
  auto decoded = decode_commit(stored.encoded);
  if (!decoded) return decoded.error();
  std::vector<std::string> logged_streams;
  for (auto const& e : decoded->events) logged_streams.push_back(stream_of(e));
  Commit shown = redactor.commit(completer.commit(std::move(*decoded)));
  for (std::size_t i = 0; i < shown.events.size(); ++i) {
    Event const& event = shown.events[i];
    if (!filter.types.matches(type_name(event))) continue;
    std::string const stream = stream_of(event);
    if (!filter.stream.empty() && filter.stream != stream && filter.stream != logged_streams[i]) continue;
    std::string text = commit_line(RecordedCommit{stored.position, std::move(shown)}, recorded_at);
    text += '\n';
    return text;
  }
  return std::string();
}

// The text of one commit: its events' lines, or the commit's line.
Result<std::string> render(StoredCommit const& stored, CommitView const& view, Instant recorded_at,
                           ExportOptions const& options, Completer const& completer, Redactor const& redactor) {
  ExportFilter const& filter = options.filter;
  if (!in_range(filter, recorded_at)) return std::string();
  if (options.format == ExportFormat::commits) return commit_text(stored, recorded_at, filter, completer, redactor);
  std::string text;
  for (EventView const& logged : view.events) {
    if (!filter.types.matches(logged.type)) continue;
    bool const as_stored = exported_as_stored(logged);
    std::string stream = as_stored ? std::string(logged.stream) : redactor.stream(logged.stream);
    if (!filter.stream.empty() && filter.stream != stream && filter.stream != logged.stream) continue;
    EventPlace const place{std::move(stream),           logged.version, stored.position,
                           std::string(view.commit_id), recorded_at,    std::string(view.correlation_id)};
    if (as_stored && options.format == ExportFormat::csv) {
      append_csv_line(text, logged, place);
    } else if (as_stored) {
      append_jsonl_line(text, logged, place);
    } else {
      auto decoded = decode_event(logged);
      if (!decoded) return decoded.error();
      Event const event = redactor.event(completer.event(std::move(*decoded), logged.version));
      if (options.format == ExportFormat::csv) {
        append_csv_line(text, event, place);
      } else {
        append_jsonl_line(text, event, place);
      }
    }
    text += '\n';
  }
  return text;
}

}  // namespace

Result<void> export_lines(EventLog& log, Positions const& from, Positions const& to, ExportOptions const& options,
                          Redactor const& redactor, TextVisitor const& write, Positions* delivered) {
  Completer const completer(log);
  return render_walk(
      log, from, to,
      [&](StoredCommit const& stored, CommitView const& view, Instant recorded_at) {
        return render(stored, view, recorded_at, options, completer, redactor);
      },
      [&](std::string_view text) { return text.empty() || write(text); }, delivered);
}

}  // namespace ticketing::analysis

#pragma once
// `ticketing export` over a cut of the log: the events (or commits) in the
// walk's one order, completed (completer.hpp), redacted (redaction.hpp) and
// rendered as lines (event_lines.hpp). Completing, redacting and rendering
// run on the walk's reading threads; the lines arrive in order.

#include <optional>

#include "analysis/positions.hpp"
#include "analysis/redaction.hpp"
#include "analysis/type_filter.hpp"
#include "analysis/walk.hpp"

namespace ticketing::analysis {

enum class ExportFormat { jsonl, csv, commits };

// Which events are exported. A commit is in when its walked time is in
// [since, until); an event when its type matches and, with a stream, its
// stream (as shown, or as logged) is that one. In the commits format a
// commit is written whole when any of its events is in.
struct ExportFilter {
  TypeFilter types;
  std::string stream;
  std::optional<Instant> since, until;
};

struct ExportOptions {
  ExportFormat format{ExportFormat::jsonl};
  ExportFilter filter;
};

// Writes the lines of every commit from `from` to `to` (exclusive) to
// `write`, each chunk of text whole lines ending in '\n', in order; stops
// early when `write` answers false. The CSV header is the caller's.
// `delivered`, if given (starting at `from`), is where the lines written so
// far end: after a failed read, an export from there writes the rest.
[[nodiscard]] Result<void> export_lines(EventLog& log, Positions const& from, Positions const& to,
                                        ExportOptions const& options, Redactor const& redactor,
                                        TextVisitor const& write, Positions* delivered = nullptr);

}  // namespace ticketing::analysis

#pragma once
// One order over every partition of a log: by recorded_at, then partition,
// then offset. The time a commit is shown at never goes back within its
// partition: a commit stamped earlier than the one before it (clocks of two
// nodes, or two threads of one, disagree by a little) is shown at that one's
// time. The same cut always walks in the same order.

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "analysis/positions.hpp"
#include "eventstore/commit_view.hpp"
#include "eventstore/event_log.hpp"

namespace ticketing::analysis {

// A commit as walked: `recorded_at` is the monotonic time described above;
// `rendered`, what the walk's renderer made of it (empty without one).
struct WalkedCommit {
  RecordedCommit commit;
  Instant recorded_at;
  std::string rendered;
};

// What a walk that reads ahead makes of each commit before the merge, on its
// reading threads: given the commit as the log stores it, its view (read by
// the walk: valid during the call) and the time it will be shown at, the
// text handed over with it, or the error that ends the walk. The commit
// handed over with the text keeps its position and time, nothing else.
// Called on several threads at once, for different partitions: it must be
// thread-safe.
using CommitRenderer =
    std::function<Result<std::string>(StoredCommit const& stored, CommitView const& view, Instant recorded_at)>;

// The walk as an iterator that can be resumed as the log grows: each call to
// next() takes the earliest commit before the end it is given. Over one end,
// it yields exactly what walk() visits, in the same order; a later, larger
// end continues from where it stopped (a live feed). Reads a bounded chunk
// of each partition ahead. Not thread-safe: one reader.
class ReadAhead;
class Walker {
 public:
  Walker(EventLog& log, Positions from);
  // Reads and decodes ahead, up to the fixed end `read_ahead_to`, on
  // `threads` threads, while the caller merges and uses what it has; next()
  // must then be given that end. For walking a cut, not a growing log. With
  // `render`, each commit arrives rendered.
  Walker(EventLog& log, Positions const& from, Positions const& read_ahead_to, unsigned threads,
         CommitRenderer render = {});
  ~Walker();
  Walker(Walker&&) noexcept;
  Walker& operator=(Walker&&) noexcept;

  // The next commit before `end` (per partition, exclusive), or nullopt when
  // every partition has reached it.
  [[nodiscard]] Result<std::optional<WalkedCommit>> next(Positions const& end);
  // Per partition, the offset of the next commit to walk.
  [[nodiscard]] Positions const& positions() const noexcept { return positions_; }

 private:
  struct Cursor;
  EventLog* log_;
  Positions positions_;
  std::vector<Cursor> cursors_;
  std::unique_ptr<ReadAhead> ahead_;
};

using CommitVisitor = std::function<bool(RecordedCommit const& commit, Instant recorded_at)>;

// Visits every commit from `from` (inclusive) to `to` (exclusive), per
// partition, in the one order; stops early when `visit` answers false.
// Reads ahead on up to four threads (a Walker with read-ahead).
[[nodiscard]] Result<void> walk(EventLog& log, Positions const& from, Positions const& to, CommitVisitor const& visit);

// The walk of a cut with rendering on the reading threads: `write` gets the
// text of each commit, in the one order; stops early when it answers false.
// `delivered`, if given (starting at `from`), moves past each commit whose
// text `write` took, so after an error it says where to resume: the walk
// from there gives exactly what was not delivered.
using TextVisitor = std::function<bool(std::string_view text)>;
[[nodiscard]] Result<void> render_walk(EventLog& log, Positions const& from, Positions const& to,
                                       CommitRenderer const& render, TextVisitor const& write,
                                       Positions* delivered = nullptr);

// The stream version of each event of `commit`, in order (the k-th event of a
// stream gets the commit's expected version + 1 + k).
[[nodiscard]] std::vector<std::int64_t> event_versions(Commit const& commit);

}  // namespace ticketing::analysis

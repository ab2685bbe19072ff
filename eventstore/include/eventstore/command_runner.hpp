#pragma once
// The command runner: load the streams a decision needs, decide, commit the
// events with the versions that were read as expected versions; on a conflict,
// reload and decide again, a bounded number of times.

#include <algorithm>
#include <array>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "eventstore/event_log.hpp"
#include "eventstore/snapshot_store.hpp"
#include "eventstore/stream_cache.hpp"

namespace ticketing {

// How an aggregate's state is kept as a snapshot (snapshot_store.hpp).
// `name` names the state's type and its layout together, and has static
// storage: a change to the State, to its evolve, or to the encoding takes a
// new name, so that older snapshots are ignored (and the streams folded from
// their start) rather than misread. One name per State type.
template <class State>
struct SnapshotFormat {
  std::string_view name;
  std::string (*encode)(State const&);
  std::optional<State> (*decode)(std::string_view);  // none: not a state of this format
};

// Given to a decision: loads streams and remembers the version of each one
// read. The commit expects every stream read to be unchanged, and every
// stream the decision appends to without reading it not to exist yet (the
// decision creates it), so a command that creates a stream need not read it.
class StreamReader {
 public:
  // `shared`: other processes append to the log too, so a cached stream is
  // topped up from the log before use. `snapshots` (optional): where states
  // are kept every `snapshot_every` events of a stream, for folds given a
  // SnapshotFormat.
  StreamReader(EventLog& log, StreamCache& cache, bool shared = false, SnapshotStore* snapshots = nullptr,
               std::int64_t snapshot_every = 64)
      : log_(log),
        cache_(cache),
        shared_(shared),
        snapshots_(snapshots),
        snapshot_every_(std::max<std::int64_t>(1, snapshot_every)) {}

  // Folds a stream into an aggregate state: evolve(State, Narrow) per event,
  // from `initial`. Records the version read. With a `format`, the fold
  // starts from the stream's snapshot when there is a usable one (the log
  // still holds the event it was taken at, where it was), and once
  // `snapshot_every` events have been folded past it, the new state is kept
  // as the stream's snapshot (and the cache keeps it in place of the events).
  template <class Narrow, class State, class Evolve>
  [[nodiscard]] Result<State> fold(std::string const& stream, State initial, Evolve&& evolve,
                                   SnapshotFormat<State> const* format = nullptr) {
    Decode decode;
    if (format != nullptr) {
      decode = [format](std::string_view bytes) -> std::shared_ptr<void const> {
        auto state = format->decode(bytes);
        return state ? std::make_shared<State const>(std::move(*state)) : nullptr;
      };
    }
    auto loaded = load(stream, format != nullptr ? format->name : std::string_view(), decode);
    if (!loaded) return loaded.error();
    State state = loaded->base ? *static_cast<State const*>(loaded->base.get()) : std::move(initial);
    for (auto const& event : *loaded->events) {
      if (auto narrowed = narrow<Narrow>(event)) state = evolve(std::move(state), *narrowed);
    }
    if (format != nullptr && due_for_snapshot(*loaded)) {
      std::string encoded = format->encode(state);
      keep_snapshot(stream, *loaded, format->name, std::move(encoded), std::make_shared<State const>(state));
    }
    return state;
  }

  [[nodiscard]] std::map<std::string, std::int64_t> const& versions_read() const noexcept { return read_; }

 private:
  using Decode = std::function<std::shared_ptr<void const>(std::string_view)>;
  // The stream as the cache keeps it, for a fold in `format` (empty: none),
  // whose snapshots `decode` reads. Records the version read.
  [[nodiscard]] Result<CachedStream> load(std::string const& stream, std::string_view format, Decode const& decode);
  // The whole stream from the log, without a base (not cached).
  [[nodiscard]] Result<CachedStream> read_whole(std::string const& stream);
  // From the stream's snapshot in `format` on, if it has a usable one.
  [[nodiscard]] Result<std::optional<CachedStream>> read_from_snapshot(std::string const& stream,
                                                                       std::string_view format, Decode const& decode);
  [[nodiscard]] bool due_for_snapshot(CachedStream const& loaded) const noexcept;
  // Keeps `state` (`base`, encoded) as the stream's state at loaded.version.
  void keep_snapshot(std::string const& stream, CachedStream const& loaded, std::string_view format, std::string state,
                     std::shared_ptr<void const> base);

  EventLog& log_;
  StreamCache& cache_;
  bool shared_;
  SnapshotStore* snapshots_;
  std::int64_t snapshot_every_;
  std::map<std::string, std::int64_t> read_;
};

struct CommandOutcome {
  Events events;                       // what was decided (empty: nothing to do, nothing appended)
  std::optional<AppendResult> append;  // set when something was appended or found duplicate
};

struct CommandRunnerOptions {
  // Lost races before giving up with conflict. A lost race means another
  // command changed the streams, so each retry decides against newer state;
  // the bound only stops a livelock (retries back off after the second).
  int max_attempts{32};
  std::size_t cache_capacity{200'000};  // streams
  // Other processes append to the same log (Kafka): a decision that commits
  // nothing (an error, or nothing to do) must not rest on a stale cache.
  bool shared_log{false};
  // Asynchronous commands that may queue for one key's turn (see
  // try_run_async); more are declined.
  std::size_t max_waiting_per_key{4096};
  // Where folds given a SnapshotFormat keep the states of long streams
  // (none: streams are always folded from their start), and how many events
  // a fold takes past the last snapshot before it keeps a new one (at
  // least 1).
  SnapshotStore* snapshots{nullptr};
  std::int64_t snapshot_every{64};
};

// One partition key's turn: held while a command on the key decides and
// commits, then handed to whoever waited longest. Unlike a mutex it may be
// released by a thread other than the one that took it (an asynchronous
// command releases it when its commit lands), and an asynchronous command
// waits for it without a thread: it leaves a way to resume it.
class Turn {
 public:
  // Blocks until the turn is the caller's.
  void take();
  // The turn, if nobody holds it; else false.
  [[nodiscard]] bool try_take();
  // An asynchronous waiter: its work, run holding the turn, says whether the
  // turn may pass on at once (true: it committed nothing) or stays held until
  // its commit is answered (false: whoever answers releases it).
  struct Work {
    std::function<bool()> run_here;       // on the thread handing the turn over
    std::function<void()> run_elsewhere;  // passes run_here on to its own thread
  };
  enum class Wait { taken, queued, full };
  // Takes the turn if nobody holds it (taken). Else queues `work` (queued),
  // unless `max_waiting` wait already (full: nothing queued).
  [[nodiscard]] Wait take_or_wait(Work work, std::size_t max_waiting);
  // Hands the turn to the longest waiting (a blocked one wakes, an
  // asynchronous one's run_elsewhere is called here), else frees it.
  void release();
  // Hands the turn on as release() does, except that the asynchronous
  // waiters' work runs here, one after another, while each commits nothing
  // (at most `max_here` of them; then the next goes elsewhere). For a thread
  // that may run decisions: the losers of a hot key are decided in one go
  // instead of each waiting for a trip through a queue.
  void pass_on(int max_here);

 private:
  struct Waiter {
    Work work;                // an asynchronous waiter
    bool* granted = nullptr;  // a blocked one's flag
  };
  // The next asynchronous waiter's work, the turn held for it; empty when the
  // turn was freed or given to a blocked waiter.
  std::optional<Work> hand_over();
  std::mutex mutex_;
  std::condition_variable granted_;
  bool held_ = false;
  std::deque<Waiter> waiting_;
};

class CommandRunner {
 public:
  using Decide = std::function<Result<Events>(StreamReader&)>;
  // An asynchronous command's end: its outcome, or nullopt when it declined
  // (see try_run_async).
  using Done = std::function<void(std::optional<Result<CommandOutcome>>)>;
  // How a queued asynchronous command continues on its caller's thread:
  // given the rest of its work, runs it there soon (it holds the key's turn).
  using Resume = std::function<void(std::function<void()>)>;

  CommandRunner(EventLog& log, CommandRunnerOptions options = {});

  // Runs `decide` and commits its events as one commit with `commit_id` (the
  // same id on every attempt, so a retried or redelivered command is applied
  // at most once) in `partition_key`. If a commit with `commit_id` is already
  // in the log, nothing is decided: the outcome is that commit's events, with
  // `append->duplicate` set. Returns the decision's error, the storage error,
  // or unavailable (retry after 1 s) after max_attempts lost races: a lost
  // race alone is never a conflict for the caller.
  // Commands on one partition key take turns in this process (decide and
  // commit under a lock striped by the key): of many buyers of one ticket,
  // the first commits and the others decide against the state it left, from
  // the cache, without a commit that would lose. Other processes' commits
  // are still caught by the expected versions.
  [[nodiscard]] Result<CommandOutcome> run(std::string const& partition_key, std::string const& commit_id,
                                           CommitMeta const& meta, Decide const& decide);

  // Whether a command's commit id may already be in the log. `fresh`: the
  // caller made it for this call alone (from a seed of its own, never used
  // before), so no commit can hold it and it is not looked up first; the
  // log would still refuse a second commit with it.
  enum class CommitId { maybe_used, fresh };

  // The same without blocking: decides on the caller's thread and calls
  // `done` once, when the commit is durable (on the log's thread), or at once
  // (on the caller's) for a decision's error, nothing to do, a storage error,
  // or a commit that already landed (looked up first unless `id` is fresh).
  // When another command on the key has its turn, the command waits in the
  // key's line without a thread, given `resume`: its decision then runs
  // through `resume` when the turn is its (an exception there is given to
  // `done` as internal). Without `resume`, or with max_waiting_per_key in
  // line already, it declines.
  // Declines, with done(nullopt), where `run` would wait or retry: as above,
  // or the commit lost a race, or the log found it a duplicate. Nothing is
  // committed then; the caller runs `run`.
  void try_run_async(std::string const& partition_key, std::string const& commit_id, CommitMeta const& meta,
                     Decide const& decide, Done done, Resume const& resume = {}, CommitId id = CommitId::maybe_used);

  // Runs `read` against current stream state without committing anything.
  template <class F>
  [[nodiscard]] auto inspect(F&& read) {
    StreamReader reader = new_reader();
    return read(reader);
  }

  [[nodiscard]] EventLog& log() noexcept { return log_; }

 private:
  EventLog& log_;
  CommandRunnerOptions options_;
  StreamCache cache_;
  // A decision's commit: its events, expecting every stream read unchanged
  // and every stream written without reading to be new.
  static Commit commit_of(std::string const& partition_key, std::string const& commit_id, CommitMeta const& meta,
                          StreamReader const& reader, Events const& events);
  [[nodiscard]] StreamReader new_reader() {
    return {log_, cache_, options_.shared_log, options_.snapshots, options_.snapshot_every};
  }
  // After its commit is accepted at `position`: the cache takes the
  // decision's events.
  void remember(StreamReader const& reader, Events const& events, Position position);
  [[nodiscard]] Turn& turn_of(std::string const& partition_key);
  // try_run_async's work once the key's turn is the caller's. True when it
  // committed nothing (the caller passes the turn on); false when a commit
  // holds the turn (its answer releases it). A throw leaves the turn held.
  bool decide_and_commit(Turn& turn, std::string const& partition_key, std::string const& commit_id,
                         CommitMeta const& meta, Decide const& decide, Done done);

  std::array<Turn, 4096> turns_;  // by a hash of the partition key
};

}  // namespace ticketing

#pragma once
// The command runner: load the streams a decision needs, decide, commit the
// events with the versions that were read as expected versions; on a conflict,
// reload and decide again, a bounded number of times.

#include <array>
#include <atomic>
#include <functional>
#include <map>
#include <optional>
#include <string>

#include "eventstore/event_log.hpp"
#include "eventstore/stream_cache.hpp"

namespace ticketing {

// Given to a decision: loads streams and remembers the version of each one
// read. The commit expects every stream read to be unchanged, and every
// stream the decision appends to without reading it not to exist yet (the
// decision creates it), so a command that creates a stream need not read it.
class StreamReader {
 public:
  // `shared`: other processes append to the log too, so a cached stream is
  // topped up from the log before use.
  StreamReader(EventLog& log, StreamCache& cache, bool shared = false) : log_(log), cache_(cache), shared_(shared) {}

  // The stream's events (empty if none). Records the version read.
  [[nodiscard]] Result<std::shared_ptr<Events const>> load(std::string const& stream);

  // Folds a stream into an aggregate state: evolve(State, Narrow) per event.
  template <class Narrow, class State, class Evolve>
  [[nodiscard]] Result<State> fold(std::string const& stream, State state, Evolve&& evolve) {
    auto events = load(stream);
    if (!events) return events.error();
    for (auto const& event : **events) {
      if (auto narrowed = narrow<Narrow>(event)) state = evolve(std::move(state), *narrowed);
    }
    return state;
  }

  [[nodiscard]] std::map<std::string, std::int64_t> const& versions_read() const noexcept { return read_; }

 private:
  EventLog& log_;
  StreamCache& cache_;
  bool shared_;
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
};

// One partition key's turn: held while a command on the key decides and
// commits. Unlike a mutex it may be released by a thread other than the one
// that took it (an asynchronous command releases it when its commit lands).
class Turn {
 public:
  void take() noexcept {
    while (held_.exchange(true, std::memory_order_acquire)) held_.wait(true, std::memory_order_relaxed);
  }
  [[nodiscard]] bool try_take() noexcept { return !held_.exchange(true, std::memory_order_acquire); }
  void release() noexcept {
    held_.store(false, std::memory_order_release);
    held_.notify_one();
  }

 private:
  std::atomic<bool> held_{false};
};

class CommandRunner {
 public:
  using Decide = std::function<Result<Events>(StreamReader&)>;
  // An asynchronous command's end: its outcome, or nullopt when it declined
  // (see try_run_async).
  using Done = std::function<void(std::optional<Result<CommandOutcome>>)>;

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

  // The same without blocking: decides on the caller's thread and calls
  // `done` once, when the commit is durable (on the log's thread), or at once
  // (on the caller's) for a decision's error, nothing to do, a storage error,
  // or a commit that already landed. `decide` runs before this returns.
  // Declines, with done(nullopt), where `run` would wait or retry: another
  // command on the key has its turn, the commit lost a race, or the log
  // found it a duplicate. Nothing is committed then; the caller runs `run`.
  void try_run_async(std::string const& partition_key, std::string const& commit_id, CommitMeta const& meta,
                     Decide const& decide, Done done);

  // Runs `read` against current stream state without committing anything.
  template <class F>
  [[nodiscard]] auto inspect(F&& read) {
    StreamReader reader(log_, cache_, options_.shared_log);
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
  // After its commit is accepted: the cache takes the decision's events.
  void remember(StreamReader const& reader, Events const& events);
  [[nodiscard]] Turn& turn_of(std::string const& partition_key);

  std::array<Turn, 4096> turns_;  // by a hash of the partition key
};

}  // namespace ticketing

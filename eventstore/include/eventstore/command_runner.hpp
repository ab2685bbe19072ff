#pragma once
// The command runner: load the streams a decision needs, decide, commit the
// events with the versions that were read as expected versions; on a conflict,
// reload and decide again, a bounded number of times.

#include <array>
#include <functional>
#include <map>
#include <mutex>
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

class CommandRunner {
 public:
  using Decide = std::function<Result<Events>(StreamReader&)>;

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
  std::array<std::mutex, 4096> turns_;  // by a hash of the partition key
};

}  // namespace ticketing

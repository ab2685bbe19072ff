#include "eventstore/command_runner.hpp"

#include <chrono>
#include <random>
#include <thread>

namespace ticketing {

namespace {

CachedStream whole_stream(std::vector<RecordedEvent> recorded) {
  CachedStream whole;
  auto events = std::make_shared<Events>();
  events->reserve(recorded.size());
  for (auto& r : recorded) events->push_back(std::move(r.event));
  if (!recorded.empty()) {
    whole.version = recorded.back().version;
    whole.position = recorded.back().position;
  }
  whole.events = std::move(events);
  return whole;
}

}  // namespace

Result<CachedStream> StreamReader::load(std::string const& stream, std::string_view format, Decode const& decode) {
  if (auto cached = cache_.get(stream)) {
    // Cached for a fold in another format (a test's, or none): not this one's.
    if (cached->base && cached->base_format != format) return read_whole(stream);
    if (shared_) {
      auto newer = log_.read_stream(stream, cached->version + 1);
      if (!newer) return newer.error();
      if (!newer->empty()) {
        Events tail;
        for (auto& r : *newer) tail.push_back(std::move(r.event));
        cache_.advance(stream, cached->version, tail, newer->back().position);
        auto grown = std::make_shared<Events>(*cached->events);
        grown->insert(grown->end(), tail.begin(), tail.end());
        cached->version = newer->back().version;
        cached->position = newer->back().position;
        cached->events = std::move(grown);
      }
    }
    read_[stream] = cached->version;
    return std::move(*cached);
  }
  if (!format.empty() && snapshots_ != nullptr) {
    auto from_snapshot = read_from_snapshot(stream, format, decode);
    if (!from_snapshot) return from_snapshot.error();
    if (*from_snapshot) {
      cache_.put(stream, **from_snapshot);
      read_[stream] = (*from_snapshot)->version;
      return std::move(**from_snapshot);
    }
  }
  auto recorded = log_.read_stream(stream, 0);
  if (!recorded) return recorded.error();
  CachedStream whole = whole_stream(std::move(*recorded));
  cache_.put(stream, whole);
  read_[stream] = whole.version;
  return whole;
}

Result<CachedStream> StreamReader::read_whole(std::string const& stream) {
  auto recorded = log_.read_stream(stream, 0);
  if (!recorded) return recorded.error();
  CachedStream whole = whole_stream(std::move(*recorded));
  read_[stream] = whole.version;
  return whole;
}

Result<std::optional<CachedStream>> StreamReader::read_from_snapshot(std::string const& stream, std::string_view format,
                                                                     Decode const& decode) {
  auto const snapshot = snapshots_->find(stream);
  if (!snapshot || snapshot->format != format) return std::optional<CachedStream>();
  // From the snapshot's own event on: the log must hold it, where the
  // snapshot says (not a log restored from before it, or another log).
  auto recorded = log_.read_stream(stream, snapshot->version);
  if (!recorded) return recorded.error();
  if (recorded->empty() || recorded->front().version != snapshot->version ||
      recorded->front().position != snapshot->position) {
    return std::optional<CachedStream>();
  }
  auto base = decode(snapshot->state);
  if (!base) return std::optional<CachedStream>();
  CachedStream entry{.version = recorded->back().version,
                     .position = recorded->back().position,
                     .events = {},
                     .base_version = snapshot->version,
                     .base = std::move(base),
                     .base_format = format};
  auto events = std::make_shared<Events>();
  events->reserve(recorded->size() - 1);
  for (auto it = std::next(recorded->begin()); it != recorded->end(); ++it) events->push_back(std::move(it->event));
  entry.events = std::move(events);
  return std::optional<CachedStream>(std::move(entry));
}

bool StreamReader::due_for_snapshot(CachedStream const& loaded) const noexcept {
  return snapshots_ != nullptr && loaded.version >= 0 && loaded.version - loaded.base_version >= snapshot_every_;
}

void StreamReader::keep_snapshot(std::string const& stream, CachedStream const& loaded, std::string_view format,
                                 std::string state, std::shared_ptr<void const> base) {
  // Best effort: a snapshot that is not kept costs a longer fold later.
  (void)snapshots_->store(stream, Snapshot{loaded.version, loaded.position, std::string(format), std::move(state)});
  cache_.rebase(stream, CachedStream{.version = loaded.version,
                                     .position = loaded.position,
                                     .events = std::make_shared<Events const>(),
                                     .base_version = loaded.version,
                                     .base = std::move(base),
                                     .base_format = format});
}

void Turn::take() {
  std::unique_lock lock(mutex_);
  if (!held_) {
    held_ = true;
    return;
  }
  bool granted = false;
  waiting_.push_back(Waiter{{}, &granted});
  granted_.wait(lock, [&] { return granted; });
}

bool Turn::try_take() {
  std::lock_guard lock(mutex_);
  if (held_) return false;
  held_ = true;
  return true;
}

Turn::Wait Turn::take_or_wait(Work work, std::size_t max_waiting) {
  std::lock_guard lock(mutex_);
  if (!held_) {
    held_ = true;
    return Wait::taken;
  }
  if (waiting_.size() >= max_waiting) return Wait::full;
  waiting_.push_back(Waiter{std::move(work), nullptr});
  return Wait::queued;
}

std::optional<Turn::Work> Turn::hand_over() {
  std::unique_lock lock(mutex_);
  if (waiting_.empty()) {
    held_ = false;
    return std::nullopt;
  }
  // The turn passes straight to the next in line: it stays held.
  Waiter next = std::move(waiting_.front());
  waiting_.pop_front();
  if (next.granted != nullptr) {
    *next.granted = true;
    lock.unlock();
    granted_.notify_all();
    return std::nullopt;
  }
  return std::move(next.work);
}

void Turn::release() {
  if (auto next = hand_over()) next->run_elsewhere();
}

void Turn::pass_on(int max_here) {
  for (int ran = 0; auto next = hand_over(); ++ran) {
    if (ran == max_here) return next->run_elsewhere();
    if (!next->run_here()) return;  // a commit holds the turn now
  }
}

CommandRunner::CommandRunner(EventLog& log, CommandRunnerOptions options)
    : log_(log), options_(options), cache_(options.cache_capacity) {}

namespace {

CommandOutcome outcome_of(RecordedCommit recorded) {
  return CommandOutcome{std::move(recorded.commit.events), AppendResult{recorded.position, true}};
}

// The outcome of the commit the log holds at `at`.
Result<CommandOutcome> outcome_at(EventLog& log, Position at) {
  auto found = log.read_partition(at.partition, at.offset, 1);
  if (!found) return found.error();
  if (found->empty()) return make_error(ErrorCode::unavailable, "the log answered with a commit it cannot read");
  return outcome_of(std::move(found->front()));
}

// A conflict means another command changed the streams: deciding again is
// progress. Under heavy contention, spread the retries out a little (random,
// growing, at most a few milliseconds) so they stop colliding.
void back_off(int attempt) {
  if (attempt < 2) return;
  thread_local std::minstd_rand rng{std::random_device{}()};
  int const cap_us = std::min(250 << std::min(attempt - 2, 5), 8000);
  std::this_thread::sleep_for(std::chrono::microseconds(std::uniform_int_distribution<int>(0, cap_us)(rng)));
}

}  // namespace

Commit CommandRunner::commit_of(std::string const& partition_key, std::string const& commit_id, CommitMeta const& meta,
                                StreamReader const& reader, Events const& events) {
  Commit commit{commit_id, partition_key, {}, events, meta};
  for (auto const& [stream, version] : reader.versions_read()) commit.expected.push_back({stream, version});
  // A stream the decision appends to without having read it is one it
  // creates: the commit expects it not to exist yet.
  std::map<std::string, std::int64_t> created;
  for (auto const& e : events) {
    std::string stream = stream_of(e);
    if (!reader.versions_read().contains(stream) && created.emplace(stream, kNoStream).second) {
      commit.expected.push_back({std::move(stream), kNoStream});
    }
  }
  return commit;
}

void CommandRunner::remember(StreamReader const& reader, Events const& events, Position position) {
  std::map<std::string, Events> by_stream;
  for (auto const& e : events) by_stream[stream_of(e)].push_back(e);
  for (auto const& [stream, written] : by_stream) {
    auto const read = reader.versions_read().find(stream);
    cache_.advance(stream, read != reader.versions_read().end() ? read->second : kNoStream, written, position);
  }
}

Turn& CommandRunner::turn_of(std::string const& partition_key) {
  return turns_[std::hash<std::string>{}(partition_key) % turns_.size()];
}

Result<CommandOutcome> CommandRunner::run(std::string const& partition_key, std::string const& commit_id,
                                          CommitMeta const& meta, Decide const& decide) {
  // A command whose commit already landed (a retried request whose first try
  // died before answering, a timer that fires again) is not decided again
  // against the state its own commit changed: it gets its first outcome.
  auto landed = log_.find_commit(commit_id);
  if (!landed) return landed.error();
  if (*landed) return outcome_of(std::move(**landed));

  Turn& turn = turn_of(partition_key);
  turn.take();
  struct Release {
    Turn& turn;
    ~Release() { turn.release(); }
  } const release{turn};

  for (int attempt = 0; attempt < options_.max_attempts; ++attempt) {
    StreamReader reader = new_reader();
    auto events = decide(reader);
    if (!events) return events.error();
    if (events->empty()) return CommandOutcome{};

    auto appended = log_.append(commit_of(partition_key, commit_id, meta, reader, *events));
    if (appended) {
      // The same command (same commit id) was committed first, by another
      // process or before a restart: answer with that commit's events.
      if (appended->duplicate) return outcome_at(log_, appended->position);
      remember(reader, *events, appended->position);
      return CommandOutcome{std::move(*events), *appended};
    }
    if (appended.error().code != ErrorCode::conflict) return appended.error();
    for (auto const& [stream, version] : reader.versions_read()) cache_.erase_if_at(stream, version);
    back_off(attempt);
  }
  // Contention alone never refuses a command: this is overload, said as such.
  Error busy = make_error(ErrorCode::unavailable, "Too many concurrent changes to the same item, try again");
  busy.retry_after_seconds = 1;
  return busy;
}

namespace {

// Queued decisions a thread runs in a row when the turn passes to them,
// before it hands the next to its own thread (its own connections wait
// meanwhile).
constexpr int kDecisionsInARow = 64;

}  // namespace

void CommandRunner::try_run_async(std::string const& partition_key, std::string const& commit_id,
                                  CommitMeta const& meta, Decide const& decide, Done done, Resume const& resume,
                                  CommitId id) {
  if (id == CommitId::maybe_used) {
    auto landed = log_.find_commit(commit_id);
    if (!landed) return done(Result<CommandOutcome>(landed.error()));
    if (*landed) return done(Result<CommandOutcome>(outcome_of(std::move(**landed))));
  }

  Turn& turn = turn_of(partition_key);
  auto const first = [&](Done first_done) {
    bool passes = false;
    try {
      passes = decide_and_commit(turn, partition_key, commit_id, meta, decide, std::move(first_done));
    } catch (...) {
      turn.pass_on(resume ? kDecisionsInARow : 0);  // the key's turn never stays taken
      throw;
    }
    if (passes) turn.pass_on(resume ? kDecisionsInARow : 0);
  };
  if (turn.try_take()) return first(std::move(done));
  if (!resume) return done(std::nullopt);  // `run` waits for its turn
  // What waits in line owns copies of what the decision needs.
  struct Waiting {
    std::string partition_key, commit_id;
    CommitMeta meta;
    Decide decide;
    Done done;
  };
  auto waiting = std::make_shared<Waiting>(Waiting{partition_key, commit_id, meta, decide, std::move(done)});
  // Run holding the turn, on whichever thread hands it over (a decision is
  // thread-safe, and `done` finds its own way back); a throw is answered.
  auto run_here = [this, &turn, waiting]() -> bool {
    try {
      return decide_and_commit(turn, waiting->partition_key, waiting->commit_id, waiting->meta, waiting->decide,
                               waiting->done);  // a copy: a throw is still answered
    } catch (std::exception const& e) {
      waiting->done(Result<CommandOutcome>(make_error(ErrorCode::internal, e.what())));
      return true;
    }
  };
  auto run_elsewhere = [&turn, run_here, resume] {
    resume([&turn, run_here] {
      if (run_here()) turn.pass_on(kDecisionsInARow);
    });
  };
  auto const line = turn.take_or_wait(Turn::Work{run_here, run_elsewhere}, options_.max_waiting_per_key);
  if (line == Turn::Wait::taken) return first(std::move(waiting->done));
  if (line == Turn::Wait::full) return waiting->done(std::nullopt);
}

bool CommandRunner::decide_and_commit(Turn& turn, std::string const& partition_key, std::string const& commit_id,
                                      CommitMeta const& meta, Decide const& decide, Done done) {
  auto reader = std::make_shared<StreamReader>(new_reader());
  Result<Events> events = decide(*reader);
  if (!events || events->empty()) {
    done(events ? Result<CommandOutcome>(CommandOutcome{}) : Result<CommandOutcome>(events.error()));
    return true;
  }
  auto decided = std::make_shared<Events>(std::move(*events));
  log_.append_async(commit_of(partition_key, commit_id, meta, *reader, *decided),
                    [this, &turn, reader, decided, done = std::move(done)](Result<AppendResult> appended) {
                      // On the log's thread: the turn passes on elsewhere.
                      if (appended && !appended->duplicate) {
                        remember(*reader, *decided, appended->position);
                        turn.release();
                        return done(Result<CommandOutcome>(CommandOutcome{std::move(*decided), *appended}));
                      }
                      if (!appended && appended.error().code != ErrorCode::conflict) {
                        turn.release();
                        return done(Result<CommandOutcome>(appended.error()));
                      }
                      // A lost race, or a duplicate: `run` retries, or reads the first outcome.
                      if (!appended) {
                        for (auto const& [stream, version] : reader->versions_read()) {
                          cache_.erase_if_at(stream, version);
                        }
                      }
                      turn.release();
                      done(std::nullopt);
                    });
  return false;
}

}  // namespace ticketing

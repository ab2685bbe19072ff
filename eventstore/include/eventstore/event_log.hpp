#pragma once
// The log interface. Two backends implement it: RocksDbLog (embedded, the
// default) and KafkaLog (several processes over one topic). Both pass the same
// contract test suite (tests/eventstore/log_contract.hpp).
//
// Thread safety: every member may be called from any thread concurrently.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "domain/result.hpp"
#include "eventstore/commit.hpp"

namespace ticketing {

struct AppendResult {
  Position position;      // of this commit, or of the first one if duplicate
  bool duplicate{false};  // the commit id or idempotency key was accepted before
};

using AppendCallback = std::function<void(Result<AppendResult>)>;
// Receives a batch of commits (never empty), in log order within each partition.
using CommitHandler = std::function<void(std::span<RecordedCommit const> commits)>;

// A live feed of commits. The handler runs on the subscription's own thread,
// one batch at a time: what became available together arrives together, so a
// consumer can apply it in one write.
class Subscription {
 public:
  virtual ~Subscription() = default;
  // Returns after the handler has returned for the last time. Idempotent.
  virtual void stop() = 0;
};

class EventLog {
 public:
  virtual ~EventLog() = default;

  [[nodiscard]] virtual std::uint32_t partition_count() const noexcept = 0;
  // Stable across processes and versions: FNV-1a of the key modulo the count.
  [[nodiscard]] std::uint32_t partition_of(std::string_view partition_key) const noexcept;

  // Appends one commit atomically once it passes validate(). `done` is called
  // exactly once, after the commit is durable (or refused): with the
  // position; conflict for a stale expected version; invalid_input for a
  // malformed commit; unavailable when storage fails. `done` may run on an
  // internal thread and must not block.
  virtual void append_async(Commit commit, AppendCallback done) = 0;
  // Blocking form of append_async.
  [[nodiscard]] Result<AppendResult> append(Commit commit);

  // Events of a stream with version >= from_version, in order.
  [[nodiscard]] virtual Result<std::vector<RecordedEvent>> read_stream(std::string const& stream,
                                                                       std::int64_t from_version) = 0;
  // The stream's last version; kNoStream if it has no events.
  [[nodiscard]] virtual Result<std::int64_t> stream_version(std::string const& stream) = 0;
  // Up to `max` commits of a partition from `from_offset` on, in order.
  [[nodiscard]] virtual Result<std::vector<RecordedCommit>> read_partition(std::uint32_t partition,
                                                                           std::uint64_t from_offset,
                                                                           std::size_t max) = 0;
  // The same commits as read_partition, as the log stores them (each event
  // in the schema it was written with): for readers that take apart only
  // what they need (analysis reads whole logs so).
  [[nodiscard]] virtual Result<std::vector<StoredCommit>> read_partition_stored(std::uint32_t partition,
                                                                                std::uint64_t from_offset,
                                                                                std::size_t max) = 0;
  // The same into `out`, whose contents it replaces, reusing the memory of
  // the strings it holds: a reader of a whole log that passes the same vector
  // to each read allocates once, not once per commit. By default, a copy of
  // read_partition_stored's answer.
  [[nodiscard]] virtual Result<void> read_partition_stored_into(std::uint32_t partition, std::uint64_t from_offset,
                                                                std::size_t max, std::vector<StoredCommit>& out);
  // The commit accepted with `commit_id`, if this log has it (a Kafka node:
  // as far as its replica has read the topic). A command retried with the
  // same commit id finds its first outcome here, even after a crash.
  [[nodiscard]] virtual Result<std::optional<RecordedCommit>> find_commit(std::string const& commit_id) = 0;

  // Per partition, the offset the next accepted commit will get.
  [[nodiscard]] virtual std::vector<std::uint64_t> end_offsets() = 0;

  // Delivers every commit at or after `from` (per-partition offsets; missing
  // entries mean 0), then new commits as they become durable, pushed.
  [[nodiscard]] virtual std::unique_ptr<Subscription> subscribe(std::vector<std::uint64_t> from,
                                                                CommitHandler handler) = 0;

  // Why this log refuses every append now (empty: it does not): its disk
  // failed to make a write durable (until the process restarts), or failed
  // a write (until the log recovers, e.g. a full disk has room again, or a
  // restart).
  [[nodiscard]] virtual std::string fault() { return {}; }
};

// How many commits a follower of the log (the read models, the saga) has
// yet to take: per partition, the log's end less the follower's next offset,
// summed (a partition the follower is past, or does not know, counts 0).
[[nodiscard]] std::uint64_t commits_behind(std::vector<std::uint64_t> const& ends,
                                           std::vector<std::uint64_t> const& taken) noexcept;

}  // namespace ticketing

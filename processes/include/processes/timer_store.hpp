#pragma once
// Durable timers of the order saga, in RocksDB, with the saga's checkpoint
// (per-partition offsets of the log) in the same WriteBatch as the timers a
// commit adds or removes. After a crash the saga resumes from the checkpoint
// and every timer it had is still there; overdue ones fire at once. Writes
// are not synced: what a power loss takes, it takes with its checkpoint, and
// the saga rebuilds it from the durable log.
//
// Layout:  c/<be32 partition>   -> be64 next offset
//          t/<kind><id>         -> be64 due (ms since epoch) | payload
// Thread safety: all members may be called from any thread.

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "domain/result.hpp"
#include "domain/time.hpp"
#include "eventstore/commit.hpp"

namespace rocksdb {
class DB;
class Env;
}  // namespace rocksdb

namespace ticketing {

enum class TimerKind : char {
  expire_order = 'e',     // id: order id; fires at the order's expiresAt
  resolve_payment = 'p',  // id: charge id; a payment with no outcome yet
  refund_charge = 'r',    // id: charge id; payload: the gateway's charge id
  recheck_charge = 'v',   // id: charge id; a charge found in no record, looked for again
};

struct Timer {
  Instant due;
  TimerKind kind{TimerKind::expire_order};
  std::string id;
  std::string payload;
};

struct TimerKey {
  TimerKind kind;
  std::string id;
};

class TimerStore {
 public:
  // `env`: the file system to use; null: the default (tests pass one whose
  // disk fails on demand; it must outlive the store).
  [[nodiscard]] static Result<std::unique_ptr<TimerStore>> open(std::string const& path, std::uint32_t partitions,
                                                                rocksdb::Env* env = nullptr);
  ~TimerStore();
  TimerStore(TimerStore const&) = delete;
  TimerStore& operator=(TimerStore const&) = delete;

  // Timers added (`add` true) or removed, in the order the log caused them,
  // written with the new checkpoints (per partition: the next offset).
  struct Change {
    bool add{true};
    Timer timer;  // for a removal only kind and id matter
  };
  [[nodiscard]] Result<void> apply(std::vector<Change> const& changes,
                                   std::map<std::uint32_t, std::uint64_t> const& checkpoints);
  [[nodiscard]] Result<void> put(Timer const& timer);
  [[nodiscard]] Result<void> remove(TimerKey const& key);
  // Every stored timer, by kind then id; an error if any part of the store
  // could not be read (never a silently shorter list).
  [[nodiscard]] Result<std::vector<Timer>> all() const;
  [[nodiscard]] std::vector<std::uint64_t> checkpoints() const;

 private:
  TimerStore(std::unique_ptr<rocksdb::DB> db, std::uint32_t partitions);
  std::unique_ptr<rocksdb::DB> db_;
  std::uint32_t partitions_;
};

}  // namespace ticketing

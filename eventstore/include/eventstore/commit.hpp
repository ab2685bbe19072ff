#pragma once
// The unit of the log: one command's events, with the stream versions the
// command was decided against. A commit is accepted whole or not at all.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "domain/events.hpp"
#include "domain/time.hpp"

namespace ticketing {

inline constexpr std::int64_t kNoStream = -1;  // expected version of a stream that must not exist yet
// Past any stream's length. Decoders refuse an expected version above it (or
// below kNoStream), so that counting a commit's event versions on from one
// never overflows.
inline constexpr std::int64_t kMaxStreamVersion = std::int64_t{1} << 62;
[[nodiscard]] constexpr bool is_expected_version(std::int64_t v) noexcept {
  return v >= kNoStream && v <= kMaxStreamVersion;
}

struct ExpectedVersion {
  std::string stream;
  std::int64_t version{kNoStream};  // the stream's last version (0-based) the decision saw
  friend bool operator==(ExpectedVersion const&, ExpectedVersion const&) = default;
};

// Who and what caused a commit; recorded with it, for readers of the log.
// `idempotency_key` is the Idempotency-Key the request carried, if any: the
// commit id is derived from it (with the user and route), and the commit id
// is what makes a repeat a duplicate.
struct CommitMeta {
  std::string correlation_id, causation_id, user_id, idempotency_key;
  Instant recorded_at;
  friend bool operator==(CommitMeta const&, CommitMeta const&) = default;
};

// Every stream an event is appended to must be listed in `expected`; the
// k-th event of a stream in the commit gets version expected + 1 + k.
struct Commit {
  std::string commit_id;
  std::string partition_key;
  std::vector<ExpectedVersion> expected;
  Events events;
  CommitMeta meta;
  friend bool operator==(Commit const&, Commit const&) = default;
};

// Where a commit sits in the log: its partition and its offset in it.
struct Position {
  std::uint32_t partition{0};
  std::uint64_t offset{0};
  // NOLINTNEXTLINE(modernize-use-nullptr): clang-tidy 14 misreads the defaulted comparison
  friend auto operator<=>(Position const&, Position const&) = default;
};

struct RecordedCommit {
  Position position;
  Commit commit;
};

// Spare bytes a reader of stored commits leaves past the end of each
// encoding (StoredCommit::encoded's capacity), so that decoders, which read
// ahead of the text's end, parse it where it is instead of copying it.
inline constexpr std::size_t kDecodeSlack = 64;

// A commit as the log stores it: its encoding (codec.hpp), not decoded.
struct StoredCommit {
  Position position;
  std::string encoded;  // capacity at least size() + kDecodeSlack when read from a log
};

struct RecordedEvent {
  std::string stream;
  std::int64_t version{0};
  Position position;
  Event event;
};

}  // namespace ticketing

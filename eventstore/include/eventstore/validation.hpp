#pragma once
// The one rule every reader of the log applies (ARCHITECTURE.md §3): a commit
// is accepted iff it is well formed, its commit id was not accepted before,
// and every expected version equals the stream's current version at that
// point of its partition.
// The embedded committer applies it before writing; Kafka readers apply it
// while folding. It is pure: same inputs, same verdict, on every node.

#include <chrono>
#include <cstdint>
#include <string>

#include "eventstore/commit.hpp"

namespace ticketing {

enum class Verdict : std::uint8_t { accepted, duplicate, conflict, invalid };

struct Validation {
  Verdict verdict{Verdict::accepted};
  std::string message;  // why, for conflict and invalid
};

// Structure only: ids present, at least one event, every event's stream listed
// in `expected` exactly once.
[[nodiscard]] Validation check_structure(Commit const& commit);

// `version_of(stream) -> std::int64_t` gives the stream's current version
// (kNoStream if none); `seen_before(commit) -> bool` says whether the commit id
// was accepted before.
template <class VersionOf, class SeenBefore>
[[nodiscard]] Validation validate(Commit const& commit, VersionOf&& version_of, SeenBefore&& seen_before) {
  if (auto structure = check_structure(commit); structure.verdict != Verdict::accepted) return structure;
  if (seen_before(commit)) return {Verdict::duplicate, {}};
  for (auto const& expected : commit.expected) {
    std::int64_t const actual = version_of(expected.stream);
    if (actual != expected.version) {
      return {Verdict::conflict, "Wrong expected version for stream " + expected.stream + ": expected " +
                                     std::to_string(expected.version) + ", actual " + std::to_string(actual)};
    }
  }
  return {Verdict::accepted, {}};
}

}  // namespace ticketing

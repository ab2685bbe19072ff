#include "eventstore/validation.hpp"

#include <set>

namespace ticketing {

Validation check_structure(Commit const& commit) {
  auto const invalid = [](std::string message) { return Validation{Verdict::invalid, std::move(message)}; };
  if (commit.commit_id.empty()) return invalid("commit has no id");
  if (commit.partition_key.empty()) return invalid("commit has no partition key");
  if (commit.events.empty()) return invalid("commit has no events");
  std::set<std::string_view> listed;
  for (auto const& e : commit.expected) {
    if (e.stream.empty() || !is_expected_version(e.version)) return invalid("bad expected version entry");
    if (!listed.insert(e.stream).second) return invalid("stream " + e.stream + " is listed twice");
  }
  for (auto const& event : commit.events) {
    std::string const stream = stream_of(event);
    if (!listed.contains(stream)) return invalid("stream " + stream + " has no expected version");
  }
  return {Verdict::accepted, {}};
}

}  // namespace ticketing

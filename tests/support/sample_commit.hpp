#pragma once
// One commit holding the sample of every event type (test-only), expecting
// no stream: for the commit codecs' round trips and golden files.

#include <map>

#include "eventstore/commit.hpp"
#include "samples.hpp"

namespace ticketing::samples {

inline Commit every_event_commit() {
  Commit c;
  c.commit_id = "cmt-1";
  c.partition_key = "5f1e2d3c4b5a69788796a5b4";
  c.events = all_events();
  std::map<std::string, std::int64_t> seen;
  for (auto const& e : c.events) seen.emplace(stream_of(e), kNoStream);
  for (auto const& [stream, v] : seen) c.expected.push_back({stream, v});
  c.meta = CommitMeta{"corr-1", "cause-1", "user-1", "idem-1", t0()};
  return c;
}

}  // namespace ticketing::samples

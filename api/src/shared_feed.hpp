#pragma once
// Internal: one feed's messages, rendered once for every stream that keeps
// up with the log. Without it each open stream walks the log and renders
// every commit itself: with many viewers of a live page, each commit is
// copied and rendered once a viewer.
//
// The shared walk goes in the feed's order (walk.hpp) up to what the read
// models have applied, as each stream's own walk does, and keeps the text of
// its newest commits in a window bounded in commits and in bytes, numbered
// from 0 in the order walked. A stream follows it from a commit's number:
// it reads whole commits' messages from there, and the ids in them are
// positions of the log, whoever rendered them. A stream that falls out of
// the window (it read too slowly) walks on by itself from where it was; a
// stream joins where the shared walk stands (head()), once its own walk has
// reached that cut. Thread-safe.

#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>

#include "event_feed.hpp"

namespace ticketing::api {

struct SharedFeedBounds {
  std::size_t commits{16384};
  std::size_t bytes{std::size_t{16} << 20};
};

class SharedFeed {
 public:
  SharedFeed(EventLog& log, views::Projector const& projector, FeedRender render, SharedFeedBounds bounds = {});

  // Where the shared walk stands once brought up to what the read models
  // have applied: the number of the next commit it will render, and the cut
  // it starts at.
  struct Head {
    std::uint64_t next;
    analysis::Positions cut;
  };
  [[nodiscard]] Result<Head> head();

  // Appends the messages of whole commits from number `next` on until about
  // `limit` bytes (at least one commit, if there is one), after bringing the
  // walk up to date when `next` is its head; moves `next` past them and sets
  // `cut` to where the last of them ends (unchanged when none was appended).
  enum class Read { ok, behind, failed };  // behind: `next` has left the window
  [[nodiscard]] Read read(std::uint64_t& next, analysis::Positions& cut, std::string& out, std::size_t limit);

  // Streams of this feed that read the log by themselves now (not yet
  // joined, or left behind by the window): each stream says when it
  // starts, joins, leaves and ends.
  void add_alone(std::int64_t change) { alone_ += change; }
  [[nodiscard]] std::int64_t alone() const { return alone_; }

 private:
  struct Entry {
    analysis::Positions after;  // the cut after this commit
    std::string text;           // its messages (empty: none of its events is shown)
  };
  // With mutex_ held: walks to what the read models have applied, rendering
  // each commit into the window; past a window's worth behind, starts over
  // at the applied cut (no stream could follow what it skips).
  Result<void> advance();
  void keep(Entry entry);

  EventLog& log_;
  views::Projector const& projector_;
  FeedRender render_;
  SharedFeedBounds bounds_;

  std::mutex mutex_;
  analysis::Walker walker_;
  std::deque<Entry> window_;  // commits first_ .. first_ + window_.size() - 1
  std::uint64_t first_{0};
  std::size_t bytes_{0};
  std::atomic<std::int64_t> alone_{0};
};

// The shared feeds of one API, each made when a stream first asks for it.
class LiveFeeds {
 public:
  // The public changes of tickets (GET /api/tickets/changes); made with the
  // first call's `render` and `bounds`, which later calls must repeat.
  std::shared_ptr<SharedFeed> ticket_changes(EventLog& log, views::Projector const& projector, FeedRender const& render,
                                             SharedFeedBounds bounds);
  // Its streams that read the log by themselves (0 before the first stream).
  [[nodiscard]] std::int64_t ticket_change_streams_alone();

 private:
  std::mutex mutex_;
  std::shared_ptr<SharedFeed> ticket_changes_;
};

}  // namespace ticketing::api

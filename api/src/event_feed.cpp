#include "event_feed.hpp"

#include <algorithm>

#include "shared_feed.hpp"

namespace ticketing::api {

std::size_t append_messages(analysis::WalkedCommit const& walked, std::vector<std::int64_t> const& versions,
                            analysis::Positions const& cut_after, std::size_t first, FeedRender const& render,
                            std::string& out, std::size_t limit) {
  RecordedCommit const& rc = walked.commit;
  auto const& events = rc.commit.events;
  std::size_t next = first;
  while (next < events.size() && out.size() < limit) {
    std::size_t const i = next++;
    analysis::EventPlace const place{stream_of(events[i]), versions[i],        rc.position,
                                     rc.commit.commit_id,  walked.recorded_at, rc.commit.meta.correlation_id};
    auto message = render(events[i], place, std::span<Event const>(events));
    if (!message) continue;
    // The position after this event: past the commit when it is the last.
    analysis::EventPosition after{cut_after, 0, 0};
    if (next < events.size()) {
      after.cut[rc.position.partition] = rc.position.offset;
      after.partition = rc.position.partition;
      after.events_behind = static_cast<std::uint32_t>(next);
    }
    out += "id: " + analysis::format_event_position(after) + "\n";
    if (!message->event.empty()) out += "event: " + message->event + "\n";
    out += "data: " + message->data + "\n\n";
  }
  return next;
}

EventFeed::EventFeed(EventLog& log, views::Projector const& projector, analysis::EventPosition from, FeedRender render,
                     std::shared_ptr<SharedFeed> shared)
    : log_(log),
      projector_(projector),
      walker_(log, from.cut),
      render_(std::move(render)),
      skip_(std::move(from)),
      shared_(std::move(shared)) {
  if (shared_) shared_->add_alone(1);
}

EventFeed::~EventFeed() {
  if (shared_ && !following_) shared_->add_alone(-1);
}

bool EventFeed::poll(std::string& out, std::size_t limit) {
  if (!following_) {
    analysis::Positions end = projector_.applied();
    if (shared_ && !join_shared(end)) return false;
    if (!following_) {
      if (!walk(end, out, limit)) return false;
      if (shared_ && !join_shared(end)) return false;  // the walk may have reached the shared feed
    }
  }
  if (!following_ || out.size() >= limit) return true;
  switch (shared_->read(shared_next_, shared_cut_, out, limit)) {
    case SharedFeed::Read::ok: return true;
    case SharedFeed::Read::failed: return false;
    case SharedFeed::Read::behind: break;
  }
  // Too slow for the shared window: on by itself from the last commit it
  // read (this poll walks; it no longer follows, so it does not come back here).
  following_ = false;
  shared_->add_alone(1);
  walker_ = analysis::Walker(log_, shared_cut_);
  return poll(out, limit);
}

bool EventFeed::walk(analysis::Positions const& end, std::string& out, std::size_t limit) {
  while (out.size() < limit) {
    if (!current_) {
      auto next = walker_.next(end);
      if (!next) return false;
      if (!*next) break;
      current_ = std::move(**next);
      versions_ = analysis::event_versions(current_->commit.commit);
      next_event_ = 0;
      Position const& at = current_->commit.position;
      if (skip_.events_behind > 0 && at.partition == skip_.partition && at.offset == skip_.cut[at.partition]) {
        next_event_ = skip_.events_behind;
        skip_.events_behind = 0;
      }
    }
    render_current(out, limit);
  }
  return true;
}

void EventFeed::render_current(std::string& out, std::size_t limit) {
  next_event_ = append_messages(*current_, versions_, walker_.positions(), next_event_, render_, out, limit);
  if (next_event_ >= current_->commit.commit.events.size()) current_.reset();
}

bool EventFeed::join_shared(analysis::Positions& end) {
  // Only between commits: the shared feed gives whole commits.
  if (current_ || skip_.events_behind > 0) return true;
  if (!join_) {
    auto head = shared_->head();
    if (!head) return false;
    join_ = head->next;
    join_cut_ = std::move(head->cut);
  }
  analysis::Positions const& at = walker_.positions();
  if (at == join_cut_) {
    following_ = true;
    shared_->add_alone(-1);
    shared_next_ = *join_;
    shared_cut_ = join_cut_;
    join_.reset();
    return true;
  }
  bool const reachable = at.size() == join_cut_.size() &&
                         std::equal(at.begin(), at.end(), join_cut_.begin(), [](auto a, auto b) { return a <= b; });
  if (reachable) {
    end = join_cut_;  // the own walk stops exactly there
  } else {
    join_.reset();  // ahead of the shared walk somewhere: on alone, and asked again next time
  }
  return true;
}

}  // namespace ticketing::api

#include "event_feed.hpp"

namespace ticketing::api {

EventFeed::EventFeed(EventLog& log, views::Projector const& projector, analysis::EventPosition from, FeedRender render)
    : projector_(projector), walker_(log, from.cut), render_(std::move(render)), skip_(std::move(from)) {}

bool EventFeed::poll(std::string& out, std::size_t limit) {
  analysis::Positions const visible = projector_.applied();
  while (out.size() < limit) {
    if (!current_) {
      auto next = walker_.next(visible);
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
  RecordedCommit const& rc = current_->commit;
  auto const& events = rc.commit.events;
  while (next_event_ < events.size() && out.size() < limit) {
    std::size_t const i = next_event_++;
    analysis::EventPlace const place{stream_of(events[i]), versions_[i],          rc.position,
                                     rc.commit.commit_id,  current_->recorded_at, rc.commit.meta.correlation_id};
    auto message = render_(events[i], place, std::span<Event const>(events));
    if (!message) continue;
    // The position after this event: past the commit when it is the last.
    analysis::EventPosition after{walker_.positions(), 0, 0};
    if (next_event_ < events.size()) {
      after.cut[rc.position.partition] = rc.position.offset;
      after.partition = rc.position.partition;
      after.events_behind = static_cast<std::uint32_t>(next_event_);
    }
    out += "id: " + analysis::format_event_position(after) + "\n";
    if (!message->event.empty()) out += "event: " + message->event + "\n";
    out += "data: " + message->data + "\n\n";
  }
  if (next_event_ >= events.size()) current_.reset();
}

}  // namespace ticketing::api

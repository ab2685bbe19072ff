#include "shared_feed.hpp"

#include "api/api.hpp"

namespace ticketing::api {

namespace {

// What an entry costs the window besides its text.
std::size_t overhead_of(analysis::Positions const& cut) { return cut.size() * sizeof(std::uint64_t) + 64; }

}  // namespace

SharedFeed::SharedFeed(EventLog& log, views::Projector const& projector, FeedRender render, SharedFeedBounds bounds)
    : log_(log),
      projector_(projector),
      render_(std::move(render)),
      bounds_(bounds),
      walker_(log, projector.applied()) {}

Result<SharedFeed::Head> SharedFeed::head() {
  std::lock_guard lock(mutex_);
  if (auto advanced = advance(); !advanced) return advanced.error();
  return Head{first_ + window_.size(), walker_.positions()};
}

SharedFeed::Read SharedFeed::read(std::uint64_t& next, analysis::Positions& cut, std::string& out, std::size_t limit) {
  std::lock_guard lock(mutex_);
  if (next == first_ + window_.size() && !advance()) return Read::failed;
  if (next < first_ || next > first_ + window_.size()) return Read::behind;
  Entry const* last = nullptr;
  for (auto i = static_cast<std::size_t>(next - first_); i < window_.size() && (last == nullptr || out.size() < limit);
       ++i) {
    last = &window_[i];
    out += last->text;
    ++next;
  }
  if (last != nullptr) cut = last->after;
  return Read::ok;
}

Result<void> SharedFeed::advance() {
  analysis::Positions const visible = projector_.applied();
  if (commits_behind(visible, walker_.positions()) > bounds_.commits) {
    // Nobody read for a while: what lies between could not all be kept, and
    // a stream that was here is behind the window whatever is rendered.
    first_ += window_.size() + 1;  // every number handed out before is behind
    window_.clear();
    bytes_ = 0;
    walker_ = analysis::Walker(log_, visible);
    return {};
  }
  std::string text;
  while (true) {
    auto next = walker_.next(visible);
    if (!next) return next.error();
    if (!*next) return {};
    analysis::WalkedCommit const& walked = **next;
    text.clear();
    append_messages(walked, analysis::event_versions(walked.commit.commit), walker_.positions(), 0, render_, text,
                    std::string::npos);
    keep(Entry{walker_.positions(), text});
  }
}

void SharedFeed::keep(Entry entry) {
  bytes_ += entry.text.size() + overhead_of(entry.after);
  window_.push_back(std::move(entry));
  while (window_.size() > bounds_.commits || (bytes_ > bounds_.bytes && window_.size() > 1)) {
    bytes_ -= window_.front().text.size() + overhead_of(window_.front().after);
    window_.pop_front();
    ++first_;
  }
}

std::shared_ptr<LiveFeeds> Services::make_live_feeds() { return std::make_shared<LiveFeeds>(); }

std::shared_ptr<SharedFeed> LiveFeeds::ticket_changes(EventLog& log, views::Projector const& projector,
                                                      FeedRender const& render, SharedFeedBounds bounds) {
  std::lock_guard lock(mutex_);
  if (!ticket_changes_) ticket_changes_ = std::make_shared<SharedFeed>(log, projector, render, bounds);
  return ticket_changes_;
}

std::int64_t LiveFeeds::ticket_change_streams_alone() {
  std::lock_guard lock(mutex_);
  return ticket_changes_ ? ticket_changes_->alone() : 0;
}

std::int64_t ticket_change_streams_alone(LiveFeeds& live) { return live.ticket_change_streams_alone(); }

}  // namespace ticketing::api

#include "analytics_cache.hpp"

#include "api/api.hpp"

namespace ticketing::api {
namespace {

std::string key_of(analysis::Positions const& end, analysis::FigureOptions const& options) {
  std::string key = analysis::format_positions(end);
  key += '|' + (options.since ? std::to_string(to_millis(*options.since)) : std::string("-"));
  key += '|' + (options.until ? std::to_string(to_millis(*options.until)) : std::string("-"));
  key += '|' + options.time_zone;
  return key;
}

}  // namespace

std::shared_ptr<AnalyticsCache> AnalystAccess::make_analytics_cache() { return std::make_shared<AnalyticsCache>(); }

Result<std::string> AnalyticsCache::figures_json(EventLog& log, analysis::Positions const& end,
                                                 analysis::FigureOptions const& options) {
  std::string const key = key_of(end, options);
  {
    std::lock_guard const lock(last_mutex_);
    if (key == last_key_) return last_json_;
  }
  std::unique_lock const running(computing_, std::try_to_lock);
  if (!running.owns_lock()) {
    Error busy = make_error(ErrorCode::unavailable, "the figures are being computed; try again shortly");
    busy.retry_after_seconds = 2;
    return busy;
  }
  auto figures = analysis::figures(log, end, options);
  if (!figures) return figures.error();
  std::string json = analysis::figures_json(*figures, options);
  std::lock_guard const lock(last_mutex_);
  last_key_ = key;
  last_json_ = json;
  return json;
}

}  // namespace ticketing::api

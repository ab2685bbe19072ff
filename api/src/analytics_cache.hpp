#pragma once
// Internal: GET /api/analytics computes the figures over the whole log (on a
// worker). One computation runs at a time, so dashboards cannot take more
// than one core from the marketplace: a request that finds one running is
// answered from the last result when it asked the same over the same log,
// else told to retry.

#include <mutex>
#include <string>

#include "analysis/figures.hpp"

namespace ticketing::api {

class AnalyticsCache {
 public:
  // The figures as JSON over the log up to `end`; unavailable (busy) while
  // another computation runs; invalid_input for an unknown time zone.
  [[nodiscard]] Result<std::string> figures_json(EventLog& log, analysis::Positions const& end,
                                                 analysis::FigureOptions const& options);

 private:
  std::mutex computing_;  // held while one computation runs
  std::mutex last_mutex_;
  std::string last_key_, last_json_;
};

}  // namespace ticketing::api

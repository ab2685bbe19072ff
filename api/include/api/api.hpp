#pragma once
// The HTTP API of API.md, independent of the transport: the server hands it a
// parsed request and sends back what it returns. Routing, the order of checks
// (request-level, then authentication, then fields, then route rules),
// idempotency keys, read-your-writes, metrics and the request log live here.

#include <memory>
#include <string>

#include "analysis/redaction.hpp"
#include "api/auth.hpp"
#include "api/http_message.hpp"
#include "api/idempotency_store.hpp"
#include "api/metrics.hpp"
#include "application/clock.hpp"
#include "application/marketplace.hpp"
#include "application/payments.hpp"
#include "projections/projector.hpp"
#include "projections/view_store.hpp"

namespace ticketing::api {

struct ApiConfig {
  Duration reservation_ttl{std::chrono::minutes(15)};
  Duration session_ttl{std::chrono::hours(24)};
  bool secure_cookies{false};
  std::chrono::milliseconds consistency_timeout{5000};  // waiting for read models after a command
  std::uint64_t ready_max_lag{1000};                    // /readyz: commits the views may trail by
  std::string stripe_publishable_key{};                 // the web app's card fields use Stripe.js when set
};

// The analysts' routes (GET /api/events, GET /api/analytics): present only
// when an admin token is set; a request must carry it as a bearer token.
class AnalyticsCache;
struct AnalystAccess {
  std::string admin_token;                     // TICKETING_ADMIN_TOKEN; empty: the routes answer 404
  std::optional<analysis::Redactor> redactor;  // personal data in the events feed (unset: no addresses at all)
  std::shared_ptr<AnalyticsCache> analytics = make_analytics_cache();

  static std::shared_ptr<AnalyticsCache> make_analytics_cache();
};

struct Services {
  EventLog& event_log;
  Marketplace& marketplace;
  views::ViewStore& views;
  views::Projector& projector;
  Payments& payments;
  Clock const& clock;
  TokenSigner& tokens;
  PasswordHasher& passwords;
  AuthLimits& limits;
  IdempotencyStore& idempotency;
  Metrics& metrics;
  Logger& log;
  ApiConfig config;
  AnalystAccess analysts;
};

// Every (method, path pattern) the API answers, e.g. ("GET", "/api/tickets/:id").
[[nodiscard]] std::vector<std::pair<std::string, std::string>> route_table();

class Api {
 public:
  explicit Api(Services& services) : services_(services) {}

  // The route that answers a request (route < 0: none), found once per
  // request and used by both calls below.
  struct Match {
    int route{-1};
    std::vector<std::string> params;
  };
  [[nodiscard]] Match match(HttpRequest const& request) const;
  // True when the matched route only reads the read models (or there is
  // none): it may be answered on an I/O thread.
  [[nodiscard]] bool answers_inline(Match const& match) const;
  // Answers one request. May block (storage syncs, password hashing, the
  // payment gateway): call it off I/O threads unless answers_inline().
  [[nodiscard]] HttpResponse handle(HttpRequest const& request, Match const& match);
  [[nodiscard]] HttpResponse handle(HttpRequest const& request) { return handle(request, match(request)); }

 private:
  Services& services_;
};

}  // namespace ticketing::api

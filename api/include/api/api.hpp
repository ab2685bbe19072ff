#pragma once
// The HTTP API of API.md, independent of the transport: the server hands it a
// parsed request and sends back what it returns. Routing, the order of checks
// (request-level, then authentication, then fields, then route rules),
// idempotency keys, read-your-writes, metrics and the request log live here.

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
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
  // The public changes stream's shared window (streams that keep up read
  // each change rendered once): the newest commits it keeps, at most; 0:
  // none, each stream reads and renders the log itself.
  std::size_t change_window_commits{16384};
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

// The feeds that the event streams of one API share (made on first use).
class LiveFeeds;
// Streams of GET /api/tickets/changes reading the log by themselves, not from
// the shared window (not yet joined, or left behind by it).
[[nodiscard]] std::int64_t ticket_change_streams_alone(LiveFeeds& live);

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
  std::shared_ptr<LiveFeeds> live = make_live_feeds();

  static std::shared_ptr<LiveFeeds> make_live_feeds();
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
  // True when the matched route waits on the payment gateway (up to its
  // timeout): answered on threads of its own, so a gateway that hangs holds
  // up payments and nothing else.
  [[nodiscard]] bool calls_gateway(Match const& match) const;
  // True when the matched route answers with an event stream.
  [[nodiscard]] bool streams(Match const& match) const;
  // The answer to a request the server refuses before handling it (too busy):
  // `why` as an error response, counted and logged as every answer is.
  [[nodiscard]] HttpResponse refuse(HttpRequest const& request, Match const& match, Error const& why);
  // Answers one request. May block (storage syncs, password hashing, the
  // payment gateway): call it off I/O threads unless answers_inline().
  [[nodiscard]] HttpResponse handle(HttpRequest const& request, Match const& match);
  [[nodiscard]] HttpResponse handle(HttpRequest const& request) { return handle(request, match(request)); }

  // How an answer given later reaches its request (the server provides it
  // over the request's connection). Both are thread-safe and never run `f`
  // inline: post runs it on the request's thread; after does so once `delay`
  // has passed, unless the function it returns (thread-safe) is called first.
  struct Later {
    std::function<void(std::function<void()>)> post;
    std::function<std::function<void()>(std::chrono::milliseconds delay, std::function<void()>)> after;
  };
  using Answer = std::function<void(std::optional<HttpResponse>)>;
  // True when the matched route commits one command and the request may be
  // answered by handle_async (no Idempotency-Key).
  [[nodiscard]] bool answers_async(Match const& match, HttpRequest const& request) const;
  // Answers without blocking the calling (I/O) thread: the command is decided
  // here (or, while another command on the same key has its turn, through
  // later.post when the turn is this one's), and `answer` runs once, on the
  // request's thread (through later.post, or right here), when its commit is
  // durable and visible, or the consistency timeout passed after it was
  // durable. Answers nullopt, having committed nothing, when the request must
  // go to handle() instead: the key's line is full, or the commit lost a race.
  // `request` must outlive the answer.
  void handle_async(HttpRequest const& request, Match const& match, Later later, Answer answer);

 private:
  struct AsyncCall;
  HttpResponse failed(HttpRequest const& request, std::exception const& e);
  void record(HttpRequest const& request, Match const& match, HttpResponse& response,
              std::chrono::steady_clock::time_point started, std::string const& user_id);
  void finish(AsyncCall& call, HttpResponse response);

  Services& services_;
};

}  // namespace ticketing::api

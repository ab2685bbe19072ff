// Api::handle_async in-process: a committing request answered without
// blocking, through a hand-driven stand-in for the server's connection
// thread (what it posts runs when the test says; its timers fire when the
// test fires them).

#include <deque>
#include <future>
#include <mutex>
#include <numeric>
#include <thread>

#include <doctest/doctest.h>

#include "api_stack.hpp"

using namespace ticketing;
using namespace ticketing::testing;
using namespace std::chrono_literals;

namespace {

class Connection {
 public:
  api::Api::Later later() {
    return {.post =
                [this](std::function<void()> f) {
                  std::lock_guard lock(mutex_);
                  posted_.push_back(std::move(f));
                },
            .after = [this](std::chrono::milliseconds delay, std::function<void()> f) -> std::function<void()> {
              std::lock_guard lock(mutex_);
              timers_.push_back(Timer{delay, std::move(f), std::make_shared<std::atomic<bool>>(false)});
              return [cancelled = timers_.back().cancelled] { *cancelled = true; };
            }};
  }
  api::Api::Answer answer() {
    return [this](std::optional<api::HttpResponse> r) {
      std::lock_guard lock(mutex_);
      answers_.push_back(std::move(r));
    };
  }
  // Runs what was posted, until nothing is left; false if nothing was.
  bool run_posted() {
    bool ran = false;
    for (;;) {
      std::function<void()> f;
      {
        std::lock_guard lock(mutex_);
        if (posted_.empty()) return ran;
        f = std::move(posted_.front());
        posted_.pop_front();
      }
      f();
      ran = true;
    }
  }
  // Runs what is posted as it comes, until an answer was given.
  void run_until_answered() {
    REQUIRE(eventually([&] {
      run_posted();
      return answers() > 0;
    }));
  }
  std::size_t answers() {
    std::lock_guard lock(mutex_);
    return answers_.size();
  }
  std::optional<api::HttpResponse> first_answer() {
    std::lock_guard lock(mutex_);
    REQUIRE(!answers_.empty());
    return answers_.front();
  }
  struct Timer {
    std::chrono::milliseconds delay;
    std::function<void()> fire;
    std::shared_ptr<std::atomic<bool>> cancelled;
  };
  std::vector<Timer> timers() {
    std::lock_guard lock(mutex_);
    return timers_;
  }

 private:
  std::mutex mutex_;
  std::deque<std::function<void()>> posted_;
  std::vector<Timer> timers_;
  std::vector<std::optional<api::HttpResponse>> answers_;
};

api::HttpRequest order_request(std::string const& session, std::string const& ticket,
                               std::vector<std::pair<std::string, std::string>> extra = {}) {
  api::HttpRequest r;
  r.method = "POST";
  r.path = "/api/orders";
  r.remote_address = "127.0.0.1";
  r.request_id = "async-test";
  r.headers = {{"host", "localhost"}, {"content-type", "application/json"}, {"cookie", "session=" + session}};
  r.headers.insert(r.headers.end(), extra.begin(), extra.end());
  r.body = R"({"ticketId":")" + ticket + R"("})";
  return r;
}

// A seller, a buyer and one ticket listed, on the whole API in process.
struct ListedTicket {
  ApiStack s;
  std::string const seller = s.sign_up("seller");
  std::string const buyer = s.sign_up("buyer");
  std::string const ticket = s.list_ticket(seller);

  // Another command on the ticket that has its turn and is deciding, on its
  // own thread, until release_turn(); it commits nothing.
  void hold_turn() {
    holder_ = std::thread([this] {
      (void)s.runner.run(ticket, "held", CommitMeta{}, [this](StreamReader&) -> Result<Events> {
        deciding_.set_value();
        release_.get_future().wait();
        return Events{};
      });
    });
    deciding_.get_future().wait();
  }
  void release_turn() {
    release_.set_value();
    holder_.join();
  }
  ListedTicket() = default;
  ListedTicket(ListedTicket const&) = delete;
  ListedTicket& operator=(ListedTicket const&) = delete;
  ~ListedTicket() {
    if (holder_.joinable()) release_turn();  // a check failed while the turn was held
  }

 private:
  std::promise<void> deciding_, release_;
  std::thread holder_;
};

}  // namespace

TEST_CASE_FIXTURE(ListedTicket, "an order answered without blocking: once, after its commit is durable and visible") {
  auto const request = order_request(buyer, ticket);
  auto const match = s.api.match(request);
  REQUIRE(s.api.answers_async(match, request));
  Connection connection;
  s.api.handle_async(request, match, connection.later(), connection.answer());
  connection.run_until_answered();
  auto const answer = connection.first_answer();
  REQUIRE(answer.has_value());
  CHECK(answer->status == 201);
  auto const order = boost::json::parse(answer->body).at("id").as_string();
  // Visible when answered: read your writes.
  CHECK(s.read_models->order(std::string(order)).has_value());
  CHECK(s.status_of("/api/tickets/" + ticket) == "reserved");
  // The consistency timeout was armed once the commit was durable, and cancelled.
  auto const timers = connection.timers();
  REQUIRE(timers.size() == 1);
  CHECK(timers[0].delay == s.services.config.consistency_timeout);
  CHECK(*timers[0].cancelled);
  timers[0].fire();  // late: it finds the request answered
  connection.run_posted();
  CHECK(connection.answers() == 1);
}

TEST_CASE_FIXTURE(ListedTicket, "read models that never show the commit: the consistency timeout answers, once") {
  s.projector.stop();
  auto const before = s.log->end_offsets();
  auto const request = order_request(buyer, ticket);
  auto const match = s.api.match(request);
  Connection connection;
  s.api.handle_async(request, match, connection.later(), connection.answer());
  // Durable: the timer is armed, and nothing answers while the read models lag.
  REQUIRE(eventually([&] { return !connection.timers().empty(); }));
  connection.run_posted();
  CHECK(connection.answers() == 0);
  auto const end = s.log->end_offsets();
  CHECK(std::accumulate(end.begin(), end.end(), std::uint64_t{0}) ==
        std::accumulate(before.begin(), before.end(), std::uint64_t{1}));  // the order: committed
  connection.timers()[0].fire();
  connection.run_until_answered();
  CHECK(connection.first_answer()->status == 201);
  connection.timers()[0].fire();
  connection.run_posted();
  CHECK(connection.answers() == 1);
}

TEST_CASE_FIXTURE(ListedTicket, "what handle() must answer is not offered to handle_async") {
  // An Idempotency-Key takes the key's lock and stored answer: handle() does that.
  auto const keyed = order_request(buyer, ticket, {{"idempotency-key", "k1"}});
  CHECK_FALSE(s.api.answers_async(s.api.match(keyed), keyed));
  auto const read = order_request(buyer, ticket);
  api::HttpRequest get = read;
  get.method = "GET";
  get.path = "/api/tickets/" + ticket;
  CHECK_FALSE(s.api.answers_async(s.api.match(get), get));
}

TEST_CASE_FIXTURE(
    ListedTicket,
    "while another command on the ticket has its turn, an order waits in line and is answered when it ran") {
  auto const read = order_request(buyer, ticket);
  hold_turn();
  auto const before = s.log->end_offsets();
  Connection connection;
  s.api.handle_async(read, s.api.match(read), connection.later(), connection.answer());
  // Neither answered nor declined, nothing offered to the log, and nothing
  // for the connection to run while it waits.
  CHECK_FALSE(connection.run_posted());
  CHECK(connection.answers() == 0);
  CHECK(s.log->end_offsets() == before);
  release_turn();
  // The turn passed to it: its decision runs on the connection's thread.
  connection.run_until_answered();
  auto const answer = connection.first_answer();
  REQUIRE(answer.has_value());
  CHECK(answer->status == 201);
  CHECK(s.status_of("/api/tickets/" + ticket) == "reserved");
}

TEST_CASE_FIXTURE(ListedTicket, "handle_async answers a refused command at once, with the same error as handle()") {
  (void)s.place_order(s.sign_up("first"), ticket);
  auto const request = order_request(buyer, ticket);
  Connection connection;
  s.api.handle_async(request, s.api.match(request), connection.later(), connection.answer());
  connection.run_until_answered();
  auto const answer = connection.first_answer();
  REQUIRE(answer.has_value());
  auto const blocking = s.api.handle(request);
  CHECK(answer->status == 400);
  CHECK(answer->body == blocking.body);
  CHECK(connection.timers().empty());  // nothing committed: nothing to wait for
  // Unauthenticated: refused before any decision.
  auto anonymous = request;
  anonymous.headers = {{"host", "localhost"}, {"content-type", "application/json"}};
  Connection second;
  s.api.handle_async(anonymous, s.api.match(anonymous), second.later(), second.answer());
  second.run_until_answered();
  CHECK(second.first_answer()->status == 401);
}

TEST_CASE_FIXTURE(ListedTicket,
                  "a commit the log fails to store: answered 503 as JSON on either path, nothing acknowledged") {
  auto const request = order_request(buyer, ticket);
  auto const before = s.log->end_offsets();

  s.writes.fail_appends(GatedLog::AppendFault::before_storing);
  Connection connection;
  s.api.handle_async(request, s.api.match(request), connection.later(), connection.answer());
  connection.run_until_answered();
  auto const answer = connection.first_answer();
  REQUIRE(answer.has_value());
  CHECK(answer->status == 503);
  auto const body = boost::json::parse(answer->body);
  CHECK(body.at("errors").as_array().size() == 1);
  CHECK(body.at("errors").at(0).at("message").as_string().size() > 0);
  CHECK(s.api.handle(request).status == 503);
  CHECK(s.log->end_offsets() == before);
  CHECK(connection.timers().empty());  // nothing durable: nothing to wait for

  // Stored, but the answer lost: the buyer is told to retry, and the retry
  // finds the ticket held by the order that did land (one order in the log).
  s.writes.fail_appends(GatedLog::AppendFault::after_storing);
  Connection lost;
  s.api.handle_async(request, s.api.match(request), lost.later(), lost.answer());
  lost.run_until_answered();
  CHECK(lost.first_answer()->status == 503);
  s.writes.fail_appends(GatedLog::AppendFault::none);
  REQUIRE(eventually([&] { return s.status_of("/api/tickets/" + ticket) == "reserved"; }));
  // The write side's cache missed the stored order (its commit was reported
  // failed), so the retry decides on stale state, loses the race and is
  // declined; handle() then decides again on the log's state.
  Connection retried;
  s.api.handle_async(request, s.api.match(request), retried.later(), retried.answer());
  retried.run_until_answered();
  auto const retry = retried.first_answer() ? *retried.first_answer() : s.api.handle(request);
  CHECK(retry.status == 400);
  CHECK(boost::json::parse(retry.body).at("errors").at(0).at("message") == "Ticket is already reserved");
  auto const after = s.log->end_offsets();
  CHECK(std::accumulate(after.begin(), after.end(), std::uint64_t{0}) ==
        std::accumulate(before.begin(), before.end(), std::uint64_t{1}));
}

TEST_CASE_FIXTURE(ListedTicket,
                  "an order that waited in line and whose commit the log fails to store: 503, the line moves on") {
  auto const request = order_request(buyer, ticket);
  hold_turn();
  auto const before = s.log->end_offsets();
  Connection waited;
  s.api.handle_async(request, s.api.match(request), waited.later(), waited.answer());
  s.writes.fail_appends(GatedLog::AppendFault::before_storing);
  release_turn();
  waited.run_until_answered();
  REQUIRE(waited.first_answer().has_value());
  CHECK(waited.first_answer()->status == 503);
  CHECK(s.log->end_offsets() == before);
  // The failed commit gave the ticket's turn back: the next order commits.
  s.writes.fail_appends(GatedLog::AppendFault::none);
  Connection next;
  s.api.handle_async(request, s.api.match(request), next.later(), next.answer());
  next.run_until_answered();
  REQUIRE(next.first_answer().has_value());
  CHECK(next.first_answer()->status == 201);
}

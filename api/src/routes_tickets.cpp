// POST /api/tickets, GET /api/tickets, GET and PUT /api/tickets/:id.

#include <charconv>
#include <span>

#include "call.hpp"
#include "domain/ids.hpp"
#include "domain/money.hpp"
#include "domain/overloaded.hpp"
#include "encoding/percent.hpp"
#include "event_feed.hpp"
#include "shared_feed.hpp"

namespace ticketing::api {
namespace {

constexpr std::size_t kDefaultPage = 100;
constexpr std::size_t kMaxPage = 500;

// Title and price checked together, so every failing field is reported.
std::vector<Error> check_title_and_price(JsonBody const& body, std::string_view price_message, std::string& title,
                                         Money& price) {
  std::vector<Error> errors;
  auto const title_text = body.string("title");
  auto checked_title = ticket::validate_title(title_text.value_or(""));
  if (checked_title) {
    title = *checked_title;
  } else {
    errors.push_back(checked_title.error());
  }
  auto checked_price = price_member(body, price_message);
  if (!checked_price) {
    errors.push_back(make_error(ErrorCode::invalid_input, std::string(price_message), "price"));
  } else if (!*checked_price) {
    errors.push_back(checked_price->error());
  } else {
    price = **checked_price;
  }
  return errors;
}

HttpResponse ticket_response(Call const& call, int status, std::string const& id) {
  auto row = call.services.views.ticket(id);
  if (!row) return error_response(make_error(ErrorCode::internal, "ticket missing from read model"));
  return json_response(status, views::render_ticket(*row));
}

}  // namespace

namespace {

std::variant<HttpResponse, PreparedCommand> prepare_listing(Call& call) {
  std::string title;
  Money price;
  auto errors = check_title_and_price(call.body, "Price must be greater than 0", title, price);
  if (!errors.empty()) return validation_response(errors);
  return Marketplace::prepare(ticket::ListTicket{call.derive_id("ticket"), call.user->user_id, title, price},
                              call.command("list"));
}

HttpResponse ticket_listed(Call&, CommandOutcome const& outcome) {
  // The ticket as its commit created it: a retried request gets the same answer.
  for (auto const& e : outcome.events) {
    if (auto const* created = std::get_if<TicketCreated>(&e)) {
      return json_response(201, views::render_ticket(views::row_of(*created)));
    }
  }
  return error_response(make_error(ErrorCode::internal, "listing decided no ticket"));
}

}  // namespace

CommandRoute const kListTicket{.prepare = prepare_listing, .respond = ticket_listed};

HttpResponse create_ticket(Call& call) { return run_command(call, kListTicket); }

HttpResponse list_tickets(Call& call) {
  std::vector<Error> errors;
  std::size_t limit = kDefaultPage;
  if (auto text = call.request.query_param("limit")) {
    std::size_t parsed = 0;
    auto const [end, ec] = std::from_chars(text->data(), text->data() + text->size(), parsed);
    if (ec != std::errc() || end != text->data() + text->size() || parsed < 1 || parsed > kMaxPage) {
      errors.push_back(make_error(ErrorCode::invalid_input, "Limit must be between 1 and 500", "limit"));
    }
    limit = parsed;
  }
  views::TicketQuery query;
  std::string const sort = call.request.query_param("sort").value_or("listed");
  if (sort == "price") {
    query.order = views::TicketQuery::Order::price_low;
  } else if (sort == "-price") {
    query.order = views::TicketQuery::Order::price_high;
  } else if (sort != "listed") {
    errors.push_back(make_error(ErrorCode::invalid_input, "Sort must be listed, price or -price", "sort"));
  }
  query.title_contains = call.request.query_param("q").value_or("");
  if (query.title_contains.size() > 200) {
    errors.push_back(make_error(ErrorCode::invalid_input, "Search text must be at most 200 characters", "q"));
  }
  if (!errors.empty()) return validation_response(errors);
  std::string const cursor = call.request.query_param("cursor").value_or("");
  auto page = call.services.views.tickets_for_sale(limit, cursor, query);
  if (!page) return validation_response({page.error()});
  std::string body = "[";
  for (std::size_t i = 0; i < page->tickets.size(); ++i) {
    if (i > 0) body += ',';
    body += views::render_ticket(page->tickets[i]);
  }
  body += ']';
  HttpResponse r = json_response(200, std::move(body));
  if (!page->next_cursor.empty()) {
    std::string next = "/api/tickets?limit=" + std::to_string(limit);
    if (sort != "listed") next += "&sort=" + percent_encode(sort);
    if (!query.title_contains.empty()) next += "&q=" + percent_encode(query.title_contains);
    r.header("Link", "<" + next + "&cursor=" + page->next_cursor + ">; rel=\"next\"");
  }
  return r;
}

HttpResponse show_ticket(Call& call) {
  std::string const& id = call.params.front();
  if (!is_generated_id(id)) return error_response(ErrorCode::not_found);
  auto json = call.services.views.ticket_json(id);
  if (!json) return error_response(ErrorCode::not_found);
  return json_response(200, std::move(*json));
}

namespace {

std::variant<HttpResponse, PreparedCommand> prepare_update(Call& call) {
  std::string title;
  Money price;
  auto errors = check_title_and_price(call.body, "Price must be provided and must be greater than 0", title, price);
  std::optional<std::int64_t> version;
  if (auto const* v = call.body.find("version"); v != nullptr && v->type != JsonType::null) {
    std::int64_t parsed = -1;
    auto const [end, ec] = std::from_chars(v->text.data(), v->text.data() + v->text.size(), parsed);
    if (v->type != JsonType::number || ec != std::errc() || end != v->text.data() + v->text.size() || parsed < 0) {
      errors.push_back(make_error(ErrorCode::invalid_input, "Version must be a non-negative integer", "version"));
    } else {
      version = parsed;
    }
  }
  if (!errors.empty()) return validation_response(errors);
  std::string const& id = call.params.front();
  if (!is_generated_id(id)) return error_response(ErrorCode::not_found);
  return Marketplace::prepare(ticket::UpdateTicket{id, call.user->user_id, title, price, version},
                              call.command("update"));
}

HttpResponse ticket_updated(Call& call, CommandOutcome const&) {
  return ticket_response(call, 200, call.params.front());
}

}  // namespace

CommandRoute const kUpdateTicket{.prepare = prepare_update, .respond = ticket_updated};

HttpResponse update_ticket(Call& call) { return run_command(call, kUpdateTicket); }

namespace {

// When the hold `order_id` placed in `commit` ends: its OrderCreated is in
// the same commit as the TicketReserved.
std::optional<Instant> held_until(std::string const& order_id, std::span<Event const> commit) {
  for (auto const& event : commit) {
    if (auto const* created = std::get_if<OrderCreated>(&event); created && created->order_id == order_id) {
      return created->expires_at;
    }
  }
  return std::nullopt;
}

// A ticket event as the public sees it: the ticket's fields it changed, in
// the ticket shape, with the ticket's version after it. Nothing personal:
// no buyer, no e-mail.
std::optional<FeedMessage> public_change(Event const& event, analysis::EventPlace const& place,
                                         std::span<Event const> commit) {
  JsonWriter w;
  w.begin_object();
  bool const ticket_event = std::visit(
      overloaded{
          [&](TicketCreated const& e) {
            w.key("id").string(e.ticket_id).key("title").string(e.title).key("price").raw(format_units(e.price));
            w.key("userId").string(e.seller_id).key("status").string("available");
            w.key("listedAt").string(format_iso8601(e.at));
            return true;
          },
          [&](TicketUpdated const& e) {
            w.key("id").string(e.ticket_id).key("title").string(e.title).key("price").raw(format_units(e.price));
            return true;
          },
          [&](TicketReserved const& e) {
            w.key("id").string(e.ticket_id).key("status").string("reserved").key("orderId").string(e.order_id);
            if (auto const until = held_until(e.order_id, commit)) w.key("heldUntil").string(format_iso8601(*until));
            return true;
          },
          [&](TicketReleased const& e) {
            w.key("id").string(e.ticket_id).key("status").string("available").key("orderId").string(e.order_id);
            return true;
          },
          [&](TicketSold const& e) {
            w.key("id").string(e.ticket_id).key("status").string("sold").key("orderId").string(e.order_id);
            return true;
          },
          [](auto const&) { return false; },
      },
      event);
  if (!ticket_event) return std::nullopt;
  w.key("version").number(place.version);
  w.end_object();
  return FeedMessage{"ticket", w.take()};
}

}  // namespace

HttpResponse ticket_changes(Call& call) {
  EventLog& log = call.services.event_log;
  std::string_view const last_event_id = call.request.header("last-event-id");
  auto const after = call.request.query_param("after");
  analysis::EventPosition from{call.services.projector.applied(), 0, 0};  // default: from now on
  if (!last_event_id.empty() || after) {
    auto parsed = analysis::parse_event_position(!last_event_id.empty() ? last_event_id : std::string_view(*after),
                                                 log.partition_count());
    if (!parsed) {
      return validation_response({make_error(ErrorCode::invalid_input, "after: " + parsed.error().message,
                                             last_event_id.empty() ? "after" : "Last-Event-ID")});
    }
    from = std::move(*parsed);
  }
  HttpResponse response;
  response.header("Content-Type", "text/event-stream; charset=utf-8");
  response.header("Cache-Control", "no-store");
  response.header("X-Accel-Buffering", "no");
  // The position the stream starts from, so a client that reconnects before
  // any change still resumes from here.
  response.body = "retry: 1000\nid: " + analysis::format_event_position(from) + "\ndata: {}\nevent: ready\n\n";
  // Every stream renders the same messages: those that keep up share them.
  std::shared_ptr<SharedFeed> shared;
  if (std::size_t const window = call.services.config.change_window_commits; window > 0) {
    shared = call.services.live->ticket_changes(log, call.services.projector, public_change,
                                                SharedFeedBounds{.commits = window});
  }
  response.stream =
      std::make_shared<EventFeed>(log, call.services.projector, std::move(from), public_change, std::move(shared));
  return response;
}

HttpResponse my_tickets(Call& call) {
  auto const rows = call.services.views.tickets_of_seller(call.user->user_id);
  std::string body = "[";
  for (std::size_t i = 0; i < rows.size(); ++i) {
    if (i > 0) body += ',';
    body += views::render_ticket(rows[i]);
  }
  body += ']';
  return json_response(200, std::move(body));
}

}  // namespace ticketing::api

#include "domain/ticket.hpp"

#include "domain/overloaded.hpp"
#include "domain/text.hpp"

namespace ticketing::ticket {

char const* to_string(Status s) noexcept {
  switch (s) {
    case Status::available: return "available";
    case Status::reserved: return "reserved";
    case Status::sold: return "sold";
  }
  return "available";
}

State initial_state() { return State{}; }

State evolve(State state, TicketEvent const& event) {
  std::visit(overloaded{
                 [&](TicketCreated const& e) {
                   state.exists = true;
                   state.ticket_id = e.ticket_id;
                   state.seller_id = e.seller_id;
                   state.title = e.title;
                   state.price = e.price;
                 },
                 [&](TicketUpdated const& e) {
                   state.title = e.title;
                   state.price = e.price;
                 },
                 [&](TicketReserved const& e) {
                   state.status = Status::reserved;
                   state.order_id = e.order_id;
                   ++state.orders_placed;
                 },
                 [&](TicketReleased const&) {
                   state.status = Status::available;
                   state.order_id.clear();
                 },
                 [&](TicketSold const&) { state.status = Status::sold; },
             },
             event);
  ++state.version;
  return state;
}

Result<std::string> validate_title(std::string_view title) {
  if (!text::valid_utf8(title)) return make_error(ErrorCode::invalid_input, "Title must be valid text", "title");
  title = text::trim(title);
  if (title.empty()) return make_error(ErrorCode::invalid_input, "Title is required", "title");
  if (text::code_points(title) > kMaxTitleLength) {
    return make_error(ErrorCode::invalid_input, "Title must be at most 200 characters", "title");
  }
  if (text::has_control(title)) {
    return make_error(ErrorCode::invalid_input, "Title must not contain control characters", "title");
  }
  return std::string(title);
}

namespace {

Result<Events> list(State const& state, ListTicket const& c, Instant now) {
  auto title = validate_title(c.title);
  if (!title) return title.error();
  auto price = validate_price(c.price, "Price must be greater than 0");
  if (!price) return price.error();
  if (state.exists) return make_error(ErrorCode::already_exists, "Ticket already exists");
  return Events{TicketCreated{c.ticket_id, c.seller_id, *title, *price, now}};
}

Result<Events> update(State const& state, UpdateTicket const& c, Instant now) {
  auto title = validate_title(c.title);
  if (!title) return title.error();
  auto price = validate_price(c.price, "Price must be provided and must be greater than 0");
  if (!price) return price.error();
  if (!state.exists) return make_error(ErrorCode::not_found, "Not Found");
  if (state.status != Status::available) return make_error(ErrorCode::rejected, "Cannot edit a reserved ticket");
  if (state.seller_id != c.user_id) return make_error(ErrorCode::forbidden, "Not authorized");
  if (c.expected_version && *c.expected_version != state.version) {
    return make_error(ErrorCode::conflict, "Ticket has been modified", "version");
  }
  return Events{TicketUpdated{state.ticket_id, *title, *price, state.price, now}};
}

}  // namespace

Result<Events> decide(State const& state, Command const& command, Instant now) {
  return std::visit(overloaded{
                        [&](ListTicket const& c) { return list(state, c, now); },
                        [&](UpdateTicket const& c) { return update(state, c, now); },
                    },
                    command);
}

Result<TicketReserved> reserve(State const& state, std::string const& order_id, std::string const& buyer_id,
                               Instant now) {
  if (!state.exists) return make_error(ErrorCode::not_found, "Not Found");
  if (state.status != Status::available) return make_error(ErrorCode::rejected, "Ticket is already reserved");
  return TicketReserved{state.ticket_id, order_id, buyer_id, now};
}

std::optional<TicketReleased> release(State const& state, std::string const& order_id, Instant now) {
  if (state.status != Status::reserved || state.order_id != order_id) return std::nullopt;
  return TicketReleased{state.ticket_id, order_id, now};
}

std::optional<TicketSold> sell(State const& state, std::string const& order_id, std::string const& buyer_id,
                               Money amount, Instant now) {
  if (state.status != Status::reserved || state.order_id != order_id) return std::nullopt;
  return TicketSold{state.ticket_id, order_id, buyer_id, amount, now};
}

}  // namespace ticketing::ticket

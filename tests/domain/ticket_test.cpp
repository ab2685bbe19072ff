#include <doctest/doctest.h>

#include "spec.hpp"

using namespace ticketing;
using namespace ticketing::spec;

TEST_CASE("a seller lists a ticket with a title and a valid price") {
  then_events(ticket::decide(ticket_given({}), ticket::ListTicket{kTicket, kSeller, "Concert", Money{2000}}, at(0)),
              {TicketCreated{kTicket, kSeller, "Concert", Money{2000}, at(0)}});
  then_events(
      ticket::decide(ticket_given({}), ticket::ListTicket{kTicket, kSeller, " \u00a0Concert\n", Money{2000}}, at(0)),
      {TicketCreated{kTicket, kSeller, "Concert", Money{2000}, at(0)}});
  auto const blank = ticket::decide(ticket_given({}), ticket::ListTicket{kTicket, kSeller, "  ", Money{2000}}, at(0));
  then_error(blank, ErrorCode::invalid_input, "Title is required");
  CHECK(blank.error().field == "title");
  then_error(ticket::decide(ticket_given({}), ticket::ListTicket{kTicket, kSeller, "Concert", Money{0}}, at(0)),
             ErrorCode::invalid_input, "Price must be greater than 0");
  then_error(ticket::decide(ticket_given({}),
                            ticket::ListTicket{kTicket, kSeller, "Concert", Money{kMaxPriceCents + 1}}, at(0)),
             ErrorCode::invalid_input, "Price must be at most 1000000");
  then_error(
      ticket::decide(ticket_given({}), ticket::ListTicket{kTicket, kSeller, std::string(201, 'x'), Money{100}}, at(0)),
      ErrorCode::invalid_input, "Title must be at most 200 characters");
}

TEST_CASE("version is 0 when listed and +1 for each change") {
  CHECK(ticket_given({listed()}).version == 0);
  CHECK(ticket_given({listed(), TicketUpdated{kTicket, "New", Money{3000}, Money{2000}, at(1)}}).version == 1);
  CHECK(ticket_given(ordered()).version == 1);
}

TEST_CASE("only the seller edits an available ticket") {
  auto const state = ticket_given({listed()});
  then_events(ticket::decide(state, ticket::UpdateTicket{kTicket, kSeller, "New", Money{3000}, std::nullopt}, at(1)),
              {TicketUpdated{kTicket, "New", Money{3000}, Money{2000}, at(1)}});
  then_error(ticket::decide(state, ticket::UpdateTicket{kTicket, kBuyer, "New", Money{3000}, std::nullopt}, at(1)),
             ErrorCode::forbidden, "Not authorized");
  then_error(ticket::decide(ticket_given({}), ticket::UpdateTicket{kTicket, kSeller, "New", Money{3000}, {}}, at(1)),
             ErrorCode::not_found, "Not Found");
  then_error(ticket::decide(state, ticket::UpdateTicket{kTicket, kSeller, "New", Money{0}, {}}, at(1)),
             ErrorCode::invalid_input, "Price must be provided and must be greater than 0");
}

TEST_CASE("a reserved or sold ticket cannot be edited, and that is said before who is asking") {
  auto const reserved = ticket_given(ordered());
  then_error(ticket::decide(reserved, ticket::UpdateTicket{kTicket, kSeller, "New", Money{3000}, {}}, at(20)),
             ErrorCode::rejected, "Cannot edit a reserved ticket");
  then_error(ticket::decide(reserved, ticket::UpdateTicket{kTicket, kBuyer, "New", Money{3000}, {}}, at(20)),
             ErrorCode::rejected, "Cannot edit a reserved ticket");
  Events sold = ordered();
  sold.emplace_back(TicketSold{kTicket, order_id_for(kTicket, 1), kBuyer, Money{2000}, at(30)});
  then_error(ticket::decide(ticket_given(sold), ticket::UpdateTicket{kTicket, kSeller, "New", Money{3000}, {}}, at(40)),
             ErrorCode::rejected, "Cannot edit a reserved ticket");
}

TEST_CASE("an edit naming a stale version is a conflict") {
  auto const state = ticket_given({listed(), TicketUpdated{kTicket, "New", Money{3000}, Money{2000}, at(1)}});
  then_error(ticket::decide(state, ticket::UpdateTicket{kTicket, kSeller, "Newer", Money{4000}, 0}, at(2)),
             ErrorCode::conflict, "Ticket has been modified");
  then_events(ticket::decide(state, ticket::UpdateTicket{kTicket, kSeller, "Newer", Money{4000}, 1}, at(2)),
              {TicketUpdated{kTicket, "Newer", Money{4000}, Money{3000}, at(2)}});
}

TEST_CASE("a released ticket can be edited and ordered again") {
  Events history = ordered();
  history.emplace_back(TicketReleased{kTicket, order_id_for(kTicket, 1), at(100)});
  auto const state = ticket_given(history);
  CHECK(state.status == ticket::Status::available);
  CHECK(state.orders_placed == 1);
  then_events(ticket::decide(state, ticket::UpdateTicket{kTicket, kSeller, "New", Money{3000}, {}}, at(101)),
              {TicketUpdated{kTicket, "New", Money{3000}, Money{2000}, at(101)}});
}

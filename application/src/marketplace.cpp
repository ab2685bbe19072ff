#include "application/marketplace.hpp"

#include "application/snapshot_formats.hpp"
#include "domain/ids.hpp"
#include "domain/overloaded.hpp"

namespace ticketing {
namespace {

Result<user::State> load_user(StreamReader& reader, std::string const& email) {
  return reader.fold<UserEvent>(user_stream(email), user::initial_state(), user::evolve, &snapshot_formats::user);
}

Result<ticket::State> load_ticket(StreamReader& reader, std::string const& ticket_id) {
  return reader.fold<TicketEvent>(ticket_stream(ticket_id), ticket::initial_state(), ticket::evolve,
                                  &snapshot_formats::ticket);
}

// The order, its ticket, and a charge: `charge_id` if given, else the
// order's latest one.
Result<order::OrderContext> load_order(StreamReader& reader, std::string const& order_id,
                                       std::string const& charge_id) {
  auto const ticket_id = ticket_id_of_order(order_id);
  if (!ticket_id) return make_error(ErrorCode::not_found, "Not Found");
  order::OrderContext ctx;
  auto order =
      reader.fold<OrderEvent>(order_stream(order_id), order::initial_state(), order::evolve, &snapshot_formats::order);
  if (!order) return order.error();
  ctx.order = std::move(*order);
  if (!ctx.order.exists) return make_error(ErrorCode::not_found, "Not Found");
  auto ticket = load_ticket(reader, *ticket_id);
  if (!ticket) return ticket.error();
  ctx.ticket = std::move(*ticket);
  std::string const charge = charge_id.empty() ? ctx.order.charge_id : charge_id;
  if (!charge.empty()) {
    if (order_id_of_charge(charge) != order_id) return make_error(ErrorCode::not_found, "Not Found");
    auto state = reader.fold<ChargeEvent>(charge_stream(charge), charge::initial_state(), charge::evolve,
                                          &snapshot_formats::charge);
    if (!state) return state.error();
    ctx.charge = std::move(*state);
  }
  return ctx;
}

std::string const& email_of(user::Command const& command) {
  return std::visit([](auto const& c) -> std::string const& { return c.email.normalized(); }, command);
}

std::string const& ticket_of(ticket::Command const& command) {
  return std::visit([](auto const& c) -> std::string const& { return c.ticket_id; }, command);
}

// For payment outcomes, the charge the command names; else the latest.
std::string named_charge(order::Command const& command) {
  return std::visit(overloaded{
                        [](order::RecordChargeSucceeded const& c) { return c.charge_id; },
                        [](order::RecordChargeFailed const& c) { return c.charge_id; },
                        [](order::RecordChargeRefunded const& c) { return c.charge_id; },
                        [](auto const&) { return std::string(); },
                    },
                    command);
}

}  // namespace

Result<CommandOutcome> Marketplace::execute(user::Command const& command, CommandContext const& ctx) {
  std::string const& email = email_of(command);
  return runner_.run(email, ctx.commit_id, ctx.meta, [&](StreamReader& reader) -> Result<Events> {
    auto state = load_user(reader, email);
    if (!state) return state.error();
    return user::decide(*state, command, ctx.meta.recorded_at);
  });
}

PreparedCommand Marketplace::prepare(ticket::Command const& command, CommandContext const& ctx) {
  std::string const& ticket_id = ticket_of(command);
  return {ticket_id, ctx, [command, ticket_id, now = ctx.meta.recorded_at](StreamReader& reader) -> Result<Events> {
            auto state = load_ticket(reader, ticket_id);
            if (!state) return state.error();
            return ticket::decide(*state, command, now);
          }};
}

PreparedCommand Marketplace::prepare_order(order::PlaceOrder const& command, CommandContext const& ctx) {
  return {command.ticket_id, ctx, [command, now = ctx.meta.recorded_at](StreamReader& reader) -> Result<Events> {
            auto ticket = load_ticket(reader, command.ticket_id);
            if (!ticket) return ticket.error();
            return order::place(*ticket, command, now);
          }};
}

Result<PreparedCommand> Marketplace::prepare(std::string const& order_id, order::Command const& command,
                                             CommandContext const& ctx) {
  auto const ticket_id = ticket_id_of_order(order_id);
  if (!ticket_id) return make_error(ErrorCode::not_found, "Not Found");
  return PreparedCommand{*ticket_id, ctx,
                         [order_id, command, charge_id = named_charge(command),
                          now = ctx.meta.recorded_at](StreamReader& reader) -> Result<Events> {
                           auto loaded = load_order(reader, order_id, charge_id);
                           if (!loaded) return loaded.error();
                           return order::decide(*loaded, command, now);
                         }};
}

Result<CommandOutcome> Marketplace::run(PreparedCommand const& command) {
  return runner_.run(command.partition_key, command.context.commit_id, command.context.meta, command.decide);
}

void Marketplace::try_run_async(PreparedCommand const& command, CommandRunner::Done done,
                                CommandRunner::Resume const& resume) {
  runner_.try_run_async(
      command.partition_key, command.context.commit_id, command.context.meta, command.decide, std::move(done), resume,
      command.context.fresh_commit_id ? CommandRunner::CommitId::fresh : CommandRunner::CommitId::maybe_used);
}

Result<CommandOutcome> Marketplace::execute(ticket::Command const& command, CommandContext const& ctx) {
  return run(prepare(command, ctx));
}

Result<CommandOutcome> Marketplace::place_order(order::PlaceOrder const& command, CommandContext const& ctx) {
  return run(prepare_order(command, ctx));
}

Result<CommandOutcome> Marketplace::execute(std::string const& order_id, order::Command const& command,
                                            CommandContext const& ctx) {
  auto prepared = prepare(order_id, command, ctx);
  if (!prepared) return prepared.error();
  return run(*prepared);
}

Result<user::State> Marketplace::user(Email const& email) {
  return runner_.inspect([&](StreamReader& reader) { return load_user(reader, email.normalized()); });
}

Result<order::OrderContext> Marketplace::order_context(std::string const& order_id, std::string const& charge_id) {
  return runner_.inspect([&](StreamReader& reader) { return load_order(reader, order_id, charge_id); });
}

}  // namespace ticketing

#pragma once
// The marketplace's command handlers: for each command, the streams to load,
// the decider to run and the partition to commit in. The HTTP API and the
// order saga both act through this, so a command means the same from either.

#include <string>

#include "domain/order.hpp"
#include "domain/ticket.hpp"
#include "domain/user.hpp"
#include "eventstore/command_runner.hpp"

namespace ticketing {

// Who asks, and with which commit id (deterministic for saga commands, so a
// redelivered reaction is applied once).
struct CommandContext {
  std::string commit_id;
  CommitMeta meta;  // recorded_at is the decision time `now`
  // The commit id was made for this command alone (see
  // CommandRunner::CommitId::fresh): try_run_async does not look it up.
  bool fresh_commit_id{false};
};

// A command made ready to run: its partition key, its context and its
// decision (which owns copies of what it needs).
struct PreparedCommand {
  std::string partition_key;
  CommandContext context;
  CommandRunner::Decide decide;
};

class Marketplace {
 public:
  explicit Marketplace(CommandRunner& runner) : runner_(runner) {}

  // Commands prepared to run with run() (blocking) or try_run_async() (see
  // CommandRunner: it may decline, and then run() is the way).
  [[nodiscard]] static PreparedCommand prepare(ticket::Command const& command, CommandContext const& ctx);
  [[nodiscard]] static PreparedCommand prepare_order(order::PlaceOrder const& command, CommandContext const& ctx);
  [[nodiscard]] static Result<PreparedCommand> prepare(std::string const& order_id, order::Command const& command,
                                                       CommandContext const& ctx);
  [[nodiscard]] Result<CommandOutcome> run(PreparedCommand const& command);
  void try_run_async(PreparedCommand const& command, CommandRunner::Done done,
                     CommandRunner::Resume const& resume = {});

  [[nodiscard]] Result<CommandOutcome> execute(user::Command const& command, CommandContext const& ctx);
  [[nodiscard]] Result<CommandOutcome> execute(ticket::Command const& command, CommandContext const& ctx);
  [[nodiscard]] Result<CommandOutcome> place_order(order::PlaceOrder const& command, CommandContext const& ctx);
  // Order and payment commands; not_found for a malformed or unknown order id.
  [[nodiscard]] Result<CommandOutcome> execute(std::string const& order_id, order::Command const& command,
                                               CommandContext const& ctx);

  // Current state, read without committing.
  [[nodiscard]] Result<user::State> user(Email const& email);
  [[nodiscard]] Result<order::OrderContext> order_context(std::string const& order_id,
                                                          std::string const& charge_id = {});

  [[nodiscard]] CommandRunner& runner() noexcept { return runner_; }

 private:
  CommandRunner& runner_;
};

}  // namespace ticketing

#pragma once
// How each aggregate's state is kept as a write-side snapshot (the command
// runner's SnapshotFormat): every member of the State, in the log's compact
// encoding (varints, length-prefixed text). A change to a State's
// members or to its evolve must change the format's name (the "/N" at its
// end), so that snapshots taken before it are ignored, not misread. A member
// added to a State stops the formats compiling until it is listed in them.

#include "domain/charge.hpp"
#include "domain/order.hpp"
#include "domain/ticket.hpp"
#include "domain/user.hpp"
#include "eventstore/command_runner.hpp"

namespace ticketing::snapshot_formats {

extern SnapshotFormat<user::State> const user;
extern SnapshotFormat<ticket::State> const ticket;
extern SnapshotFormat<order::State> const order;
extern SnapshotFormat<charge::State> const charge;

}  // namespace ticketing::snapshot_formats

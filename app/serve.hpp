#pragma once
#include "config.hpp"

namespace ticketing::app {
// Runs the marketplace until SIGINT or SIGTERM; returns the exit code.
int serve(ServeConfig const& config);
}  // namespace ticketing::app

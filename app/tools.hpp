#pragma once
// The subcommands over a data directory: rebuild, export, history, snapshot,
// analytics. Each answers --help with its options.

#include <string>
#include <vector>

namespace ticketing::app {

// The exit status: 0, 1 (it failed: the reason on standard error), 64 (usage).
int run_tool(std::string const& command, std::vector<std::string> const& args);

}  // namespace ticketing::app

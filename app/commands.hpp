#pragma once
#include <string>
#include <vector>

namespace ticketing::app {
// rebuild, export, analytics: tools over a data directory that no server holds.
int run_tool(std::string const& command, std::vector<std::string> const& args);
}  // namespace ticketing::app

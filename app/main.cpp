// The composition root: `ticketing <subcommand>`.
//   serve      the marketplace (API, read models, saga) on the embedded store or Kafka
//   export     write the events (or commits) of the log, live, redacted
//   history    every event of one ticket, its orders and charges
//   snapshot   every ticket and order as it was at a moment
//   analytics  the marketplace's figures, folded from the log
//   rebuild    rebuild the read models from the log (server stopped)

#include <cstdio>
#include <string>
#include <vector>

#include "config.hpp"
#include "kafka_mock.hpp"
#include "serve.hpp"
#include "tools.hpp"

namespace {

constexpr char const* kUsage =
    "usage: ticketing <command> [options]\n\n"
    "commands:\n"
    "  serve       serve the marketplace: API, read models and saga, embedded or on Kafka (ticketing serve --help)\n"
    "  export      write the log's events, live and redacted   (ticketing export --help)\n"
    "  history     every event of a ticket, its orders, charges (ticketing history --help)\n"
    "  snapshot    every ticket and order as of a moment        (ticketing snapshot --help)\n"
    "  analytics   sales, revenue, holds and time to sell       (ticketing analytics --help)\n"
    "  rebuild     rebuild the read models (server stopped)     (ticketing rebuild --help)\n"
    "  kafka-mock  run librdkafka's mock Kafka cluster          (--brokers N --topic NAME --partitions N)\n";

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    std::fputs(kUsage, args.empty() ? stderr : stdout);
    return args.empty() ? 64 : 0;
  }
  std::string const command = args[0];
  args.erase(args.begin());
  if (command == "serve") {
    auto parsed = ticketing::app::parse_serve_config(args);
    if (!parsed.config) {
      std::fputs((parsed.message + "\n").c_str(), parsed.help ? stdout : stderr);
      return parsed.help ? 0 : 64;
    }
    return ticketing::app::serve(*parsed.config);
  }
  if (command == "kafka-mock") return ticketing::app::kafka_mock(args);
  if (command == "rebuild" || command == "export" || command == "analytics" || command == "history" ||
      command == "snapshot") {
    return ticketing::app::run_tool(command, args);
  }
  std::fprintf(stderr, "ticketing: unknown command %s\n\n%s", command.c_str(), kUsage);
  return 64;
}

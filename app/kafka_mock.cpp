#include "kafka_mock.hpp"

#include <csignal>
#include <cstdio>
#include <iostream>
#include <sstream>
#include <thread>

#include "kafka_mock/kafka_mock.hpp"

namespace ticketing::app {

int kafka_mock(std::vector<std::string> const& args) {
  int brokers = 3;
  int partitions = 16;
  std::string topic = "ticketing.commits";
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--help" || args[i] == "-h") {
      std::puts(
          "usage: ticketing kafka-mock [--brokers N] [--topic NAME] [--partitions N]\n\n"
          "Starts librdkafka's mock Kafka cluster on 127.0.0.1, creates the topic, prints its\n"
          "bootstrap address (HOST:PORT,...) as the first line, and runs until SIGINT/SIGTERM.\n"
          "Data lives in memory. Commands on standard input (for tests): broker-down ID,\n"
          "broker-up ID, fail-produces COUNT.");
      return 0;
    }
    if (i + 1 >= args.size()) {
      std::fprintf(stderr, "ticketing kafka-mock: %s needs a value\n", args[i].c_str());
      return 64;
    }
    std::string const& value = args[++i];
    try {
      if (args[i - 1] == "--brokers") {
        brokers = std::stoi(value);
      } else if (args[i - 1] == "--partitions") {
        partitions = std::stoi(value);
      } else if (args[i - 1] == "--topic") {
        topic = value;
      } else {
        std::fprintf(stderr, "ticketing kafka-mock: unknown option %s\n", args[i - 1].c_str());
        return 64;
      }
    } catch (std::exception const&) {
      std::fprintf(stderr, "ticketing kafka-mock: %s must be a number\n", args[i - 1].c_str());
      return 64;
    }
  }
  if (brokers < 1 || partitions < 1) {
    std::fprintf(stderr, "ticketing kafka-mock: --brokers and --partitions must be positive\n");
    return 64;
  }
  // librdkafka starts threads: block the signals first, so sigwait gets them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  auto cluster = KafkaMockCluster::start(brokers, topic, partitions);
  if (!cluster) {
    std::fprintf(stderr, "ticketing kafka-mock: %s\n", cluster.error().message.c_str());
    return 1;
  }
  std::printf("%s\n", (*cluster)->bootstraps().c_str());
  std::fflush(stdout);

  std::thread control([&] {
    std::string line;
    while (std::getline(std::cin, line)) {
      std::istringstream words(line);
      std::string command;
      int n = 0;
      words >> command >> n;
      if (command == "broker-down") {
        (*cluster)->broker_down(n);
      } else if (command == "broker-up") {
        (*cluster)->broker_up(n);
      } else if (command == "fail-produces") {
        (*cluster)->fail_next_produces(n);
      } else {
        continue;
      }
      std::printf("ok %s %d\n", command.c_str(), n);
      std::fflush(stdout);
    }
  });
  control.detach();  // standard input may never close; the process ends on a signal
  int signal_number = 0;
  sigwait(&signals, &signal_number);
  return 0;
}

}  // namespace ticketing::app

#pragma once
#include <string>
#include <vector>

namespace ticketing::app {
// `ticketing kafka-mock`: librdkafka's mock cluster as a process.
int kafka_mock(std::vector<std::string> const& args);
}  // namespace ticketing::app

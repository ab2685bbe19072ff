#pragma once
// The golden files in tests/golden/ (test-only): the bytes each event and
// commit schema version is stored as. Needs TICKETING_SOURCE_DIR defined.

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <doctest/doctest.h>

namespace ticketing::golden {

inline std::filesystem::path dir() { return std::filesystem::path(TICKETING_SOURCE_DIR) / "tests" / "golden"; }

inline std::string read_file(std::filesystem::path const& p) {
  std::ifstream in(p, std::ios::binary);
  REQUIRE_MESSAGE(in.good(), p.string());
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// tests/golden/events/<file>, without its final line break.
inline std::string event(std::string const& file) {
  std::string text = read_file(dir() / "events" / file);
  while (!text.empty() && text.back() == '\n') text.pop_back();
  return text;
}

}  // namespace ticketing::golden

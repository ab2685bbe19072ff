// The tests' own directories (tests/support/temp_dir.hpp): a test process
// that died leaves its directory, and the next one removes it, but only
// within its own PID namespace, whose process ids it can check.

#include "temp_dir.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <doctest/doctest.h>

using namespace ticketing::testing;
namespace fs = std::filesystem;

TEST_CASE("test directories: the sweep removes a dead test process's directory of this PID namespace, and no other") {
  pid_t const child = ::fork();  // a process id that no longer runs
  if (child == 0) ::_exit(0);
  REQUIRE(child > 0);
  REQUIRE(::waitpid(child, nullptr, 0) == child);
  auto const named = [](std::string const& tag, pid_t pid) {
    return fs::temp_directory_path() /
           (std::string(TempDir::kPrefix) + tag + "-" + std::to_string(pid) + "-0-" + std::to_string(::getpid()));
  };
  fs::path const dead_here = named(TempDir::namespace_tag(), child);
  fs::path const live_here = named(TempDir::namespace_tag(), ::getpid());
  fs::path const elsewhere = named("ns1", child);  // another namespace's: its process may be running
  for (auto const& dir : {dead_here, live_here, elsewhere}) fs::create_directories(dir / "inside");

  TempDir::sweep();
  CHECK_FALSE(fs::exists(dead_here));
  CHECK(fs::exists(live_here / "inside"));
  CHECK(fs::exists(elsewhere / "inside"));
  for (auto const& dir : {live_here, elsewhere}) fs::remove_all(dir);
}

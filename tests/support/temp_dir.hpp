#pragma once
// A fresh directory per test, removed afterwards (test-only). A test
// process that dies (a crash, a timeout's kill) cannot remove its own, so
// the first TempDir of each process removes those of test processes that
// no longer run (the directory's name holds its process id).

#include <atomic>
#include <cerrno>
#include <csignal>
#include <filesystem>
#include <random>
#include <string>
#include <string_view>
#include <unistd.h>

namespace ticketing::testing {

class TempDir {
 public:
  TempDir() {
    [[maybe_unused]] static bool const swept = (remove_dead_processes_dirs(), true);
    static std::atomic<int> counter{0};
    std::random_device rd;
    path_ = std::filesystem::temp_directory_path() / ("ticketing-test-" + std::to_string(::getpid()) + "-" +
                                                      std::to_string(counter++) + "-" + std::to_string(rd()));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(TempDir const&) = delete;
  TempDir& operator=(TempDir const&) = delete;

  [[nodiscard]] std::filesystem::path const& path() const noexcept { return path_; }
  [[nodiscard]] std::string str() const { return path_.string(); }

 private:
  static constexpr std::string_view kPrefix = "ticketing-test-";

  static void remove_dead_processes_dirs() {
    std::error_code ec;
    for (auto const& entry : std::filesystem::directory_iterator(std::filesystem::temp_directory_path(), ec)) {
      std::string const name = entry.path().filename().string();
      if (!name.starts_with(kPrefix)) continue;
      std::size_t digits = 0;
      pid_t pid = 0;
      for (char c : std::string_view(name).substr(kPrefix.size())) {
        if (c < '0' || c > '9' || digits == 9) break;
        pid = pid * 10 + (c - '0');
        ++digits;
      }
      if (digits == 0 || pid <= 0) continue;
      if (::kill(pid, 0) == -1 && errno == ESRCH) std::filesystem::remove_all(entry.path(), ec);
    }
  }

  std::filesystem::path path_;
};

}  // namespace ticketing::testing

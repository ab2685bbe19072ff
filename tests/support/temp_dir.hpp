#pragma once
// A fresh directory per test, removed afterwards (test-only). A test
// process that dies (a crash, a timeout's kill) cannot remove its own, so
// the first TempDir of each process removes those of test processes that
// no longer run. The directory's name holds its process id and the PID
// namespace it belongs to: only the namespace's own are swept, since a
// process id says nothing about processes of another namespace (a container
// sharing /tmp).

#include <atomic>
#include <cerrno>
#include <csignal>
#include <filesystem>
#include <random>
#include <string>
#include <string_view>
#include <sys/stat.h>
#include <unistd.h>

namespace ticketing::testing {

class TempDir {
 public:
  TempDir() {
    [[maybe_unused]] static bool const swept = (sweep(), true);
    static std::atomic<int> counter{0};
    std::random_device rd;
    path_ = std::filesystem::temp_directory_path() /
            (std::string(kPrefix) + namespace_tag() + "-" + std::to_string(::getpid()) + "-" +
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

  // Every test directory's name starts so, then the namespace's tag.
  static constexpr std::string_view kPrefix = "ticketing-test-";
  // "ns" and the inode of this process's PID namespace ("ns0" if unknown).
  static std::string namespace_tag() {
    struct stat st {};
    return "ns" + std::to_string(::stat("/proc/self/ns/pid", &st) == 0 ? st.st_ino : 0);
  }

  // Removes the directories of this namespace's test processes that no longer run.
  static void sweep() {
    std::string const tag = namespace_tag();
    std::error_code ec;
    // Stepped with error codes: another process may add or remove entries
    // meanwhile, and a failed step ends the sweep instead of throwing.
    for (std::filesystem::directory_iterator it(std::filesystem::temp_directory_path(), ec), end; !ec && it != end;
         it.increment(ec)) {
      pid_t const pid = pid_of(it->path().filename().string(), tag);
      if (pid <= 0) continue;
      std::error_code ignored;
      if (::kill(pid, 0) == -1 && errno == ESRCH) std::filesystem::remove_all(it->path(), ignored);
    }
  }

 private:
  // The process id in a directory name of this namespace (PREFIX TAG "-" PID
  // "-" ...), or 0.
  static pid_t pid_of(std::string_view name, std::string_view tag) {
    if (!name.starts_with(kPrefix)) return 0;
    name.remove_prefix(kPrefix.size());
    if (!name.starts_with(tag) || name.size() <= tag.size() || name[tag.size()] != '-') return 0;
    name.remove_prefix(tag.size() + 1);
    pid_t pid = 0;
    std::size_t digits = 0;
    for (char c : name) {
      if (c < '0' || c > '9' || digits == 9) break;
      pid = pid * 10 + (c - '0');
      ++digits;
    }
    return digits > 0 && digits < name.size() && name[digits] == '-' ? pid : 0;
  }

  std::filesystem::path path_;
};

}  // namespace ticketing::testing

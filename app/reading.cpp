#include "reading.hpp"

#include <cstdlib>
#include <fstream>
#include <sys/stat.h>

#include <sodium.h>

namespace ticketing::app {

namespace fs = std::filesystem;

Result<std::unique_ptr<LogReading>> LogReading::open(fs::path const& data) {
  // The embedded log, or a Kafka node's local replica of the topic.
  fs::path const log_dir = fs::exists(data / "log") ? data / "log" : data / "replica";
  if (!fs::exists(log_dir)) return make_error(ErrorCode::not_found, "no log in " + data.string());
  std::string pattern = (fs::temp_directory_path() / "ticketing-reading-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) {
    return make_error(ErrorCode::unavailable, "cannot create a temporary directory");
  }
  fs::path const dir = pattern;
  auto log = RocksDbLog::open({.path = log_dir.string(), .secondary_path = (dir / "secondary").string()});
  if (!log) {
    std::error_code ignored;
    fs::remove_all(dir, ignored);
    return log.error();
  }
  return std::unique_ptr<LogReading>(new LogReading(dir, std::move(*log)));
}

LogReading::~LogReading() {
  log_.reset();
  std::error_code ignored;
  fs::remove_all(dir_, ignored);
}

std::string LogReading::scratch(std::string_view name) const { return (dir_ / name).string(); }

Result<analysis::Redactor> redactor_for(fs::path const& data, bool include_personal_data) {
  if (sodium_init() < 0) return make_error(ErrorCode::internal, "libsodium failed to initialise");
  fs::path const file = data / "pseudonym.key";
  std::string key;
  if (std::ifstream in(file); in) std::getline(in, key);
  if (key.size() != crypto_auth_hmacsha256_KEYBYTES * 2) {
    unsigned char raw[crypto_auth_hmacsha256_KEYBYTES];
    randombytes_buf(raw, sizeof raw);
    key.assign(sizeof raw * 2 + 1, '\0');
    sodium_bin2hex(key.data(), key.size(), raw, sizeof raw);
    key.pop_back();
    std::ofstream out(file, std::ios::trunc);
    out << key << "\n";
    if (!out) return make_error(ErrorCode::unavailable, "cannot keep the pseudonym key in " + file.string());
    ::chmod(file.c_str(), 0600);
  }
  auto pseudonym = [key](std::string_view email) {
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256_state state;
    crypto_auth_hmacsha256_init(&state, reinterpret_cast<unsigned char const*>(key.data()), key.size());
    crypto_auth_hmacsha256_update(&state, reinterpret_cast<unsigned char const*>(email.data()), email.size());
    crypto_auth_hmacsha256_final(&state, mac);
    char hex[17];
    sodium_bin2hex(hex, sizeof hex, mac, 8);
    return "anon-" + std::string(hex, 16);
  };
  return analysis::Redactor(pseudonym, include_personal_data);
}

}  // namespace ticketing::app

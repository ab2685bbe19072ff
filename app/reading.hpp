#pragma once
// Reading a data directory while a server (or a Kafka node) may hold it: the
// log opened as a RocksDB secondary instance, with its own small files in a
// temporary directory removed afterwards. Works on a stopped directory too.

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "analysis/redaction.hpp"
#include "eventstore/rocksdb_log.hpp"

namespace ticketing::app {

class LogReading {
 public:
  // unavailable/not_found with a reason when DATA has no readable log.
  [[nodiscard]] static Result<std::unique_ptr<LogReading>> open(std::filesystem::path const& data);
  ~LogReading();
  LogReading(LogReading const&) = delete;
  LogReading& operator=(LogReading const&) = delete;

  [[nodiscard]] RocksDbLog& log() { return *log_; }
  // A fresh path for scratch data (not created), inside the reading's directory.
  [[nodiscard]] std::string scratch(std::string_view name) const;

 private:
  LogReading(std::filesystem::path dir, std::unique_ptr<RocksDbLog> log) : dir_(std::move(dir)), log_(std::move(log)) {}
  std::filesystem::path dir_;
  std::unique_ptr<RocksDbLog> log_;
};

// The redactor for DATA: pseudonyms keyed by DATA/pseudonym.key (32 random
// bytes, created on first use, mode 0600), so one address has one pseudonym
// within one data directory.
[[nodiscard]] Result<analysis::Redactor> redactor_for(std::filesystem::path const& data, bool include_personal_data);

}  // namespace ticketing::app

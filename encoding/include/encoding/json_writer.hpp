#pragma once
// A small streaming JSON writer: compact output, correct string escaping,
// commas handled. Not thread-safe; one per document.

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

namespace ticketing {

class JsonWriter {
 public:
  JsonWriter() = default;
  // Writes after what `buffer` already holds (take() returns it all).
  explicit JsonWriter(std::string buffer) : out_(std::move(buffer)) {}

  JsonWriter& begin_object();
  JsonWriter& end_object();
  JsonWriter& begin_array();
  JsonWriter& end_array();
  JsonWriter& key(std::string_view name);
  JsonWriter& string(std::string_view text);
  JsonWriter& number(std::int64_t n);
  JsonWriter& boolean(bool b);
  JsonWriter& null();
  // Inserts already-valid JSON text as one value.
  JsonWriter& raw(std::string_view json);

  [[nodiscard]] std::string const& str() const noexcept { return out_; }
  [[nodiscard]] std::string take() noexcept { return std::move(out_); }
  void reserve(std::size_t n) { out_.reserve(n); }

 private:
  void separate();
  std::string out_;
  bool need_comma_{false};
};

// Appends `text` to `out` as a JSON string literal (with quotes).
void append_json_string(std::string& out, std::string_view text);

}  // namespace ticketing

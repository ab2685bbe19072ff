#pragma once
// The ids and data lines of the Server-Sent Events messages in a stream's
// text, as an in-process test reads them from a ResponseStream.

#include <string>
#include <vector>

namespace ticketing::testing {

struct SseLines {
  std::vector<std::string> ids, data;
  friend bool operator==(SseLines const&, SseLines const&) = default;
};

inline SseLines sse_lines(std::string const& text) {
  SseLines out;
  std::size_t at = 0;
  while (at < text.size()) {
    auto const end = text.find('\n', at);
    std::string const line = text.substr(at, end - at);
    if (line.starts_with("id: ")) out.ids.push_back(line.substr(4));
    if (line.starts_with("data: ")) out.data.push_back(line.substr(6));
    at = end == std::string::npos ? text.size() : end + 1;
  }
  return out;
}

}  // namespace ticketing::testing

#pragma once
// A blocking Server-Sent Events client for API tests (test-only): one GET on
// its own connection, the head read at once, then messages as they come
// (chunked or not). Comments and "retry:" lines are read and dropped.

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace ticketing::testing {

struct SseMessage {
  std::string id;     // "" when the message set none
  std::string event;  // "" for the default
  std::string data;
};

class SseClient {
 public:
  // Connects and sends GET `target` with `headers`. `receive_buffer` > 0 sets
  // the socket's receive buffer before connecting (a reader that cannot keep
  // up). Throws if it cannot connect or no head arrives within 10 s.
  SseClient(std::uint16_t port, std::string const& target,
            std::vector<std::pair<std::string, std::string>> const& headers = {}, int receive_buffer = 0);
  ~SseClient();
  SseClient(SseClient const&) = delete;
  SseClient& operator=(SseClient const&) = delete;

  [[nodiscard]] int status() const noexcept { return status_; }
  [[nodiscard]] std::string header(std::string const& lower_case_name) const;

  // The next message, waiting up to `timeout` for it; nullopt on timeout or
  // once the server has closed the stream (then closed() is true).
  std::optional<SseMessage> next(std::chrono::milliseconds timeout);
  // Messages until none comes for `quiet`.
  std::vector<SseMessage> drain(std::chrono::milliseconds quiet);
  [[nodiscard]] bool closed() const noexcept { return closed_; }
  // Bytes of the body received so far that are not yet parsed into messages.
  [[nodiscard]] std::string const& pending() const noexcept { return body_; }

 private:
  bool read_some(std::chrono::milliseconds timeout);  // false on timeout or close
  void decode();                                      // raw_ -> body_ (chunked framing)

  int fd_{-1};
  int status_{0};
  bool chunked_{false};
  bool closed_{false};
  std::map<std::string, std::string> headers_;
  std::string raw_;   // received, not yet de-chunked
  std::string body_;  // the event stream, not yet parsed
};

}  // namespace ticketing::testing

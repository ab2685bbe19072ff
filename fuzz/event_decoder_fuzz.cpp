// The event and commit decoders (JSON, and the embedded log's binary
// encoding, which its first byte tells apart), and the readers that take a
// stored commit apart without decoding it all. A record of the log or of a
// Kafka topic may be hostile or corrupt: it must decode or be refused with a
// reason, never crash; what decodes re-encodes (in either encoding) to
// something that decodes to the same, and what a view shows of a commit that
// decodes is what decoding gives.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "eventstore/codec.hpp"
#include "eventstore/commit_view.hpp"

using namespace ticketing;

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
  std::string_view const bytes(reinterpret_cast<char const*>(data), size);
  if (auto event = decode_event(bytes)) {
    auto again = decode_event(encode_event(*event));
    if (!again || !(*again == *event)) __builtin_trap();
  } else if (event.error().code != ErrorCode::invalid_input) {
    __builtin_trap();
  }
  auto const commit = decode_commit(bytes);
  if (commit) {
    auto again = decode_commit(encode_commit(*commit));
    if (!again || !(*again == *commit)) __builtin_trap();
    auto stored = decode_commit(encode_stored_commit(*commit));
    if (!stored || !(*stored == *commit)) __builtin_trap();
  } else if (commit.error().code != ErrorCode::invalid_input) {
    __builtin_trap();
  }
  thread_local CommitReader reader;
  if (auto view = reader.read(bytes)) {
    for (auto const& e : (*view)->events) {
      auto const event = decode_event(e);
      if (!event && event.error().code != ErrorCode::invalid_input) __builtin_trap();
    }
    if (commit && (*view)->events.size() != commit->events.size()) __builtin_trap();
  } else if (view.error().code != ErrorCode::invalid_input) {
    __builtin_trap();
  }
  auto const every = [](std::string_view) noexcept { return true; };
  if (auto selected = decode_selected_events(bytes, every)) {
    if (commit && !(selected->events == commit->events)) __builtin_trap();
  } else if (selected.error().code != ErrorCode::invalid_input) {
    __builtin_trap();
  }
  return 0;
}

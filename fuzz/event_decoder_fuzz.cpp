// The event and commit decoders. A record of the log or of a Kafka topic may
// be hostile or corrupt: it must decode or be refused with a reason, never
// crash; what decodes re-encodes to something that decodes to the same.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "eventstore/codec.hpp"

using namespace ticketing;

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
  std::string_view const bytes(reinterpret_cast<char const*>(data), size);
  if (auto event = decode_event(bytes)) {
    auto again = decode_event(encode_event(*event));
    if (!again || !(*again == *event)) __builtin_trap();
  } else if (event.error().code != ErrorCode::invalid_input) {
    __builtin_trap();
  }
  if (auto commit = decode_commit(bytes)) {
    auto again = decode_commit(encode_commit(*commit));
    if (!again || !(*again == *commit)) __builtin_trap();
  }
  return 0;
}

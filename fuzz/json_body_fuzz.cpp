// The JSON body reader: any bytes give a body or "Invalid JSON body", and a
// body's members can be read back.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "api/json_body.hpp"

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
  std::string_view const bytes(reinterpret_cast<char const*>(data), size);
  auto body = ticketing::api::JsonBody::parse(bytes);
  if (!body) {
    if (body.error().message != "Invalid JSON body") __builtin_trap();
    return 0;
  }
  for (std::string_view name : {"email", "password", "title", "price", "ticketId", "token", "orderId", "version"}) {
    if (auto const* m = body->find(name); m != nullptr && m->type == ticketing::api::JsonType::string) {
      if (body->string(name) != m->text) __builtin_trap();
    }
  }
  return 0;
}

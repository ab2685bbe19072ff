#pragma once
// Internal: simdjson helpers shared by the codec translation units.

#include <simdjson.h>

#include <string>
#include <string_view>

#include "domain/events.hpp"
#include "domain/result.hpp"

namespace ticketing::codec_detail {

inline Error malformed(std::string_view what) {
  return make_error(ErrorCode::invalid_input, "malformed record: " + std::string(what));
}

// Decodes the "data" object of an event of `type` written with `schema`.
Result<Event> decode_event_data(std::string_view type, std::int64_t schema, simdjson::ondemand::object data);

// Decodes an envelope {"type","schema","data"} (extra keys such as "stream"
// and "version" are ignored).
Result<Event> decode_event_object(simdjson::ondemand::object object);

}  // namespace ticketing::codec_detail

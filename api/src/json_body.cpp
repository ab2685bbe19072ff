#include "api/json_body.hpp"

#include <simdjson.h>

namespace ticketing::api {

namespace od = simdjson::ondemand;

Result<JsonBody> JsonBody::parse(std::string_view body) {
  // Every simdjson call here reports errors as values; should one still throw
  // (a conversion that was missed), the body is invalid, never a 500.
  try {
    return parse_object(body);
  } catch (simdjson::simdjson_error const&) {
    return make_error(ErrorCode::invalid_input, "Invalid JSON body");
  }
}

Result<JsonBody> JsonBody::parse_object(std::string_view body) {
  auto const invalid = [] { return make_error(ErrorCode::invalid_input, "Invalid JSON body"); };
  JsonBody out;
  if (body.find_first_not_of(" \t\r\n") == std::string_view::npos) return out;
  thread_local od::parser parser;
  simdjson::padded_string const padded(body);
  od::document doc;
  if (parser.iterate(padded).get(doc)) return invalid();
  od::object object;
  if (doc.get_object().get(object)) return invalid();
  for (auto field : object) {
    std::string_view key;
    if (field.unescaped_key().get(key)) return invalid();
    JsonMember member;
    od::value value;
    if (field.value().get(value)) return invalid();
    od::json_type type{};
    if (value.type().get(type)) return invalid();
    switch (type) {
      case od::json_type::string: {
        std::string_view s;
        if (value.get_string().get(s)) return invalid();
        member = {JsonType::string, std::string(s)};
        break;
      }
      case od::json_type::number: {
        std::string_view raw = value.raw_json_token();
        while (!raw.empty() && (raw.back() == ' ' || raw.back() == '\n' || raw.back() == '\r' || raw.back() == '\t')) {
          raw.remove_suffix(1);
        }
        double d = 0;
        if (value.get_double().get(d)) return invalid();  // validates the literal
        member = {JsonType::number, std::string(raw)};
        break;
      }
      case od::json_type::boolean: {
        bool b = false;
        if (value.get_bool().get(b)) return invalid();
        member = {JsonType::boolean, b ? "true" : "false"};
        break;
      }
      case od::json_type::null: {
        // A literal that starts like null ("nulm") is an error here, not a throw.
        bool null = false;
        if (value.is_null().get(null) || !null) return invalid();
        member = {JsonType::null, {}};
        break;
      }
      case od::json_type::object: {
        od::object inner;
        std::string_view raw;
        if (value.get_object().get(inner) || inner.raw_json().get(raw)) return invalid();
        member = {JsonType::object, {}};
        break;
      }
      case od::json_type::array: {
        od::array inner;
        std::string_view raw;
        if (value.get_array().get(inner) || inner.raw_json().get(raw)) return invalid();
        member = {JsonType::array, {}};
        break;
      }
    }
    out.members_[std::string(key)] = std::move(member);
  }
  // Anything after the object is an error (simdjson on-demand stops at it).
  char const* location = nullptr;
  if (doc.current_location().get(location) == simdjson::SUCCESS && location != nullptr) {
    auto const consumed = static_cast<std::size_t>(location - padded.data());
    if (consumed < body.size() && body.substr(consumed).find_first_not_of(" \t\r\n") != std::string_view::npos) {
      return invalid();
    }
  }
  return out;
}

JsonMember const* JsonBody::find(std::string_view name) const {
  auto it = members_.find(name);
  return it == members_.end() ? nullptr : &it->second;
}

std::optional<std::string> JsonBody::string(std::string_view name) const {
  auto const* m = find(name);
  if (m == nullptr || m->type != JsonType::string) return std::nullopt;
  return m->text;
}

}  // namespace ticketing::api

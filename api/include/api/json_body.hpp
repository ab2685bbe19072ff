#pragma once
// A request body: a JSON object whose top-level members are kept with their
// JSON type (nested values are kept as their type only). Strings are
// unescaped; numbers keep their literal text so prices are parsed exactly.

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "domain/result.hpp"

namespace ticketing::api {

enum class JsonType { string, number, boolean, null, object, array };

struct JsonMember {
  JsonType type{JsonType::null};
  std::string text;  // string: the unescaped value; number: the literal; boolean: "true"/"false"
};

class JsonBody {
 public:
  // invalid_input "Invalid JSON body" unless `body` is a JSON object (an
  // empty body counts as {}).
  [[nodiscard]] static Result<JsonBody> parse(std::string_view body);

  [[nodiscard]] JsonMember const* find(std::string_view name) const;
  // The member if it is a string, else nullopt.
  [[nodiscard]] std::optional<std::string> string(std::string_view name) const;

 private:
  [[nodiscard]] static Result<JsonBody> parse_object(std::string_view body);
  std::map<std::string, JsonMember, std::less<>> members_;
};

}  // namespace ticketing::api

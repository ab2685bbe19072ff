#pragma once
// Internal: the web app (web/), compiled into the executable at build time
// (cmake/EmbedWeb.cmake).

#include <span>
#include <string_view>

namespace ticketing::api {

struct WebFile {
  std::string_view name;     // "app.js"
  std::string_view content;  // the bytes as they are in web/
  std::string_view etag;     // quoted, e.g. "\"3fa2...\""
};

[[nodiscard]] std::span<WebFile const> web_files();

}  // namespace ticketing::api

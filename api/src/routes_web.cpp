// GET / and GET /web/:file: the web app (web/), served from the executable
// with an ETag (304 when the browser has it), Cache-Control: no-cache (it
// revalidates, so a new build shows at once) and a strict
// Content-Security-Policy: scripts, styles and connections from this origin
// only, and from Stripe's when a publishable key is set.

#include "call.hpp"
#include "web_files.hpp"

namespace ticketing::api {
namespace {

std::string_view content_type(std::string_view name) {
  auto const ends = [&](std::string_view suffix) { return name.ends_with(suffix); };
  if (ends(".html")) return "text/html; charset=utf-8";
  if (ends(".js")) return "text/javascript; charset=utf-8";
  if (ends(".css")) return "text/css; charset=utf-8";
  if (ends(".svg")) return "image/svg+xml";
  if (ends(".png")) return "image/png";
  if (ends(".ico")) return "image/x-icon";
  return "application/octet-stream";
}

std::string content_security_policy(bool stripe) {
  std::string const stripe_js = stripe ? " https://js.stripe.com" : "";
  return "default-src 'self'; script-src 'self'" + stripe_js + "; style-src 'self'; img-src 'self' data:; " +
         "connect-src 'self'" + (stripe ? " https://api.stripe.com" : "") + "; frame-src " +
         (stripe ? "https://js.stripe.com https://hooks.stripe.com" : "'none'") +
         "; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
}

WebFile const* find_file(std::string_view name) {
  for (auto const& f : web_files()) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

HttpResponse serve(Call const& call, WebFile const& file) {
  std::string const& key = call.services.config.stripe_publishable_key;
  bool const page = file.name.ends_with(".html");
  // The page names the Stripe key (a public value) when there is one; its
  // ETag says which.
  std::string etag(file.etag);
  std::string body(file.content);
  if (page) {
    constexpr std::string_view kSlot = "{{STRIPE_PUBLISHABLE_KEY}}";
    if (auto at = body.find(kSlot); at != std::string::npos) body.replace(at, kSlot.size(), key);
    if (!key.empty()) etag.insert(etag.size() - 1, "-" + std::to_string(std::hash<std::string>{}(key) % 100000));
  }
  HttpResponse r;
  r.header("ETag", etag);
  r.header("Cache-Control", "no-cache");
  r.header("X-Content-Type-Options", "nosniff");
  r.header("Referrer-Policy", "same-origin");
  if (page) r.header("Content-Security-Policy", content_security_policy(!key.empty()));
  if (call.request.header("if-none-match") == etag) {
    r.status = 304;
    return r;
  }
  r.header("Content-Type", std::string(content_type(file.name)));
  r.body = std::move(body);
  return r;
}

}  // namespace

HttpResponse web_page(Call& call) {
  WebFile const* index = find_file("index.html");
  if (index == nullptr) return error_response(ErrorCode::not_found);
  return serve(call, *index);
}

HttpResponse web_asset(Call& call) {
  WebFile const* file = find_file(call.params.front());
  if (file == nullptr || file->name == "index.html") return error_response(ErrorCode::not_found);
  return serve(call, *file);
}

}  // namespace ticketing::api

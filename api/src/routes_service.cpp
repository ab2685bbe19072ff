// GET /healthz, /readyz, /metrics, /api/openapi.json.

#include "call.hpp"

namespace ticketing::api {

extern std::string_view const kOpenApiDocument;  // generated from schemas/openapi.json

HttpResponse health(Call&) { return json_response(200, R"({"status":"ok"})"); }

HttpResponse readiness(Call& call) {
  auto const lag = call.services.projector.lag();
  // A log that refuses appends (its disk failed a sync) is not ready either:
  // only a restart recovers it.
  std::string fault = call.services.event_log.fault();
  if (fault.empty()) fault = call.services.projector.fault();
  bool const ready = fault.empty() && lag <= call.services.config.ready_max_lag;
  JsonWriter w;
  w.begin_object()
      .key("status")
      .string(ready ? "ready" : "not ready")
      .key("projection_lag")
      .number(static_cast<std::int64_t>(lag));
  if (!fault.empty()) w.key("fault").string(fault);
  w.end_object();
  return json_response(ready ? 200 : 503, w.take());
}

HttpResponse metrics(Call& call) {
  HttpResponse r;
  r.body = call.services.metrics.render();
  r.header("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
  return r;
}

HttpResponse openapi(Call&) { return json_response(200, std::string(kOpenApiDocument)); }

}  // namespace ticketing::api

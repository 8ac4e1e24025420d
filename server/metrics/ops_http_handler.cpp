#include "server/metrics/ops_http_handler.hpp"

namespace openmps::server::metrics {
namespace {

receiver::HttpResponse text(int status, std::string body) {
  receiver::HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  r.headers.emplace_back("Cache-Control", "no-store");
  return r;
}

}  // namespace

OpsHttpHandler::OpsHttpHandler(const ServerMetrics& metrics, ReadinessCheck readiness)
    : metrics_(metrics), readiness_(std::move(readiness)) {}

receiver::HttpResponse OpsHttpHandler::handle(const receiver::HttpRequest& request) {
  const bool known =
      request.path == "/metrics" || request.path == "/healthz" || request.path == "/readyz";
  if (!known) return text(404, "not found: try /metrics, /healthz or /readyz\n");
  if (request.method != "GET" && request.method != "HEAD") {
    auto r = text(405, "only GET\n");
    r.headers.emplace_back("Allow", "GET, HEAD");
    return r;
  }
  if (request.path == "/healthz") return text(200, "ok\n");
  if (request.path == "/readyz") {
    const std::string why = readiness_ ? readiness_() : "";
    return why.empty() ? text(200, "ready\n") : text(503, "not ready: " + why + "\n");
  }
  auto r = text(200, metrics_.render());
  r.contentType = "text/plain; version=0.0.4; charset=utf-8";
  return r;
}

}  // namespace openmps::server::metrics

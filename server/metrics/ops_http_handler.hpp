#pragma once

#include <functional>
#include <string>

#include "server/metrics/server_metrics.hpp"
#include "server/receiver/http_handler.hpp"

// The operations listener (config metrics:, plain HTTP, loopback by
// default): GET /metrics in the Prometheus text format, GET /healthz (the
// process answers) and GET /readyz (it can serve: 503 with the reason
// otherwise, e.g. while shutting down or when the database is away).
namespace openmps::server::metrics {

// "" when ready; otherwise why not, in a few words.
using ReadinessCheck = std::function<std::string()>;

class OpsHttpHandler final : public receiver::HttpHandler {
 public:
  OpsHttpHandler(const ServerMetrics& metrics, ReadinessCheck readiness);
  receiver::HttpResponse handle(const receiver::HttpRequest& request) override;

 private:
  const ServerMetrics& metrics_;
  ReadinessCheck readiness_;
};

}  // namespace openmps::server::metrics

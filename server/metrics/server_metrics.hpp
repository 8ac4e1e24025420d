#pragma once

#include <chrono>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "server/metrics/metrics_registry.hpp"
#include "shared/envelope/xmlrpc_call.hpp"

// What openmps-server counts, by name (server/README.md, "Operations"):
//   openmps_api_requests_total{operation,method,status}
//   openmps_api_request_duration_seconds{operation}          histogram
//   openmps_ingest_batches_total{carrier,outcome[,code]}     stored|duplicate|fault
//   openmps_ingest_readings_total{carrier}                   readings of stored batches
//   openmps_ingest_duration_seconds{carrier}                 histogram
//   openmps_sign_in_failures_total{reason}                   refused|locked
//   openmps_db_connections{pool,state}                       gauges added by their owners
// The listeners, ingest and sign-in call the methods below; cli/ wires one
// instance into each.
namespace openmps::server::metrics {

class ServerMetrics {
 public:
  ServerMetrics();

  // operation: the route's operationId; "static" for the portal's files,
  // "unmatched" when no route matched (so strangers' paths never become
  // label values).
  void apiRequest(std::string_view operation, std::string_view method, int status,
                  std::chrono::nanoseconds took);
  void ingested(std::string_view carrier, const envelope::SubmitResult& result,
                std::chrono::nanoseconds took);
  // reason: "refused" (wrong name, password or code) or "locked".
  void signInFailed(std::string_view reason);

  // A pool's connections: `state` "in_use" and "idle" read by `read`.
  void addPoolGauge(std::string pool, std::function<std::pair<int, int>()> inUseAndSize);

  Registry& registry() { return registry_; }
  std::string render() const { return registry_.render(); }

 private:
  Registry registry_;
  std::vector<std::pair<std::string, std::function<std::pair<int, int>()>>> pools_;
  std::mutex poolsMutex_;
};

// The methods a request may use on the ops listener; anything else is
// neither counted nor echoed.
std::string_view methodLabel(std::string_view method);

}  // namespace openmps::server::metrics

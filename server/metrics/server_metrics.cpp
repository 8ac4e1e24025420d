#include "server/metrics/server_metrics.hpp"

#include <array>
#include <variant>

namespace openmps::server::metrics {
namespace {

constexpr std::string_view kRequests = "openmps_api_requests_total";
constexpr std::string_view kRequestSeconds = "openmps_api_request_duration_seconds";
constexpr std::string_view kBatches = "openmps_ingest_batches_total";
constexpr std::string_view kReadings = "openmps_ingest_readings_total";
constexpr std::string_view kIngestSeconds = "openmps_ingest_duration_seconds";
constexpr std::string_view kSignInFailures = "openmps_sign_in_failures_total";
constexpr std::string_view kConnections = "openmps_db_connections";

// From a cached read (a few ms) to a report made on demand (seconds).
std::vector<double> latencyBounds() {
  return {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
}

double seconds(std::chrono::nanoseconds took) {
  return std::chrono::duration<double>(took).count();
}

}  // namespace

std::string_view methodLabel(std::string_view method) {
  static constexpr std::array<std::string_view, 7> kKnown = {"GET",   "HEAD",   "POST",   "PUT",
                                                             "PATCH", "DELETE", "OPTIONS"};
  for (const auto known : kKnown) {
    if (known == method) return known;
  }
  return "other";
}

ServerMetrics::ServerMetrics() {
  registry_.declareCounter(std::string(kRequests),
                           "API requests answered, by operation, method and status.");
  registry_.declareHistogram(std::string(kRequestSeconds),
                             "Time to answer an API request, by operation.", latencyBounds());
  registry_.declareCounter(std::string(kBatches),
                           "Batches received, by carrier and outcome (faults with their code).");
  registry_.declareCounter(std::string(kReadings), "Readings in stored batches, by carrier.");
  registry_.declareHistogram(std::string(kIngestSeconds),
                             "Time to open and store a batch, by carrier.", latencyBounds());
  registry_.declareCounter(std::string(kSignInFailures),
                           "Sign-ins refused (wrong credentials) or locked out.");
  registry_.declareGauge(
      std::string(kConnections), "Database connections of each pool, in use or idle.", [this] {
        std::vector<GaugeSample> out;
        const std::lock_guard lock(poolsMutex_);
        for (const auto& [pool, read] : pools_) {
          const auto [inUse, size] = read();
          out.push_back({{{"pool", pool}, {"state", "in_use"}}, double(inUse)});
          out.push_back({{{"pool", pool}, {"state", "idle"}}, double(size - inUse)});
        }
        return out;
      });
}

void ServerMetrics::apiRequest(std::string_view operation, std::string_view method, int status,
                               std::chrono::nanoseconds took) {
  const std::string op(operation);
  registry_.add(kRequests, {{"operation", op},
                            {"method", std::string(methodLabel(method))},
                            {"status", std::to_string(status)}});
  registry_.observe(kRequestSeconds, {{"operation", op}}, seconds(took));
}

void ServerMetrics::ingested(std::string_view carrier, const envelope::SubmitResult& result,
                             std::chrono::nanoseconds took) {
  const std::string c(carrier);
  if (const auto* ack = std::get_if<envelope::SubmitAck>(&result)) {
    registry_.add(kBatches, {{"carrier", c}, {"outcome", ack->status}});
    if (ack->status == "stored") {
      registry_.add(kReadings, {{"carrier", c}}, static_cast<double>(ack->items));
    }
  } else {
    const auto& fault = std::get<envelope::SubmitFault>(result);
    registry_.add(kBatches,
                  {{"carrier", c}, {"outcome", "fault"}, {"code", std::to_string(fault.code)}});
  }
  registry_.observe(kIngestSeconds, {{"carrier", c}}, seconds(took));
}

void ServerMetrics::signInFailed(std::string_view reason) {
  registry_.add(kSignInFailures, {{"reason", std::string(reason)}});
}

void ServerMetrics::addPoolGauge(std::string pool,
                                 std::function<std::pair<int, int>()> inUseAndSize) {
  const std::lock_guard lock(poolsMutex_);
  pools_.emplace_back(std::move(pool), std::move(inUseAndSize));
}

}  // namespace openmps::server::metrics

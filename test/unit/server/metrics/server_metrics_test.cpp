#include "server/metrics/server_metrics.hpp"

#include <catch2/catch.hpp>

#include "server/metrics/metrics_registry.hpp"
#include "server/metrics/ops_http_handler.hpp"

using namespace openmps::server::metrics;
using namespace std::chrono_literals;

namespace {

openmps::server::receiver::HttpRequest get(std::string path) {
  openmps::server::receiver::HttpRequest r;
  r.method = "GET";
  r.path = std::move(path);
  return r;
}

bool has(const std::string& text, const std::string& line) {
  return text.find(line + "\n") != std::string::npos;
}

}  // namespace

TEST_CASE("counters and histograms in the Prometheus text format", "[server][metrics]") {
  Registry r;
  r.declareCounter("jobs_total", "Jobs done.");
  r.declareHistogram("job_seconds", "Job time.", {0.1, 1});
  r.add("jobs_total", {{"kind", "a"}});
  r.add("jobs_total", {{"kind", "a"}}, 2);
  r.add("jobs_total", {{"kind", "say \"hi\"\\\n"}});
  r.observe("job_seconds", {{"kind", "a"}}, 0.05);
  r.observe("job_seconds", {{"kind", "a"}}, 0.5);
  r.observe("job_seconds", {{"kind", "a"}}, 7);
  const auto text = r.render();
  CHECK(has(text, "# HELP jobs_total Jobs done."));
  CHECK(has(text, "# TYPE jobs_total counter"));
  CHECK(has(text, "jobs_total{kind=\"a\"} 3"));
  CHECK(has(text, R"(jobs_total{kind="say \"hi\"\\\n"} 1)"));
  CHECK(has(text, "# TYPE job_seconds histogram"));
  // Buckets are cumulative; +Inf holds every observation.
  CHECK(has(text, "job_seconds_bucket{kind=\"a\",le=\"0.1\"} 1"));
  CHECK(has(text, "job_seconds_bucket{kind=\"a\",le=\"1\"} 2"));
  CHECK(has(text, "job_seconds_bucket{kind=\"a\",le=\"+Inf\"} 3"));
  CHECK(has(text, "job_seconds_sum{kind=\"a\"} 7.55"));
  CHECK(has(text, "job_seconds_count{kind=\"a\"} 3"));
  CHECK(r.value("jobs_total", {{"kind", "a"}}) == 3);
  CHECK_THROWS_AS(r.add("job_seconds", {}), std::logic_error);
  CHECK_THROWS_AS(r.observe("nothing", {}, 1), std::logic_error);
}

TEST_CASE("the server counts requests, batches, readings and sign-in failures",
          "[server][metrics]") {
  ServerMetrics m;
  m.apiRequest("listDevices", "GET", 200, 30ms);
  m.apiRequest("listDevices", "GET", 200, 3ms);
  m.apiRequest("unmatched", "BREW", 404, 1ms);
  m.ingested("xmlrpc", openmps::envelope::SubmitAck{"stored", 7, 1, 12}, 20ms);
  m.ingested("xmlrpc", openmps::envelope::SubmitAck{"duplicate", 7, 1, 12}, 5ms);
  m.ingested("mail", openmps::envelope::SubmitFault{110, "not enrolled"}, 1ms);
  m.signInFailed("refused");
  m.signInFailed("locked");
  m.signInFailed("refused");
  m.addPoolGauge("api", [] { return std::pair{3, 8}; });
  const auto text = m.render();
  CHECK(has(text,
            R"(openmps_api_requests_total{operation="listDevices",method="GET",status="200"} 2)"));
  CHECK(has(text,
            R"(openmps_api_requests_total{operation="unmatched",method="other",status="404"} 1)"));
  CHECK(
      has(text,
          R"(openmps_api_request_duration_seconds_bucket{operation="listDevices",le="0.005"} 1)"));
  CHECK(has(text, R"(openmps_api_request_duration_seconds_count{operation="listDevices"} 2)"));
  CHECK(has(text, R"(openmps_ingest_batches_total{carrier="xmlrpc",outcome="stored"} 1)"));
  CHECK(has(text, R"(openmps_ingest_batches_total{carrier="xmlrpc",outcome="duplicate"} 1)"));
  CHECK(has(text, R"(openmps_ingest_batches_total{carrier="mail",outcome="fault",code="110"} 1)"));
  // A duplicate stores nothing: only the first batch's readings count.
  CHECK(has(text, R"(openmps_ingest_readings_total{carrier="xmlrpc"} 12)"));
  CHECK(has(text, R"(openmps_sign_in_failures_total{reason="refused"} 2)"));
  CHECK(has(text, R"(openmps_sign_in_failures_total{reason="locked"} 1)"));
  CHECK(has(text, R"(openmps_db_connections{pool="api",state="in_use"} 3)"));
  CHECK(has(text, R"(openmps_db_connections{pool="api",state="idle"} 5)"));
}

TEST_CASE("the ops listener answers /metrics, /healthz and /readyz", "[server][metrics]") {
  ServerMetrics m;
  m.signInFailed("refused");
  std::string why;
  OpsHttpHandler ops(m, [&] { return why; });
  const auto metrics = ops.handle(get("/metrics"));
  CHECK(metrics.status == 200);
  CHECK(metrics.contentType == "text/plain; version=0.0.4; charset=utf-8");
  CHECK(has(metrics.body, R"(openmps_sign_in_failures_total{reason="refused"} 1)"));
  CHECK(ops.handle(get("/healthz")).status == 200);
  CHECK(ops.handle(get("/readyz")).status == 200);
  why = "shutting down";
  const auto notReady = ops.handle(get("/readyz"));
  CHECK(notReady.status == 503);
  CHECK(notReady.body == "not ready: shutting down\n");
  CHECK(ops.handle(get("/healthz")).status == 200);
  CHECK(ops.handle(get("/other")).status == 404);
  auto post = get("/metrics");
  post.method = "POST";
  CHECK(ops.handle(post).status == 405);
}

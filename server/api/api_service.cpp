#include "server/api/api_service.hpp"

#include <unistd.h>

#include "server/api/alert_routes.hpp"
#include "server/api/auth_routes.hpp"
#include "server/api/fleet_routes.hpp"
#include "server/api/notification_routes.hpp"
#include "server/api/openapi.hpp"
#include "server/api/problem.hpp"
#include "server/api/report_routes.hpp"
#include "server/api/router.hpp"
#include "server/api/static_files.hpp"
#include "server/config/server_secrets.hpp"
#include "server/store/pg_api_role.hpp"
#include "shared/util/log.hpp"

namespace openmps::server::api {
namespace {

// Requests beyond this wait for a connection. With too few, a slow list
// holds up quick pages behind it and the API's share of the database's CPU
// is smaller than its sessions'; PostgreSQL's default of 100 connections
// leaves room for the server's own workers and the CLI.
constexpr int kDatabaseConnections = 32;

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

ApiResponse openapiResponse(const ApiRequest& request) {
  if (request.method != "GET") return problem(405, "method-not-allowed", "GET the description");
  ApiResponse r = jsonResponse(200, openapiJson());
  r.set("Cache-Control", "no-cache");
  return r;
}

// By value: a page of devices is some 100 kB, moved rather than copied.
receiver::HttpResponse toHttp(ApiResponse r) {
  receiver::HttpResponse out;
  out.status = r.status;
  out.contentType = std::move(r.contentType);
  out.body = std::move(r.body);
  out.headers = std::move(r.headers);
  out.headers.emplace_back("X-Content-Type-Options", "nosniff");
  out.headers.emplace_back("Strict-Transport-Security", "max-age=31536000");
  out.headers.emplace_back("Referrer-Policy", "no-referrer");
  return out;
}

}  // namespace

std::filesystem::path portalFiles(const config::ServerConfig& config) {
  if (!config.portal.staticDir.empty()) return config.portal.staticDir;
  std::error_code ec;
  const auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return {};
  for (const auto& candidate : {exe.parent_path().parent_path() / "web" / "portal",
                                exe.parent_path().parent_path() / "share" / "openmps" / "portal"}) {
    if (std::filesystem::is_regular_file(candidate / "index.html", ec)) return candidate;
  }
  return {};
}

// The listener's handler: HTTP in, the router or the files, HTTP out.
struct ApiService::Impl final : receiver::HttpHandler {
  Impl(const config::ServerConfig& cfg, receiver::ListenerOptions listener,
       auth::AuthServices& auth, const util::Clock& clock, metrics::ServerMetrics& counters)
      : requestClock(clock),
        metrics(counters),
        staticDir(portalFiles(cfg)),
        serverConfig(cfg),
        masterKey(config::loadMasterKey(cfg)),
        pool(cfg.databaseUri, kDatabaseConnections),
        router(pool, auth.authenticator(), store::checkApiRole(cfg.databaseUri)),
        server(std::move(listener), *this, clock) {
    registerSessionRoutes(router, auth, clock,
                          [this](std::string_view reason) { metrics.signInFailed(reason); });
    metrics.addPoolGauge("api", [this] { return std::pair{pool.busy(), pool.size()}; });
    registerUserRoutes(router, auth, clock);
    registerApiTokenRoutes(router, clock);
    registerAuditRoutes(router);
    registerOrganisationRoutes(router, clock);
    registerCollectorRoutes(router, serverConfig, masterKey, clock);
    registerDeviceRoutes(router, clock);
    registerDeviceGroupRoutes(router);
    registerDashboardRoutes(router, clock);
    registerReportRoutes(router, clock);
    registerAlertRoutes(router, masterKey, clock);
    registerNotificationRoutes(router, masterKey, clock);
    if (staticDir.empty()) {
      util::logInfo("portal") << "no portal files (portal.static_dir); serving the API only";
    }
  }

  receiver::HttpResponse handle(const receiver::HttpRequest& in) override {
    const auto started = requestClock.monotonic();
    std::string operation = "unmatched";
    auto response = answer(in, operation);
    metrics.apiRequest(operation, in.method, response.status, requestClock.monotonic() - started);
    return response;
  }

  receiver::HttpResponse answer(const receiver::HttpRequest& in, std::string& operation) const {
    ApiRequest request;
    request.method = in.method;
    request.peer = in.peer;
    request.body = in.body;
    const auto path = percentDecode(in.path, false);
    if (!path || path->find('\0') != std::string::npos) {
      return toHttp(problem(400, "bad-path", "the path is not validly percent-encoded"));
    }
    request.path = *path;
    request.query = parseQuery(in.query);
    for (const auto& [name, value] : in.headers) request.headers[lower(name)] = value;
    return toHttp(dispatch(request, operation));
  }

  receiver::HttpResponse refuse(const receiver::HttpRequest& in, receiver::Refusal why,
                                const std::string& message) override {
    auto r = toHttp(why == receiver::Refusal::kTooLarge ? problem(413, "too-large", message)
                                                        : problem(429, "rate-limited", message));
    r.closeConnection = true;
    metrics.apiRequest(why == receiver::Refusal::kTooLarge ? "refused_too_large" : "refused_rate",
                       in.method, r.status, {});
    return r;
  }

  ApiResponse dispatch(const ApiRequest& request, std::string& operation) const {
    if (request.path == "/api/v1/openapi.json") {
      operation = "getOpenApi";
      return openapiResponse(request);
    }
    if (request.path == "/api" || request.path.starts_with("/api/")) {
      std::string matched;
      ApiResponse r = router.handle(request, &matched);
      if (!matched.empty()) operation = matched;
      r.set("Cache-Control", "no-store");
      return r;
    }
    operation = "static";
    return serveStatic(staticDir, request);
  }

  const util::Clock& requestClock;
  metrics::ServerMetrics& metrics;
  std::filesystem::path staticDir;
  const config::ServerConfig serverConfig;  // collectors' enrollment strings
  envelope::MasterKey masterKey;
  PgPool pool;
  Router router;
  receiver::PocoHttpListener server;
};

ApiService::ApiService(const config::ServerConfig& config, receiver::ListenerOptions listener,
                       auth::AuthServices& auth, const util::Clock& clock,
                       metrics::ServerMetrics& metrics)
    : impl_(std::make_unique<Impl>(config, std::move(listener), auth, clock, metrics)) {}

ApiService::~ApiService() = default;

void ApiService::start() {
  impl_->server.start();
}

void ApiService::stopAccepting() {
  impl_->server.stopAccepting();
}

void ApiService::stop() {
  impl_->server.stop();
}

std::uint16_t ApiService::port() const {
  return impl_->server.port();
}

}  // namespace openmps::server::api

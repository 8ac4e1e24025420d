#include "server/api/api_service.hpp"

#include "server/api/auth_routes.hpp"
#include "server/api/openapi.hpp"
#include "server/api/poco_api_server.hpp"
#include "server/api/problem.hpp"
#include "server/api/router.hpp"
#include "server/api/static_files.hpp"

namespace openmps::server::api {
namespace {

constexpr int kDatabaseConnections = 8;

ApiListenerOptions listenerOptions(const config::ServerConfig& cfg) {
  ApiListenerOptions o;
  o.host = cfg.portal.listen.host;
  o.port = cfg.portal.listen.port;
  o.certificate = cfg.tls.certificate;
  o.key = cfg.tls.key;
  o.maxBodyBytes = cfg.portal.maxBodyBytes;
  o.timeout = cfg.limits.requestTimeout;
  return o;
}

ApiResponse openapiResponse(const ApiRequest& request) {
  if (request.method != "GET") return problem(405, "method-not-allowed", "GET the description");
  ApiResponse r = jsonResponse(200, openapiJson());
  r.set("Cache-Control", "no-cache");
  return r;
}

}  // namespace

struct ApiService::Impl {
  Impl(const config::ServerConfig& cfg, auth::AuthServices& auth, const util::Clock& clock)
      : staticDir(cfg.portal.staticDir),
        pool(cfg.databaseUri, kDatabaseConnections),
        router(pool, auth.authenticator()),
        server(listenerOptions(cfg), [this](const ApiRequest& r) { return handle(r); }) {
    registerSessionRoutes(router, auth, clock);
    registerUserRoutes(router, auth, clock);
    registerApiTokenRoutes(router, clock);
  }

  ApiResponse handle(const ApiRequest& request) const {
    if (request.path == "/api/v1/openapi.json") return openapiResponse(request);
    if (request.path == "/api" || request.path.starts_with("/api/")) {
      ApiResponse r = router.handle(request);
      r.set("Cache-Control", "no-store");
      return r;
    }
    return serveStatic(staticDir, request);
  }

  std::filesystem::path staticDir;
  PgPool pool;
  Router router;
  PocoApiServer server;
};

ApiService::ApiService(const config::ServerConfig& config, auth::AuthServices& auth,
                       const util::Clock& clock)
    : impl_(std::make_unique<Impl>(config, auth, clock)) {}

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

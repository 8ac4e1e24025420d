#pragma once

#include <cstdint>
#include <memory>

#include "server/auth/auth_services.hpp"
#include "server/config/server_config.hpp"
#include "server/metrics/server_metrics.hpp"
#include "server/receiver/poco_http_listener.hpp"
#include "shared/util/clock.hpp"

// The portal listener, wired: the hardened listener of server/receiver with
// the router of every route under /api/v1, the OpenAPI description, and the
// portal's files at /.
namespace openmps::server::api {

class ApiService {
 public:
  // `listener` carries the address, TLS files and limits (cli/ fills it from
  // the portal: section and limits:). Requests, their time and sign-in
  // failures are counted in `metrics`.
  ApiService(const config::ServerConfig& config, receiver::ListenerOptions listener,
             auth::AuthServices& auth, const util::Clock& clock, metrics::ServerMetrics& metrics);
  ~ApiService();
  ApiService(const ApiService&) = delete;
  ApiService& operator=(const ApiService&) = delete;

  void start();
  void stopAccepting();
  void stop();
  std::uint16_t port() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Where the portal's built files are: portal.static_dir, else beside the
// binary (<exe>/../web/portal, the build tree; <exe>/../share/openmps/portal,
// an installation); empty when none exists.
std::filesystem::path portalFiles(const config::ServerConfig& config);

}  // namespace openmps::server::api

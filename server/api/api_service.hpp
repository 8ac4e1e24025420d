#pragma once

#include <cstdint>
#include <memory>

#include "server/auth/auth_services.hpp"
#include "server/config/server_config.hpp"
#include "shared/util/clock.hpp"

// The portal listener, wired: the router with every route under /api/v1,
// the OpenAPI description, the portal's files at /.
namespace openmps::server::api {

class ApiService {
 public:
  ApiService(const config::ServerConfig& config, auth::AuthServices& auth,
             const util::Clock& clock);
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

}  // namespace openmps::server::api

#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include "server/api/http_types.hpp"

// The HTTPS listener for people and programs (Poco HTTPServer over TLS
// 1.2+): every request becomes an ApiRequest for one handler function (the
// API router under /api/v1, the portal's files elsewhere).
namespace openmps::server::api {

struct ApiListenerOptions {
  std::string host;
  std::uint16_t port = 0;  // 0: any free port
  std::filesystem::path certificate;
  std::filesystem::path key;
  std::size_t maxBodyBytes = 1u << 20;
  int maxThreads = 32;
  int maxQueued = 256;
  std::chrono::seconds timeout{30};
};

class PocoApiServer {
 public:
  using HandlerFn = std::function<ApiResponse(const ApiRequest&)>;
  PocoApiServer(ApiListenerOptions options, HandlerFn handler);
  ~PocoApiServer();
  PocoApiServer(const PocoApiServer&) = delete;
  PocoApiServer& operator=(const PocoApiServer&) = delete;

  void start();
  void stopAccepting();
  void stop();
  std::uint16_t port() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace openmps::server::api

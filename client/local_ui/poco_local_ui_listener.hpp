#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "client/local_ui/local_ui_api.hpp"

// The local UI's HTTP listener: Poco's HTTPServer with few threads, short
// timeouts and bounded queues (one person uses it), handing each complete
// request to LocalUiApi. Bodies over kMaxBodyBytes are refused unread.
namespace openmps::client::local_ui {

struct ListenOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 52005;  // 0: any free port (tests)
  bool allowRemote = false;
  // Both set: HTTPS (TLS 1.2 or newer) with this PEM certificate and key.
  std::string tlsCert;
  std::string tlsKey;
};

class PocoLocalUiListener {
 public:
  // api must outlive the listener. Throws when the address cannot be bound
  // or the certificate and key cannot be loaded.
  PocoLocalUiListener(const ListenOptions& options, LocalUiApi& api);
  ~PocoLocalUiListener();
  PocoLocalUiListener(const PocoLocalUiListener&) = delete;
  PocoLocalUiListener& operator=(const PocoLocalUiListener&) = delete;

  std::uint16_t port() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace openmps::client::local_ui

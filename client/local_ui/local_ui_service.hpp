#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include "client/daemon/daemon_control.hpp"
#include "client/local_ui/client_setup.hpp"
#include "client/outbox/sent_log.hpp"
#include "shared/util/clock.hpp"

// The local UI as one piece for `openmps-client run` to start and stop:
// password file, setup code (logged at start while no password is set),
// sign-in gate, API and listener.
namespace openmps::client::local_ui {

struct LocalUiSettings {
  std::string listen = "127.0.0.1";
  std::uint16_t port = 52005;
  bool allowRemote = false;
  std::string tlsCert;
  std::string tlsKey;
  // Beside the configuration file: <config dir>/local-ui.password.
  std::filesystem::path passwordFile;
};

class LocalUiService {
 public:
  // Throws std::runtime_error naming the key when the settings may not be
  // used (a non-loopback address without allow_remote and TLS) or the
  // address cannot be bound.
  // envelopes: the sent-envelope log, setup: the configuration file and
  // enrollment (both outlive the service), or null.
  LocalUiService(const LocalUiSettings& settings, daemon::DaemonControl& daemon,
                 const util::Clock& clock, outbox::SentEnvelopeLog* envelopes = nullptr,
                 ClientSetup* setup = nullptr);
  ~LocalUiService();
  LocalUiService(const LocalUiService&) = delete;
  LocalUiService& operator=(const LocalUiService&) = delete;

  std::uint16_t port() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace openmps::client::local_ui

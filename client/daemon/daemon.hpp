#pragma once

#include <memory>
#include <optional>

#include "client/daemon/daemon_control.hpp"
#include "client/daemon/stop_flag.hpp"
#include "shared/pmd/catalog.hpp"

// The running daemon: the collector on the caller's thread, the sender on
// its own, and DaemonControl for the local UI over both (status_board.hpp
// holds what they report). run --once does not use it.
namespace openmps::client::daemon {

class Daemon final : public DaemonControl {
 public:
  // catalog, clock and stop must outlive the daemon. Keeps the newest log
  // lines (util::setLogObserver) while it exists. Without an enrollment it
  // sweeps and reads into the outbox and sends nothing until
  // applyEnrollment (the local UI enrolls it).
  Daemon(std::shared_ptr<const config::ClientConfig> config,
         std::optional<envelope::Enrollment> enrollment, const openmps::pmd::Catalog& catalog,
         const util::Clock& clock, StopFlag& stop);
  ~Daemon() override;
  Daemon(const Daemon&) = delete;
  Daemon& operator=(const Daemon&) = delete;

  // Until stop is set; the sender finishes its batch in flight first.
  void run();

  DaemonState state() const override;
  std::vector<DeviceState> devices() const override;
  ReadNowResult readNow(const std::string& address) override;
  ProbeResult probe(const std::string& address) override;
  ApplyResult applyConfig(std::shared_ptr<const config::ClientConfig> config) override;
  ApplyResult applyEnrollment(envelope::Enrollment enrollment) override;
  std::vector<LogEntry> log(std::size_t max) const override;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Why a configuration cannot be applied while running (keys that need a
// restart), or empty.
std::string needsRestart(const config::ClientConfig& running, const config::ClientConfig& next);

}  // namespace openmps::client::daemon

#pragma once

#include <mutex>
#include <string>
#include <vector>

#include "client/daemon/daemon_control.hpp"

// THE test double of daemon::DaemonControl: answers what the test put in
// and records the commands it got.
namespace openmps::client::test {

class MockDaemonControl final : public daemon::DaemonControl {
 public:
  daemon::DaemonState stateToReturn;
  std::vector<daemon::DeviceState> devicesToReturn;
  daemon::ProbeResult probeToReturn;
  daemon::ApplyResult applyToReturn{true, ""};
  std::vector<daemon::LogEntry> logToReturn;

  std::vector<std::string> readNowCalls;
  std::vector<std::string> probeCalls;
  std::vector<std::shared_ptr<const config::ClientConfig>> appliedConfigs;
  std::vector<envelope::Enrollment> appliedEnrollments;

  daemon::DaemonState state() const override { return stateToReturn; }
  std::vector<daemon::DeviceState> devices() const override { return devicesToReturn; }
  daemon::ReadNowResult readNow(const std::string& address) override {
    const std::lock_guard lock(mutex_);
    readNowCalls.push_back(address);
    for (const auto& d : devicesToReturn) {
      if (d.address == address) return daemon::ReadNowResult::kQueued;
    }
    return daemon::ReadNowResult::kUnknownDevice;
  }
  daemon::ProbeResult probe(const std::string& address) override {
    const std::lock_guard lock(mutex_);
    probeCalls.push_back(address);
    return probeToReturn;
  }
  daemon::ApplyResult applyConfig(std::shared_ptr<const config::ClientConfig> config) override {
    const std::lock_guard lock(mutex_);
    appliedConfigs.push_back(std::move(config));
    return applyToReturn;
  }
  daemon::ApplyResult applyEnrollment(envelope::Enrollment enrollment) override {
    const std::lock_guard lock(mutex_);
    appliedEnrollments.push_back(std::move(enrollment));
    return applyToReturn;
  }
  std::vector<daemon::LogEntry> log(std::size_t max) const override {
    if (logToReturn.size() <= max) return logToReturn;
    return {logToReturn.end() - static_cast<std::ptrdiff_t>(max), logToReturn.end()};
  }

 private:
  std::mutex mutex_;
};

}  // namespace openmps::client::test

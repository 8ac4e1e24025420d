#include "client/daemon/status_board.hpp"

#include <algorithm>
#include <cstdlib>

#include "client/daemon/read_plan.hpp"

namespace openmps::client::daemon {
namespace {

std::string carrierOf(const std::string& server) {
  if (server.starts_with("mailto:")) return "email";
  if (server.starts_with("https://")) return "https";
  return "xmlrpc";
}

// "10.0.0.5" matches a device read at "10.0.0.5:161".
bool sameAddress(const std::string& known, const std::string& asked) {
  return known == asked ||
         (known.starts_with(asked) && known.size() > asked.size() && known[asked.size()] == ':');
}

}  // namespace

const char* toString(DeviceCondition condition) {
  switch (condition) {
    case DeviceCondition::kNew: return "new";
    case DeviceCondition::kOk: return "ok";
    case DeviceCondition::kFailing: return "failing";
    case DeviceCondition::kOffline: return "offline";
  }
  return "new";
}

DeviceCondition conditionOf(bool everAnswered, int failuresInARow) {
  if (failuresInARow >= kOfflineAfterFailures) return DeviceCondition::kOffline;
  if (failuresInARow > 0) return DeviceCondition::kFailing;
  return everAnswered ? DeviceCondition::kOk : DeviceCondition::kNew;
}

std::vector<Warning> warningsOf(bool enrolled, const OutboxFigures& outbox,
                                const std::vector<CarrierState>& carriers, bool serverRefusing,
                                std::optional<std::chrono::seconds> clockSkew,
                                const std::string& configError) {
  std::vector<Warning> out;
  if (!enrolled) {
    out.push_back({"not_enrolled", "not enrolled: readings wait in the outbox"});
  }
  if (outbox.maxItems > 0 && outbox.count * 100 >= outbox.maxItems * kOutboxWarnPercent) {
    out.push_back({"outbox_filling", std::to_string(outbox.count) + " of " +
                                         std::to_string(outbox.maxItems) +
                                         " readings waiting (outbox.max_items)"});
  }
  if (serverRefusing) {
    std::string why = "the server refused the newest batch";
    for (const auto& c : carriers) {
      if (!c.lastError.empty()) why += ": " + c.lastError;
      if (!c.lastError.empty()) break;
    }
    out.push_back({"server_refusing", why});
  }
  if (clockSkew && std::chrono::abs(*clockSkew) > kMaxClockSkew) {
    out.push_back({"clock_skew", "this computer's clock differs from the server's by " +
                                     std::to_string(std::abs(clockSkew->count())) + " s"});
  }
  if (!configError.empty()) {
    out.push_back({"config_error", configError});
  }
  return out;
}

void StatusBoard::setEnrollment(std::optional<std::string> clientId,
                                const std::vector<std::string>& servers) {
  const std::lock_guard lock(mutex_);
  clientId_ = std::move(clientId);
  carriers_.clear();
  for (const auto& s : servers) {
    carriers_.push_back({carrierOf(s), s, std::nullopt, std::nullopt, ""});
  }
  refusing_ = false;
}

void StatusBoard::routeAnswered(const std::string& server, const carrier::SendResult& result,
                                WallTime at) {
  const std::lock_guard lock(mutex_);
  if (result.serverTime) {
    skew_ = std::chrono::duration_cast<std::chrono::seconds>(at - *result.serverTime);
  }
  for (auto& c : carriers_) {
    if (c.server != server) continue;
    if (result.delivered()) {
      c.lastSuccessAt = at;
    } else {
      c.lastErrorAt = at;
      c.lastError = result.detail;
    }
  }
}

void StatusBoard::batchRefused(bool refused) {
  const std::lock_guard lock(mutex_);
  refusing_ = refused;
}

void StatusBoard::setConfigError(std::string error) {
  const std::lock_guard lock(mutex_);
  configError_ = std::move(error);
}

void StatusBoard::deviceKnown(std::uint64_t id, const std::string& address, WallTime foundAt,
                              std::optional<WallTime> lastReadAt) {
  const std::lock_guard lock(mutex_);
  auto& d = devices_[id];
  d.address = address;
  if (!d.foundAt) d.foundAt = foundAt;
  if (lastReadAt && !d.lastReadAt) {
    d.lastReadAt = lastReadAt;
    d.everAnswered = true;
  }
}

void StatusBoard::deviceGone(std::uint64_t id) {
  const std::lock_guard lock(mutex_);
  devices_.erase(id);
}

void StatusBoard::deviceRead(std::uint64_t id, const std::optional<model::Reading>& reading,
                             int failuresInARow, const std::string& error) {
  const std::lock_guard lock(mutex_);
  auto& d = devices_[id];
  d.failuresInARow = failuresInARow;
  d.error = error;
  if (reading) {
    d.lastReading = *reading;
    d.lastReadAt = reading->readAt;
    d.everAnswered = true;
  }
}

std::uint64_t StatusBoard::deviceAt(const std::string& address) const {
  const std::lock_guard lock(mutex_);
  for (const auto& [id, d] : devices_) {
    if (sameAddress(d.address, address)) return id;
  }
  return 0;
}

void StatusBoard::setNext(std::optional<WallTime> sweep, std::optional<WallTime> read) {
  const std::lock_guard lock(mutex_);
  nextSweep_ = sweep;
  nextRead_ = read;
}

void StatusBoard::setNextSend(std::optional<WallTime> send) {
  const std::lock_guard lock(mutex_);
  nextSend_ = send;
}

void StatusBoard::logLine(WallTime at, util::LogLevel level, std::string_view message) {
  const std::lock_guard lock(mutex_);
  log_.push_back({at, level, std::string(message)});
  while (log_.size() > kLogRingLines) log_.pop_front();
}

DaemonState StatusBoard::state(const OutboxFigures& outbox) const {
  const std::lock_guard lock(mutex_);
  DaemonState s;
  s.enrolled = clientId_.has_value();
  s.clientId = clientId_.value_or("");
  s.carriers = carriers_;
  s.outboxCount = outbox.count;
  s.outboxOldestAt = outbox.oldestAt;
  s.nextSweep = nextSweep_;
  s.nextRead = nextRead_;
  s.nextSend = nextSend_;
  s.warnings = warningsOf(s.enrolled, outbox, carriers_, refusing_, skew_, configError_);
  return s;
}

std::vector<DeviceState> StatusBoard::devices() const {
  const std::lock_guard lock(mutex_);
  std::vector<DeviceState> out;
  for (const auto& [id, d] : devices_) {
    if (d.address.empty()) continue;
    DeviceState s;
    s.address = d.address;
    s.condition = conditionOf(d.everAnswered, d.failuresInARow);
    s.foundAt = d.foundAt;
    s.lastReading = d.lastReading;
    s.lastReadAt = d.lastReadAt;
    if (d.lastReading) {
      s.kind = d.lastReading->identity.kind;
      s.pmd = d.lastReading->origin.pmd;
    }
    s.failuresInARow = d.failuresInARow;
    s.error = d.error;
    out.push_back(std::move(s));
  }
  std::sort(out.begin(), out.end(),
            [](const DeviceState& a, const DeviceState& b) { return a.address < b.address; });
  return out;
}

std::vector<LogEntry> StatusBoard::log(std::size_t max) const {
  const std::lock_guard lock(mutex_);
  const std::size_t n = std::min({max, log_.size(), kLogRingLines});
  return {log_.end() - static_cast<std::ptrdiff_t>(n), log_.end()};
}

}  // namespace openmps::client::daemon

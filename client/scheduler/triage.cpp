#include "client/scheduler/triage.hpp"

#include <algorithm>
#include <functional>
#include <sstream>

namespace openmps::client::scheduler {

bool DeviceCondition::offline() const {
  return std::find(critical.begin(), critical.end(), kOffline) != critical.end();
}

std::vector<std::string> criticalConditions(const model::Status& status) {
  std::vector<std::string> out;
  for (const auto& error : status.errors) {
    if (model::isCriticalError(error)) {
      out.push_back(error);
    }
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::string statusDigest(const model::Reading& reading) {
  // A readable canonical form, hashed: the digest is stored per device and
  // only ever compared for equality.
  std::ostringstream s;
  const model::Status& st = reading.status;
  s << st.printerStatus << '|' << st.deviceStatus << '|' << st.vendorCode << '|';
  std::vector<std::string> errors = st.errors;
  std::sort(errors.begin(), errors.end());
  for (const auto& e : errors) {
    s << e << ',';
  }
  s << '|';
  // Alert table rows come and go with changing indexes; their meaning is
  // what matters.
  std::vector<std::string> alerts;
  for (const auto& a : st.alerts) {
    alerts.push_back(a.severity + '/' + a.group + '/' + std::to_string(a.code) + '/' + a.text);
  }
  std::sort(alerts.begin(), alerts.end());
  for (const auto& a : alerts) {
    s << a << ',';
  }
  s << '|';
  for (const auto& supply : reading.supplies) {
    s << supply.index << ':' << supply.description << ':' << model::toString(supply.state) << ':'
      << (supply.levelPercent ? std::to_string(*supply.levelPercent) : "-") << ',';
  }
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016zx", std::hash<std::string>{}(s.str()));
  return hex;
}

namespace {

std::vector<std::string> added(const std::vector<std::string>& before,
                               const std::vector<std::string>& after) {
  std::vector<std::string> out;
  std::set_difference(after.begin(), after.end(), before.begin(), before.end(),
                      std::back_inserter(out));
  return out;
}

}  // namespace

Verdict judgeReading(const DeviceCondition& previous, const model::Reading& reading) {
  Verdict v;
  v.next.statusDigest = statusDigest(reading);
  v.next.critical = criticalConditions(reading.status);
  v.next.everOnline = true;
  // "offline" from the device itself (hrPrinterDetectedErrorState) is news
  // like any other; our own "offline" (no answer) ends with this answer.
  std::vector<std::string> before = previous.critical;
  v.newCritical = added(before, v.next.critical);
  v.urgent = !v.newCritical.empty();
  v.store = reading.kind == model::ReadingKind::kMeter || v.urgent ||
            v.next.statusDigest != previous.statusDigest || previous.offline();
  return v;
}

Verdict judgeSilence(const DeviceCondition& previous) {
  Verdict v;
  v.next = previous;
  if (!previous.everOnline || previous.offline()) {
    return v;  // nothing new to say
  }
  v.next.critical.push_back(kOffline);
  std::sort(v.next.critical.begin(), v.next.critical.end());
  v.next.statusDigest.clear();
  v.newCritical = {kOffline};
  v.store = true;
  v.urgent = true;
  return v;
}

model::Reading offlineReading(const model::DeviceIdentity& identity, const model::Origin& origin,
                              std::chrono::system_clock::time_point at, const std::string& reason) {
  model::Reading r;
  r.kind = model::ReadingKind::kStatus;
  r.readAt = at;
  r.origin = origin;
  r.identity = identity;
  r.status.printerStatus = "unknown";
  r.status.deviceStatus = "down";
  r.status.errors = {kOffline};
  r.notes = {"no answer: " + reason};
  return r;
}

}  // namespace openmps::client::scheduler

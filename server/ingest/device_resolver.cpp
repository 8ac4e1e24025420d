#include "server/ingest/device_resolver.hpp"

#include <algorithm>
#include <cctype>

namespace openmps::server::ingest {
namespace {

std::string trim(const std::string& text) {
  auto begin = text.begin();
  auto end = text.end();
  while (begin != end && std::isspace(static_cast<unsigned char>(*begin)) != 0) {
    ++begin;
  }
  while (end != begin && std::isspace(static_cast<unsigned char>(*(end - 1))) != 0) {
    --end;
  }
  return {begin, end};
}

// Empty on either side is "unknown", which contradicts nothing.
bool compatible(const std::string& a, const std::string& b) {
  return a.empty() || b.empty() || a == b;
}

template <typename Pred>
std::optional<std::int64_t> firstMatch(std::span<const KnownDevice> known, Pred pred) {
  const auto it = std::find_if(known.begin(), known.end(), pred);
  if (it == known.end()) {
    return std::nullopt;
  }
  return it->id;
}

}  // namespace

model::DeviceIdentity normaliseIdentity(model::DeviceIdentity identity) {
  identity.serial = trim(identity.serial);
  identity.mac = trim(identity.mac);
  std::transform(identity.mac.begin(), identity.mac.end(), identity.mac.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  identity.ip = trim(identity.ip);
  return identity;
}

std::optional<std::int64_t> resolveDevice(const model::DeviceIdentity& reading,
                                          std::span<const KnownDevice> known) {
  if (!reading.serial.empty()) {
    if (auto id = firstMatch(
            known, [&](const KnownDevice& d) { return d.identity.serial == reading.serial; })) {
      return id;
    }
  }
  if (!reading.mac.empty()) {
    if (auto id = firstMatch(known, [&](const KnownDevice& d) {
          return d.identity.mac == reading.mac && compatible(d.identity.serial, reading.serial);
        })) {
      return id;
    }
  }
  if (!reading.ip.empty()) {
    if (auto id = firstMatch(known, [&](const KnownDevice& d) {
          return d.identity.ip == reading.ip && compatible(d.identity.serial, reading.serial) &&
                 compatible(d.identity.mac, reading.mac);
        })) {
      return id;
    }
  }
  return std::nullopt;
}

std::vector<IdentityChange> identityChanges(const model::DeviceIdentity& stored,
                                            const model::DeviceIdentity& reading) {
  std::vector<IdentityChange> out;
  auto check = [&](const char* field, const std::string& before, const std::string& after) {
    if (!after.empty() && before != after) {
      out.push_back({field, before, after});
    }
  };
  check("serial", stored.serial, reading.serial);
  check("firmware", stored.firmware, reading.firmware);
  check("ip", stored.ip, reading.ip);
  check("mac", stored.mac, reading.mac);
  check("host_name", stored.hostName, reading.hostName);
  check("model", stored.model, reading.model);
  check("location", stored.location, reading.location);
  return out;
}

model::DeviceIdentity mergeIdentity(const model::DeviceIdentity& stored,
                                    const model::DeviceIdentity& reading) {
  model::DeviceIdentity out = stored;
  auto take = [](std::string& into, const std::string& from) {
    if (!from.empty()) {
      into = from;
    }
  };
  take(out.manufacturer, reading.manufacturer);
  take(out.model, reading.model);
  take(out.serial, reading.serial);
  take(out.firmware, reading.firmware);
  take(out.mac, reading.mac);
  take(out.hostName, reading.hostName);
  take(out.ip, reading.ip);
  take(out.location, reading.location);
  take(out.contact, reading.contact);
  take(out.sysObjectId, reading.sysObjectId);
  take(out.sysDescr, reading.sysDescr);
  return out;
}

std::vector<std::string> countersGoneBackwards(const model::Counters& previous,
                                               const model::Counters& current) {
  std::vector<std::string> out;
  for (const auto& [name, value] : current) {
    const auto it = previous.find(name);
    if (it != previous.end() && value < it->second) {
      out.push_back(name);
    }
  }
  return out;
}

}  // namespace openmps::server::ingest

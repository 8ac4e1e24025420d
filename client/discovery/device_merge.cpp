#include "client/discovery/device_merge.hpp"

#include <optional>
#include <set>

namespace openmps::client::discovery {
namespace {

std::string endpoint(const std::string& address, std::uint16_t port) {
  return address + ":" + std::to_string(port);
}

bool contradicts(const std::string& a, const std::string& b) {
  return !a.empty() && !b.empty() && a != b;
}

std::optional<std::size_t> findMatch(const std::vector<KnownDevice>& known, const FoundDevice& f) {
  if (!f.serial.empty()) {
    for (std::size_t i = 0; i < known.size(); ++i) {
      if (known[i].serial == f.serial) {
        return i;
      }
    }
  }
  if (!f.mac.empty()) {
    for (std::size_t i = 0; i < known.size(); ++i) {
      if (known[i].mac == f.mac && !contradicts(known[i].serial, f.serial)) {
        return i;
      }
    }
  }
  for (std::size_t i = 0; i < known.size(); ++i) {
    const KnownDevice& d = known[i];
    if (d.address == f.address && d.port == f.port && !contradicts(d.serial, f.serial) &&
        !contradicts(d.mac, f.mac)) {
      return i;
    }
  }
  return std::nullopt;
}

}  // namespace

MergeResult mergeSweep(std::vector<KnownDevice> known, const std::vector<FoundDevice>& found,
                       WallTime at) {
  MergeResult out;
  std::set<std::size_t> touched;
  for (const FoundDevice& f : found) {
    if (!f.printer) {
      continue;
    }
    std::optional<std::size_t> match = findMatch(known, f);
    for (std::size_t i = 0; i < known.size(); ++i) {
      if (match && i == *match) {
        continue;
      }
      if (!known[i].address.empty() && known[i].address == f.address && known[i].port == f.port) {
        known[i].address.clear();
        out.displaced.push_back(known[i].id);
        touched.insert(i);
      }
    }
    if (!match) {
      known.emplace_back();
      match = known.size() - 1;
      known[*match].firstSeen = at;
      ++out.added;
    } else if (!known[*match].address.empty() &&
               (known[*match].address != f.address || known[*match].port != f.port)) {
      out.moved.push_back({known[*match].id, endpoint(known[*match].address, known[*match].port),
                           endpoint(f.address, f.port)});
    }
    KnownDevice& d = known[*match];
    d.address = f.address;
    d.port = f.port;
    d.credential = f.credential;
    if (!f.serial.empty()) {
      d.serial = f.serial;
    }
    if (!f.mac.empty()) {
      d.mac = f.mac;
    }
    d.sysObjectId = f.sysObjectId;
    d.sysDescr = f.sysDescr;
    d.sysName = f.sysName;
    d.lastSeen = at;
    touched.insert(*match);
  }
  for (const std::size_t i : touched) {
    out.changed.push_back(known[i]);
  }
  return out;
}

}  // namespace openmps::client::discovery

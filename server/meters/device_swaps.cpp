#include "server/meters/device_swaps.hpp"

#include <algorithm>
#include <map>
#include <set>

namespace openmps::server::meters {
namespace {

bool samePlace(const DeviceSpan& a, const DeviceSpan& b) {
  return (!a.ip.empty() && a.ip == b.ip) || (!a.location.empty() && a.location == b.location);
}

struct Candidate {
  std::chrono::nanoseconds gap;
  std::size_t oldIndex;
  std::size_t newIndex;
  bool operator<(const Candidate& o) const {
    return gap < o.gap || (gap == o.gap && (oldIndex < o.oldIndex ||
                                            (oldIndex == o.oldIndex && newIndex < o.newIndex)));
  }
};

}  // namespace

std::vector<Replacement> findReplacements(const std::vector<DeviceSpan>& devices,
                                          std::chrono::hours maxGap) {
  std::map<std::int64_t, std::vector<std::size_t>> byCustomer;
  for (std::size_t i = 0; i < devices.size(); ++i) {
    if (devices[i].firstRead && devices[i].lastRead) {
      byCustomer[devices[i].customerId].push_back(i);
    }
  }
  std::vector<Candidate> candidates;
  for (const auto& [customer, members] : byCustomer) {
    for (const std::size_t o : members) {
      for (const std::size_t n : members) {
        const DeviceSpan& old = devices[o];
        const DeviceSpan& fresh = devices[n];
        if (o == n || old.serial == fresh.serial || !samePlace(old, fresh) ||
            *fresh.firstRead <= *old.lastRead || *fresh.firstRead - *old.lastRead > maxGap) {
          continue;
        }
        candidates.push_back({*fresh.firstRead - *old.lastRead, o, n});
      }
    }
  }
  std::sort(candidates.begin(), candidates.end());
  // A chain A -> B -> C is two replacements: B is new once and old once.
  std::set<std::size_t> replaced;
  std::set<std::size_t> replacing;
  std::vector<Replacement> out;
  for (const Candidate& c : candidates) {
    if (replaced.contains(c.oldIndex) || replacing.contains(c.newIndex)) {
      continue;
    }
    replaced.insert(c.oldIndex);
    replacing.insert(c.newIndex);
    out.push_back({devices[c.oldIndex].id, devices[c.newIndex].id, *devices[c.oldIndex].lastRead,
                   *devices[c.newIndex].firstRead});
  }
  return out;
}

}  // namespace openmps::server::meters

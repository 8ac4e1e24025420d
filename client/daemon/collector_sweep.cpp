// The collector's discovery: one network after another, each network's
// printers merged into the known devices and scheduled as soon as its
// sweep ends.
#include <algorithm>

#include "client/daemon/collector_impl.hpp"
#include "client/daemon/sweep_plan.hpp"
#include "client/discovery/device_merge.hpp"
#include "shared/util/log.hpp"

namespace openmps::client::daemon {
namespace {
constexpr std::string_view kLog = "run";
}

void Collector::Impl::startSweep() {
  sweep = SweepRun{clock.now(), 0, {}};
  startNetworkSweep();
}

void Collector::Impl::startNetworkSweep() {
  if (sweep->network >= cfg().networks.size()) {
    finishSweep();
    return;
  }
  auto plan = planNetworkSweep(cfg(), cfg().networks[sweep->network]);
  discovery::runSweep(*snmp, catalog, plan.addresses, std::move(plan.hosts),
                      std::move(plan.options), nullptr, [this](discovery::SweepResult r) {
                        {
                          const std::lock_guard lock(resultsMutex);
                          sweepResult = std::move(r);
                        }
                        resultsReady.notify_all();
                      });
}

void Collector::Impl::handleSweepResult(discovery::SweepResult result) {
  const auto& net = cfg().networks[sweep->network];
  util::logInfo(kLog) << "sweep of network '" << net.name << "': " << result.probed
                      << " addresses, " << result.answered << " answered";
  auto fresh = freshPrinters(std::move(result.devices), sweep->found);
  ++sweep->network;
  mergeFound(fresh, sweep->startedAt);
  sweep->found.insert(sweep->found.end(), std::make_move_iterator(fresh.begin()),
                      std::make_move_iterator(fresh.end()));
  startNetworkSweep();
}

void Collector::Impl::finishSweep() {
  std::vector<discovery::KnownDevice> unchanged;
  store.saveSweep(unchanged, discovery::FinishedSweep{sweep->startedAt, sweep->found.size()});
  sweep.reset();
  scheduler.sweepFinished();
}

// Recognises a device at a new address by serial, then MAC
// (discovery/device_merge); a device that takes another's address pushes
// that one out until it is seen again.
void Collector::Impl::mergeFound(const std::vector<discovery::FoundDevice>& found,
                                 util::Clock::WallTime at) {
  std::vector<discovery::KnownDevice> current;
  current.reserve(known.size());
  for (const auto& [id, d] : known) {
    current.push_back(d);
  }
  auto merge = discovery::mergeSweep(std::move(current), found, at);
  store.saveSweep(merge.changed, std::nullopt);
  for (const auto id : merge.displaced) {
    util::logInfo(kLog) << "device " << id
                        << " no longer answers at its address (another device does)";
    scheduler.removeDevice(id);
    if (board != nullptr) board->deviceKnown(id, "", at);
  }
  for (const auto& m : merge.moved) {
    util::logInfo(kLog) << "device " << m.device << " moved from " << m.from << " to " << m.to;
  }
  for (auto& d : merge.changed) {
    const auto id = d.id;
    if (!known.contains(id)) {
      util::logInfo(kLog) << "new device " << id << " at " << d.address << " (" << d.sysDescr
                          << ")";
    }
    if (!d.address.empty() && !scheduler.hasDevice(id)) {
      scheduler.addDevice(id, d.lastMeterAt, d.lastStatusAt);
    }
    if (board != nullptr && !d.address.empty()) board->deviceKnown(id, deviceAddress(d), at);
    known[id] = std::move(d);
  }
}

}  // namespace openmps::client::daemon

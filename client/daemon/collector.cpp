#include "client/daemon/collector.hpp"

#include <set>

#include "client/daemon/collector_impl.hpp"
#include "client/daemon/sweep_plan.hpp"
#include "shared/util/log.hpp"

namespace openmps::client::daemon {
namespace {

constexpr std::string_view kLog = "run";

scheduler::ScheduleSettings scheduleSettings(const config::ClientConfig& config) {
  scheduler::ScheduleSettings s;
  s.discovery = config.intervals.discovery;
  s.meter = config.intervals.meter;
  s.status = config.intervals.status;
  return s;
}

}  // namespace

Collector::Impl::Impl(std::shared_ptr<const config::ClientConfig> config,
                      envelope::Enrollment enrollment_, const openmps::pmd::Catalog& catalog_,
                      const util::Clock& clock_, StopFlag& stop_, StatusBoard* board_)
    : configHolder(std::move(config)),
      enrollment(std::move(enrollment_)),
      catalog(catalog_),
      clock(clock_),
      stop(stop_),
      board(board_),
      db(cfg().databasePath()),
      outbox(db, cfg().outbox.maxItems),
      store(db),
      scheduler(scheduleSettings(cfg()), clock) {
  // Not enrolled yet (0): readings queue unbound; the enrollment binds.
  if (enrollment.clientId != 0) outbox.bindClient(enrollment.clientId);
  stop.watch(resultsReady, resultsMutex);
  for (auto& d : store.loadDevices()) {
    const auto id = d.id;
    known.emplace(id, std::move(d));
  }
  scheduler.setLastSweep(store.lastSweep());
  for (const auto& [id, d] : known) {
    if (!d.address.empty()) {
      scheduler.addDevice(id, d.lastMeterAt, d.lastStatusAt);
      if (board != nullptr) {
        const auto lastRead = std::max(d.lastMeterAt, d.lastStatusAt);
        board->deviceKnown(id, deviceAddress(d), d.firstSeen, lastRead);
      }
    }
  }
  snmp::NetSnmpClient::Options snmpOptions;
  snmpOptions.maxInFlight = static_cast<std::size_t>(cfg().snmp.concurrency);
  snmp = std::make_unique<snmp::NetSnmpClient>(snmpOptions);
  reader = std::make_unique<pmd::DeviceReader>(*snmp, catalog);
  util::logInfo(kLog) << "client " << enrollment.clientId << ", " << known.size()
                      << " known devices, " << cfg().networks.size() << " networks";
}

Collector::Impl::~Impl() {
  // Pending reads end (kCancelled) before the queue they report to goes.
  reader.reset();
  snmp.reset();
  stop.unwatch(resultsReady);
}

// Read results are returned; a finished network sweep is handled here.
std::vector<ReadResult> Collector::Impl::waitForResults(std::chrono::milliseconds wait) {
  std::unique_lock lock(resultsMutex);
  // A new configuration waits for the sweep in progress to end.
  resultsReady.wait_for(lock, wait, [this] {
    return !results.empty() || sweepResult.has_value() || stop.stopped() || !readRequests.empty() ||
           (reconfiguration.has_value() && !sweep);
  });
  std::vector<ReadResult> out(std::make_move_iterator(results.begin()),
                              std::make_move_iterator(results.end()));
  results.clear();
  std::optional<discovery::SweepResult> finished;
  finished.swap(sweepResult);
  lock.unlock();
  if (finished) {
    handleSweepResult(std::move(*finished));
  }
  return out;
}

void Collector::Impl::startDueWork() {
  // The sweep runs beside the reads (a /16 takes minutes): status polls
  // and critical conditions do not wait for it.
  if (scheduler.sweepDue()) {
    scheduler.sweepStarted();
    startSweep();
  }
  for (const auto& task : scheduler.takeDueTasks(readRoom(scheduler.tasksInFlight()))) {
    startRead(task);
  }
}

void Collector::Impl::takeRequests() {
  std::vector<std::uint64_t> reads;
  std::optional<Reconfiguration> change;
  {
    const std::lock_guard lock(resultsMutex);
    reads.swap(readRequests);
    if (!sweep) change.swap(reconfiguration);
  }
  for (const auto id : reads) {
    const auto it = known.find(id);
    if (it != known.end() && !it->second.address.empty()) {
      startRead({id, scheduler::TaskKind::kMeter}, true);
    }
  }
  if (change) applyReconfiguration(std::move(*change));
}

void Collector::Impl::applyReconfiguration(Reconfiguration change) {
  const bool networksChanged = sweepCovers(cfg()) != sweepCovers(*change.config);
  configHolder = std::move(change.config);
  enrollment.clientId = change.clientId;
  scheduler.setSettings(scheduleSettings(cfg()));
  util::logInfo(kLog) << "configuration applied: " << cfg().networks.size() << " networks"
                      << (networksChanged ? "; sweeping them now" : "");
  if (networksChanged) {
    scheduler.sweepStarted();
    startSweep();
  }
}

// The next sweep and read as wall times, for the local UI.
void Collector::Impl::publishNext() {
  if (board == nullptr) return;
  const auto wall = [this](std::optional<Clock::MonoTime> due) -> std::optional<WallTime> {
    if (!due) return std::nullopt;
    const auto now = clock.monotonic();
    return clock.now() + (*due > now ? *due - now : Clock::MonoTime::duration{});
  };
  board->setNext(wall(scheduler.sweepDueAt()), wall(scheduler.nextTaskDue()));
}

Collector::Collector(std::shared_ptr<const config::ClientConfig> config,
                     envelope::Enrollment enrollment, const openmps::pmd::Catalog& catalog,
                     const util::Clock& clock, StopFlag& stop, StatusBoard* board)
    : impl_(std::make_unique<Impl>(std::move(config), std::move(enrollment), catalog, clock, stop,
                                   board)) {}

void Collector::readNow(std::uint64_t device) {
  {
    const std::lock_guard lock(impl_->resultsMutex);
    impl_->readRequests.push_back(device);
  }
  impl_->resultsReady.notify_all();
}

void Collector::reconfigure(std::shared_ptr<const config::ClientConfig> config,
                            std::uint64_t clientId) {
  {
    const std::lock_guard lock(impl_->resultsMutex);
    impl_->reconfiguration = Reconfiguration{std::move(config), clientId};
  }
  impl_->resultsReady.notify_all();
}

Collector::~Collector() = default;

bool Collector::collectOnce() {
  Impl& c = *impl_;
  c.startSweep();
  while (c.sweep && !c.stop.stopped()) {
    (void)c.waitForResults(std::chrono::seconds{1});
  }
  if (c.stop.stopped()) {
    return false;
  }
  std::size_t started = 0;
  for (const auto& [id, d] : c.known) {
    if (!d.address.empty()) {
      c.startRead({id, scheduler::TaskKind::kMeter});
      ++started;
    }
  }
  // A device whose read failed is asked once more, as the daemon's
  // scheduler would (one lost answer is not news): under load one timeout
  // must not leave a printer unread. The first failure is not counted: one
  // run is one read of the device, and offline takes two failed reads in a
  // row (else a device that stops answering would be stored as offline at
  // once, and look seen rather than silent).
  std::set<std::uint64_t> retried;
  std::size_t done = 0;
  std::size_t answered = 0;
  while (done < started && !c.stop.stopped()) {
    for (const auto& r : c.waitForResults(std::chrono::seconds{1})) {
      ++done;
      if (!r.outcome.ok() && retried.insert(r.task.device).second) {
        c.startRead(r.task);
        ++started;
        continue;
      }
      c.handleResult(r, true);
      if (r.outcome.ok()) ++answered;
    }
  }
  util::logInfo(kLog) << "read " << answered << " of " << (started - retried.size()) << " devices ("
                      << retried.size() << " asked twice)";
  return !c.stop.stopped();
}

void Collector::run(const std::function<void()>& committed) {
  Impl& c = *impl_;
  while (!c.stop.stopped()) {
    c.takeRequests();
    c.startDueWork();
    c.publishNext();
    const auto results = c.waitForResults(loopWait(c.scheduler.nextDue(), c.clock.monotonic()));
    for (const auto& r : results) {
      c.handleResult(r, false);
    }
    if (!results.empty()) {
      committed();
    }
  }
}

}  // namespace openmps::client::daemon

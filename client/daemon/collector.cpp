#include "client/daemon/collector.hpp"

#include "client/daemon/collector_impl.hpp"
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
                      const util::Clock& clock_, StopFlag& stop_)
    : configHolder(std::move(config)),
      cfg(*configHolder),
      enrollment(std::move(enrollment_)),
      catalog(catalog_),
      clock(clock_),
      stop(stop_),
      db(cfg.databasePath()),
      outbox(db, cfg.outbox.maxItems),
      store(db),
      scheduler(scheduleSettings(cfg), clock) {
  outbox.bindClient(enrollment.clientId);
  stop.watch(resultsReady, resultsMutex);
  for (auto& d : store.loadDevices()) {
    const auto id = d.id;
    known.emplace(id, std::move(d));
  }
  scheduler.setLastSweep(store.lastSweep());
  for (const auto& [id, d] : known) {
    if (!d.address.empty()) {
      scheduler.addDevice(id, d.lastMeterAt, d.lastStatusAt);
    }
  }
  snmp::NetSnmpClient::Options snmpOptions;
  snmpOptions.maxInFlight = static_cast<std::size_t>(cfg.snmp.concurrency);
  snmp = std::make_unique<snmp::NetSnmpClient>(snmpOptions);
  reader = std::make_unique<pmd::DeviceReader>(*snmp, catalog);
  util::logInfo(kLog) << "client " << enrollment.clientId << ", " << known.size()
                      << " known devices, " << cfg.networks.size() << " networks";
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
  resultsReady.wait_for(
      lock, wait, [this] { return !results.empty() || sweepResult.has_value() || stop.stopped(); });
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

Collector::Collector(std::shared_ptr<const config::ClientConfig> config,
                     envelope::Enrollment enrollment, const openmps::pmd::Catalog& catalog,
                     const util::Clock& clock, StopFlag& stop)
    : impl_(
          std::make_unique<Impl>(std::move(config), std::move(enrollment), catalog, clock, stop)) {}

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
  std::size_t done = 0;
  while (done < started && !c.stop.stopped()) {
    for (const auto& r : c.waitForResults(std::chrono::seconds{1})) {
      c.handleResult(r, true);
      ++done;
    }
  }
  util::logInfo(kLog) << "read " << done << " of " << started << " devices";
  return !c.stop.stopped();
}

void Collector::run(const std::function<void()>& committed) {
  Impl& c = *impl_;
  while (!c.stop.stopped()) {
    c.startDueWork();
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

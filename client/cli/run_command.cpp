// openmps-client run --config FILE [--once]: the collector daemon. Wires the
// configuration, discovery sweeps, the PMD device reader, the scheduler, the
// SQLite outbox and the carriers together. Threads: this one (scheduling,
// every commit), the SNMP client's I/O thread (reads; results come back
// through a queue), a sender thread (sealing and carriers, blocking on the
// network) and a signal thread (SIGTERM, SIGINT).
#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <pthread.h>

#include "client/carrier/carrier.hpp"
#include "client/carrier/curl_xmlrpc_carrier.hpp"
#include "client/carrier/smtp_carrier.hpp"
#include "client/cli/commands.hpp"
#include "client/config/client_config.hpp"
#include "client/config/enrollment_store.hpp"
#include "client/discovery/device_merge.hpp"
#include "client/discovery/known_device.hpp"
#include "client/discovery/sweep.hpp"
#include "client/outbox/sender.hpp"
#include "client/outbox/sqlite_outbox.hpp"
#include "client/pmd/device_reader.hpp"
#include "client/pmd/pmd_dir.hpp"
#include "client/scheduler/scheduler.hpp"
#include "client/scheduler/triage.hpp"
#include "client/snmp/net_snmp_client.hpp"
#include "shared/envelope/seal.hpp"
#include "shared/pmd/catalog.hpp"
#include "shared/util/args.hpp"
#include "shared/util/clock.hpp"
#include "shared/util/log.hpp"
#include "shared/util/version.hpp"

namespace openmps::client::cli {
namespace {

constexpr std::string_view kLog = "run";
constexpr int kExitNotEmptied = 1;
constexpr int kExitSetup = 3;
// Reads started at once; the SNMP client queues beyond its own limit anyway,
// this keeps the result queue and memory small.
constexpr std::size_t kMaxReadsInFlight = 64;

std::vector<util::OptionSpec> runOptions() {
  return {
      {"config", true, "FILE", "the client's configuration"},
      {"once", false, "",
       "one discovery, one read of every device, send until the outbox is empty, exit"},
      {"help", false, "", "show this help"},
  };
}

// SIGTERM/SIGINT end the daemon: a dedicated thread waits for them, so no
// code runs in a signal handler and every other thread keeps them blocked.
class StopSignal {
 public:
  StopSignal() {
    sigemptyset(&set_);
    sigaddset(&set_, SIGTERM);
    sigaddset(&set_, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set_, nullptr);
    std::thread([this] {
      int sig = 0;
      if (sigwait(&set_, &sig) == 0) {
        util::logInfo(kLog) << "signal " << sig << ": shutting down";
        stop();
      }
    }).detach();
  }
  void stop() {
    {
      std::lock_guard lock(mutex_);
      stopped_ = true;
    }
    for (auto* cv : watchers_) {
      cv->notify_all();
    }
  }
  bool stopped() const { return stopped_; }
  // Condition variables to wake on stop; registered before any thread waits.
  void watch(std::condition_variable& cv) { watchers_.push_back(&cv); }

 private:
  sigset_t set_{};
  std::mutex mutex_;
  std::atomic<bool> stopped_{false};
  std::vector<std::condition_variable*> watchers_;
};

std::unique_ptr<carrier::Carrier> makeCarrier(const config::ClientConfig& cfg,
                                              const envelope::Enrollment& enrollment) {
  std::vector<std::unique_ptr<carrier::Carrier>> routes;
  for (const auto& server : enrollment.servers) {
    if (server.starts_with("mailto:")) {
      const auto& mail = cfg.carrier.smtp;
      if (!mail.configured) {
        util::logWarning(kLog) << "server " << server
                               << ": no carrier.smtp in the configuration; skipped";
        continue;
      }
      carrier::SmtpSettings s;
      s.server = mail.server;
      s.port = mail.port;
      s.tls = mail.implicitTls ? carrier::SmtpTls::kImplicit : carrier::SmtpTls::kStartTls;
      s.user = mail.user;
      s.password = mail.password;
      s.from = mail.from;
      s.to = mail.to.empty() ? server.substr(std::string_view("mailto:").size()) : mail.to;
      s.caFile = mail.caFile;
      s.connectTimeout = cfg.carrier.connectTimeout;
      s.timeout = cfg.carrier.requestTimeout;
      s.clientVersion = openmps::kVersion;
      routes.push_back(std::make_unique<carrier::SmtpCarrier>(std::move(s)));
      continue;
    }
    carrier::XmlRpcCarrierSettings s;
    s.server = server;
    s.fingerprint = enrollment.certFingerprint;
    s.proxy = cfg.carrier.proxy;
    s.connectTimeout = cfg.carrier.connectTimeout;
    s.requestTimeout = cfg.carrier.requestTimeout;
    s.userAgent = std::string("openmps-client/") + openmps::kVersion;
    routes.push_back(std::make_unique<carrier::CurlXmlRpcCarrier>(std::move(s)));
  }
  return std::make_unique<carrier::FailoverCarrier>(std::move(routes));
}

struct ReadResult {
  scheduler::Task task;
  pmd::ReadOutcome outcome;
};

class Collector {
 public:
  Collector(config::ClientConfig cfg, envelope::Enrollment enrollment,
            openmps::pmd::Catalog catalog, StopSignal& stop)
      : cfg_(std::move(cfg)),
        enrollment_(std::move(enrollment)),
        stop_(stop),
        db_(cfg_.databasePath()),
        outbox_(db_, cfg_.outbox.maxItems),
        store_(db_),
        catalog_(std::move(catalog)),
        scheduler_(settings(cfg_), clock_) {
    outbox_.bindClient(enrollment_.clientId);
    stop_.watch(resultsReady_);
    stop_.watch(senderWake_);
    for (auto& d : store_.loadDevices()) {
      const auto id = d.id;
      known_.emplace(id, std::move(d));
    }
    scheduler_.setLastSweep(store_.lastSweep());
    for (const auto& [id, d] : known_) {
      if (!d.address.empty()) {
        scheduler_.addDevice(id, d.lastMeterAt, d.lastStatusAt);
      }
    }
    snmp::NetSnmpClient::Options snmpOptions;
    snmpOptions.maxInFlight = static_cast<std::size_t>(cfg_.snmp.concurrency);
    snmp_ = std::make_unique<snmp::NetSnmpClient>(snmpOptions);
    reader_ = std::make_unique<pmd::DeviceReader>(*snmp_, catalog_);
    util::logInfo(kLog) << "client " << enrollment_.clientId << ", " << known_.size()
                        << " known devices, " << cfg_.networks.size() << " networks";
  }

  ~Collector() {
    // Pending reads end (kCancelled) before the queue they report to goes.
    reader_.reset();
    snmp_.reset();
  }
  Collector(const Collector&) = delete;
  Collector& operator=(const Collector&) = delete;

  int runOnce() {
    startSweep();
    while (sweep_ && !stop_.stopped()) {
      (void)waitForResults(std::chrono::seconds{1});
    }
    if (stop_.stopped()) {
      return kExitNotEmptied;
    }
    std::size_t started = 0;
    for (const auto& [id, d] : known_) {
      if (!d.address.empty()) {
        startRead({id, scheduler::TaskKind::kMeter});
        ++started;
      }
    }
    std::size_t done = 0;
    while (done < started && !stop_.stopped()) {
      for (auto& r : waitForResults(std::chrono::seconds{1})) {
        handleResult(r, true);
        ++done;
      }
    }
    util::logInfo(kLog) << "read " << done << " of " << started << " devices";
    return sendUntilEmpty();
  }

  int runDaemon() {
    std::thread sender([this] { senderLoop(); });
    // Whatever ends this function (an exception from the database too)
    // stops and joins the sender first: a joinable std::thread would
    // terminate the process without a word.
    {
      struct JoinSender {
        Collector& self;
        std::thread& thread;
        ~JoinSender() {
          self.stop_.stop();
          self.wakeSender();
          thread.join();
        }
      } joinSender{*this, sender};
      while (!stop_.stopped()) {
        // The sweep runs beside the reads (a /16 takes minutes): status polls
        // and critical conditions do not wait for it.
        if (scheduler_.sweepDue()) {
          scheduler_.sweepStarted();
          startSweep();
        }
        const std::size_t room =
            kMaxReadsInFlight - std::min(kMaxReadsInFlight, scheduler_.tasksInFlight());
        for (const auto& task : scheduler_.takeDueTasks(room)) {
          startRead(task);
        }
        auto wait = std::chrono::seconds{60};
        if (const auto next = scheduler_.nextDue()) {
          const auto left =
              std::chrono::duration_cast<std::chrono::milliseconds>(*next - clock_.monotonic());
          wait = std::clamp(
              std::chrono::duration_cast<std::chrono::seconds>(left) + std::chrono::seconds{1},
              std::chrono::seconds{1}, std::chrono::seconds{60});
        }
        const auto results = waitForResults(wait);
        for (const auto& r : results) {
          handleResult(r, false);
        }
        if (!results.empty()) {
          wakeSender();
        }
      }
    }  // the sender is stopped and joined here
    util::logInfo(kLog) << "stopped; " << outbox_.stats().storedItems
                        << " readings wait in the outbox for the next start";
    return 0;
  }

 private:
  static scheduler::ScheduleSettings settings(const config::ClientConfig& cfg) {
    scheduler::ScheduleSettings s;
    s.discovery = cfg.intervals.discovery;
    s.meter = cfg.intervals.meter;
    s.status = cfg.intervals.status;
    return s;
  }

  const snmp::Credentials* credentialsNamed(const std::string& name) const {
    for (const auto& c : cfg_.credentials) {
      if (c.name == name) {
        return &c.credentials;
      }
    }
    return nullptr;
  }

  // One sweep covers every configured network, one after another; each
  // network's result comes back through the result queue and is handled on
  // this thread (waitForResults), like reads. Its printers are merged and
  // scheduled at once, so they are read while later networks are swept.
  struct SweepRun {
    util::Clock::WallTime startedAt;
    std::size_t network = 0;
    std::vector<discovery::FoundDevice> found;
  };

  void startSweep() {
    sweep_ = SweepRun{clock_.now(), 0, {}};
    startNetworkSweep();
  }

  void startNetworkSweep() {
    if (sweep_->network >= cfg_.networks.size()) {
      finishSweep();
      return;
    }
    const auto& net = cfg_.networks[sweep_->network];
    discovery::AddressSet addresses;
    std::vector<std::string> hosts;
    for (const auto& r : net.ranges) {
      if (r.kind == discovery::RangeSpec::Kind::kHost) {
        hosts.push_back(r.host);
      } else {
        addresses.add(r.first, r.last);
      }
    }
    for (const auto& r : net.exclude) {
      if (r.kind == discovery::RangeSpec::Kind::kInterval) {
        addresses.remove(r.first, r.last);
      }
    }
    discovery::SweepOptions options;
    for (const auto index : net.credentials) {
      options.credentials.push_back(
          {cfg_.credentials.at(index).name, cfg_.credentials.at(index).credentials});
    }
    options.port = net.port;
    options.timeout = cfg_.snmp.timeout;
    options.retries = cfg_.snmp.retries;
    options.concurrency = static_cast<std::size_t>(cfg_.snmp.concurrency);
    discovery::runSweep(*snmp_, catalog_, addresses, hosts, options, nullptr,
                        [this](discovery::SweepResult r) {
                          {
                            std::lock_guard lock(resultsMutex_);
                            sweepResult_ = std::move(r);
                          }
                          resultsReady_.notify_all();
                        });
  }

  void handleSweepResult(discovery::SweepResult result) {
    const auto& net = cfg_.networks[sweep_->network];
    util::logInfo(kLog) << "sweep of network '" << net.name << "': " << result.probed
                        << " addresses, " << result.answered << " answered";
    std::vector<discovery::FoundDevice> printers;
    for (auto& d : result.devices) {
      if (d.printer) {
        printers.push_back(std::move(d));
      }
    }
    // A box already found in an earlier network of this sweep (overlapping
    // ranges, two interfaces) stays at the address found first.
    std::vector<discovery::FoundDevice> fresh;
    for (auto& d : discovery::dedupe(std::move(printers))) {
      const bool seen =
          std::any_of(sweep_->found.begin(), sweep_->found.end(), [&d](const auto& earlier) {
            return (!d.serial.empty() && d.serial == earlier.serial) ||
                   (!d.mac.empty() && d.mac == earlier.mac);
          });
      if (!seen) {
        fresh.push_back(std::move(d));
      }
    }
    ++sweep_->network;
    mergeFound(fresh, sweep_->startedAt);
    sweep_->found.insert(sweep_->found.end(), std::make_move_iterator(fresh.begin()),
                         std::make_move_iterator(fresh.end()));
    startNetworkSweep();
  }

  void finishSweep() {
    std::vector<discovery::KnownDevice> unchanged;
    store_.saveSweep(unchanged, discovery::FinishedSweep{sweep_->startedAt, sweep_->found.size()});
    sweep_.reset();
    scheduler_.sweepFinished();
  }

  // Recognises a device at a new address by serial, then MAC
  // (discovery/device_merge); a device that takes another's address pushes
  // that one out until it is seen again.
  void mergeFound(const std::vector<discovery::FoundDevice>& found, outbox::WallTime at) {
    std::vector<discovery::KnownDevice> current;
    current.reserve(known_.size());
    for (const auto& [id, d] : known_) {
      current.push_back(d);
    }
    auto merge = discovery::mergeSweep(std::move(current), found, at);
    store_.saveSweep(merge.changed, std::nullopt);
    for (const auto id : merge.displaced) {
      util::logInfo(kLog) << "device " << id
                          << " no longer answers at its address (another device does)";
      scheduler_.removeDevice(id);
    }
    for (const auto& m : merge.moved) {
      util::logInfo(kLog) << "device " << m.device << " moved from " << m.from << " to " << m.to;
    }
    for (auto& d : merge.changed) {
      const auto id = d.id;
      if (!known_.contains(id)) {
        util::logInfo(kLog) << "new device " << id << " at " << d.address << " (" << d.sysDescr
                            << ")";
      }
      if (!d.address.empty() && !scheduler_.hasDevice(id)) {
        scheduler_.addDevice(id, d.lastMeterAt, d.lastStatusAt);
      }
      known_[id] = std::move(d);
    }
  }

  void startRead(scheduler::Task task) {
    const auto& d = known_.at(task.device);
    snmp::Target target;
    target.host = d.address;
    target.port = d.port;
    if (const auto* c = credentialsNamed(d.credential)) {
      target.credentials = *c;
    } else if (!cfg_.credentials.empty()) {
      target.credentials = cfg_.credentials.front().credentials;
    }
    target.timeout = cfg_.snmp.timeout;
    target.retries = cfg_.snmp.retries;
    reader_->read(target, [this, task](pmd::ReadOutcome outcome) {
      {
        std::lock_guard lock(resultsMutex_);
        results_.push_back({task, std::move(outcome)});
      }
      resultsReady_.notify_all();
    });
  }

  // Read results are returned; a finished network sweep is handled here.
  std::vector<ReadResult> waitForResults(std::chrono::milliseconds wait) {
    std::unique_lock lock(resultsMutex_);
    resultsReady_.wait_for(lock, wait, [this] {
      return !results_.empty() || sweepResult_.has_value() || stop_.stopped();
    });
    std::vector<ReadResult> out(std::make_move_iterator(results_.begin()),
                                std::make_move_iterator(results_.end()));
    results_.clear();
    std::optional<discovery::SweepResult> sweep;
    sweep.swap(sweepResult_);
    lock.unlock();
    if (sweep) {
      handleSweepResult(std::move(*sweep));
    }
    return out;
  }

  void handleResult(const ReadResult& r, bool once) {
    const auto it = known_.find(r.task.device);
    if (it == known_.end()) {
      return;
    }
    discovery::KnownDevice& d = it->second;
    const scheduler::DeviceCondition previous{d.statusDigest, d.critical, d.everOnline};
    scheduler::Verdict verdict;
    model::Reading reading;
    if (r.outcome.ok()) {
      failures_.erase(d.id);
      reading = r.outcome.reading;
      reading.kind = r.task.kind == scheduler::TaskKind::kMeter ? model::ReadingKind::kMeter
                                                                : model::ReadingKind::kStatus;
      verdict = scheduler::judgeReading(previous, reading);
    } else {
      util::logWarning(kLog) << "device " << d.id << " at " << d.address << ": "
                             << r.outcome.message;
      // One lost answer is not news: offline counts from the second
      // failure in a row (the scheduler asks again soon after the first).
      if (++failures_[d.id] >= 2) {
        verdict = scheduler::judgeSilence(previous);
        model::DeviceIdentity identity;
        identity.serial = d.serial;
        identity.mac = d.mac;
        identity.sysObjectId = d.sysObjectId;
        identity.sysDescr = d.sysDescr;
        identity.ip = d.address;
        reading = scheduler::offlineReading(identity, {}, clock_.now(), r.outcome.message);
      }
    }
    reading.readAt = clock_.now();
    reading.origin.clientId = std::to_string(enrollment_.clientId);
    if (reading.origin.address.empty()) {
      reading.origin.address = d.address + ":" + std::to_string(d.port);
    }
    bool committed = true;
    if (verdict.store) {
      outbox::NewReading nr{
          reading,
          verdict.urgent,
          {d.id, verdict.next.statusDigest, verdict.next.critical, verdict.next.everOnline}};
      try {
        outbox_.commit(std::span<const outbox::NewReading>(&nr, 1), clock_.now());
      } catch (const outbox::OutboxFull& e) {
        committed = false;
        util::logError(kLog) << "reading of device " << d.id << " NOT stored: " << e.what()
                             << "; the server has not confirmed batches for a long time";
      }
      if (verdict.urgent) {
        util::logWarning(kLog) << "device " << d.id << " at " << d.address << ": "
                               << (verdict.newCritical.empty() ? "" : verdict.newCritical.front())
                               << " — queued for sending at once";
      }
    }
    if (committed) {
      d.statusDigest = verdict.next.statusDigest;
      d.critical = verdict.next.critical;
      d.everOnline = verdict.next.everOnline;
    }
    if (!once) {
      // A meter reading the full outbox refused counts as a failed read: it
      // is tried again within the hour, not at the next meter interval.
      const bool refusedMeter = !committed && r.task.kind == scheduler::TaskKind::kMeter;
      scheduler_.taskDone(r.task, r.outcome.ok() && !refusedMeter);
    }
  }

  // --once: every batch once, in order; stops at the first that fails.
  int sendUntilEmpty() {
    outbox::Database db(cfg_.databasePath());
    outbox::SqliteOutbox box(db, cfg_.outbox.maxItems);
    auto carrier = makeCarrier(cfg_, enrollment_);
    outbox::Sender sender(box, *carrier, sealer(), senderSettings(), clock_, random01());
    bool rejected = false;
    while (!stop_.stopped()) {
      const auto step = sender.step(true);
      if (step.outcome == outbox::SendOutcome::kIdle) {
        break;
      }
      if (step.outcome == outbox::SendOutcome::kRejected) {
        rejected = true;
      }
      if (step.outcome == outbox::SendOutcome::kFailed) {
        util::logError(kLog) << "the outbox could not be emptied: " << step.detail;
        return kExitNotEmptied;
      }
    }
    const auto s = box.stats();
    util::logInfo(kLog) << "outbox: " << s.storedItems << " readings left, " << s.confirmedItems
                        << " confirmed in all";
    return rejected || s.storedItems > 0 ? kExitNotEmptied : 0;
  }

  void senderLoop() {
    try {
      outbox::Database db(cfg_.databasePath());
      outbox::SqliteOutbox box(db, cfg_.outbox.maxItems);
      auto carrier = makeCarrier(cfg_, enrollment_);
      outbox::Sender sender(box, *carrier, sealer(), senderSettings(), clock_, random01());
      while (!stop_.stopped()) {
        const auto step = sender.step(false);
        if (step.outcome == outbox::SendOutcome::kDelivered ||
            step.outcome == outbox::SendOutcome::kRejected) {
          continue;
        }
        auto wait = std::chrono::milliseconds{std::chrono::seconds{30}};
        if (step.retryAt) {
          wait = std::clamp(
              std::chrono::duration_cast<std::chrono::milliseconds>(*step.retryAt - clock_.now()),
              std::chrono::milliseconds{100}, wait);
        }
        std::unique_lock lock(senderMutex_);
        senderWake_.wait_for(lock, wait, [this] { return senderPending_ || stop_.stopped(); });
        senderPending_ = false;
      }
    } catch (const std::exception& e) {
      util::logError(kLog) << "sender stopped: " << e.what();
      stop_.stop();
    }
  }

  void wakeSender() {
    {
      const std::lock_guard lock(senderMutex_);
      senderPending_ = true;
    }
    senderWake_.notify_all();
  }

  outbox::Sealer sealer() const {
    return [this](envelope::Batch& batch) {
      batch.clientVersion = openmps::kVersion;
      return envelope::sealBatch(batch, enrollment_.key);
    };
  }

  outbox::SenderSettings senderSettings() const {
    outbox::SenderSettings s;
    s.sendInterval = cfg_.carrier.sendInterval;
    s.maxBatchItems = cfg_.carrier.maxBatchItems;
    return s;
  }

  static std::function<double()> random01() {
    auto rng = std::make_shared<std::mt19937_64>(std::random_device{}());
    return [rng] { return std::uniform_real_distribution<double>(0.0, 1.0)(*rng); };
  }

  config::ClientConfig cfg_;
  envelope::Enrollment enrollment_;
  StopSignal& stop_;
  util::SystemClock clock_;
  outbox::Database db_;
  outbox::SqliteOutbox outbox_;
  outbox::SqliteDeviceStore store_;
  openmps::pmd::Catalog catalog_;
  scheduler::Scheduler scheduler_;
  std::map<std::uint64_t, discovery::KnownDevice> known_;
  std::map<std::uint64_t, int> failures_;

  std::mutex resultsMutex_;
  std::condition_variable resultsReady_;
  std::deque<ReadResult> results_;
  std::optional<discovery::SweepResult> sweepResult_;
  std::optional<SweepRun> sweep_;  // this thread only
  std::mutex senderMutex_;
  std::condition_variable senderWake_;
  // Set under senderMutex_ with each wake, so a reading committed while the
  // sender is busy sending is seen at once, not after its 30 s wait.
  bool senderPending_ = false;

  std::unique_ptr<snmp::NetSnmpClient> snmp_;
  std::unique_ptr<pmd::DeviceReader> reader_;
};

}  // namespace

int runCommand(std::span<const std::string> args) {
  const auto specs = runOptions();
  const auto parsed = util::parseArgs(args, specs);
  if (parsed.has("help")) {
    std::printf(
        "Usage: openmps-client run --config FILE [--once]\n\n"
        "Runs the collector: discovery sweeps, meter reads and status polls on their\n"
        "intervals, every reading committed to the outbox before it is sent. Logs go to\n"
        "stderr. SIGTERM or SIGINT stop it cleanly.\n"
        "With --once: one discovery, one read of every device, then send until the\n"
        "outbox is empty and exit; exit status 1 when it could not be emptied.\n\n"
        "Options:\n%s",
        util::formatOptions(specs).c_str());
    return 0;
  }
  const auto configPath = parsed.get("config");
  if (!configPath) {
    throw util::UsageError("--config FILE is required");
  }
  if (!parsed.positional().empty()) {
    throw util::UsageError("unexpected argument '" + parsed.positional().front() + "'");
  }
  StopSignal stop;
  config::ClientConfig cfg = config::loadConfig(*configPath);
  util::setLogLevel(cfg.logLevel);
  auto enrollment = config::loadEnrollment(cfg);
  if (!enrollment) {
    std::fprintf(stderr,
                 "openmps-client run: not enrolled: run 'openmps-client enroll STRING --config %s' "
                 "with the string 'openmps-server collector add' printed\n",
                 configPath->c_str());
    return kExitSetup;
  }
  const std::filesystem::path pmdDir = cfg.pmdDir.empty() ? pmd::defaultPmdDir() : cfg.pmdDir;
  std::optional<openmps::pmd::Catalog> catalog;
  try {
    catalog = openmps::pmd::Catalog::loadDirectory(pmdDir);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "openmps-client run: device definitions in %s: %s\n", pmdDir.c_str(),
                 e.what());
    return kExitSetup;
  }
  Collector collector(std::move(cfg), std::move(*enrollment), std::move(*catalog), stop);
  return parsed.has("once") ? collector.runOnce() : collector.runDaemon();
}

}  // namespace openmps::client::cli

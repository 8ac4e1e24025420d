#include "client/daemon/daemon.hpp"

#include <future>
#include <mutex>

#include "client/daemon/collector.hpp"
#include "client/daemon/send_loop.hpp"
#include "client/daemon/status_board.hpp"
#include "client/outbox/sqlite_outbox.hpp"
#include "client/pmd/device_reader.hpp"
#include "client/snmp/credential_options.hpp"
#include "client/snmp/net_snmp_client.hpp"
#include "shared/util/log.hpp"

namespace openmps::client::daemon {
namespace {

constexpr std::string_view kLog = "run";

std::vector<std::string> serversOf(const envelope::Enrollment& e) {
  return e.servers;
}

}  // namespace

std::string needsRestart(const config::ClientConfig& running, const config::ClientConfig& next) {
  if (next.dataDir != running.dataDir) return "data_dir: changes only with a restart";
  if (next.pmdDir != running.pmdDir) return "pmd_dir: changes only with a restart";
  if (next.outbox.maxItems != running.outbox.maxItems) {
    return "outbox.max_items: changes only with a restart";
  }
  if (next.snmp.concurrency != running.snmp.concurrency) {
    return "snmp.concurrency: changes only with a restart";
  }
  return {};
}

struct Daemon::Impl {
  Impl(std::shared_ptr<const config::ClientConfig> config_,
       std::optional<envelope::Enrollment> enrollment_, const openmps::pmd::Catalog& catalog_,
       const util::Clock& clock_, StopFlag& stop_)
      : config(std::move(config_)),
        enrollment(std::move(enrollment_)),
        catalog(catalog_),
        clock(clock_),
        stop(stop_),
        statsDb(config->databasePath()),
        statsBox(statsDb, config->outbox.maxItems),
        sender(clock, stop, &board),
        collector(config, enrollment.value_or(envelope::Enrollment{}), catalog, clock, stop,
                  &board) {
    if (enrollment) {
      board.setEnrollment(std::to_string(enrollment->clientId), serversOf(*enrollment));
    } else {
      board.setEnrollment(std::nullopt, {});
      util::logWarning(kLog) << "not enrolled: readings wait in the outbox until the client is "
                                "enrolled (local UI or 'openmps-client enroll' and a restart)";
    }
  }

  OutboxFigures outboxFigures() const {
    const std::lock_guard lock(mutex);
    const auto s = statsBox.stats();
    return {static_cast<std::size_t>(s.storedItems), config->outbox.maxItems, s.oldestQueuedAt};
  }

  mutable std::mutex mutex;  // config, enrollment, statsBox
  std::shared_ptr<const config::ClientConfig> config;
  std::optional<envelope::Enrollment> enrollment;
  const openmps::pmd::Catalog& catalog;
  const util::Clock& clock;
  StopFlag& stop;
  StatusBoard board;
  outbox::Database statsDb;
  mutable outbox::SqliteOutbox statsBox;
  SendLoop sender;
  Collector collector;
  std::mutex probeMutex;  // one probe at a time
};

Daemon::Daemon(std::shared_ptr<const config::ClientConfig> config,
               std::optional<envelope::Enrollment> enrollment, const openmps::pmd::Catalog& catalog,
               const util::Clock& clock, StopFlag& stop)
    : impl_(
          std::make_unique<Impl>(std::move(config), std::move(enrollment), catalog, clock, stop)) {
  StatusBoard& board = impl_->board;
  const util::Clock& c = clock;
  util::setLogObserver([&board, &c](util::LogLevel level, std::string_view line) {
    board.logLine(c.now(), level, line);
  });
}

Daemon::~Daemon() {
  util::setLogObserver({});
}

void Daemon::run() {
  Impl& d = *impl_;
  {
    const std::lock_guard lock(d.mutex);
    if (d.enrollment) d.sender.configure(d.config, *d.enrollment);
  }
  d.collector.run([&d] { d.sender.wake(); });
  // Whatever ended the collector's loop, the sender finishes the batch in
  // flight and stops before the process ends.
  d.stop.stop();
  d.sender.stop();
}

DaemonState Daemon::state() const {
  return impl_->board.state(impl_->outboxFigures());
}

std::vector<DeviceState> Daemon::devices() const {
  return impl_->board.devices();
}

ReadNowResult Daemon::readNow(const std::string& address) {
  const auto id = impl_->board.deviceAt(address);
  if (id == 0) return ReadNowResult::kUnknownDevice;
  impl_->collector.readNow(id);
  return ReadNowResult::kQueued;
}

ProbeResult Daemon::probe(const std::string& address) {
  Impl& d = *impl_;
  std::shared_ptr<const config::ClientConfig> cfg;
  {
    const std::lock_guard lock(d.mutex);
    cfg = d.config;
  }
  const auto hostPort = snmp::parseHostPort(address, 161);
  if (!hostPort) return {std::nullopt, "'" + address + "' is not HOST[:PORT]"};
  const std::lock_guard probing(d.probeMutex);
  ProbeResult out;
  // Each configured credential set in turn, as a sweep would.
  std::vector<snmp::Credentials> tries;
  for (const auto& c : cfg->credentials) tries.push_back(c.credentials);
  if (tries.empty()) tries.emplace_back();
  snmp::NetSnmpClient client;
  pmd::DeviceReader reader(client, d.catalog);
  for (const auto& credentials : tries) {
    snmp::Target target;
    target.host = hostPort->first;
    target.port = hostPort->second;
    target.credentials = credentials;
    target.timeout = cfg->snmp.timeout;
    target.retries = cfg->snmp.retries;
    std::promise<pmd::ReadOutcome> done;
    auto answer = done.get_future();
    reader.read(target, [&done](pmd::ReadOutcome o) { done.set_value(std::move(o)); });
    auto outcome = answer.get();
    if (outcome.ok()) {
      outcome.reading.readAt = d.clock.now();
      outcome.reading.origin.address = target.toString();
      return {std::move(outcome.reading), ""};
    }
    out.error = outcome.message;
    if (outcome.error == pmd::ReadError::kNotAPrinter) break;
  }
  return out;
}

ApplyResult Daemon::applyConfig(std::shared_ptr<const config::ClientConfig> config) {
  Impl& d = *impl_;
  if (!config) return {false, "no configuration"};
  std::optional<envelope::Enrollment> enrollment;
  {
    const std::lock_guard lock(d.mutex);
    if (auto why = needsRestart(*d.config, *config); !why.empty()) {
      d.board.setConfigError(why);
      return {false, why};
    }
    d.config = config;
    enrollment = d.enrollment;
  }
  d.board.setConfigError("");
  util::setLogLevel(config->logLevel);
  d.collector.reconfigure(config, enrollment ? enrollment->clientId : 0);
  if (enrollment) d.sender.configure(config, *enrollment);
  return {true, ""};
}

ApplyResult Daemon::applyEnrollment(envelope::Enrollment enrollment) {
  Impl& d = *impl_;
  std::shared_ptr<const config::ClientConfig> config;
  {
    const std::lock_guard lock(d.mutex);
    try {
      // Batches sealed for the old client id cannot go as the new one.
      d.statsBox.bindClient(enrollment.clientId);
    } catch (const std::exception& e) {
      return {false, e.what()};
    }
    d.enrollment = enrollment;
    config = d.config;
  }
  d.board.setEnrollment(std::to_string(enrollment.clientId), serversOf(enrollment));
  util::logInfo(kLog) << "enrolled as client " << enrollment.clientId;
  d.collector.reconfigure(config, enrollment.clientId);
  d.sender.configure(config, std::move(enrollment));
  return {true, ""};
}

std::vector<LogEntry> Daemon::log(std::size_t max) const {
  return impl_->board.log(max);
}

}  // namespace openmps::client::daemon

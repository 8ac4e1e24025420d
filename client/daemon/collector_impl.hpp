#pragma once

// The collector's state, shared by its files (collector.cpp: the loops;
// collector_sweep.cpp: discovery; collector_reads.cpp: reads and commits).
// Everything but the result queue belongs to the collector's thread.
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <vector>

#include "client/daemon/collector.hpp"
#include "client/daemon/read_plan.hpp"
#include "client/discovery/known_device.hpp"
#include "client/discovery/sweep.hpp"
#include "client/outbox/sqlite_outbox.hpp"
#include "client/pmd/device_reader.hpp"
#include "client/scheduler/scheduler.hpp"
#include "client/snmp/net_snmp_client.hpp"

namespace openmps::client::daemon {

struct ReadResult {
  scheduler::Task task;
  pmd::ReadOutcome outcome;
  bool manual = false;  // readNow(): not the scheduler's task
};

struct Reconfiguration {
  std::shared_ptr<const config::ClientConfig> config;
  std::uint64_t clientId = 0;
};

// One sweep covers every configured network, one after another; each
// network's result comes back through the result queue and is handled on
// the collector's thread, like reads. Its printers are merged and
// scheduled at once, so they are read while later networks are swept.
struct SweepRun {
  util::Clock::WallTime startedAt;
  std::size_t network = 0;
  std::vector<discovery::FoundDevice> found;
};

struct Collector::Impl {
  Impl(std::shared_ptr<const config::ClientConfig> config, envelope::Enrollment enrollment,
       const openmps::pmd::Catalog& catalog, const util::Clock& clock, StopFlag& stop,
       StatusBoard* board);
  ~Impl();
  const config::ClientConfig& cfg() const { return *configHolder; }

  // collector.cpp
  std::vector<ReadResult> waitForResults(std::chrono::milliseconds wait);
  void startDueWork();
  // Manual reads and a new configuration handed over by other threads.
  void takeRequests();
  void applyReconfiguration(Reconfiguration change);
  void publishNext();

  // collector_sweep.cpp
  void startSweep();
  void startNetworkSweep();
  void handleSweepResult(discovery::SweepResult result);
  void finishSweep();
  void mergeFound(const std::vector<discovery::FoundDevice>& found, util::Clock::WallTime at);

  // collector_reads.cpp
  void startRead(scheduler::Task task, bool manual = false);
  // once: run --once (no scheduling afterwards). True when committed.
  void handleResult(const ReadResult& r, bool once);
  bool commit(const discovery::KnownDevice& device, const ReadDecision& decision);

  std::shared_ptr<const config::ClientConfig> configHolder;
  envelope::Enrollment enrollment;
  const openmps::pmd::Catalog& catalog;
  const util::Clock& clock;
  StopFlag& stop;
  StatusBoard* board;
  outbox::Database db;
  outbox::SqliteOutbox outbox;
  outbox::SqliteDeviceStore store;
  scheduler::Scheduler scheduler;
  std::map<std::uint64_t, discovery::KnownDevice> known;
  FailureCounter failures;
  std::optional<SweepRun> sweep;

  std::mutex resultsMutex;
  std::condition_variable resultsReady;
  std::deque<ReadResult> results;
  std::optional<discovery::SweepResult> sweepResult;
  std::vector<std::uint64_t> readRequests;
  std::optional<Reconfiguration> reconfiguration;

  std::unique_ptr<snmp::NetSnmpClient> snmp;
  std::unique_ptr<pmd::DeviceReader> reader;
};

}  // namespace openmps::client::daemon

#pragma once

#include <functional>
#include <memory>

#include "client/config/client_config.hpp"
#include "client/daemon/status_board.hpp"
#include "client/daemon/stop_flag.hpp"
#include "shared/envelope/enrollment.hpp"
#include "shared/pmd/catalog.hpp"
#include "shared/util/clock.hpp"

// The collector: discovery sweeps and device reads on schedule, every
// result judged (read_plan.hpp) and committed to the outbox on this one
// thread. Threads: the caller's (scheduling, every commit) and the SNMP
// client's I/O thread (sweeps and reads; results come back through a
// queue). Sending is the SendLoop's.
namespace openmps::client::daemon {

class Collector {
 public:
  // catalog, clock, stop and board must outlive the collector; board
  // (nullptr: none) is told of every device and read.
  Collector(std::shared_ptr<const config::ClientConfig> config, envelope::Enrollment enrollment,
            const openmps::pmd::Catalog& catalog, const util::Clock& clock, StopFlag& stop,
            StatusBoard* board = nullptr);
  ~Collector();
  Collector(const Collector&) = delete;
  Collector& operator=(const Collector&) = delete;

  // run --once: one sweep of every network, then one meter read of every
  // known device. False when stopped before the end.
  bool collectOnce();

  // Sweeps, meter reads and status polls on their intervals until stop is
  // set. committed() runs after readings were committed (it wakes the
  // sender).
  void run(const std::function<void()>& committed);

  // From any thread, taken by run() at its next turn: a meter read of a
  // known device now, outside its schedule.
  void readNow(std::uint64_t device);
  // From any thread: a new configuration and client id, taken by run()
  // when no sweep is running; new networks are swept at once.
  void reconfigure(std::shared_ptr<const config::ClientConfig> config, std::uint64_t clientId);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace openmps::client::daemon

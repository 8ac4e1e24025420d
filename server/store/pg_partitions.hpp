#pragma once

#include <chrono>
#include <functional>

#include "shared/util/clock.hpp"
#include "shared/util/periodic_task.hpp"
#include "shared/util/secret.hpp"

namespace openmps::server::store {

// The years whose partitions of the time-series tables must exist while the
// calendar is in `year`: last year (late readings) to two years ahead (a
// server left running is covered until someone next looks).
struct PartitionYears {
  int first = 0;
  int last = 0;
};
PartitionYears partitionYearsAround(int year);
int utcYear(std::chrono::system_clock::time_point t);

// Creates the partitions for partitionYearsAround(currentYear) that are
// missing, moving rows of those years out of the DEFAULT partitions.
void ensurePartitions(const util::Secret& databaseUri, int currentYear);

// Runs ensure(year of clock.now()) at start and then every `interval`, on a
// thread of its own (libpqxx blocks), so a server that is never migrated
// again still gets next year's partitions. Failures are logged and retried
// after `retry`.
class PartitionKeeper {
 public:
  PartitionKeeper(const util::Clock& clock, std::function<void(int year)> ensure,
                  std::chrono::minutes interval = std::chrono::hours{6},
                  std::chrono::minutes retry = std::chrono::minutes{10});

  void start() { task_.start(); }
  void stop() { task_.stop(); }

 private:
  util::PeriodicTask task_;
};

}  // namespace openmps::server::store

#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "server/ingest/batch_planner.hpp"
#include "shared/util/clock.hpp"
#include "shared/util/secret.hpp"

// What ingest's planner watches for, derived from the alert rules in force:
// every supply level any rule names, the strictest counter jump, the
// shortest silence. The planner then emits every event some rule may want,
// and the workers apply each device's own rules.
namespace openmps::server::alerts {

// Pure: from every stored settings layer (and the defaults).
ingest::PlannerOptions plannerOptionsFor(const std::vector<std::string>& layers, bool enabled);

// The options for the next batch, read from the database at most every
// `refresh` (thread-safe; one per server, shared by the ingest workers).
// With the engine switched off: detection off, nothing read.
class PlannerOptionsCache {
 public:
  PlannerOptionsCache(util::Secret databaseUri, bool enabled, const util::Clock& clock,
                      std::chrono::seconds refresh = std::chrono::seconds(10));
  ~PlannerOptionsCache();
  PlannerOptionsCache(const PlannerOptionsCache&) = delete;
  PlannerOptionsCache& operator=(const PlannerOptionsCache&) = delete;

  ingest::PlannerOptions current();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace openmps::server::alerts

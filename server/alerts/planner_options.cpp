#include "server/alerts/planner_options.hpp"

#include <algorithm>
#include <set>

#include <pqxx/pqxx>

#include "server/alerts/rules.hpp"
#include "shared/util/log.hpp"

namespace openmps::server::alerts {

ingest::PlannerOptions plannerOptionsFor(const std::vector<std::string>& layers, bool enabled) {
  ingest::PlannerOptions out;
  out.detectEvents = enabled;
  if (!enabled) return out;
  // Each layer alone over the defaults: whatever a device's chain of layers
  // says, its value is one of these.
  std::vector<RuleSet> sets{resolveRules({})};
  for (const auto& layer : layers) sets.push_back(resolveRules({layer}));
  std::set<int, std::greater<>> points;
  for (const auto& set : sets) {
    for (const auto family : kSupplyConditions) {
      const auto& rule = set.rule(family);
      for (const int p : {rule.low, rule.veryLow}) {
        if (p > 0 && p < 100) points.insert(p);
      }
    }
    out.jumpPagesPerMinute =
        std::min(out.jumpPagesPerMinute, set.rule("counter_jump").pagesPerMinute);
    out.backAfter = std::min(out.backAfter, set.rule("device_silent").warningAfter);
  }
  out.supplyPoints.assign(points.begin(), points.end());
  return out;
}

struct PlannerOptionsCache::Impl {
  Impl(util::Secret u, bool e, const util::Clock& c, std::chrono::seconds r)
      : uri(std::move(u)), enabled(e), clock(c), refresh(r) {}

  util::Secret uri;
  bool enabled;
  const util::Clock& clock;
  std::chrono::seconds refresh;
  std::mutex mutex;
  std::unique_ptr<pqxx::connection> conn;
  std::optional<util::Clock::MonoTime> loadedAt;
  ingest::PlannerOptions options = plannerOptionsFor({}, true);

  void load() {
    if (!conn) conn = std::make_unique<pqxx::connection>(uri.reveal());
    pqxx::read_transaction txn(*conn);
    std::vector<std::string> layers;
    for (const auto& row : txn.exec("SELECT settings::text FROM alert_settings")) {
      layers.push_back(row[0].as<std::string>());
    }
    options = plannerOptionsFor(layers, true);
  }
};

PlannerOptionsCache::PlannerOptionsCache(util::Secret databaseUri, bool enabled,
                                         const util::Clock& clock, std::chrono::seconds refresh)
    : impl_(std::make_unique<Impl>(std::move(databaseUri), enabled, clock, refresh)) {}

PlannerOptionsCache::~PlannerOptionsCache() = default;

ingest::PlannerOptions PlannerOptionsCache::current() {
  if (!impl_->enabled) return plannerOptionsFor({}, false);
  std::lock_guard lock(impl_->mutex);
  const auto now = impl_->clock.monotonic();
  if (!impl_->loadedAt || now - *impl_->loadedAt >= impl_->refresh) {
    try {
      impl_->load();
    } catch (const std::exception& e) {
      // Ingest goes on with the last options; the next batch tries again.
      impl_->conn.reset();
      util::logWarning("alerts") << "alert settings for ingest not read: " << e.what();
    }
    impl_->loadedAt = now;
  }
  return impl_->options;
}

}  // namespace openmps::server::alerts

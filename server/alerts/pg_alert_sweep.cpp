#include "server/alerts/pg_alert_sweep.hpp"

#include <algorithm>
#include <map>
#include <set>

#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "server/alerts/lifecycle.hpp"
#include "server/alerts/pg_alert_store.hpp"
#include "server/events/conditions.hpp"
#include "server/forecast/supply_forecast.hpp"
#include "server/meters/calendar.hpp"
#include "server/store/latest_json.hpp"
#include "server/store/supply_sql.hpp"
#include "shared/util/log.hpp"
#include "shared/util/time_format.hpp"

namespace openmps::server::alerts {
namespace {

using nlohmann::json;
using std::chrono::seconds;

constexpr std::string_view kLog = "alerts";
constexpr int kBatchLimit = 5000;
// Supplies at or below this level are worth a forecast.
constexpr int kForecastBelowPercent = 40;
constexpr auto kForecastHistory = std::chrono::hours(24 * 120);

// The statements of this adapter, by name.
constexpr const char* kClaimSql =
    "SELECT name FROM alert_sweeps WHERE name = $1 AND next_run_at <= $2::timestamptz "
    "FOR UPDATE SKIP LOCKED";
constexpr const char* kClaimAnySql = "SELECT name FROM alert_sweeps WHERE name = $1 FOR UPDATE";
constexpr const char* kRanSql =
    "UPDATE alert_sweeps SET next_run_at = $2::timestamptz, last_run_at = $3::timestamptz, "
    "last_result = $4 WHERE name = $1";
constexpr const char* kLayersSql = "SELECT settings::text FROM alert_settings";
constexpr const char* kSilentDevicesSql =
    "SELECT d.id, d.customer_id, d.collector_id, (extract(epoch FROM l.last_seen_at) * "
    "1000)::bigint, "
    "(extract(epoch FROM c.last_read_at) * 1000)::bigint FROM device_latest l JOIN devices d ON "
    "d.id = l.device_id JOIN collectors c ON c.id = d.collector_id WHERE c.revoked_at IS NULL AND "
    "(c.last_read_at - l.last_seen_at >= make_interval(secs => $1) OR d.id IN (SELECT device_id "
    "FROM alerts WHERE state = 'open' AND condition = 'device_silent'))";
constexpr const char* kSilentCollectorsSql =
    "SELECT c.id, c.customer_id, (extract(epoch FROM c.last_seen_at) * 1000)::bigint, "
    "(SELECT percentile_cont(0.9) WITHIN GROUP (ORDER BY g) FROM (SELECT extract(epoch FROM "
    "received_at - lag(received_at) OVER (ORDER BY batch_seq)) AS g FROM (SELECT received_at, "
    "batch_seq FROM ingest_batches b WHERE b.collector_id = c.id ORDER BY batch_seq DESC LIMIT 50) "
    "x) y WHERE g IS NOT NULL) FROM collectors c WHERE c.revoked_at IS NULL AND c.last_seen_at IS "
    "NOT NULL AND (c.last_seen_at < $1::timestamptz - make_interval(secs => $2) OR c.id IN (SELECT "
    "collector_id FROM alerts WHERE state = 'open' AND condition = 'collector_silent' AND "
    "device_id IS NULL))";
constexpr const char* kCustomersSql =
    "SELECT id, time_zone, billing_day FROM organisations WHERE kind = 'customer' ORDER BY id";
constexpr const char* kStaleMetersSql =
    "SELECT d.id, coalesce(d.collector_id, 0), (extract(epoch FROM coalesce(l.counters_at, "
    "d.first_seen_at)) * 1000)::bigint, l.counters_at IS NULL FROM devices d LEFT JOIN "
    "device_latest l ON l.device_id = d.id WHERE d.customer_id = $1 AND (l.counters_at IS NULL OR "
    "l.counters_at < $2::timestamptz)";
std::string lowSuppliesSql() {
  // The supply's description names it in the alert ("Black Toner runs out ..."); an open
  // alert's supply is looked up the same way, so both halves give the same row.
  return "SELECT l.device_id, d.customer_id, coalesce(d.collector_id, 0), (s->>'index')::int, "
         "o.order_lead_days, o.time_zone, coalesce(s->>'description', '') FROM device_latest l "
         "JOIN devices d ON d.id = l.device_id "
         "JOIN organisations o ON o.id = d.customer_id CROSS JOIN LATERAL "
         "json_array_elements(l.supplies) "
         "s WHERE (s->>'level_percent') IS NOT NULL AND (s->>'level_percent')::int <= $1 AND " +
         std::string(store::kOrderableSupplySql) +
         " UNION SELECT a.device_id, a.customer_id, coalesce(a.collector_id, 0), a.subject::int, "
         "o.order_lead_days, o.time_zone, coalesce((SELECT e->>'description' FROM device_latest "
         "l2 CROSS JOIN LATERAL json_array_elements(l2.supplies) e WHERE l2.device_id = "
         "a.device_id AND e->>'index' = a.subject LIMIT 1), '') FROM alerts a JOIN organisations "
         "o ON o.id = "
         "a.customer_id "
         "WHERE a.state = 'open' AND a.condition = 'runs_out' ORDER BY 1, 4";
}
constexpr const char* kHistorySql =
    "SELECT supply_index, (extract(epoch FROM read_at) * 1000)::bigint, level, max, level_percent "
    "FROM supply_levels WHERE device_id = $1 AND supply_index = ANY($2::integer[]) AND "
    "read_at >= $3::timestamptz ORDER BY supply_index, read_at";
constexpr const char* kRemindersPossibleSql =
    "SELECT EXISTS (SELECT 1 FROM alert_settings WHERE settings::text LIKE '%\"repeat\"%' OR "
    "settings::text LIKE '%\"escalate_after\"%')";

TimePoint fromMillis(const pqxx::field& f) {
  return TimePoint(std::chrono::milliseconds(f.as<std::int64_t>()));
}

std::string dump(const json& j) {
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

// Whether the latest reading still shows what a pending alert is about.
bool stillShown(const PgAlertTxn::Pending& p, const RuleSet& rules) {
  const Alert& a = p.alert;
  if (isSupplyCondition(a.condition)) {
    for (const auto& s : store::suppliesFromLatest(p.supplies)) {
      if (std::to_string(s.index) == a.subject) {
        return !supplyStage(rules.rule(a.condition), s.levelPercent, model::toString(s.state))
                    .empty();
      }
    }
    return false;
  }
  const auto shown = events::statusConditions(store::statusFromLatest(p.status));
  return std::any_of(shown.begin(), shown.end(), [&](const events::StatusCondition& c) {
    return c.condition == a.condition && c.subject == a.subject;
  });
}

// The smallest value any single layer (or the defaults) gives a setting:
// no device's rules can go below it.
template <typename F>
auto minimumOver(const std::vector<std::string>& layers, F get) {
  auto best = get(resolveRules({}));
  for (const auto& layer : layers) best = std::min(best, get(resolveRules({layer})));
  return best;
}

// A supply low enough to forecast, or with a runs_out alert open.
struct ForecastSupply {
  int index = 0;
  AlertOwner owner;
  int leadDays = 0;
  std::string timeZone;
  std::string description;
};

class Sweeper {
 public:
  Sweeper(pqxx::work& txn, TimePoint now) : txn_(txn), alerts_(txn), now_(now) {
    for (const auto& row : txn.exec(kLayersSql)) layers_.push_back(row[0].as<std::string>());
  }

  int changed() const { return changed_; }

  void act(std::optional<Change> change, const AlertOwner& owner) {
    if (!change || !alerts_.apply(*change, owner, now_)) return;
    alerts_.announce(*change, owner, now_);
    ++changed_;
  }

  std::string timers() {
    int promoted = 0;
    for (auto& p : alerts_.pendingDue(now_, kBatchLimit)) {
      const RuleSet& rules = alerts_.rules(p.owner.customerId, p.owner.deviceId);
      auto change = promote(p.alert, stillShown(p, rules), p.latestAt, now_);
      if (change && change->kind == Change::Kind::kOpen) ++promoted;
      act(std::move(change), p.owner);
    }
    int reminded = 0;
    if (txn_.exec(kRemindersPossibleSql)[0][0].as<bool>()) {
      for (const auto& [alert, owner] : alerts_.unacknowledged(kBatchLimit)) {
        if (!isKnownCondition(alert.condition)) continue;
        const auto& rule = alerts_.rules(owner.customerId, owner.deviceId).rule(alert.condition);
        auto change = remind(alert, rule, now_);
        if (change) ++reminded;
        act(std::move(change), owner);
      }
    }
    const int digests = alerts_.releaseHolds(now_);
    return std::to_string(promoted) + " promoted, " + std::to_string(reminded) + " reminded, " +
           std::to_string(digests) + " digests";
  }

  std::string silence() {
    const auto minWarning =
        minimumOver(layers_, [](const RuleSet& r) { return r.rule("device_silent").warningAfter; });
    int devices = 0;
    for (const auto& row : txn_.exec_params(kSilentDevicesSql, minWarning.count())) {
      const AlertOwner owner{row[1].as<std::int64_t>(), row[0].as<std::int64_t>(),
                             row[2].as<std::int64_t>()};
      const TimePoint lastSeen = fromMillis(row[3]);
      const TimePoint collectorLast = fromMillis(row[4]);
      const auto& rule = alerts_.rules(owner.customerId, owner.deviceId).rule("device_silent");
      const auto gap = std::chrono::duration_cast<seconds>(collectorLast - lastSeen);
      const std::string stage = silenceStage(rule, gap);
      const json detail{{"last_seen", util::formatRfc3339(lastSeen)},
                        {"collector_last_read", util::formatRfc3339(collectorLast)},
                        {"hours", std::chrono::duration_cast<std::chrono::hours>(gap).count()}};
      act(watch("device_silent", "", stage,
                stage == "critical" ? Severity::kCritical : Severity::kWarning, lastSeen,
                dump(detail), alerts_.activeOf(owner, "device_silent", ""), now_),
          owner);
      devices += stage.empty() ? 0 : 1;
    }
    const auto minSlack =
        minimumOver(layers_, [](const RuleSet& r) { return r.rule("collector_silent").slack; });
    int collectors = 0;
    for (const auto& row :
         txn_.exec_params(kSilentCollectorsSql, util::formatRfc3339(now_), minSlack.count())) {
      const AlertOwner owner{row[1].as<std::int64_t>(), 0, row[0].as<std::int64_t>()};
      const TimePoint lastSeen = fromMillis(row[2]);
      std::optional<seconds> learnt;
      if (!row[3].is_null()) learnt = seconds(static_cast<std::int64_t>(row[3].as<double>()));
      const auto& rule = alerts_.rules(owner.customerId, 0).rule("collector_silent");
      const auto limit = collectorSilenceLimit(rule, learnt);
      const bool silent = rule.enabled && now_ - lastSeen >= limit;
      const json detail{{"last_seen", util::formatRfc3339(lastSeen)},
                        {"limit_minutes", limit.count() / 60}};
      act(watch("collector_silent", "", silent ? "silent" : "", rule.severity, lastSeen,
                dump(detail), alerts_.activeOf(owner, "collector_silent", ""), now_),
          owner);
      collectors += silent ? 1 : 0;
    }
    return std::to_string(devices) + " devices and " + std::to_string(collectors) +
           " collectors silent";
  }

  std::string meters() {
    int missing = 0;
    for (const auto& row : txn_.exec(kCustomersSql)) {
      missing +=
          customerMeters(row[0].as<std::int64_t>(), row[1].as<std::string>(), row[2].as<int>());
    }
    return std::to_string(missing) + " meter readings missing";
  }

  std::string forecasts() {
    std::map<std::int64_t, std::vector<ForecastSupply>> byDevice;
    for (const auto& row : txn_.exec_params(lowSuppliesSql(), kForecastBelowPercent)) {
      const AlertOwner owner{row[1].as<std::int64_t>(), row[0].as<std::int64_t>(),
                             row[2].as<std::int64_t>()};
      byDevice[owner.deviceId].push_back({row[3].as<int>(), owner, row[4].as<int>(),
                                          row[5].as<std::string>(), row[6].as<std::string>()});
    }
    int due = 0;
    for (const auto& [device, supplies] : byDevice) due += deviceForecasts(device, supplies);
    return std::to_string(due) + " supplies run out before delivery";
  }

 private:
  int customerMeters(std::int64_t customerId, const std::string& timeZone, int billingDay) {
    const auto& rule = alerts_.rules(customerId, 0).rule("meter_missing");
    std::optional<meters::LocalDate> billing;
    try {
      const auto today = meters::localDate(timeZone, now_);
      auto day = std::min<unsigned>(static_cast<unsigned>(billingDay),
                                    meters::daysInMonth(today.year, today.month));
      meters::LocalDate candidate{today.year, today.month, day};
      if (candidate <= today) {
        const auto next = meters::addMonths({today.year, today.month, 1}, 1);
        day = std::min<unsigned>(static_cast<unsigned>(billingDay),
                                 meters::daysInMonth(next.year, next.month));
        candidate = {next.year, next.month, day};
      }
      if (rule.enabled && meters::addDays(candidate, -rule.daysBefore) <= today) {
        billing = candidate;
      }
    } catch (const meters::CalendarError& e) {
      util::logWarning(kLog) << "customer " << customerId << ": " << e.what();
    }
    const std::string subject = billing ? meters::formatDate(*billing) : "";
    std::set<std::int64_t> stale;
    int missing = 0;
    if (billing) {
      for (const auto& row :
           txn_.exec_params(kStaleMetersSql, customerId, util::formatRfc3339(now_ - rule.maxAge))) {
        const AlertOwner owner{customerId, row[0].as<std::int64_t>(), row[1].as<std::int64_t>()};
        if (!alerts_.rules(customerId, owner.deviceId).rule("meter_missing").enabled) continue;
        stale.insert(owner.deviceId);
        const json detail{
            {"date", subject},
            {"last_reading",
             row[3].as<bool>() ? json() : json(util::formatRfc3339(fromMillis(row[2])))}};
        act(watch("meter_missing", subject, "missing", rule.severity, fromMillis(row[2]),
                  dump(detail), alerts_.activeOf(owner, "meter_missing", subject), now_),
            owner);
        ++missing;
      }
    }
    // Readings came, or the billing day passed: over.
    for (const auto& [alert, owner] : alerts_.openOf("meter_missing", customerId)) {
      if (alert.subject != subject || !stale.contains(owner.deviceId)) {
        act(watch("meter_missing", alert.subject, "", alert.severity, alert.since, alert.detail,
                  alert, now_),
            owner);
      }
    }
    return missing;
  }

  int deviceForecasts(std::int64_t device, const std::vector<ForecastSupply>& supplies) {
    std::string indexes = "{";
    for (const auto& s : supplies) {
      indexes += (indexes.size() > 1 ? "," : "") + std::to_string(s.index);
    }
    std::map<int, std::vector<forecast::LevelSample>> history;
    for (const auto& row : txn_.exec_params(kHistorySql, device, indexes + "}",
                                            util::formatRfc3339(now_ - kForecastHistory))) {
      forecast::LevelSample s;
      s.at = fromMillis(row[1]);
      s.level = row[2].as<std::int64_t>();
      s.max = row[3].as<std::int64_t>();
      if (!row[4].is_null()) s.percent = row[4].as<int>();
      history[row[0].as<int>()].push_back(s);
    }
    int due = 0;
    for (const auto& [index, owner, leadDays, timeZone, description] : supplies) {
      const auto& rule = alerts_.rules(owner.customerId, device).rule(kForecastCondition);
      const auto f = forecast::forecastSupply(history[index], now_);
      const bool runsOut = rule.enabled && f.state == forecast::ForecastState::kForecast &&
                           f.emptyAt && forecast::orderBy(*f.emptyAt, leadDays) <= now_;
      json detail{{"index", index}, {"lead_days", leadDays}};
      if (!description.empty()) detail["description"] = description;
      if (f.emptyAt) {
        detail["date"] = meters::formatDate(meters::localDate(timeZone, *f.emptyAt));
        detail["days_left"] = f.daysLeft ? json(static_cast<int>(*f.daysLeft)) : json();
      }
      if (f.percentNow) detail["after"] = *f.percentNow;
      act(watch(kForecastCondition, std::to_string(index), runsOut ? "due" : "", rule.severity,
                now_, dump(detail),
                alerts_.activeOf(owner, kForecastCondition, std::to_string(index)), now_),
          owner);
      due += runsOut ? 1 : 0;
    }
    return due;
  }

  pqxx::work& txn_;
  PgAlertTxn alerts_;
  TimePoint now_;
  std::vector<std::string> layers_;
  int changed_ = 0;
};

}  // namespace

struct PgAlertSweep::Impl {
  Impl(const util::Secret& uri, const EngineSettings& s) : conn(uri.reveal()), settings(s) {}
  pqxx::connection conn;
  EngineSettings settings;

  seconds interval(const std::string& part) const {
    if (part == "timers") return settings.timersInterval;
    if (part == "silence") return settings.silenceInterval;
    if (part == "meters") return settings.metersInterval;
    return settings.forecastInterval;
  }

  std::optional<std::string> runPart(const std::string& part, TimePoint now, bool force) {
    pqxx::work txn(conn);
    const auto claimed = force ? txn.exec_params(kClaimAnySql, part)
                               : txn.exec_params(kClaimSql, part, util::formatRfc3339(now));
    if (claimed.empty()) return std::nullopt;  // not due, or another server runs it
    Sweeper sweeper(txn, now);
    std::string result;
    if (part == "timers") {
      result = sweeper.timers();
    } else if (part == "silence") {
      result = sweeper.silence();
    } else if (part == "meters") {
      result = sweeper.meters();
    } else {
      result = sweeper.forecasts();
    }
    txn.exec_params(kRanSql, part, util::formatRfc3339(now + interval(part)),
                    util::formatRfc3339(now), result);
    txn.commit();
    if (sweeper.changed() > 0) {
      util::logInfo(kLog) << "sweep " << part << ": " << result;
    } else {
      util::logDebug(kLog) << "sweep " << part << ": " << result;
    }
    return result;
  }
};

PgAlertSweep::PgAlertSweep(const util::Secret& databaseUri, const EngineSettings& settings)
    : impl_(std::make_unique<Impl>(databaseUri, settings)) {}

PgAlertSweep::~PgAlertSweep() = default;

int PgAlertSweep::runDue(std::chrono::system_clock::time_point now) {
  int ran = 0;
  for (const char* part : {"timers", "silence", "meters", "forecast"}) {
    if (impl_->runPart(part, now, false)) ++ran;
  }
  return ran;
}

std::string PgAlertSweep::run(const std::string& part, std::chrono::system_clock::time_point now) {
  if (part != "timers" && part != "silence" && part != "meters" && part != "forecast") {
    throw std::invalid_argument("unknown sweep '" + part + "' (timers, silence, meters, forecast)");
  }
  return impl_->runPart(part, now, true).value_or("");
}

}  // namespace openmps::server::alerts

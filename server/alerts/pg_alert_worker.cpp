#include "server/alerts/pg_alert_worker.hpp"

#include <algorithm>

#include <pqxx/pqxx>

#include "server/alerts/lifecycle.hpp"
#include "server/alerts/pg_alert_store.hpp"
#include "shared/util/log.hpp"

namespace openmps::server::alerts {
namespace {

constexpr std::string_view kLog = "alerts";

// The statements of this adapter, by name.
constexpr const char* kQueuedDevices = "alerts_queued_devices";
// The queue is short and devices many: each customer is looked up by its
// device's key (a join let the planner hash every device, each round).
constexpr const char* kQueuedDevicesSql =
    "SELECT q.device_id, (SELECT d.customer_id FROM devices d WHERE d.id = q.device_id) "
    "FROM (SELECT device_id, min(event_id) AS first FROM event_queue GROUP BY device_id "
    "ORDER BY first LIMIT $1) q ORDER BY q.first";
constexpr const char* kLockDevice = "alerts_lock_device";
// Transaction-scoped: released at commit or rollback, also by a crash.
constexpr const char* kLockDeviceSql =
    "SELECT pg_try_advisory_xact_lock(1095521351, ($1 % 2147483647)::integer)";
constexpr const char* kDeviceEvents = "alerts_device_events";
constexpr const char* kDeviceEventsSql =
    "SELECT q.event_id, (extract(epoch FROM e.at) * 1000)::bigint, e.kind, e.detail::text, "
    "d.customer_id, coalesce(d.collector_id, 0) FROM event_queue q JOIN device_events e ON "
    "e.id = q.event_id JOIN devices d ON d.id = q.device_id WHERE q.device_id = $1 "
    "ORDER BY e.at, q.event_id";
constexpr const char* kDequeue = "alerts_dequeue";
constexpr const char* kDequeueSql = "DELETE FROM event_queue WHERE event_id = ANY($1::bigint[])";

class Wakeup final : public pqxx::notification_receiver {
 public:
  Wakeup(pqxx::connection_base& conn, bool& woken)
      : pqxx::notification_receiver(conn, "openmps_events"), woken_(woken) {}
  void operator()(const std::string& /*payload*/, int /*backendPid*/) override { woken_ = true; }

 private:
  bool& woken_;
};

// The device's active alerts after a change was written.
void track(std::vector<Alert>& active, const Change& c) {
  const auto same = [&](const Alert& a) { return a.id == c.alert.id; };
  switch (c.kind) {
    case Change::Kind::kCreate: active.push_back(c.alert); return;
    case Change::Kind::kClear:
    case Change::Kind::kCancel:
      active.erase(std::remove_if(active.begin(), active.end(), same), active.end());
      return;
    default: std::replace_if(active.begin(), active.end(), same, c.alert);
  }
}

}  // namespace

struct PgAlertWorker::Impl {
  explicit Impl(const util::Secret& uri) : conn(uri.reveal()) {
    conn.prepare(kQueuedDevices, kQueuedDevicesSql);
    conn.prepare(kLockDevice, kLockDeviceSql);
    conn.prepare(kDeviceEvents, kDeviceEventsSql);
    conn.prepare(kDequeue, kDequeueSql);
  }

  pqxx::connection conn;
  bool woken = false;
  Wakeup wakeup{conn, woken};

  // One device's queued events, in a savepoint of their own: an event the
  // rules cannot digest is logged and dropped, not retried for ever.
  int device(pqxx::work& txn, std::int64_t deviceId, std::chrono::system_clock::time_point now) {
    if (!txn.exec_prepared(kLockDevice, deviceId)[0][0].as<bool>()) return 0;
    const auto rows = txn.exec_prepared(kDeviceEvents, deviceId);
    if (rows.empty()) return 0;  // another worker took them a moment ago
    std::string done = "{";
    for (const auto& row : rows) done += (done.size() > 1 ? "," : "") + row[0].as<std::string>();
    done += "}";
    // A savepoint by hand: libpqxx 6's subtransaction does not recover
    // from a failed parameterised statement.
    txn.exec("SAVEPOINT alert_device");
    try {
      PgAlertTxn alerts(txn);
      decide(alerts, rows, deviceId, now);
      txn.exec("RELEASE SAVEPOINT alert_device");
    } catch (const pqxx::broken_connection&) {
      throw;
    } catch (const std::exception& e) {
      txn.exec("ROLLBACK TO SAVEPOINT alert_device");
      util::logError(kLog) << "events " << done << " of device " << deviceId
                           << " dropped: " << e.what();
    }
    txn.exec_prepared(kDequeue, done);
    return static_cast<int>(rows.size());
  }

  static void decide(PgAlertTxn& alerts, const pqxx::result& rows, std::int64_t deviceId,
                     std::chrono::system_clock::time_point now) {
    AlertOwner owner{rows[0][4].as<std::int64_t>(), deviceId, rows[0][5].as<std::int64_t>()};
    const RuleSet& rules = alerts.rules(owner.customerId, deviceId);
    std::vector<Alert> active = alerts.activeOfDevice(deviceId);
    for (const auto& row : rows) {
      const events::Event e{deviceId,
                            TimePoint(std::chrono::milliseconds(row[1].as<std::int64_t>())),
                            row[2].as<std::string>(), row[3].as<std::string>()};
      for (Change& change : onEvent(e, rules, active)) {
        if (alerts.apply(change, owner, now)) {
          alerts.announce(change, owner, now);
          track(active, change);
        } else {
          active = alerts.activeOfDevice(deviceId);  // another server's change came first
        }
      }
    }
  }
};

PgAlertWorker::PgAlertWorker(const util::Secret& databaseUri)
    : impl_(std::make_unique<Impl>(databaseUri)) {}

PgAlertWorker::~PgAlertWorker() = default;

PgAlertWorker::Round PgAlertWorker::processRound(std::chrono::system_clock::time_point now,
                                                 int maxDevices) {
  pqxx::work txn(impl_->conn);
  // The oldest queued first, taken in (customer, device) order, so two
  // workers that meet on a customer's storm lock meet in the same order.
  std::vector<std::pair<std::int64_t, std::int64_t>> devices;
  const auto queued = txn.exec_prepared(kQueuedDevices, maxDevices);
  for (const auto& row : queued) {
    if (row[1].is_null()) continue;  // events keep their device: cannot happen
    devices.emplace_back(row[1].as<std::int64_t>(), row[0].as<std::int64_t>());
  }
  std::sort(devices.begin(), devices.end());
  Round round;
  round.full = static_cast<int>(queued.size()) >= maxDevices;
  for (const auto& [customer, device] : devices) round.events += impl_->device(txn, device, now);
  txn.commit();
  if (round.events > 0) util::logDebug(kLog) << "acted on " << round.events << " events";
  return round;
}

bool PgAlertWorker::waitForEvents(std::chrono::milliseconds timeout) {
  impl_->woken = false;
  const auto us = std::chrono::duration_cast<std::chrono::microseconds>(timeout).count();
  impl_->conn.await_notification(us / 1'000'000, us % 1'000'000);
  return impl_->woken;
}

}  // namespace openmps::server::alerts

#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "server/alerts/dispatch.hpp"
#include "server/alerts/lifecycle.hpp"
#include "server/alerts/rules.hpp"

namespace pqxx {
class transaction_base;
}

// What the alert workers and the sweep do inside their transactions: read
// a device's rules and active alerts, write the changes the pure decisions
// (lifecycle.hpp) made, and hand each change's news to the subscriptions
// (dispatch.hpp) through the outbox, all in the caller's transaction. The
// server's background work runs as the database owner.
namespace openmps::server::alerts {

// Where an alert belongs.
struct AlertOwner {
  std::int64_t customerId = 0;
  std::int64_t deviceId = 0;     // 0: a collector's alert
  std::int64_t collectorId = 0;  // the collector of a device, or the silent one
};

// An organisation the engine needs: its path (root first), time zone,
// language.
struct OrganisationInfo {
  std::int64_t id = 0;
  std::vector<std::int64_t> path;
  std::string timeZone = "UTC";
  std::string locale = "en";
};

class PgAlertTxn {
 public:
  explicit PgAlertTxn(pqxx::transaction_base& txn);
  ~PgAlertTxn();
  PgAlertTxn(const PgAlertTxn&) = delete;
  PgAlertTxn& operator=(const PgAlertTxn&) = delete;

  pqxx::transaction_base& txn() { return txn_; }

  const OrganisationInfo& organisation(std::int64_t id);
  // The rules of a device (deviceId 0: of the customer), cached for this
  // transaction. Problems with stored layers are logged.
  const RuleSet& rules(std::int64_t customerId, std::int64_t deviceId);
  // Every stored layer that applies, in order (the `alert rules` view).
  std::vector<std::string> layers(std::int64_t customerId, std::int64_t deviceId);

  std::vector<Alert> activeOfDevice(std::int64_t deviceId);
  std::optional<Alert> activeOf(const AlertOwner& owner, std::string_view condition,
                                std::string_view subject);

  // Writes a change; false when the database said no (another server
  // created or changed that alert first), and nothing follows from it.
  // A created alert gets its id in change.alert.id; one created open is
  // raised `now` (the server's clock: repeats and the storm guard count
  // from it).
  bool apply(Change& change, const AlertOwner& owner, TimePoint now);

  // The news of a change to everyone subscribed (or held for quiet hours
  // or a storm), as outbox rows in this transaction.
  void announce(const Change& change, const AlertOwner& owner, TimePoint now);

  // Digests of held messages due by `now`.
  int releaseHolds(TimePoint now);

  AlertContext context(std::int64_t alertId);

  // The sweep's views. Pending alerts whose hold-down is over by `now` or
  // by the device's latest reading, with that reading's status and supplies
  // (device_latest's JSON).
  struct Pending {
    Alert alert;
    AlertOwner owner;
    std::string status;
    std::string supplies;
    std::optional<TimePoint> latestAt;
  };
  std::vector<Pending> pendingDue(TimePoint now, int limit);
  // Open alerts nobody acknowledged, the longest unannounced first.
  std::vector<std::pair<Alert, AlertOwner>> unacknowledged(int limit);
  // Open alerts of a condition (of one customer when customerId != 0).
  std::vector<std::pair<Alert, AlertOwner>> openOf(std::string_view condition,
                                                   std::int64_t customerId = 0);

 private:
  struct Cache;
  pqxx::transaction_base& txn_;
  std::unique_ptr<Cache> cache_;
};

}  // namespace openmps::server::alerts

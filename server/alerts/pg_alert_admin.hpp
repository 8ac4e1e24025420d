#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "server/alerts/dispatch.hpp"
#include "server/auth/audit.hpp"

namespace pqxx {
class transaction_base;
}

// What people do with alerts, for the command line and the REST API alike:
// list them, acknowledge them, read and change the rules, manage
// subscriptions. Each runs in the caller's transaction: as the owner for the
// CLI, as the API's role (row-level security) for a request. Every change
// writes its audit entry in the same transaction.
namespace openmps::server::alerts {

// A request that cannot be done as asked; the message names what.
class AlertAdminError : public std::runtime_error {
 public:
  enum class Kind { kNotFound, kInvalid, kConflict };
  AlertAdminError(Kind kind, const std::string& message)
      : std::runtime_error(message), kind_(kind) {}
  Kind kind() const { return kind_; }

 private:
  Kind kind_;
};

struct AlertRow {
  AlertContext context;
  std::string title;  // in the reader's language
  std::optional<TimePoint> clearedAt;
  std::string acknowledgedBy;
  std::string note;
  int events = 1;
};

struct AlertFilter {
  std::optional<std::int64_t> organisationId;  // a dealer's or customer's subtree
  std::optional<std::int64_t> deviceId;
  std::string state = "active";  // active (pending or open), open, pending, cleared, all
  std::string condition;         // empty: all
  std::string severity;          // info, warning, critical; empty: all
  int limit = 100;
  std::int64_t before = 0;  // cursor: alerts with a smaller id (0: the newest)
  std::string locale = "en";
};

std::vector<AlertRow> listAlerts(pqxx::transaction_base& txn, const AlertFilter& filter);
std::optional<AlertRow> findAlert(pqxx::transaction_base& txn, std::int64_t id,
                                  const std::string& locale);

// Acknowledged with a note (the audit log says who and why): no more
// repeats or escalation; a condition without an end of its own (data
// quality) is closed by it. AlertAdminError when unknown or not open.
AlertRow acknowledge(pqxx::transaction_base& txn, std::int64_t id, const std::string& note,
                     const auth::AuditActor& actor, const std::string& locale);

// Where rules are set: an organisation (root, dealer, customer) or a device.
struct RulesScope {
  std::string scope = "organisation";  // organisation or device
  std::int64_t id = 0;
};

struct RulesView {
  std::string layer;      // what this scope sets (JSON)
  std::string effective;  // the defaults and every layer down to it, merged (JSON)
};

RulesView rulesOf(pqxx::transaction_base& txn, const RulesScope& scope);
// `sets`: key=value pairs; `unsets`: keys. Validated as a whole; audited.
RulesView changeRules(pqxx::transaction_base& txn, const RulesScope& scope,
                      const std::vector<std::pair<std::string, std::string>>& sets,
                      const std::vector<std::string>& unsets, const auth::AuditActor& actor);
// Replaces the scope's layer with a whole document (the API's PUT).
RulesView replaceRules(pqxx::transaction_base& txn, const RulesScope& scope,
                       const std::string& layer, const auth::AuditActor& actor);

struct SubscriptionRow {
  Subscription subscription;
  std::string organisation;
  std::string userName;
  TimePoint createdAt;
};

// A new subscription (webhook secrets already sealed). Audited.
SubscriptionRow addSubscription(pqxx::transaction_base& txn, const Subscription& s,
                                const auth::AuditActor& actor);
std::vector<SubscriptionRow> listSubscriptions(pqxx::transaction_base& txn,
                                               std::optional<std::int64_t> organisationId);
std::optional<SubscriptionRow> findSubscription(pqxx::transaction_base& txn, std::int64_t id);
void removeSubscription(pqxx::transaction_base& txn, std::int64_t id,
                        const auth::AuditActor& actor);
// Replaces who an e-mail subscription reaches, its language, least severity,
// conditions and whether clears are sent; its organisation, channel, URL
// and secret stay. `change` is the subscription as it should be (the
// caller lays the request over findSubscription's). Checked, audited.
SubscriptionRow changeSubscription(pqxx::transaction_base& txn, const Subscription& change,
                                   const auth::AuditActor& actor);

// A test message to everyone the subscription reaches (its webhook, or
// its first address), in their language, written into the outbox: the
// delivery workers send it. Returns the notification's id.
std::int64_t queueTestNotification(pqxx::transaction_base& txn, std::int64_t subscriptionId,
                                   TimePoint now);

// JSON forms shared by `alert ... --json` and the API.
std::string alertRowJson(const AlertRow& row);
std::string subscriptionJson(const SubscriptionRow& row);

}  // namespace openmps::server::alerts

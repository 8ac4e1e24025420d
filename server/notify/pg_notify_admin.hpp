#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "server/auth/audit.hpp"
#include "server/notify/notification.hpp"
#include "shared/util/secret.hpp"

namespace pqxx {
class transaction_base;
}

// The outbox as people see it: listed and a dead notification queued again,
// for the command line (notify list|retry, as the owner) and the REST API
// (listNotifications, retryNotification, as the API's role: row-level
// security limits both to the caller's subtree) through the same functions.
// PgNotifyAdmin: alert test-notify's own connection, as the owner.
namespace openmps::server::notify {

struct OutboxEntry {
  std::int64_t id = 0;
  std::string messageId;
  std::int64_t organisationId = 0;
  std::string organisation;
  std::string kind;
  std::string channel;
  std::string recipient;
  std::string locale;
  std::string subject;
  std::string state;  // queued, sent, dead
  int attempts = 0;
  std::string lastError;
  std::string createdAt;      // RFC 3339 UTC
  std::string nextAttemptAt;  // queued only
  std::string sentAt;         // sent only
};

// What to list; every member empty or absent: everything visible.
struct OutboxFilter {
  std::string state;                           // queued, sent, dead
  std::string kind;                            // alert.raised, report, test, ...
  std::string channel;                         // email, webhook
  std::optional<std::int64_t> organisationId;  // that organisation and everything below it
  int limit = 50;
  std::int64_t before = 0;  // cursor: notifications with a smaller id (0: the newest)
};

// Whether `state` is one the outbox has (queued, sent, dead).
bool isOutboxState(const std::string& state);

// Newest first, at most filter.limit.
std::vector<OutboxEntry> listOutbox(pqxx::transaction_base& txn, const OutboxFilter& filter);
std::optional<OutboxEntry> findOutboxEntry(pqxx::transaction_base& txn, std::int64_t id);

enum class RetryOutcome { kQueued, kNotFound, kNotDead };
// A dead notification queued again with fresh attempts and the delivery
// workers woken; the audit entry (notification.retry) is written in the
// same transaction. kNotFound: no such notification visible to txn.
RetryOutcome retryDead(pqxx::transaction_base& txn, std::int64_t id, const auth::AuditActor& actor);

// A test message: does mail reach this address, does the webhook take
// signed calls? In the organisation's language unless `locale`.
struct TestMessage {
  std::int64_t organisationId = 0;
  Channel channel = Channel::kEmail;
  std::string to;            // e-mail
  std::string url;           // webhook (https://)
  std::string sealedSecret;  // webhook: the signing secret, sealed (WebhookSecrets)
  std::string locale;
};

// Queued in txn (alert test-notify, the API's sendTestNotification); the
// id. nullopt when txn sees no such organisation; std::invalid_argument
// naming the field when the address, URL or locale is not acceptable.
std::optional<std::int64_t> queueTestMessage(pqxx::transaction_base& txn,
                                             const TestMessage& message, std::string_view when);

// An organisation notifications can belong to.
struct NotifyOrganisation {
  std::int64_t id = 0;
  std::string name;
  std::string locale;
  std::string timeZone;
};

class PgNotifyAdmin {
 public:
  explicit PgNotifyAdmin(const util::Secret& databaseUri);
  ~PgNotifyAdmin();
  PgNotifyAdmin(const PgNotifyAdmin&) = delete;
  PgNotifyAdmin& operator=(const PgNotifyAdmin&) = delete;

  // kind: root, dealer or customer (root: the name is ignored).
  std::optional<NotifyOrganisation> organisation(const std::string& kind, const std::string& name);

  // queueTestMessage in a transaction of its own (the organisation exists).
  std::int64_t queueTest(const TestMessage& message, std::string_view when);

  std::optional<OutboxEntry> find(std::int64_t id);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// `notify list` output: an aligned table, or a JSON array of
// outboxEntryJson (the API's Notification).
std::string outboxEntryJson(const OutboxEntry& entry);
std::string outboxToText(const std::vector<OutboxEntry>& rows);
std::string outboxToJson(const std::vector<OutboxEntry>& rows);

}  // namespace openmps::server::notify

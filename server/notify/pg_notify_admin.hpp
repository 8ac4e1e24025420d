#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "server/notify/notification.hpp"
#include "shared/util/secret.hpp"

// The outbox as an operator sees it (openmps-server notify list|retry,
// alert test-notify): on a connection of its own, as the owner.
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

  std::int64_t queueMail(const OutgoingMail& mail);
  std::int64_t queueWebhook(const OutgoingWebhook& hook);

  std::optional<OutboxEntry> find(std::int64_t id);
  // Newest first; state empty: any.
  std::vector<OutboxEntry> list(const std::string& state, int limit);
  // A dead notification queued again with fresh attempts; false when it
  // is not dead.
  bool retry(std::int64_t id);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// `notify list` output: an aligned table, or a JSON array.
std::string outboxToText(const std::vector<OutboxEntry>& rows);
std::string outboxToJson(const std::vector<OutboxEntry>& rows);

}  // namespace openmps::server::notify

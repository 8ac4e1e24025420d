#include "server/notify/pg_notify_admin.hpp"

#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "server/auth/pg_audit_log.hpp"
#include "server/notify/pg_outbox.hpp"
#include "server/notify/templates.hpp"

namespace openmps::server::notify {
namespace {

// The statements of this adapter, by name.
constexpr const char* kFindRoot =
    "SELECT id, name, locale, time_zone FROM organisations WHERE kind = 'root'";
constexpr const char* kFindNamed =
    "SELECT id, name, locale, time_zone FROM organisations WHERE kind = $1 AND "
    "lower(name) = lower($2)";
constexpr const char* kSelectEntries =
    "SELECT n.id, n.message_id, n.organisation_id, o.name, n.kind, n.channel, n.recipient, "
    "n.locale, n.subject, n.state, n.attempts, n.last_error, "
    "to_char(n.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), "
    "CASE WHEN n.state = 'queued' THEN to_char(n.next_attempt_at AT TIME ZONE 'UTC', "
    "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') ELSE '' END, "
    "coalesce(to_char(n.sent_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), '') "
    "FROM notifications n JOIN organisations o ON o.id = n.organisation_id ";
// o.path @> ARRAY[$4]: the organisation and its subtree (the GIN index on path).
constexpr const char* kListFilter =
    "WHERE ($1 = '' OR n.state = $1) AND ($2 = '' OR n.kind = $2) AND ($3 = '' OR n.channel = $3) "
    "AND ($4::bigint = 0 OR o.path @> ARRAY[$4::bigint]) AND ($5::bigint = 0 OR n.id < $5::bigint) "
    "ORDER BY n.id DESC LIMIT $6";
// A dead row is never claimed by a delivery worker, so its lock is free.
constexpr const char* kRetryDead =
    "WITH old AS (SELECT id, attempts FROM notifications WHERE id = $1 AND state = 'dead' "
    "FOR UPDATE) "
    "UPDATE notifications n SET state = 'queued', attempts = 0, next_attempt_at = now(), "
    "last_error = '' FROM old WHERE n.id = old.id "
    "RETURNING n.organisation_id, old.attempts, n.kind, n.channel";
constexpr const char* kStateOf = "SELECT state FROM notifications WHERE id = $1";
constexpr const char* kOrganisationById = "SELECT name, locale FROM organisations WHERE id = $1";

OutboxEntry entryFrom(const pqxx::row& r) {
  OutboxEntry e;
  e.id = r[0].as<std::int64_t>();
  e.messageId = r[1].as<std::string>();
  e.organisationId = r[2].as<std::int64_t>();
  e.organisation = r[3].as<std::string>();
  e.kind = r[4].as<std::string>();
  e.channel = r[5].as<std::string>();
  e.recipient = r[6].as<std::string>();
  e.locale = r[7].as<std::string>();
  e.subject = r[8].as<std::string>();
  e.state = r[9].as<std::string>();
  e.attempts = r[10].as<int>();
  e.lastError = r[11].as<std::string>();
  e.createdAt = r[12].as<std::string>();
  e.nextAttemptAt = r[13].as<std::string>();
  e.sentAt = r[14].as<std::string>();
  return e;
}

void auditRetry(pqxx::transaction_base& txn, std::int64_t id, const pqxx::row& r,
                const auth::AuditActor& actor) {
  auth::AuditEvent e;
  e.organisationId = r[0].as<std::int64_t>();
  e.action = "notification.retry";
  e.targetType = "notification";
  e.targetId = std::to_string(id);
  e.before = nlohmann::json{{"state", "dead"}, {"attempts", r[1].as<int>()}}.dump();
  e.after = nlohmann::json{{"state", "queued"}, {"attempts", 0}}.dump();
  e.detail = r[2].as<std::string>() + " by " + r[3].as<std::string>();
  auth::writeAudit(txn, actor, e);
}

}  // namespace

bool isOutboxState(const std::string& state) {
  return state == "queued" || state == "sent" || state == "dead";
}

std::vector<OutboxEntry> listOutbox(pqxx::transaction_base& txn, const OutboxFilter& filter) {
  const auto r = txn.exec_params(std::string(kSelectEntries) + kListFilter, filter.state,
                                 filter.kind, filter.channel, filter.organisationId.value_or(0),
                                 filter.before, filter.limit);
  std::vector<OutboxEntry> out;
  out.reserve(r.size());
  for (const auto& row : r) out.push_back(entryFrom(row));
  return out;
}

std::optional<OutboxEntry> findOutboxEntry(pqxx::transaction_base& txn, std::int64_t id) {
  const auto r = txn.exec_params(std::string(kSelectEntries) + "WHERE n.id = $1", id);
  if (r.empty()) return std::nullopt;
  return entryFrom(r[0]);
}

RetryOutcome retryDead(pqxx::transaction_base& txn, std::int64_t id,
                       const auth::AuditActor& actor) {
  const auto r = txn.exec_params(kRetryDead, id);
  if (r.empty()) {
    return txn.exec_params(kStateOf, id).empty() ? RetryOutcome::kNotFound : RetryOutcome::kNotDead;
  }
  auditRetry(txn, id, r[0], actor);
  txn.exec0("NOTIFY openmps_outbox");
  return RetryOutcome::kQueued;
}

std::optional<std::int64_t> queueTestMessage(pqxx::transaction_base& txn,
                                             const TestMessage& message, std::string_view when) {
  const auto org = txn.exec_params(kOrganisationById, message.organisationId);
  if (org.empty()) return std::nullopt;
  const auto name = org[0][0].as<std::string>();
  const std::string locale = message.locale.empty() ? org[0][1].as<std::string>() : message.locale;
  if (!supportedLocale(locale)) {
    throw std::invalid_argument("locale: expected en, de, fr or it, got '" + locale + "'");
  }
  const auto text = testMail(locale, name, when);
  if (message.channel == Channel::kEmail) {
    return enqueueMail(
        txn, {message.organisationId, "test", message.to, locale, text.subject, text.body, {}});
  }
  const nlohmann::json body{{"event", "test"}, {"organisation", name}, {"text", text.body}};
  return enqueueWebhook(txn, {message.organisationId, "test", message.url,
                              body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
                              message.sealedSecret});
}

struct PgNotifyAdmin::Impl {
  explicit Impl(const util::Secret& uri) : conn(uri.reveal()) {}
  pqxx::connection conn;
};

PgNotifyAdmin::PgNotifyAdmin(const util::Secret& databaseUri)
    : impl_(std::make_unique<Impl>(databaseUri)) {}

PgNotifyAdmin::~PgNotifyAdmin() = default;

std::optional<NotifyOrganisation> PgNotifyAdmin::organisation(const std::string& kind,
                                                              const std::string& name) {
  pqxx::read_transaction txn(impl_->conn);
  const auto r = kind == "root" ? txn.exec(kFindRoot) : txn.exec_params(kFindNamed, kind, name);
  if (r.empty()) return std::nullopt;
  return NotifyOrganisation{r[0][0].as<std::int64_t>(), r[0][1].as<std::string>(),
                            r[0][2].as<std::string>(), r[0][3].as<std::string>()};
}

std::int64_t PgNotifyAdmin::queueTest(const TestMessage& message, std::string_view when) {
  pqxx::work txn(impl_->conn);
  const auto id = queueTestMessage(txn, message, when);
  if (!id) throw std::runtime_error("no organisation " + std::to_string(message.organisationId));
  txn.commit();
  return *id;
}

std::optional<OutboxEntry> PgNotifyAdmin::find(std::int64_t id) {
  pqxx::read_transaction txn(impl_->conn);
  return findOutboxEntry(txn, id);
}

std::string outboxToText(const std::vector<OutboxEntry>& rows) {
  std::string out;
  for (const auto& e : rows) {
    out += std::to_string(e.id) + "  " + e.createdAt + "  " + e.state + "  " + e.channel + "  " +
           e.kind + "  " + e.recipient + "  attempts " + std::to_string(e.attempts);
    if (!e.sentAt.empty()) out += "  sent " + e.sentAt;
    if (!e.nextAttemptAt.empty() && e.attempts > 0) out += "  next " + e.nextAttemptAt;
    if (!e.lastError.empty()) out += "  error: " + e.lastError;
    out += "\n";
  }
  return out;
}

namespace {

nlohmann::json entryJson(const OutboxEntry& e) {
  auto orNull = [](const std::string& s) {
    return s.empty() ? nlohmann::json() : nlohmann::json(s);
  };
  return {{"id", e.id},
          {"message_id", e.messageId},
          {"organisation_id", e.organisationId},
          {"organisation", e.organisation},
          {"kind", e.kind},
          {"channel", e.channel},
          {"recipient", e.recipient},
          {"locale", e.locale},
          {"subject", e.subject},
          {"state", e.state},
          {"attempts", e.attempts},
          {"last_error", orNull(e.lastError)},
          {"created_at", e.createdAt},
          {"next_attempt_at", orNull(e.nextAttemptAt)},
          {"sent_at", orNull(e.sentAt)}};
}

}  // namespace

std::string outboxEntryJson(const OutboxEntry& entry) {
  return entryJson(entry).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string outboxToJson(const std::vector<OutboxEntry>& rows) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& e : rows) out.push_back(entryJson(e));
  return out.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

}  // namespace openmps::server::notify

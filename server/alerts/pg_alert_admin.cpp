#include "server/alerts/pg_alert_admin.hpp"

#include <sstream>

#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "server/alerts/pg_alert_store.hpp"
#include "server/auth/pg_audit_log.hpp"
#include "server/notify/pg_outbox.hpp"
#include "shared/util/base64.hpp"
#include "shared/util/time_format.hpp"

namespace openmps::server::alerts {
namespace {

using nlohmann::json;

// The statements of this adapter, by name.
constexpr const char* kRowColumns =
    "a.id, (extract(epoch FROM a.cleared_at) * 1000)::bigint, a.acknowledged_by, a.ack_note, "
    "a.events FROM alerts a ";
constexpr const char* kListSql =
    "WHERE ($1::bigint = 0 OR a.customer_id IN (SELECT id FROM organisations WHERE path @> "
    "ARRAY[$1::bigint])) "
    "AND ($2::bigint = 0 OR a.device_id = $2) AND ($3 = '' OR a.condition = $3) AND ($4::bigint = "
    "0 OR a.id < $4) "
    "AND (($5 = 'active' AND a.state IN ('pending', 'open')) OR ($5 = 'all') OR a.state = $5) "
    "AND ($7 = '' OR a.severity = $7) "
    "ORDER BY a.id DESC LIMIT $6";
constexpr const char* kAckSql =
    "UPDATE alerts SET acknowledged_at = now(), acknowledged_by = $2, ack_note = $3, "
    "state = CASE WHEN $4 THEN 'cleared' ELSE state END, "
    "cleared_at = CASE WHEN $4 THEN now() ELSE cleared_at END, updated_at = now() "
    "WHERE id = $1 AND state = 'open' RETURNING customer_id";
constexpr const char* kAckStateSql = "SELECT state, customer_id FROM alerts WHERE id = $1";
constexpr const char* kScopeOwnerSql =
    "SELECT CASE WHEN $1 = 'device' THEN (SELECT customer_id FROM devices WHERE id = $2) "
    "ELSE (SELECT id FROM organisations WHERE id = $2) END";
constexpr const char* kLayerSql =
    "SELECT settings::text FROM alert_settings WHERE scope = $1 AND scope_id = $2";
constexpr const char* kPathSql =
    "SELECT array_to_string(path, ',') FROM organisations WHERE id = $1";
constexpr const char* kUpsertLayerSql =
    "INSERT INTO alert_settings (scope, scope_id, organisation_id, settings) VALUES ($1, $2, $3, "
    "$4::jsonb) ON CONFLICT (scope, scope_id) DO UPDATE SET settings = excluded.settings, "
    "updated_at = now()";
constexpr const char* kDeleteLayerSql =
    "DELETE FROM alert_settings WHERE scope = $1 AND scope_id = $2";
constexpr const char* kInsertSubscriptionSql =
    "INSERT INTO alert_subscriptions (organisation_id, channel, user_id, role, address, url, "
    "webhook_secret, locale, min_severity, conditions, include_clears) VALUES ($1, $2, "
    "nullif($3::bigint, 0), nullif($4, ''), nullif($5, ''), nullif($6, ''), "
    "CASE WHEN $7 = '' THEN NULL ELSE decode($7, 'hex') END, nullif($8, ''), $9, "
    "coalesce(string_to_array(nullif($10, ''), ','), '{}'), $11) RETURNING id";
constexpr const char* kSubscriptionRowsSql =
    "SELECT s.id, s.organisation_id, s.channel, coalesce(s.user_id, 0), coalesce(s.role, ''), "
    "coalesce(s.address, ''), coalesce(s.url, ''), coalesce(s.locale, ''), s.min_severity, "
    "array_to_string(s.conditions, ','), s.include_clears, s.enabled, o.name, "
    "coalesce(u.username, ''), (extract(epoch FROM s.created_at) * 1000)::bigint "
    "FROM alert_subscriptions s JOIN organisations o ON o.id = s.organisation_id "
    "LEFT JOIN users u ON u.id = s.user_id ";
constexpr const char* kUpdateSubscriptionSql =
    "UPDATE alert_subscriptions SET user_id = nullif($2::bigint, 0), role = nullif($3, ''), "
    "address = nullif($4, ''), locale = nullif($5, ''), min_severity = $6, "
    "conditions = coalesce(string_to_array(nullif($7, ''), ','), '{}'), include_clears = $8 "
    "WHERE id = $1 RETURNING organisation_id";
constexpr const char* kDeleteSubscriptionSql =
    "DELETE FROM alert_subscriptions WHERE id = $1 RETURNING organisation_id";
constexpr const char* kUserOrganisationSql = "SELECT organisation_id FROM users WHERE id = $1";
constexpr const char* kSubscriptionSecretHexSql =
    "SELECT encode(webhook_secret, 'hex') FROM alert_subscriptions WHERE id = $1";
constexpr const char* kFirstRecipientSql =
    "SELECT email, locale FROM users WHERE disabled_at IS NULL AND email <> '' AND "
    "((id = $1::bigint) OR ($2 <> '' AND role = $2 AND organisation_id = $3)) ORDER BY id LIMIT 1";
constexpr const char* kUserNameSql = "SELECT username FROM users WHERE id = $1";
constexpr const char* kOrganisationLocaleSql = "SELECT locale FROM organisations WHERE id = $1";

std::string dump(const json& j) {
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

AlertRow rowOf(PgAlertTxn& alerts, const pqxx::row& r, const std::string& locale) {
  AlertRow row;
  row.context = alerts.context(r[0].as<std::int64_t>());
  row.title = notify::alertTitle(locale, factsOf(row.context, AlertEvent::kRaised));
  if (!r[1].is_null())
    row.clearedAt = TimePoint(std::chrono::milliseconds(r[1].as<std::int64_t>()));
  row.acknowledgedBy = r[2].as<std::string>();
  row.note = r[3].as<std::string>();
  row.events = r[4].as<int>();
  return row;
}

std::int64_t scopeOwner(pqxx::transaction_base& txn, const RulesScope& scope) {
  if (scope.scope != "organisation" && scope.scope != "device") {
    throw AlertAdminError(AlertAdminError::Kind::kInvalid,
                          "scope: expected organisation or device, got '" + scope.scope + "'");
  }
  const auto r = txn.exec_params(kScopeOwnerSql, scope.scope, scope.id);
  if (r.empty() || r[0][0].is_null()) {
    throw AlertAdminError(AlertAdminError::Kind::kNotFound,
                          "no " + scope.scope + " " + std::to_string(scope.id));
  }
  return r[0][0].as<std::int64_t>();
}

std::string layerOf(pqxx::transaction_base& txn, const RulesScope& scope) {
  const auto r = txn.exec_params(kLayerSql, scope.scope, scope.id);
  return r.empty() ? std::string("{}") : r[0][0].as<std::string>();
}

RulesView store(pqxx::transaction_base& txn, const RulesScope& scope, const std::string& before,
                const std::string& after, const auth::AuditActor& actor) {
  const auto owner = scopeOwner(txn, scope);
  if (after == "{}") {
    txn.exec_params(kDeleteLayerSql, scope.scope, scope.id);
  } else {
    txn.exec_params(kUpsertLayerSql, scope.scope, scope.id, owner, after);
  }
  auth::AuditEvent e;
  e.organisationId = owner;
  e.action = "alert_rules.update";
  e.targetType = scope.scope;
  e.targetId = std::to_string(scope.id);
  e.before = before;
  e.after = after;
  auth::writeAudit(txn, actor, e);
  return rulesOf(txn, scope);
}

Subscription subscriptionFrom(const pqxx::row& r) {
  Subscription s;
  s.id = r[0].as<std::int64_t>();
  s.organisationId = r[1].as<std::int64_t>();
  s.channel = notify::channelFromString(r[2].as<std::string>()).value_or(notify::Channel::kEmail);
  s.userId = r[3].as<std::int64_t>();
  s.role = r[4].as<std::string>();
  s.address = r[5].as<std::string>();
  s.url = r[6].as<std::string>();
  s.locale = r[7].as<std::string>();
  s.minSeverity = severityFromString(r[8].as<std::string>()).value_or(Severity::kWarning);
  std::stringstream in(r[9].as<std::string>());
  std::string part;
  while (std::getline(in, part, ',')) {
    if (!part.empty()) s.conditions.push_back(part);
  }
  s.includeClears = r[10].as<bool>();
  s.enabled = r[11].as<bool>();
  return s;
}

SubscriptionRow subscriptionRowFrom(const pqxx::row& r) {
  SubscriptionRow row;
  row.subscription = subscriptionFrom(r);
  row.organisation = r[12].as<std::string>();
  row.userName = r[13].as<std::string>();
  row.createdAt = TimePoint(std::chrono::milliseconds(r[14].as<std::int64_t>()));
  return row;
}

json subscriptionAudit(const Subscription& s) {
  json conditions = s.conditions;
  return {{"channel", notify::toString(s.channel)},
          {"user_id", s.userId},
          {"role", s.role},
          {"address", s.address},
          {"url", s.url},
          {"locale", s.locale},
          {"min_severity", toString(s.minSeverity)},
          {"conditions", conditions},
          {"include_clears", s.includeClears}};
}

void checkSubscription(pqxx::transaction_base& txn, const Subscription& s) {
  using Kind = AlertAdminError::Kind;
  const int targets = int{s.userId != 0} + int{!s.role.empty()} + int{!s.address.empty()};
  if (s.channel == notify::Channel::kWebhook) {
    if (s.url.empty() || s.sealedSecret.empty() || targets != 0) {
      throw AlertAdminError(Kind::kInvalid, "a webhook subscription needs a url and a secret only");
    }
    if (!s.url.starts_with("https://") || s.url.size() > 2048 ||
        s.url.find_first_of(" \r\n") != std::string::npos) {
      throw AlertAdminError(Kind::kInvalid, "url: expected an https:// URL");
    }
  } else if (targets != 1 || !s.url.empty()) {
    throw AlertAdminError(Kind::kInvalid,
                          "an e-mail subscription names one user, one role or one address");
  }
  if (!s.address.empty() && !notify::plausibleAddress(s.address)) {
    throw AlertAdminError(Kind::kInvalid, "address: not an e-mail address: '" + s.address + "'");
  }
  if (!s.locale.empty() && !notify::supportedLocale(s.locale)) {
    throw AlertAdminError(Kind::kInvalid, "locale: expected en, de, fr or it");
  }
  for (const auto& c : s.conditions) {
    if (!isKnownCondition(c)) {
      throw AlertAdminError(Kind::kInvalid, "conditions: unknown condition '" + c + "'");
    }
  }
  if (s.userId != 0) {
    const auto r = txn.exec_params(kUserOrganisationSql, s.userId);
    if (r.empty()) throw AlertAdminError(Kind::kNotFound, "no user " + std::to_string(s.userId));
    if (r[0][0].as<std::int64_t>() != s.organisationId) {
      throw AlertAdminError(Kind::kInvalid, "the user belongs to another organisation");
    }
  }
}

}  // namespace

std::vector<AlertRow> listAlerts(pqxx::transaction_base& txn, const AlertFilter& f) {
  const std::vector<std::string> states = {"active",  "open",      "pending",
                                           "cleared", "cancelled", "all"};
  if (std::find(states.begin(), states.end(), f.state) == states.end()) {
    throw AlertAdminError(AlertAdminError::Kind::kInvalid,
                          "state: expected active, open, pending, cleared, cancelled or all");
  }
  PgAlertTxn alerts(txn);
  std::vector<AlertRow> out;
  for (const auto& r : txn.exec_params(std::string("SELECT ") + kRowColumns + kListSql,
                                       f.organisationId.value_or(0), f.deviceId.value_or(0),
                                       f.condition, f.before, f.state, f.limit, f.severity)) {
    out.push_back(rowOf(alerts, r, f.locale));
  }
  return out;
}

std::optional<AlertRow> findAlert(pqxx::transaction_base& txn, std::int64_t id,
                                  const std::string& locale) {
  PgAlertTxn alerts(txn);
  const auto r = txn.exec_params(std::string("SELECT ") + kRowColumns + "WHERE a.id = $1", id);
  if (r.empty()) return std::nullopt;
  return rowOf(alerts, r[0], locale);
}

AlertRow acknowledge(pqxx::transaction_base& txn, std::int64_t id, const std::string& note,
                     const auth::AuditActor& actor, const std::string& locale) {
  using Kind = AlertAdminError::Kind;
  if (note.size() > 2000) throw AlertAdminError(Kind::kInvalid, "note: at most 2000 bytes");
  const auto before = findAlert(txn, id, locale);
  if (!before) throw AlertAdminError(Kind::kNotFound, "no alert " + std::to_string(id));
  if (before->context.alert.state != AlertState::kOpen) {
    throw AlertAdminError(Kind::kConflict, "alert " + std::to_string(id) + " is " +
                                               toString(before->context.alert.state) +
                                               ", not open");
  }
  std::string who = actor.name;
  if (who.empty() && actor.userId != 0) {
    const auto user = txn.exec_params(kUserNameSql, actor.userId);
    who = user.empty() ? "user " + std::to_string(actor.userId) : user[0][0].as<std::string>();
  } else if (who.empty() && actor.tokenId != 0) {
    who = "token " + std::to_string(actor.tokenId);
  }
  const bool closes = acknowledgeCloses(before->context.alert);
  const auto r = txn.exec_params(kAckSql, id, who, note, closes);
  if (r.empty()) {
    const auto now = txn.exec_params(kAckStateSql, id);
    throw AlertAdminError(Kind::kConflict,
                          "alert " + std::to_string(id) + " changed meanwhile (" +
                              (now.empty() ? "gone" : now[0][0].as<std::string>()) + ")");
  }
  auth::AuditEvent e;
  e.organisationId = r[0][0].as<std::int64_t>();
  e.action = "alert.acknowledge";
  e.targetType = "alert";
  e.targetId = std::to_string(id);
  e.before = dump({{"state", "open"}});
  e.after = dump({{"state", closes ? "cleared" : "open"}, {"note", note}});
  e.detail = note;
  auth::writeAudit(txn, actor, e);
  return *findAlert(txn, id, locale);
}

RulesView rulesOf(pqxx::transaction_base& txn, const RulesScope& scope) {
  const auto owner = scopeOwner(txn, scope);
  RulesView view;
  view.layer = layerOf(txn, scope);
  // The layers above the scope, then its own.
  std::vector<std::string> layers;
  PgAlertTxn alerts(txn);
  if (scope.scope == "device") {
    layers = alerts.layers(owner, scope.id);
  } else {
    const auto path = txn.exec_params(kPathSql, scope.id)[0][0].as<std::string>();
    std::stringstream in(path);
    std::string part;
    while (std::getline(in, part, ',')) {
      const auto r = txn.exec_params(kLayerSql, std::string("organisation"), std::stoll(part));
      if (!r.empty()) layers.push_back(r[0][0].as<std::string>());
    }
  }
  view.effective = mergedSettings(layers);
  return view;
}

RulesView changeRules(pqxx::transaction_base& txn, const RulesScope& scope,
                      const std::vector<std::pair<std::string, std::string>>& sets,
                      const std::vector<std::string>& unsets, const auth::AuditActor& actor) {
  scopeOwner(txn, scope);
  const std::string before = layerOf(txn, scope);
  std::string after = before;
  try {
    for (const auto& [key, value] : sets) after = setInLayer(after, key, value);
    for (const auto& key : unsets) after = unsetInLayer(after, key);
    after = checkLayer(after);
  } catch (const RulesError& e) {
    throw AlertAdminError(AlertAdminError::Kind::kInvalid, e.what());
  }
  return store(txn, scope, before, after, actor);
}

RulesView replaceRules(pqxx::transaction_base& txn, const RulesScope& scope,
                       const std::string& layer, const auth::AuditActor& actor) {
  scopeOwner(txn, scope);
  std::string after;
  try {
    after = checkLayer(layer);
  } catch (const RulesError& e) {
    throw AlertAdminError(AlertAdminError::Kind::kInvalid, e.what());
  }
  return store(txn, scope, layerOf(txn, scope), after, actor);
}

SubscriptionRow addSubscription(pqxx::transaction_base& txn, const Subscription& s,
                                const auth::AuditActor& actor) {
  checkSubscription(txn, s);
  std::string conditions;
  for (const auto& c : s.conditions) conditions += (conditions.empty() ? "" : ",") + c;
  const auto id =
      txn.exec_params(kInsertSubscriptionSql, s.organisationId,
                      std::string(notify::toString(s.channel)), s.userId, s.role, s.address, s.url,
                      util::toHex(s.sealedSecret), s.locale, std::string(toString(s.minSeverity)),
                      conditions, s.includeClears)[0][0]
          .as<std::int64_t>();
  auth::AuditEvent e;
  e.organisationId = s.organisationId;
  e.action = "alert_subscription.create";
  e.targetType = "alert_subscription";
  e.targetId = std::to_string(id);
  e.after = dump(subscriptionAudit(s));
  auth::writeAudit(txn, actor, e);
  return *findSubscription(txn, id);
}

std::vector<SubscriptionRow> listSubscriptions(pqxx::transaction_base& txn,
                                               std::optional<std::int64_t> organisationId) {
  std::vector<SubscriptionRow> out;
  for (const auto& r : txn.exec_params(
           std::string(kSubscriptionRowsSql) +
               "WHERE $1::bigint = 0 OR s.organisation_id IN (SELECT id FROM organisations WHERE "
               "path @> ARRAY[$1::bigint]) ORDER BY s.id",
           organisationId.value_or(0))) {
    out.push_back(subscriptionRowFrom(r));
  }
  return out;
}

std::optional<SubscriptionRow> findSubscription(pqxx::transaction_base& txn, std::int64_t id) {
  const auto r = txn.exec_params(std::string(kSubscriptionRowsSql) + "WHERE s.id = $1", id);
  if (r.empty()) return std::nullopt;
  return subscriptionRowFrom(r[0]);
}

SubscriptionRow changeSubscription(pqxx::transaction_base& txn, const Subscription& change,
                                   const auth::AuditActor& actor) {
  using Kind = AlertAdminError::Kind;
  const auto before = findSubscription(txn, change.id);
  if (!before)
    throw AlertAdminError(Kind::kNotFound, "no subscription " + std::to_string(change.id));
  Subscription s = change;
  s.organisationId = before->subscription.organisationId;
  s.channel = before->subscription.channel;
  s.url = before->subscription.url;
  if (s.channel == notify::Channel::kWebhook) {
    s.sealedSecret =
        util::fromHex(txn.exec_params(kSubscriptionSecretHexSql, s.id)[0][0].as<std::string>())
            .value_or("");
  }
  checkSubscription(txn, s);
  std::string conditions;
  for (const auto& c : s.conditions) conditions += (conditions.empty() ? "" : ",") + c;
  txn.exec_params(kUpdateSubscriptionSql, s.id, s.userId, s.role, s.address, s.locale,
                  std::string(toString(s.minSeverity)), conditions, s.includeClears);
  auth::AuditEvent e;
  e.organisationId = s.organisationId;
  e.action = "alert_subscription.update";
  e.targetType = "alert_subscription";
  e.targetId = std::to_string(s.id);
  e.before = dump(subscriptionAudit(before->subscription));
  e.after = dump(subscriptionAudit(s));
  auth::writeAudit(txn, actor, e);
  return *findSubscription(txn, s.id);
}

void removeSubscription(pqxx::transaction_base& txn, std::int64_t id,
                        const auth::AuditActor& actor) {
  const auto before = findSubscription(txn, id);
  if (!before) {
    throw AlertAdminError(AlertAdminError::Kind::kNotFound,
                          "no subscription " + std::to_string(id));
  }
  const auto r = txn.exec_params(kDeleteSubscriptionSql, id);
  auth::AuditEvent e;
  e.organisationId = r[0][0].as<std::int64_t>();
  e.action = "alert_subscription.delete";
  e.targetType = "alert_subscription";
  e.targetId = std::to_string(id);
  e.before = dump(subscriptionAudit(before->subscription));
  auth::writeAudit(txn, actor, e);
}

std::int64_t queueTestNotification(pqxx::transaction_base& txn, std::int64_t subscriptionId,
                                   TimePoint now) {
  using Kind = AlertAdminError::Kind;
  const auto row = findSubscription(txn, subscriptionId);
  if (!row)
    throw AlertAdminError(Kind::kNotFound, "no subscription " + std::to_string(subscriptionId));
  const auto& s = row->subscription;
  const std::string when = util::formatRfc3339(now);
  if (s.channel == notify::Channel::kWebhook) {
    const auto sealed =
        txn.exec_params(kSubscriptionSecretHexSql, subscriptionId)[0][0].as<std::string>();
    const auto text = notify::testMail(notify::localeOrDefault(s.locale), row->organisation, when);
    const json body{{"event", "test"}, {"organisation", row->organisation}, {"text", text.body}};
    return notify::enqueueWebhook(
        txn, {s.organisationId, "test", s.url, dump(body), util::fromHex(sealed).value_or("")});
  }
  std::string to = s.address;
  std::string locale = s.locale;
  if (to.empty()) {
    const auto r = txn.exec_params(kFirstRecipientSql, s.userId, s.role, s.organisationId);
    if (r.empty())
      throw AlertAdminError(Kind::kConflict, "the subscription reaches nobody with an address");
    to = r[0][0].as<std::string>();
    if (locale.empty()) locale = r[0][1].as<std::string>();
  }
  if (locale.empty()) {
    locale = txn.exec_params(kOrganisationLocaleSql, s.organisationId)[0][0].as<std::string>();
  }
  const auto text = notify::testMail(locale, row->organisation, when);
  return notify::enqueueMail(txn,
                             {s.organisationId, "test", to, locale, text.subject, text.body, {}});
}

std::string alertRowJson(const AlertRow& row) {
  const auto& c = row.context;
  const auto& a = c.alert;
  auto time = [](const std::optional<TimePoint>& t) {
    return t ? json(util::formatRfc3339(*t)) : json();
  };
  json detail = json::parse(a.detail, nullptr, false);
  if (detail.is_discarded()) detail = json::object();
  json device;
  if (c.deviceId != 0) {
    device = {{"id", c.deviceId},
              {"model", c.deviceModel},
              {"serial", c.deviceSerial},
              {"location", c.deviceLocation},
              {"address", c.deviceAddress}};
  }
  return dump({{"id", a.id},
               {"condition", a.condition},
               {"subject", a.subject},
               {"stage", a.stage},
               {"severity", toString(a.severity)},
               {"state", toString(a.state)},
               {"title", row.title},
               {"since", util::formatRfc3339(a.since)},
               {"due_at", time(a.dueAt)},
               {"raised_at", time(a.raisedAt)},
               {"cleared_at", time(row.clearedAt)},
               {"acknowledged_at", time(a.acknowledgedAt)},
               {"acknowledged_by", a.acknowledgedAt ? json(row.acknowledgedBy) : json()},
               {"note", row.note},
               {"escalated_at", time(a.escalatedAt)},
               {"last_notified_at", time(a.lastNotifiedAt)},
               {"events", row.events},
               {"customer", {{"id", c.customerId}, {"name", c.customer}}},
               {"device", device},
               {"collector_id", c.collectorId == 0 ? json() : json(c.collectorId)},
               {"detail", detail}});
}

std::string subscriptionJson(const SubscriptionRow& row) {
  const auto& s = row.subscription;
  auto orNull = [](const std::string& v) { return v.empty() ? json() : json(v); };
  json conditions = s.conditions;
  return dump(
      {{"id", s.id},
       {"organisation", {{"id", s.organisationId}, {"name", row.organisation}}},
       {"channel", notify::toString(s.channel)},
       {"user", s.userId == 0 ? json() : json({{"id", s.userId}, {"username", row.userName}})},
       {"role", orNull(s.role)},
       {"address", orNull(s.address)},
       {"url", orNull(s.url)},
       {"locale", orNull(s.locale)},
       {"min_severity", toString(s.minSeverity)},
       {"conditions", conditions},
       {"include_clears", s.includeClears},
       {"enabled", s.enabled},
       {"created_at", util::formatRfc3339(row.createdAt)}});
}

}  // namespace openmps::server::alerts

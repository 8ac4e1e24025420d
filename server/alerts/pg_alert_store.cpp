#include "server/alerts/pg_alert_store.hpp"

#include <algorithm>
#include <array>
#include <sstream>

#include <pqxx/pqxx>

#include "server/notify/pg_outbox.hpp"
#include "shared/util/base64.hpp"
#include "shared/util/log.hpp"
#include "shared/util/time_format.hpp"

namespace openmps::server::alerts {
namespace {

constexpr std::string_view kLog = "alerts";

// The statements of this adapter, by name.
constexpr const char* kOrganisationSql =
    "SELECT array_to_string(path, ','), time_zone, locale FROM organisations WHERE id = $1";
constexpr const char* kLayersSql =
    "SELECT settings::text FROM alert_settings WHERE (scope = 'organisation' AND scope_id = "
    "ANY($1::bigint[])) OR (scope = 'device' AND scope_id = $2) "
    "ORDER BY CASE scope WHEN 'organisation' THEN array_position($1::bigint[], scope_id) "
    "ELSE 1000 END";
constexpr const char* kAlertColumns =
    "a.id, a.condition, a.subject, a.stage, a.severity, a.state, "
    "(extract(epoch FROM a.since) * 1000)::bigint, (extract(epoch FROM a.due_at) * 1000)::bigint, "
    "(extract(epoch FROM a.raised_at) * 1000)::bigint, "
    "(extract(epoch FROM a.acknowledged_at) * 1000)::bigint, "
    "(extract(epoch FROM a.last_notified_at) * 1000)::bigint, "
    "(extract(epoch FROM a.escalated_at) * 1000)::bigint, a.detail::text";
constexpr const char* kActiveOfDeviceSql =
    " FROM alerts a WHERE a.device_id = $1 AND a.state IN ('pending', 'open') ORDER BY a.id";
constexpr const char* kActiveOfOwnerSql =
    " FROM alerts a WHERE (($1::bigint <> 0 AND a.device_id = $1) OR ($1::bigint = 0 AND "
    "a.device_id IS NULL AND a.collector_id = $2::bigint)) AND a.condition = $3 AND a.subject = $4 "
    "AND a.state IN ('pending', "
    "'open')";
constexpr const char* kInsertAlertSql =
    "INSERT INTO alerts (customer_id, device_id, collector_id, condition, subject, stage, "
    "severity, "
    "state, since, due_at, raised_at, detail) VALUES ($1, nullif($2::bigint, 0), "
    "nullif($3::bigint, 0), $4, $5, "
    "$6, "
    "$7, $8, $9::timestamptz, $10::timestamptz, $11::timestamptz, $12::jsonb) "
    "ON CONFLICT DO NOTHING RETURNING id";
constexpr const char* kUpdateAlertSql =
    "UPDATE alerts SET stage = $2, severity = $3, state = $4, due_at = $5::timestamptz, "
    "raised_at = $6::timestamptz, cleared_at = $7::timestamptz, detail = $8::jsonb, "
    "events = events + $9, escalated_at = $10::timestamptz, "
    "last_notified_at = $11::timestamptz, updated_at = now() "
    "WHERE id = $1 AND state = $12 RETURNING id";
constexpr const char* kContextSql =
    " , a.customer_id, c.name, coalesce(p.name, ''), coalesce(a.device_id, 0), "
    "coalesce(d.model, ''), coalesce(d.serial, ''), coalesce(d.location, ''), coalesce(d.ip, ''), "
    "coalesce(a.collector_id, 0), c.time_zone FROM alerts a JOIN organisations c ON c.id = "
    "a.customer_id LEFT JOIN organisations p ON p.id = c.parent_id LEFT JOIN devices d ON d.id = "
    "a.device_id WHERE a.id = $1";
constexpr const char* kSubscriptionsSql =
    "SELECT s.id, s.organisation_id, s.channel, coalesce(s.user_id, 0), coalesce(s.role, ''), "
    "coalesce(s.address, ''), coalesce(s.url, ''), coalesce(encode(s.webhook_secret, 'hex'), ''), "
    "coalesce(s.locale, ''), s.min_severity, array_to_string(s.conditions, ','), s.include_clears "
    "FROM alert_subscriptions s WHERE s.enabled AND s.organisation_id = ANY($1::bigint[]) "
    "ORDER BY s.id";
constexpr const char* kPeopleSql =
    "SELECT id, email, locale, role FROM users WHERE organisation_id = $1 AND disabled_at IS NULL "
    "AND email <> ''";
// Serialises the storm count of one customer and condition between
// workers and servers (until commit): the count then sees every alert the
// others raised.
constexpr const char* kStormLockSql =
    "SELECT pg_advisory_xact_lock(1095521352, hashtext($1::bigint::text || ':' || $2))";
constexpr const char* kRaisedInWindowSql =
    "SELECT count(*) FROM alerts WHERE customer_id = $1 AND condition = $2 AND state = 'open' AND "
    "raised_at >= $3::timestamptz";
constexpr const char* kInsertHoldSql =
    "INSERT INTO alert_holds (subscription_id, channel, target, locale, customer_id, alert_id, "
    "event, reason, release_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::timestamptz)";
constexpr const char* kNotifiedSql =
    "UPDATE alerts SET last_notified_at = $2::timestamptz WHERE id = $1";
constexpr const char* kDueHoldsSql =
    "DELETE FROM alert_holds h WHERE h.id IN (SELECT id FROM alert_holds WHERE release_at <= "
    "$1::timestamptz ORDER BY id FOR UPDATE SKIP LOCKED LIMIT 5000) RETURNING h.subscription_id, "
    "h.channel, h.target, h.locale, h.customer_id, h.alert_id, h.event, h.reason";
constexpr const char* kSubscriptionSecretSql =
    "SELECT s.organisation_id, coalesce(encode(s.webhook_secret, 'hex'), '') "
    "FROM alert_subscriptions s WHERE s.id = $1";

constexpr const char* kPendingDueSql =
    " , a.customer_id, coalesce(a.device_id, 0), coalesce(a.collector_id, 0), "
    "coalesce(l.status::text, '{}'), coalesce(l.supplies::text, '[]'), "
    "(extract(epoch FROM l.status_at) * 1000)::bigint FROM alerts a LEFT JOIN device_latest l ON "
    "l.device_id = a.device_id WHERE a.state = 'pending' AND (a.due_at <= $1::timestamptz OR "
    "a.due_at <= l.status_at) ORDER BY a.due_at LIMIT $2";
constexpr const char* kUnacknowledgedSql =
    " , a.customer_id, coalesce(a.device_id, 0), coalesce(a.collector_id, 0) FROM alerts a "
    "WHERE a.state = 'open' AND a.acknowledged_at IS NULL "
    "ORDER BY coalesce(a.last_notified_at, a.raised_at) LIMIT $1";
constexpr const char* kOpenOfSql =
    " , a.customer_id, coalesce(a.device_id, 0), coalesce(a.collector_id, 0) FROM alerts a "
    "WHERE a.state = 'open' AND a.condition = $1 AND ($2::bigint = 0 OR a.customer_id = $2) "
    "ORDER BY a.id";

// Every statement above, prepared once per connection: the workers run
// them for every alert, and parsing and planning them each time cost the
// database more than running them.
struct Statement {
  const char* name;
  std::string sql;
};

const std::array<Statement, 18>& statements() {
  static const std::array<Statement, 18> kStatements = {{
      {"alerts_organisation", std::string(kOrganisationSql)},
      {"alerts_layers", std::string(kLayersSql)},
      {"alerts_active_of_device", std::string("SELECT ") + kAlertColumns + kActiveOfDeviceSql},
      {"alerts_active_of_owner", std::string("SELECT ") + kAlertColumns + kActiveOfOwnerSql},
      {"alerts_insert", std::string(kInsertAlertSql)},
      {"alerts_update", std::string(kUpdateAlertSql)},
      {"alerts_context", std::string("SELECT ") + kAlertColumns + kContextSql},
      {"alerts_storm_lock", std::string(kStormLockSql)},
      {"alerts_raised_in_window", std::string(kRaisedInWindowSql)},
      {"alerts_subscriptions", std::string(kSubscriptionsSql)},
      {"alerts_people", std::string(kPeopleSql)},
      {"alerts_insert_hold", std::string(kInsertHoldSql)},
      {"alerts_notified", std::string(kNotifiedSql)},
      {"alerts_pending_due", std::string("SELECT ") + kAlertColumns + kPendingDueSql},
      {"alerts_unacknowledged", std::string("SELECT ") + kAlertColumns + kUnacknowledgedSql},
      {"alerts_open_of", std::string("SELECT ") + kAlertColumns + kOpenOfSql},
      {"alerts_due_holds", std::string(kDueHoldsSql)},
      {"alerts_subscription_secret", std::string(kSubscriptionSecretSql)},
  }};
  return kStatements;
}

using OptText = std::optional<std::string>;

OptText timeText(const std::optional<TimePoint>& t) {
  return t ? OptText(util::formatRfc3339(*t)) : std::nullopt;
}

std::optional<TimePoint> millis(const pqxx::field& f) {
  if (f.is_null()) return std::nullopt;
  return TimePoint(std::chrono::milliseconds(f.as<std::int64_t>()));
}

Alert alertFrom(const pqxx::row& r) {
  Alert a;
  a.id = r[0].as<std::int64_t>();
  a.condition = r[1].as<std::string>();
  a.subject = r[2].as<std::string>();
  a.stage = r[3].as<std::string>();
  a.severity = severityFromString(r[4].as<std::string>()).value_or(Severity::kWarning);
  a.state = alertStateFromString(r[5].as<std::string>()).value_or(AlertState::kOpen);
  a.since = *millis(r[6]);
  a.dueAt = millis(r[7]);
  a.raisedAt = millis(r[8]);
  a.acknowledgedAt = millis(r[9]);
  a.lastNotifiedAt = millis(r[10]);
  a.escalatedAt = millis(r[11]);
  a.detail = r[12].as<std::string>();
  return a;
}

std::vector<std::int64_t> idList(const std::string& text) {
  std::vector<std::int64_t> out;
  std::stringstream in(text);
  std::string part;
  while (std::getline(in, part, ',')) {
    if (!part.empty()) out.push_back(std::stoll(part));
  }
  return out;
}

std::string arrayLiteral(const std::vector<std::int64_t>& ids) {
  std::string out = "{";
  for (const auto id : ids) out += (out.size() > 1 ? "," : "") + std::to_string(id);
  return out + "}";
}

std::string fromHex(const std::string& hex) {
  return util::fromHex(hex).value_or(std::string());
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
  s.sealedSecret = fromHex(r[7].as<std::string>());
  s.locale = r[8].as<std::string>();
  s.minSeverity = severityFromString(r[9].as<std::string>()).value_or(Severity::kWarning);
  std::stringstream in(r[10].as<std::string>());
  std::string part;
  while (std::getline(in, part, ',')) {
    if (!part.empty()) s.conditions.push_back(part);
  }
  s.includeClears = r[11].as<bool>();
  return s;
}

std::optional<AlertEvent> alertEventFromString(std::string_view text) {
  for (const auto e : {AlertEvent::kRaised, AlertEvent::kWorse, AlertEvent::kRepeat,
                       AlertEvent::kEscalated, AlertEvent::kCleared}) {
    if (text == toString(e)) return e;
  }
  return std::nullopt;
}

}  // namespace

struct PgAlertTxn::Cache {
  std::map<std::int64_t, OrganisationInfo> organisations;
  std::map<std::pair<std::int64_t, std::int64_t>, RuleSet> rules;
  std::map<std::int64_t, std::vector<Person>> people;
};

PgAlertTxn::PgAlertTxn(pqxx::transaction_base& txn) : txn_(txn), cache_(std::make_unique<Cache>()) {
  for (const auto& s : statements()) txn_.conn().prepare(s.name, s.sql);
}

PgAlertTxn::~PgAlertTxn() = default;

const OrganisationInfo& PgAlertTxn::organisation(std::int64_t id) {
  if (const auto it = cache_->organisations.find(id); it != cache_->organisations.end()) {
    return it->second;
  }
  OrganisationInfo info;
  info.id = id;
  const auto r = txn_.exec_prepared("alerts_organisation", id);
  if (!r.empty()) {
    info.path = idList(r[0][0].as<std::string>());
    info.timeZone = r[0][1].as<std::string>();
    info.locale = r[0][2].as<std::string>();
  }
  return cache_->organisations.emplace(id, std::move(info)).first->second;
}

std::vector<std::string> PgAlertTxn::layers(std::int64_t customerId, std::int64_t deviceId) {
  std::vector<std::string> out;
  const auto& org = organisation(customerId);
  for (const auto& row : txn_.exec_prepared("alerts_layers", arrayLiteral(org.path), deviceId)) {
    out.push_back(row[0].as<std::string>());
  }
  return out;
}

const RuleSet& PgAlertTxn::rules(std::int64_t customerId, std::int64_t deviceId) {
  const auto key = std::make_pair(customerId, deviceId);
  if (const auto it = cache_->rules.find(key); it != cache_->rules.end()) return it->second;
  std::vector<std::string> problems;
  RuleSet set = resolveRules(layers(customerId, deviceId), &problems);
  for (const auto& p : problems) {
    util::logWarning(kLog) << "alert settings of customer " << customerId << " skipped: " << p;
  }
  return cache_->rules.emplace(key, std::move(set)).first->second;
}

std::vector<Alert> PgAlertTxn::activeOfDevice(std::int64_t deviceId) {
  std::vector<Alert> out;
  for (const auto& row : txn_.exec_prepared("alerts_active_of_device", deviceId)) {
    out.push_back(alertFrom(row));
  }
  return out;
}

std::optional<Alert> PgAlertTxn::activeOf(const AlertOwner& owner, std::string_view condition,
                                          std::string_view subject) {
  const auto r = txn_.exec_prepared("alerts_active_of_owner", owner.deviceId, owner.collectorId,
                                    std::string(condition), std::string(subject));
  if (r.empty()) return std::nullopt;
  return alertFrom(r[0]);
}

bool PgAlertTxn::apply(Change& change, const AlertOwner& owner, TimePoint now) {
  Alert& a = change.alert;
  if (change.kind == Change::Kind::kCreate) {
    if (a.state == AlertState::kOpen) a.raisedAt = now;
    const auto r = txn_.exec_prepared(
        "alerts_insert", owner.customerId, owner.deviceId, owner.collectorId, a.condition,
        a.subject, a.stage, std::string(toString(a.severity)), std::string(toString(a.state)),
        util::formatRfc3339(a.since), timeText(a.dueAt), timeText(a.raisedAt), a.detail);
    if (r.empty()) return false;  // another server raised it a moment earlier
    a.id = r[0][0].as<std::int64_t>();
    return true;
  }
  // The state the change starts from: a clear or cancel ends an active
  // alert; opening one starts from pending; everything else keeps it.
  std::string expected = toString(a.state);
  if (change.kind == Change::Kind::kClear || change.kind == Change::Kind::kOpen) {
    expected = change.kind == Change::Kind::kOpen ? "pending" : "open";
  } else if (change.kind == Change::Kind::kCancel) {
    expected = "pending";
  }
  const bool ends = change.kind == Change::Kind::kClear || change.kind == Change::Kind::kCancel;
  const auto r = txn_.exec_prepared(
      "alerts_update", a.id, a.stage, std::string(toString(a.severity)),
      std::string(toString(a.state)), timeText(a.dueAt), timeText(a.raisedAt),
      ends ? timeText(change.at) : OptText(), a.detail, change.kind == Change::Kind::kFold ? 1 : 0,
      timeText(a.escalatedAt), timeText(a.lastNotifiedAt), expected);
  return !r.empty();
}

AlertContext PgAlertTxn::context(std::int64_t alertId) {
  const auto r = txn_.exec_prepared("alerts_context", alertId);
  if (r.empty()) throw std::runtime_error("alert " + std::to_string(alertId) + " not found");
  const auto& row = r[0];
  AlertContext c;
  c.alert = alertFrom(row);
  c.customerId = row[13].as<std::int64_t>();
  c.customer = row[14].as<std::string>();
  c.dealer = row[15].as<std::string>();
  c.deviceId = row[16].as<std::int64_t>();
  c.deviceModel = row[17].as<std::string>();
  c.deviceSerial = row[18].as<std::string>();
  c.deviceLocation = row[19].as<std::string>();
  c.deviceAddress = row[20].as<std::string>();
  c.collectorId = row[21].as<std::int64_t>();
  c.timeZone = row[22].as<std::string>();
  return c;
}

void PgAlertTxn::announce(const Change& change, const AlertOwner& owner, TimePoint now) {
  if (!change.notify) return;
  const AlertEvent event = *change.notify;
  const AlertContext ctx = context(change.alert.id);
  const auto& customer = organisation(owner.customerId);
  const RuleSet& customerRules = rules(owner.customerId, 0);
  int raisedInWindow = 0;
  if (event == AlertEvent::kRaised) {
    txn_.exec_prepared("alerts_storm_lock", owner.customerId, ctx.alert.condition);
    raisedInWindow =
        txn_.exec_prepared("alerts_raised_in_window", owner.customerId, ctx.alert.condition,
                           util::formatRfc3339(stormWindowStart(customerRules.storm, now)))[0][0]
            .as<int>();
  }
  const auto hold = holdFor(customerRules, customer.timeZone, raisedInWindow, event, now);
  bool sent = false;
  for (const auto& row : txn_.exec_prepared("alerts_subscriptions", arrayLiteral(customer.path))) {
    const Subscription s = subscriptionFrom(row);
    if (!wants(s, customer.path, ctx.alert, event)) continue;
    auto people = cache_->people.find(s.organisationId);
    if (people == cache_->people.end()) {
      std::vector<Person> found;
      for (const auto& p : txn_.exec_prepared("alerts_people", s.organisationId)) {
        found.push_back({p[0].as<std::int64_t>(), p[1].as<std::string>(), p[2].as<std::string>(),
                         p[3].as<std::string>()});
      }
      people = cache_->people.emplace(s.organisationId, std::move(found)).first;
    }
    for (const auto& to : recipients(s, people->second, organisation(s.organisationId).locale)) {
      if (hold) {
        txn_.exec_prepared("alerts_insert_hold", s.id, std::string(notify::toString(to.channel)),
                           to.target, to.locale, owner.customerId, ctx.alert.id,
                           std::string(toString(event)), hold->reason,
                           util::formatRfc3339(hold->releaseAt));
      } else if (to.channel == notify::Channel::kEmail) {
        notify::enqueueMail(txn_, alertMail(ctx, event, to, owner.customerId));
      } else {
        notify::enqueueWebhook(txn_, alertWebhook(ctx, event, to, owner.customerId));
      }
      sent = true;
    }
  }
  if (sent && !hold) txn_.exec_prepared("alerts_notified", ctx.alert.id, util::formatRfc3339(now));
}

std::vector<PgAlertTxn::Pending> PgAlertTxn::pendingDue(TimePoint now, int limit) {
  std::vector<Pending> out;
  for (const auto& row :
       txn_.exec_prepared("alerts_pending_due", util::formatRfc3339(now), limit)) {
    Pending p;
    p.alert = alertFrom(row);
    p.owner = {row[13].as<std::int64_t>(), row[14].as<std::int64_t>(), row[15].as<std::int64_t>()};
    p.status = row[16].as<std::string>();
    p.supplies = row[17].as<std::string>();
    p.latestAt = millis(row[18]);
    out.push_back(std::move(p));
  }
  return out;
}

std::vector<std::pair<Alert, AlertOwner>> PgAlertTxn::unacknowledged(int limit) {
  std::vector<std::pair<Alert, AlertOwner>> out;
  for (const auto& row : txn_.exec_prepared("alerts_unacknowledged", limit)) {
    out.emplace_back(alertFrom(row),
                     AlertOwner{row[13].as<std::int64_t>(), row[14].as<std::int64_t>(),
                                row[15].as<std::int64_t>()});
  }
  return out;
}

std::vector<std::pair<Alert, AlertOwner>> PgAlertTxn::openOf(std::string_view condition,
                                                             std::int64_t customerId) {
  std::vector<std::pair<Alert, AlertOwner>> out;
  for (const auto& row : txn_.exec_prepared("alerts_open_of", std::string(condition), customerId)) {
    out.emplace_back(alertFrom(row),
                     AlertOwner{row[13].as<std::int64_t>(), row[14].as<std::int64_t>(),
                                row[15].as<std::int64_t>()});
  }
  return out;
}

int PgAlertTxn::releaseHolds(TimePoint now) {
  struct Group {
    Recipient to;
    std::string reason;
    std::int64_t organisationId = 0;
    std::vector<std::pair<AlertContext, AlertEvent>> alerts;
  };
  std::map<std::tuple<std::int64_t, std::string, std::string>, Group> groups;
  for (const auto& row : txn_.exec_prepared("alerts_due_holds", util::formatRfc3339(now))) {
    const auto subscription = row[0].as<std::int64_t>();
    const std::string target = row[2].as<std::string>();
    const std::string reason = row[7].as<std::string>();
    Group& g = groups[{subscription, target, reason}];
    if (g.alerts.empty()) {
      g.to.subscriptionId = subscription;
      g.to.channel =
          notify::channelFromString(row[1].as<std::string>()).value_or(notify::Channel::kEmail);
      g.to.target = target;
      g.to.locale = row[3].as<std::string>();
      g.reason = reason;
      g.organisationId = row[4].as<std::int64_t>();
      if (g.to.channel == notify::Channel::kWebhook) {
        const auto s = txn_.exec_prepared("alerts_subscription_secret", subscription);
        if (!s.empty()) g.to.sealedSecret = fromHex(s[0][1].as<std::string>());
      }
    }
    g.alerts.emplace_back(
        context(row[5].as<std::int64_t>()),
        alertEventFromString(row[6].as<std::string>()).value_or(AlertEvent::kRaised));
  }
  for (auto& [key, g] : groups) {
    if (g.to.channel == notify::Channel::kEmail) {
      notify::enqueueMail(txn_, digestMail(g.alerts, g.reason, g.to, g.organisationId));
    } else {
      notify::enqueueWebhook(txn_, digestWebhook(g.alerts, g.reason, g.to, g.organisationId));
    }
    for (const auto& [c, e] : g.alerts) {
      txn_.exec_prepared("alerts_notified", c.alert.id, util::formatRfc3339(now));
    }
  }
  return static_cast<int>(groups.size());
}

}  // namespace openmps::server::alerts

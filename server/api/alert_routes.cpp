// Alerts of the caller's subtree: list, one alert, acknowledge it; the
// rules of an organisation or a device; subscriptions (who hears of the
// alerts) and a test message through them. The operations are server/alerts'
// (pg_alert_admin), run in the request's transaction in the caller's scope.
#include "server/api/alert_routes.hpp"

#include <pqxx/pqxx>

#include "server/alerts/pg_alert_admin.hpp"
#include "server/api/auth_json.hpp"
#include "server/api/json_body.hpp"
#include "server/api/problem.hpp"
#include "server/api/query_params.hpp"
#include "server/notify/templates.hpp"
#include "server/notify/webhook_secrets.hpp"
#include "shared/util/args.hpp"

namespace openmps::server::api {
namespace {

using Json = nlohmann::json;
using alerts::AlertAdminError;

[[noreturn]] void rethrow(const AlertAdminError& e, const char* field) {
  switch (e.kind()) {
    case AlertAdminError::Kind::kNotFound: throw ApiError(404, "not-found", e.what());
    case AlertAdminError::Kind::kConflict: throw ApiError(409, "conflict", e.what());
    case AlertAdminError::Kind::kInvalid: invalidField(field, e.what());
  }
  throw ApiError(500, "internal", e.what());
}

std::string localeOf(RequestContext& ctx) {
  return notify::localeOrDefault(
      queryText(ctx.request(), "locale", 5).value_or(ctx.caller().locale));
}

auth::AuditActor actorOf(RequestContext& ctx) {
  return auth::AuditActor::of(ctx.caller(), ctx.request().peer);
}

ApiResponse listAlerts(RequestContext& ctx) {
  const auto& request = ctx.request();
  alerts::AlertFilter f;
  f.state = queryText(request, "state", 20).value_or("active");
  f.condition = queryText(request, "condition", 40).value_or("");
  if (!f.condition.empty() && !alerts::isKnownCondition(f.condition)) {
    badQuery("condition", "unknown condition '" + f.condition + "'");
  }
  f.severity = queryText(request, "severity", 20).value_or("");
  if (!f.severity.empty() && !alerts::severityFromString(f.severity)) {
    badQuery("severity", "expected info, warning or critical");
  }
  f.organisationId = queryId(request, "customer_id");
  f.deviceId = queryId(request, "device_id");
  f.limit = queryLimit(request, 50, 500) + 1;
  if (const auto after = queryText(request, "after", 20); after && !after->empty()) {
    const auto id = util::parseInt(*after);
    if (!id || *id <= 0) badQuery("after", "expected the next_after of the previous page");
    f.before = *id;
  }
  f.locale = localeOf(ctx);
  std::vector<alerts::AlertRow> rows;
  try {
    rows = alerts::listAlerts(ctx.txn(), f);
  } catch (const AlertAdminError& e) {
    badQuery("state", e.what());
  }
  Json items = Json::array();
  const std::size_t limit = static_cast<std::size_t>(f.limit - 1);
  for (std::size_t i = 0; i < rows.size() && i < limit; ++i) {
    items.push_back(Json::parse(alerts::alertRowJson(rows[i])));
  }
  const bool more = rows.size() > limit;
  return json(200, {{"items", std::move(items)},
                    {"next_after", more ? Json(std::to_string(rows[limit - 1].context.alert.id))
                                        : Json(nullptr)}});
}

ApiResponse getAlert(RequestContext& ctx) {
  const auto id = ctx.idParam("id");
  const auto row = alerts::findAlert(ctx.txn(), id, localeOf(ctx));
  if (!row) throw ApiError(404, "not-found", "no alert " + std::to_string(id));
  return jsonResponse(200, alerts::alertRowJson(*row));
}

ApiResponse acknowledgeAlert(RequestContext& ctx) {
  const auto id = ctx.idParam("id");
  const JsonBody body(ctx.request(), {"note"});
  const std::string note = body.fields().requireString("note", 2000);
  try {
    const auto row = alerts::acknowledge(ctx.txn(), id, note, actorOf(ctx), localeOf(ctx));
    return jsonResponse(200, alerts::alertRowJson(row));
  } catch (const AlertAdminError& e) {
    rethrow(e, "note");
  }
}

ApiResponse rulesResponse(const alerts::RulesScope& scope, const alerts::RulesView& view) {
  return json(200, {{"scope", scope.scope},
                    {"id", scope.id},
                    {"settings", Json::parse(view.layer)},
                    {"effective", Json::parse(view.effective)}});
}

ApiResponse getRules(RequestContext& ctx, const char* scope) {
  const alerts::RulesScope s{scope, ctx.idParam("id")};
  try {
    return rulesResponse(s, alerts::rulesOf(ctx.txn(), s));
  } catch (const AlertAdminError& e) {
    rethrow(e, "id");
  }
}

ApiResponse putRules(RequestContext& ctx, const char* scope) {
  const alerts::RulesScope s{scope, ctx.idParam("id")};
  const JsonBody body(ctx.request(), {"settings"});
  const auto settings = body.fields().requireObject("settings");
  // The document as it came, checked key by key by the rules themselves.
  const Json parsed = Json::parse(ctx.request().body, nullptr, false);
  if (!parsed.is_object() || !parsed.contains("settings") || !settings.isObject()) {
    invalidField("settings", "expected an object");
  }
  try {
    return rulesResponse(
        s, alerts::replaceRules(ctx.txn(), s, parsed["settings"].dump(), actorOf(ctx)));
  } catch (const AlertAdminError& e) {
    rethrow(e, "settings");
  }
}

ApiResponse listSubscriptions(RequestContext& ctx) {
  Json items = Json::array();
  for (const auto& row :
       alerts::listSubscriptions(ctx.txn(), queryId(ctx.request(), "organisation_id"))) {
    items.push_back(Json::parse(alerts::subscriptionJson(row)));
  }
  return json(200, {{"items", std::move(items)}, {"next_after", nullptr}});
}

alerts::Subscription subscriptionFrom(const JsonBody& body, std::string& secret) {
  const auto& f = body.fields();
  alerts::Subscription s;
  s.organisationId = f.requireInt("organisation_id", 1, INT64_MAX);
  const auto channel = notify::channelFromString(f.requireString("channel", 10));
  if (!channel) invalidField("channel", "expected email or webhook");
  s.channel = *channel;
  s.userId = f.optionalInt("user_id", 1, INT64_MAX).value_or(0);
  s.role = f.optionalString("role", 40);
  s.address = f.optionalString("address", 254);
  s.url = f.optionalString("url", 2048);
  secret = f.optionalString("secret", 256);
  s.locale = f.optionalString("locale", 5);
  const auto severity = alerts::severityFromString(f.optionalString("min_severity", 10));
  if (body.has("min_severity") && !severity) {
    invalidField("min_severity", "expected info, warning or critical");
  }
  s.minSeverity = severity.value_or(alerts::Severity::kWarning);
  if (const auto list = f.optionalArray("conditions", 32)) {
    std::size_t i = 0;
    for (const auto v : *list) {
      if (!v.isString()) invalidField("conditions[" + std::to_string(i) + "]", "expected a name");
      s.conditions.emplace_back(v.string());
      ++i;
    }
  }
  s.includeClears = f.optionalBool("include_clears").value_or(false);
  if (!s.role.empty() && !auth::parseRole(s.role)) invalidField("role", "not a role");
  return s;
}

ApiResponse createSubscription(RequestContext& ctx, const notify::WebhookSecrets& secrets) {
  const JsonBody body(ctx.request(),
                      {"organisation_id", "channel", "user_id", "role", "address", "url", "secret",
                       "locale", "min_severity", "conditions", "include_clears"});
  std::string secret;
  alerts::Subscription s = subscriptionFrom(body, secret);
  bool generated = false;
  if (s.channel == notify::Channel::kWebhook) {
    if (secret.empty()) {
      secret = notify::WebhookSecrets::generate();
      generated = true;
    } else if (secret.size() < 16) {
      invalidField("secret", "at least 16 characters");
    }
    s.sealedSecret = secrets.seal(secret);
  } else if (!secret.empty()) {
    invalidField("secret", "only webhooks have a secret");
  }
  const auto org =
      ctx.txn().exec_params("SELECT 1 FROM organisations WHERE id = $1", s.organisationId);
  if (org.empty()) invalidField("organisation_id", "not an organisation you can see");
  try {
    const auto row = alerts::addSubscription(ctx.txn(), s, actorOf(ctx));
    Json out{{"subscription", Json::parse(alerts::subscriptionJson(row))},
             {"secret", generated ? Json(secret) : Json(nullptr)}};
    ApiResponse r = json(201, out);
    r.set("Location", "/api/v1/alert-subscriptions/" + std::to_string(row.subscription.id));
    return r;
  } catch (const AlertAdminError& e) {
    rethrow(e, "channel");
  }
}

// Members a change names replace the subscription's; naming a user, role
// or address makes it the one target of an e-mail subscription.
ApiResponse updateSubscription(RequestContext& ctx) {
  const JsonBody body(ctx.request(), {"user_id", "role", "address", "locale", "min_severity",
                                      "conditions", "include_clears"});
  const auto& f = body.fields();
  const auto row = alerts::findSubscription(ctx.txn(), ctx.idParam("id"));
  if (!row)
    throw ApiError(404, "not-found", "no subscription " + std::to_string(ctx.idParam("id")));
  alerts::Subscription s = row->subscription;
  if (body.has("user_id") || body.has("role") || body.has("address")) {
    s.userId = f.optionalInt("user_id", 1, INT64_MAX).value_or(0);
    s.role = f.optionalString("role", 40);
    s.address = f.optionalString("address", 254);
    if (!s.role.empty() && !auth::parseRole(s.role)) invalidField("role", "not a role");
  }
  if (body.has("locale")) s.locale = f.optionalString("locale", 5);
  if (body.has("min_severity")) {
    const auto severity = alerts::severityFromString(f.optionalString("min_severity", 10));
    if (!severity) invalidField("min_severity", "expected info, warning or critical");
    s.minSeverity = *severity;
  }
  if (const auto list = f.optionalArray("conditions", 32)) {
    s.conditions.clear();
    std::size_t i = 0;
    for (const auto v : *list) {
      if (!v.isString()) invalidField("conditions[" + std::to_string(i) + "]", "expected a name");
      s.conditions.emplace_back(v.string());
      ++i;
    }
  }
  if (const auto clears = f.optionalBool("include_clears")) s.includeClears = *clears;
  try {
    return json(200, Json::parse(alerts::subscriptionJson(
                         alerts::changeSubscription(ctx.txn(), s, actorOf(ctx)))));
  } catch (const AlertAdminError& e) {
    // The checks name the member first ("locale: ..."); the others are about the target.
    const std::string what = e.what();
    for (const char* member : {"locale", "conditions", "address"})
      if (what.starts_with(std::string(member) + ":")) rethrow(e, member);
    rethrow(e, s.userId != 0 ? "user_id" : s.role.empty() ? "address" : "role");
  }
}

ApiResponse deleteSubscription(RequestContext& ctx) {
  try {
    alerts::removeSubscription(ctx.txn(), ctx.idParam("id"), actorOf(ctx));
  } catch (const AlertAdminError& e) {
    rethrow(e, "id");
  }
  return noContent();
}

ApiResponse testSubscription(RequestContext& ctx, const util::Clock& clock) {
  try {
    const auto id = alerts::queueTestNotification(ctx.txn(), ctx.idParam("id"), clock.now());
    return json(202, {{"notification_id", id}});
  } catch (const AlertAdminError& e) {
    rethrow(e, "id");
  } catch (const std::invalid_argument& e) {
    throw ApiError(409, "conflict", e.what());
  }
}

}  // namespace

void registerAlertRoutes(Router& router, const envelope::MasterKey& masterKey,
                         const util::Clock& clock) {
  using auth::Role;
  const std::set<Role> workers = {Role::kRootAdmin, Role::kDealerAdmin, Role::kDealerTechnician,
                                  Role::kCustomerAdmin};
  const std::set<Role> admins = {Role::kRootAdmin, Role::kDealerAdmin, Role::kCustomerAdmin};
  auto secrets = std::make_shared<notify::WebhookSecrets>(masterKey.bytes());
  const auto* c = &clock;
  router.add({"listAlerts", "GET", "/api/v1/alerts", Access::kSignedIn, {}, listAlerts});
  router.add({"getAlert", "GET", "/api/v1/alerts/{id}", Access::kSignedIn, {}, getAlert});
  router.add({"acknowledgeAlert", "POST", "/api/v1/alerts/{id}/acknowledgement", Access::kSignedIn,
              workers, acknowledgeAlert});
  router.add({"getOrganisationAlertRules", "GET", "/api/v1/organisations/{id}/alert-rules",
              Access::kSignedIn, workers,
              [](RequestContext& ctx) { return getRules(ctx, "organisation"); }});
  router.add({"putOrganisationAlertRules", "PUT", "/api/v1/organisations/{id}/alert-rules",
              Access::kSignedIn, admins,
              [](RequestContext& ctx) { return putRules(ctx, "organisation"); }});
  router.add({"getDeviceAlertRules", "GET", "/api/v1/devices/{id}/alert-rules", Access::kSignedIn,
              workers, [](RequestContext& ctx) { return getRules(ctx, "device"); }});
  router.add({"putDeviceAlertRules", "PUT", "/api/v1/devices/{id}/alert-rules", Access::kSignedIn,
              admins, [](RequestContext& ctx) { return putRules(ctx, "device"); }});
  router.add({"listAlertSubscriptions", "GET", "/api/v1/alert-subscriptions", Access::kSignedIn,
              admins, listSubscriptions});
  router.add({"createAlertSubscription", "POST", "/api/v1/alert-subscriptions", Access::kSignedIn,
              admins,
              [secrets](RequestContext& ctx) { return createSubscription(ctx, *secrets); }});
  router.add({"updateAlertSubscription", "PATCH", "/api/v1/alert-subscriptions/{id}",
              Access::kSignedIn, admins, updateSubscription});
  router.add({"deleteAlertSubscription", "DELETE", "/api/v1/alert-subscriptions/{id}",
              Access::kSignedIn, admins, deleteSubscription});
  router.add({"testAlertSubscription", "POST", "/api/v1/alert-subscriptions/{id}/test",
              Access::kSignedIn, admins,
              [c](RequestContext& ctx) { return testSubscription(ctx, *c); }});
}

}  // namespace openmps::server::api

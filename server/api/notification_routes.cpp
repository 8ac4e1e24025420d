// Notifications (e-mails and webhooks of alerts and reports) of the
// caller's subtree, from the outbox of server/notify: the same functions as
// `openmps-server notify list|retry`, run in the request's transaction in
// the caller's scope, so row-level security on notifications limits both.
#include "server/api/notification_routes.hpp"

#include <algorithm>

#include <pqxx/pqxx>

#include "server/api/auth_json.hpp"
#include "server/api/json_body.hpp"
#include "server/api/problem.hpp"
#include "server/api/query_params.hpp"
#include "server/notify/pg_notify_admin.hpp"
#include "server/notify/webhook_secrets.hpp"
#include "shared/util/args.hpp"
#include "shared/util/time_format.hpp"

namespace openmps::server::api {
namespace {

using Json = nlohmann::json;

notify::OutboxFilter filterOf(const ApiRequest& request) {
  notify::OutboxFilter f;
  f.state = queryText(request, "state", 10).value_or("");
  if (!f.state.empty() && !notify::isOutboxState(f.state)) {
    badQuery("state", "expected queued, sent or dead");
  }
  f.channel = queryText(request, "channel", 10).value_or("");
  if (!f.channel.empty() && !notify::channelFromString(f.channel)) {
    badQuery("channel", "expected email or webhook");
  }
  f.kind = queryText(request, "kind", 64).value_or("");
  f.organisationId = queryId(request, "organisation_id");
  if (const auto after = queryText(request, "after", 20); after && !after->empty()) {
    const auto id = util::parseInt(*after);
    if (!id || *id <= 0) badQuery("after", "expected the next_after of the previous page");
    f.before = *id;
  }
  return f;
}

ApiResponse listNotifications(RequestContext& ctx) {
  auto filter = filterOf(ctx.request());
  const int limit = queryLimit(ctx.request(), 50, 500);
  filter.limit = limit + 1;
  const auto rows = notify::listOutbox(ctx.txn(), filter);
  const std::size_t shown = std::min(rows.size(), static_cast<std::size_t>(limit));
  std::string items = "[";
  for (std::size_t i = 0; i < shown; ++i) {
    if (i > 0) items += ',';
    items += notify::outboxEntryJson(rows[i]);
  }
  items += ']';
  const Json next = rows.size() > shown ? Json(std::to_string(rows[shown - 1].id)) : Json(nullptr);
  return jsonResponse(200, R"({"items":)" + items + R"(,"next_after":)" + next.dump() + "}");
}

ApiResponse retryNotification(RequestContext& ctx) {
  const auto id = ctx.idParam("id");
  const auto actor = auth::AuditActor::of(ctx.caller(), ctx.request().peer);
  switch (notify::retryDead(ctx.txn(), id, actor)) {
    case notify::RetryOutcome::kNotFound:
      throw ApiError(404, "not-found", "no notification " + std::to_string(id));
    case notify::RetryOutcome::kNotDead:
      throw ApiError(
          409, "conflict",
          "notification " + std::to_string(id) + " is not dead: only a dead one is retried");
    case notify::RetryOutcome::kQueued: break;
  }
  const auto entry = notify::findOutboxEntry(ctx.txn(), id);
  if (!entry) throw ApiError(404, "not-found", "no notification " + std::to_string(id));
  return jsonResponse(200, notify::outboxEntryJson(*entry));
}

notify::TestMessage testMessageFrom(const JsonBody& body, const notify::WebhookSecrets& secrets) {
  const auto& f = body.fields();
  notify::TestMessage m;
  m.organisationId = f.requireInt("organisation_id", 1, INT64_MAX);
  const auto channel = notify::channelFromString(f.requireString("channel", 10));
  if (!channel) invalidField("channel", "expected email or webhook");
  m.channel = *channel;
  m.locale = f.optionalString("locale", 5);
  // Every member read (type, length) before the channel decides which belong.
  const auto address = f.optionalString("address", 254);
  const auto url = f.optionalString("url", 2048);
  const auto secret = f.optionalString("secret", 256);
  if (m.channel == notify::Channel::kEmail) {
    if (body.has("url")) invalidField("url", "an e-mail test has an address only");
    if (body.has("secret")) invalidField("secret", "an e-mail test has an address only");
    if (!body.has("address")) invalidField("address", "missing");
    m.to = address;
    return m;
  }
  if (body.has("address")) invalidField("address", "a webhook test has a url and a secret");
  if (!body.has("url")) invalidField("url", "missing");
  if (secret.size() < 16) invalidField("secret", "at least 16 characters");
  m.url = url;
  m.sealedSecret = secrets.seal(secret);
  return m;
}

// The field an outbox refusal names ("notification: to: ...") as the body calls it.
std::string fieldOf(const std::string& message) {
  if (message.find("url:") != std::string::npos) return "url";
  if (message.find("locale:") != std::string::npos) return "locale";
  return "address";
}

ApiResponse sendTestNotification(RequestContext& ctx, const notify::WebhookSecrets& secrets,
                                 const util::Clock& clock) {
  const JsonBody body(ctx.request(),
                      {"organisation_id", "channel", "address", "url", "secret", "locale"});
  const auto message = testMessageFrom(body, secrets);
  std::optional<std::int64_t> id;
  try {
    id = notify::queueTestMessage(ctx.txn(), message, util::formatRfc3339(clock.now()));
  } catch (const std::invalid_argument& e) {
    invalidField(fieldOf(e.what()), e.what());
  }
  if (!id) invalidField("organisation_id", "not an organisation you can see");
  return json(202, {{"notification_id", *id}});
}

}  // namespace

void registerNotificationRoutes(Router& router, const envelope::MasterKey& masterKey,
                                const util::Clock& clock) {
  using auth::Role;
  const std::set<Role> admins = {Role::kRootAdmin, Role::kDealerAdmin, Role::kCustomerAdmin};
  // A notification is about a whole organisation (its alerts, its reports):
  // an account restricted to sites or device groups sees none (and no
  // Notifications page in the portal).
  router.add({"listNotifications", "GET", "/api/v1/notifications", Access::kSignedIn, admins,
              listNotifications, Scope::kCaller, true});
  router.add({"retryNotification", "POST", "/api/v1/notifications/{id}/retry", Access::kSignedIn,
              admins, retryNotification, Scope::kCaller, true});
  auto secrets = std::make_shared<notify::WebhookSecrets>(masterKey.bytes());
  const auto* c = &clock;
  router.add({"sendTestNotification", "POST", "/api/v1/notifications/test", Access::kSignedIn,
              admins,
              [secrets, c](RequestContext& ctx) { return sendTestNotification(ctx, *secrets, *c); },
              Scope::kCaller, true});
}

}  // namespace openmps::server::api

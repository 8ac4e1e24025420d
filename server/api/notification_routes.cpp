// Notifications (e-mails and webhooks of alerts and reports) of the
// caller's subtree, from the outbox of server/notify: the same functions as
// `openmps-server notify list|retry`, run in the request's transaction in
// the caller's scope, so row-level security on notifications limits both.
#include "server/api/notification_routes.hpp"

#include <algorithm>

#include <pqxx/pqxx>

#include "server/api/auth_json.hpp"
#include "server/api/problem.hpp"
#include "server/api/query_params.hpp"
#include "server/notify/pg_notify_admin.hpp"
#include "shared/util/args.hpp"

namespace openmps::server::api {
namespace {

using Json = nlohmann::json;

// A notification is about a whole organisation (its alerts, its reports);
// an account restricted to sites or device groups sees none.
void refuseRestricted(const RequestContext& ctx) {
  if (ctx.caller().restricted()) {
    throw ApiError(403, "forbidden",
                   "notifications cover whole organisations; a restricted account sees none");
  }
}

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
  refuseRestricted(ctx);
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
  refuseRestricted(ctx);
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

}  // namespace

void registerNotificationRoutes(Router& router) {
  using auth::Role;
  const std::set<Role> admins = {Role::kRootAdmin, Role::kDealerAdmin, Role::kCustomerAdmin};
  router.add({"listNotifications", "GET", "/api/v1/notifications", Access::kSignedIn, admins,
              listNotifications});
  router.add({"retryNotification", "POST", "/api/v1/notifications/{id}/retry", Access::kSignedIn,
              admins, retryNotification});
}

}  // namespace openmps::server::api

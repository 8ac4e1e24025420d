// The audit log, read by the administrators of the organisation an entry
// belongs to and of every organisation above it: newest first, filtered by
// action, actor, organisation and time.
#include <pqxx/pqxx>

#include "server/api/auth_json.hpp"
#include "server/api/auth_routes.hpp"
#include "server/api/problem.hpp"
#include "server/auth/pg_audit_query.hpp"
#include "server/auth/user_rules.hpp"
#include "shared/util/args.hpp"
#include "shared/util/time_format.hpp"

namespace openmps::server::api {
namespace {

std::set<auth::Role> admins() {
  return {auth::Role::kRootAdmin, auth::Role::kDealerAdmin, auth::Role::kCustomerAdmin};
}

std::string queryValue(const ApiRequest& r, const char* key, std::size_t max) {
  const auto it = r.query.find(key);
  if (it == r.query.end()) return {};
  if (it->second.size() > max) {
    throw ApiError(400, "invalid-query", std::string(key) + ": longer than " + std::to_string(max),
                   {{key, "too long"}});
  }
  return it->second;
}

std::optional<util::Clock::WallTime> timeValue(const ApiRequest& r, const char* key) {
  const std::string text = queryValue(r, key, 40);
  if (text.empty()) return std::nullopt;
  const auto t = util::parseRfc3339(text);
  if (!t) {
    throw ApiError(400, "invalid-query", std::string(key) + ": expected an RFC 3339 time",
                   {{key, "expected an RFC 3339 time"}});
  }
  return t;
}

std::int64_t idValue(const ApiRequest& r, const char* key) {
  const std::string text = queryValue(r, key, 20);
  if (text.empty()) return 0;
  const auto n = util::parseInt(text);
  if (!n || *n <= 0) {
    throw ApiError(400, "invalid-query", std::string(key) + ": expected an id",
                   {{key, "expected an id"}});
  }
  return *n;
}

// Who acted, as the portal shows it.
nlohmann::json actorJson(const auth::AuditRow& a) {
  std::string kind = "anonymous";  // a failed sign-in under a name nobody has
  nlohmann::json id = nullptr;
  if (a.actorUserId != 0) {
    kind = "user";
    id = a.actorUserId;
  } else if (a.actorTokenId != 0) {
    kind = "api_token";
    id = a.actorTokenId;
  } else if (a.actor.starts_with("cli:")) {
    kind = "cli";
  } else if (a.actor.starts_with("oidc:")) {
    kind = "oidc";
  } else if (a.actor == "server") {
    kind = "server";
  }
  return {{"kind", kind}, {"id", id}, {"name", a.actor}};
}

nlohmann::json entryJson(const auth::AuditRow& a) {
  const auto parsed = [](const std::string& text) {
    return text.empty() ? nlohmann::json(nullptr) : nlohmann::json::parse(text, nullptr, false);
  };
  return {{"id", a.id},
          {"at", util::formatRfc3339(a.at)},
          {"organisation", {{"id", a.organisationId}, {"name", a.organisationName}}},
          {"actor", actorJson(a)},
          {"peer", a.peer},
          {"action", a.action},
          {"target_kind", a.targetType},
          {"target_id", a.targetId},
          {"before", parsed(a.before)},
          {"after", parsed(a.after)},
          {"note", a.detail}};
}

ApiResponse listAudit(RequestContext& ctx) {
  if (!auth::managesUsers(ctx.caller())) {
    throw ApiError(403, "forbidden", "a restricted account cannot read the audit log");
  }
  const ApiRequest& r = ctx.request();
  const Page page = pageOf(r);
  auth::AuditQuery q;
  q.subtreeOf = ctx.caller().organisationId;
  q.organisationId = idValue(r, "organisation_id");
  q.actionPrefix = queryValue(r, "action", 100);
  q.actor = queryValue(r, "actor", 300);
  q.from = timeValue(r, "from");
  q.to = timeValue(r, "to");
  q.beforeId = page.after;
  q.limit = page.limit;
  const auto rows = auth::queryAuditLog(ctx.txn(), q);
  nlohmann::json items = nlohmann::json::array();
  for (const auto& a : rows) items.push_back(entryJson(a));
  return json(200, pageJson(std::move(items), static_cast<std::size_t>(page.limit),
                            rows.empty() ? 0 : rows.back().id));
}

}  // namespace

void registerAuditRoutes(Router& router) {
  router.add({"listAuditLog", "GET", "/api/v1/audit-log", Access::kSignedIn, admins(),
              [](RequestContext& ctx) { return listAudit(ctx); }});
}

}  // namespace openmps::server::api

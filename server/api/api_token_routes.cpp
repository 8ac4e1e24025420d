// API tokens for integrations: made by an administrator signed in as a
// person (never by another token), shown once, scoped to an organisation of
// the maker's subtree and a role the maker may give, revocable.
#include <pqxx/pqxx>

#include "server/api/auth_json.hpp"
#include "server/api/auth_routes.hpp"
#include "server/api/json_body.hpp"
#include "server/api/problem.hpp"
#include "server/auth/pg_api_tokens.hpp"
#include "server/auth/pg_audit_log.hpp"
#include "server/auth/pg_users.hpp"
#include "server/auth/user_rules.hpp"
#include "shared/util/time_format.hpp"

namespace openmps::server::api {
namespace {

// Who may reach these routes at all (each handler then checks the target).
std::set<auth::Role> admins() {
  return {auth::Role::kRootAdmin, auth::Role::kDealerAdmin, auth::Role::kCustomerAdmin};
}

bool inSubtree(const std::vector<std::int64_t>& path, std::int64_t organisationId) {
  return std::find(path.begin(), path.end(), organisationId) != path.end();
}

void requireManager(const RequestContext& ctx) {
  if (!auth::managesUsers(ctx.caller())) {
    throw ApiError(403, "forbidden", "a restricted account cannot manage API tokens");
  }
}

ApiResponse listTokens(RequestContext& ctx) {
  requireManager(ctx);
  const Page page = pageOf(ctx.request());
  const auto rows =
      auth::PgApiTokens(ctx.txn()).list(0, page.after, page.limit, ctx.caller().organisationId);
  nlohmann::json items = nlohmann::json::array();
  for (const auto& t : rows) items.push_back(apiTokenJson(t));
  return json(200, pageJson(std::move(items), static_cast<std::size_t>(page.limit),
                            rows.empty() ? 0 : rows.back().id));
}

ApiResponse createToken(RequestContext& ctx, const util::Clock& clock) {
  requireManager(ctx);
  if (ctx.caller().userId == 0) {
    throw ApiError(403, "session-only", "API tokens are made by a signed-in person, not a token");
  }
  const JsonBody body(ctx.request(), {"name", "organisation_id", "role", "expires_at"});
  const auto& f = body.fields();
  auth::NewApiToken token;
  token.name = f.requireString("name", 200);
  if (token.name.empty()) invalidField("name", "must not be empty");
  const std::string roleText = f.requireString("role", 40);
  const auto role = auth::parseRole(roleText);
  if (!role) invalidField("role", "expected one of the five roles");
  token.role = *role;
  token.organisationId = f.find("organisation_id") ? f.requireInt("organisation_id", 1, INT64_MAX)
                                                   : ctx.caller().organisationId;
  auth::PgUsers users(ctx.txn());
  const auto org = users.organisation(token.organisationId);
  if (!org || !inSubtree(org->path, ctx.caller().organisationId)) {
    throw ApiError(404, "not-found",
                   "organisation_id: no organisation " + std::to_string(token.organisationId),
                   {{"organisation_id", "no such organisation"}});
  }
  if (auto p = auth::roleFitProblem(token.role, org->kind); !p.empty()) invalidField("role", p);
  if (auto p = auth::grantProblem(ctx.caller(), token.role, org->path); !p.empty()) {
    throw ApiError(403, "forbidden", p);
  }
  if (f.find("expires_at")) {
    const std::string text = f.requireString("expires_at", 40);
    token.expiresAt = util::parseRfc3339(text);
    if (!token.expiresAt) invalidField("expires_at", "expected an RFC 3339 time");
    if (*token.expiresAt <= clock.now()) invalidField("expires_at", "must be in the future");
  }
  const std::string secret = auth::newApiToken();
  token.hash = auth::hashToken(secret);
  token.hint = auth::apiTokenHint(secret);
  token.createdBy = ctx.caller().userId;
  auth::PgApiTokens tokens(ctx.txn());
  const std::int64_t id = tokens.create(token, clock.now());
  const auto row = *tokens.byId(id);
  auth::AuditEvent e{org->id, "api_token.create",       "api_token", std::to_string(id),
                     "",      apiTokenJson(row).dump(), ""};
  auth::writeAudit(ctx.txn(), auth::AuditActor::of(ctx.caller(), ctx.request().peer), e);
  ApiResponse r = json(201, {{"token", secret}, {"api_token", apiTokenJson(row)}});
  r.set("Location", "/api/v1/api-tokens/" + std::to_string(id));
  return r;
}

ApiResponse revokeToken(RequestContext& ctx, const util::Clock& clock) {
  requireManager(ctx);
  auth::PgApiTokens tokens(ctx.txn());
  const std::int64_t id = ctx.idParam("id");
  const auto row = tokens.byId(id);
  if (!row || !inSubtree(row->organisationPath, ctx.caller().organisationId)) {
    throw ApiError(404, "not-found", "no API token " + std::to_string(id));
  }
  if (auto p = auth::grantProblem(ctx.caller(), row->role, row->organisationPath); !p.empty()) {
    throw ApiError(403, "forbidden", p);
  }
  tokens.revoke(id, clock.now());
  const auto after = *tokens.byId(id);
  auth::AuditEvent e{row->organisationId,
                     "api_token.revoke",
                     "api_token",
                     std::to_string(id),
                     nlohmann::json{{"revoked_at", timeJson(row->revokedAt)}}.dump(),
                     nlohmann::json{{"revoked_at", timeJson(after.revokedAt)}}.dump(),
                     ""};
  auth::writeAudit(ctx.txn(), auth::AuditActor::of(ctx.caller(), ctx.request().peer), e);
  return noContent();
}

}  // namespace

void registerApiTokenRoutes(Router& router, const util::Clock& clock) {
  router.add({"listApiTokens", "GET", "/api/v1/api-tokens", Access::kSignedIn, admins(),
              [](RequestContext& ctx) { return listTokens(ctx); }});
  router.add({"createApiToken", "POST", "/api/v1/api-tokens", Access::kSignedIn, admins(),
              [&clock](RequestContext& ctx) { return createToken(ctx, clock); }});
  router.add({"revokeApiToken", "DELETE", "/api/v1/api-tokens/{id}", Access::kSignedIn, admins(),
              [&clock](RequestContext& ctx) { return revokeToken(ctx, clock); }});
}

}  // namespace openmps::server::api

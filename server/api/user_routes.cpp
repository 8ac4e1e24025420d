// Users of the caller's subtree: list, create, read, change (role, sites
// and device groups, locale, disabled), password and TOTP resets. Only
// administrators (root_admin, dealer_admin, customer_admin) reach them;
// server/auth/user_rules.hpp decides which roles each may give where.
#include <pqxx/pqxx>

#include "server/api/auth_json.hpp"
#include "server/api/auth_routes.hpp"
#include "server/api/json_body.hpp"
#include "server/api/problem.hpp"
#include "server/auth/pg_audit_log.hpp"
#include "server/auth/pg_auth_store.hpp"
#include "server/auth/pg_users.hpp"
#include "server/auth/user_rules.hpp"
#include "server/store/pg_device_groups.hpp"
#include "shared/util/args.hpp"

namespace openmps::server::api {
namespace {

// Who may reach these routes at all (each handler then checks the target).
std::set<auth::Role> admins() {
  return {auth::Role::kRootAdmin, auth::Role::kDealerAdmin, auth::Role::kCustomerAdmin};
}
constexpr std::size_t kMaxIds = 1000;
constexpr std::size_t kMaxPassword = 1024;

bool inSubtree(const std::vector<std::int64_t>& path, std::int64_t organisationId) {
  return std::find(path.begin(), path.end(), organisationId) != path.end();
}

void requireManager(const RequestContext& ctx) {
  if (!auth::managesUsers(ctx.caller())) {
    throw ApiError(403, "forbidden", "a restricted account cannot manage users");
  }
}

// The organisation, if the caller may see it; 404 otherwise (a foreign
// organisation does not exist for the caller).
auth::OrganisationRef visibleOrganisation(auth::PgUsers& users, const RequestContext& ctx,
                                          std::int64_t id, const char* field) {
  const auto org = users.organisation(id);
  if (!org || !inSubtree(org->path, ctx.caller().organisationId)) {
    throw ApiError(404, "not-found", std::string(field) + ": no organisation " + std::to_string(id),
                   {{field, "no such organisation"}});
  }
  return *org;
}

auth::UserRecord visibleUser(auth::PgUsers& users, const RequestContext& ctx, std::int64_t id) {
  auto user = users.byId(id);
  if (!user) throw ApiError(404, "not-found", "no user " + std::to_string(id));
  const auto org = users.organisation(user->organisationId);
  if (!org || !inSubtree(org->path, ctx.caller().organisationId)) {
    throw ApiError(404, "not-found", "no user " + std::to_string(id));
  }
  return *user;
}

// The caller may manage this user (and give it `role`); 403 naming why.
void requireGrant(auth::PgUsers& users, const RequestContext& ctx, const auth::UserRecord& user,
                  auth::Role role) {
  const auto org = users.organisation(user.organisationId);
  const auto problemText =
      auth::grantProblem(ctx.caller(), role, org ? org->path : std::vector<std::int64_t>{});
  if (!problemText.empty()) throw ApiError(403, "forbidden", problemText);
}

auth::Role roleField(const JsonBody& body, const char* key) {
  const std::string text = body.fields().requireString(key, 40);
  const auto role = auth::parseRole(text);
  if (!role) {
    invalidField(key,
                 "expected root_admin, dealer_admin, dealer_technician, customer_admin or "
                 "customer_viewer");
  }
  return *role;
}

void checkRestriction(auth::Role role, const std::vector<std::int64_t>& sites,
                      const std::vector<std::int64_t>& groups) {
  if ((!sites.empty() || !groups.empty()) && role != auth::Role::kCustomerViewer) {
    invalidField(sites.empty() ? "device_group_ids" : "site_ids",
                 "only a customer_viewer account can be restricted to sites or device groups");
  }
}

// A restricted account's sites and groups are its own customer's.
void checkScope(RequestContext& ctx, std::int64_t customerId,
                const std::optional<std::vector<std::int64_t>>& sites,
                const std::optional<std::vector<std::int64_t>>& groups) {
  store::PgDeviceGroups scope(ctx.txn());
  if (sites && !sites->empty()) {
    if (const auto bad = scope.foreignSites(customerId, *sites); !bad.empty()) {
      invalidField("site_ids", "organisation " + std::to_string(bad.front()) +
                                   " is not a site of the account's customer");
    }
  }
  if (groups && !groups->empty()) {
    if (const auto bad = scope.foreignGroups(customerId, *groups); !bad.empty()) {
      invalidField("device_group_ids", "device group " + std::to_string(bad.front()) +
                                           " is not one of the account's customer");
    }
  }
}

ApiResponse withEtag(ApiResponse r, const auth::UserRecord& user) {
  r.set("ETag", userEtag(user));
  return r;
}

ApiResponse listUsers(RequestContext& ctx) {
  requireManager(ctx);
  const Page page = pageOf(ctx.request());
  std::int64_t orgId = 0;
  if (const auto it = ctx.request().query.find("organisation_id");
      it != ctx.request().query.end()) {
    const auto n = util::parseInt(it->second);
    if (!n || *n <= 0) {
      throw ApiError(400, "invalid-query", "organisation_id: expected an id",
                     {{"organisation_id", "expected an id"}});
    }
    auth::PgUsers users(ctx.txn());
    orgId = visibleOrganisation(users, ctx, *n, "organisation_id").id;
  }
  auth::PgUsers users(ctx.txn());
  const auto rows = users.list(orgId, page.after, page.limit, ctx.caller().organisationId);
  nlohmann::json items = nlohmann::json::array();
  for (const auto& u : rows) items.push_back(userJson(u));
  return json(200, pageJson(std::move(items), static_cast<std::size_t>(page.limit),
                            rows.empty() ? 0 : rows.back().id));
}

ApiResponse createUser(RequestContext& ctx, auth::AuthServices& services) {
  requireManager(ctx);
  const JsonBody body(ctx.request(),
                      {"username", "organisation_id", "role", "display_name", "email", "locale",
                       "site_ids", "device_group_ids", "password"});
  const auto& f = body.fields();
  auth::NewUser user;
  user.username = f.requireString("username", 800);
  if (auto p = auth::usernameProblem(user.username); !p.empty()) invalidField("username", p);
  user.role = roleField(body, "role");
  user.displayName = f.optionalString("display_name", 200);
  user.email = f.optionalString("email", 254);
  user.locale = f.find("locale") ? f.requireString("locale", 5) : std::string("en");
  if (!auth::isLocale(user.locale)) invalidField("locale", "expected en, de, fr or it");
  user.siteIds = body.idList("site_ids", kMaxIds).value_or(std::vector<std::int64_t>{});
  user.deviceGroupIds =
      body.idList("device_group_ids", kMaxIds).value_or(std::vector<std::int64_t>{});
  checkRestriction(user.role, user.siteIds, user.deviceGroupIds);
  auth::PgUsers users(ctx.txn());
  const auto org = visibleOrganisation(users, ctx, f.requireInt("organisation_id", 1, INT64_MAX),
                                       "organisation_id");
  user.organisationId = org.id;
  if (auto p = auth::roleFitProblem(user.role, org.kind); !p.empty()) invalidField("role", p);
  if (auto p = auth::grantProblem(ctx.caller(), user.role, org.path); !p.empty()) {
    throw ApiError(403, "forbidden", p);
  }
  checkScope(ctx, org.id, user.siteIds, user.deviceGroupIds);
  const bool given = f.find("password").has_value();
  const util::Secret password(given ? f.requireString("password", kMaxPassword)
                                    : auth::SignInService::oneTimePassword(user.username));
  user.passwordChangeRequired = !given;
  if (auto o = services.signIn().hashNewPassword(password, user.username, user.passwordHash);
      !o.ok()) {
    throw ApiError(422, "invalid-password", o.message, {{"password", o.message}});
  }
  std::int64_t id = 0;
  try {
    id = users.create(user);
  } catch (const auth::UserError& e) {
    throw ApiError(e.kind() == auth::UserError::Kind::kConflict ? 409 : 422, "user-refused",
                   e.what(), {{"username", e.what()}});
  }
  const auto created = *users.byId(id);
  auth::AuditEvent e{
      org.id, "user.create", "user", std::to_string(id), "", userJson(created).dump(), ""};
  auth::writeAudit(ctx.txn(), auth::AuditActor::of(ctx.caller(), ctx.request().peer), e);
  nlohmann::json out = {{"user", userJson(created)}};
  if (!given) out["one_time_password"] = password.reveal();
  ApiResponse r = withEtag(json(201, out), created);
  r.set("Location", "/api/v1/users/" + std::to_string(id));
  return r;
}

ApiResponse getUser(RequestContext& ctx) {
  requireManager(ctx);
  auth::PgUsers users(ctx.txn());
  const auto user = visibleUser(users, ctx, ctx.idParam("id"));
  return withEtag(json(200, userJson(user)), user);
}

void requireMatch(const RequestContext& ctx, const auth::UserRecord& user) {
  const std::string ifMatch = ctx.request().header("if-match");
  if (ifMatch.empty()) {
    throw ApiError(428, "precondition-required",
                   "send If-Match with the ETag of the user you read (GET /api/v1/users/{id})");
  }
  if (ifMatch != userEtag(user) && ifMatch != "*") {
    throw ApiError(412, "precondition-failed",
                   "the user changed since you read it; read it again and repeat the change");
  }
}

ApiResponse patchUser(RequestContext& ctx, const util::Clock& clock) {
  requireManager(ctx);
  auth::PgUsers users(ctx.txn());
  const auto user = visibleUser(users, ctx, ctx.idParam("id"));
  requireGrant(users, ctx, user, user.role);
  requireMatch(ctx, user);
  const JsonBody body(ctx.request(), {"display_name", "email", "role", "locale", "site_ids",
                                      "device_group_ids", "disabled"});
  const auto& f = body.fields();
  auth::UserChanges c;
  if (body.has("display_name")) c.displayName = f.requireString("display_name", 200);
  if (body.has("email")) c.email = f.requireString("email", 254);
  if (body.has("locale")) {
    c.locale = f.requireString("locale", 5);
    if (!auth::isLocale(*c.locale)) invalidField("locale", "expected en, de, fr or it");
  }
  if (body.has("role")) {
    c.role = roleField(body, "role");
    if (auto p = auth::roleFitProblem(*c.role, user.organisationKind); !p.empty()) {
      invalidField("role", p);
    }
    requireGrant(users, ctx, user, *c.role);
  }
  c.siteIds = body.idList("site_ids", kMaxIds);
  c.deviceGroupIds = body.idList("device_group_ids", kMaxIds);
  if (body.has("disabled")) c.disabled = f.optionalBool("disabled");
  const bool self = user.id == ctx.caller().userId;
  if (self && ((c.role && *c.role != user.role) || (c.disabled && *c.disabled))) {
    throw ApiError(409, "conflict", "you cannot change your own role or disable yourself");
  }
  checkRestriction(c.role.value_or(user.role), c.siteIds.value_or(user.siteIds),
                   c.deviceGroupIds.value_or(user.deviceGroupIds));
  checkScope(ctx, user.organisationId, c.siteIds, c.deviceGroupIds);
  const auto after = users.update(user.id, c, clock.now());
  if (after.disabled && !user.disabled) auth::PgAuthStore(ctx.txn()).endSessionsOfUser(user.id, 0);
  nlohmann::json beforeJson = userJson(user);
  nlohmann::json afterJson = userJson(after);
  nlohmann::json changedBefore = nlohmann::json::object();
  nlohmann::json changedAfter = nlohmann::json::object();
  for (const auto& [key, value] : afterJson.items()) {
    if (key == "updated_at" || beforeJson[key] == value) continue;
    changedBefore[key] = beforeJson[key];
    changedAfter[key] = value;
  }
  const char* action = c.disabled && *c.disabled != user.disabled
                           ? (*c.disabled ? "user.disable" : "user.enable")
                           : "user.update";
  auth::AuditEvent e{
      user.organisationId, action, "user", std::to_string(user.id), changedBefore.dump(),
      changedAfter.dump(), ""};
  auth::writeAudit(ctx.txn(), auth::AuditActor::of(ctx.caller(), ctx.request().peer), e);
  return withEtag(json(200, afterJson), after);
}

ApiResponse resetPassword(RequestContext& ctx, auth::AuthServices& services) {
  requireManager(ctx);
  auth::PgUsers users(ctx.txn());
  const auto user = visibleUser(users, ctx, ctx.idParam("id"));
  requireGrant(users, ctx, user, user.role);
  std::optional<util::Secret> password;
  if (!ctx.request().body.empty()) {
    const JsonBody body(ctx.request(), {"password"});
    if (body.has("password"))
      password = util::Secret(body.fields().requireString("password", kMaxPassword));
  }
  auth::PgAuthStore store(ctx.txn());
  const auto out = services.signIn().resetPassword(
      store, auth::AuditActor::of(ctx.caller(), ctx.request().peer), user.id, password);
  if (out.verdict == auth::Verdict::kInvalid) {
    throw ApiError(422, "invalid-password", out.message, {{"password", out.message}});
  }
  nlohmann::json body = {{"password_change_required", !password}};
  if (!password) body["one_time_password"] = out.message;
  return json(200, body);
}

ApiResponse resetTotp(RequestContext& ctx, auth::AuthServices& services) {
  requireManager(ctx);
  auth::PgUsers users(ctx.txn());
  const auto user = visibleUser(users, ctx, ctx.idParam("id"));
  requireGrant(users, ctx, user, user.role);
  auth::PgAuthStore store(ctx.txn());
  services.signIn().resetTotp(store, auth::AuditActor::of(ctx.caller(), ctx.request().peer),
                              user.id);
  return noContent();
}

}  // namespace

void registerUserRoutes(Router& router, auth::AuthServices& services, const util::Clock& clock) {
  auto& s = services;
  router.add({"listUsers", "GET", "/api/v1/users", Access::kSignedIn, admins(),
              [](RequestContext& ctx) { return listUsers(ctx); }});
  router.add({"createUser", "POST", "/api/v1/users", Access::kSignedIn, admins(),
              [&s](RequestContext& ctx) { return createUser(ctx, s); }});
  router.add({"getUser", "GET", "/api/v1/users/{id}", Access::kSignedIn, admins(),
              [](RequestContext& ctx) { return getUser(ctx); }});
  router.add({"updateUser", "PATCH", "/api/v1/users/{id}", Access::kSignedIn, admins(),
              [&clock](RequestContext& ctx) { return patchUser(ctx, clock); }});
  router.add({"resetUserPassword", "POST", "/api/v1/users/{id}/password-reset", Access::kSignedIn,
              admins(), [&s](RequestContext& ctx) { return resetPassword(ctx, s); },
              Scope::kOwner});
  router.add({"resetUserTotp", "POST", "/api/v1/users/{id}/totp-reset", Access::kSignedIn, admins(),
              [&s](RequestContext& ctx) { return resetTotp(ctx, s); }, Scope::kOwner});
}

}  // namespace openmps::server::api

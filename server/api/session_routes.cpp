// Sign-in and out, the second factor, the signed-in user (/me), its own
// password, TOTP and recovery codes, and OpenID Connect.
#include <pqxx/pqxx>

#include "server/api/auth_json.hpp"
#include "server/api/auth_routes.hpp"
#include "server/api/json_body.hpp"
#include "server/api/problem.hpp"
#include "server/auth/pg_api_tokens.hpp"
#include "server/auth/pg_audit_log.hpp"
#include "server/auth/pg_auth_store.hpp"
#include "server/auth/pg_users.hpp"
#include "server/auth/user_rules.hpp"

namespace openmps::server::api {
namespace {

constexpr std::string_view kOidcCookie = "omps_oidc";
constexpr std::string_view kOidcPath = "/api/v1/auth/oidc";
constexpr std::size_t kMaxPassword = 1024;  // bytes; the policy counts characters

auth::SessionRef sessionRef(const RequestContext& ctx) {
  const auto& a = ctx.authentication();
  return {a.sessionId, a.caller ? a.caller->userId : 0, a.stage, ctx.request().peer};
}

void requireSession(const RequestContext& ctx) {
  if (ctx.authentication().sessionId == 0) {
    throw ApiError(403, "session-only", "this needs a signed-in person, not an API token");
  }
}

// The body of every answer that moves a sign-in on: where the session
// stands now and the CSRF token its state-changing requests must carry.
nlohmann::json sessionJson(auth::SessionStage stage, const std::string& csrf) {
  return {{"stage", std::string(auth::toString(stage))}, {"csrf_token", csrf}};
}

// The answer to an outcome of the sign-in service: a problem, or the
// session's state with a new cookie when the session id changed.
ApiResponse outcomeResponse(const auth::Outcome& out, const std::string& currentCsrf,
                            nlohmann::json extra = nlohmann::json::object()) {
  if (!out.ok()) {
    ApiResponse r = problem(auth::httpStatus(out.verdict), std::string(auth::toString(out.verdict)),
                            out.message);
    if (out.retryAfter) {
      r.set("Retry-After", std::to_string(std::max<long long>(1, out.retryAfter->count())));
    }
    return r;
  }
  nlohmann::json body = std::move(extra);
  ApiResponse r;
  if (!out.session.id.empty()) {
    const std::string csrf = out.session.csrfToken.empty() ? currentCsrf : out.session.csrfToken;
    body.update(sessionJson(out.session.stage, csrf));
    r = json(200, body);
    r.set("Set-Cookie", sessionCookie(auth::kSessionCookie, out.session.id));
  } else {
    r = json(200, body);
  }
  return r;
}

void observeFailure(const auth::Outcome& out, const SignInFailureObserver& failed) {
  if (!failed) return;
  if (out.verdict == auth::Verdict::kRefused) failed("refused");
  if (out.verdict == auth::Verdict::kLocked) failed("locked");
}

// A session cookie that came with a sign-in ends: the new session gets a
// new id, the old one is never promoted.
void endPresentedSession(const RequestContext& ctx, auth::PgAuthStore& store) {
  const std::string cookie = ctx.request().cookie(auth::kSessionCookie);
  if (cookie.empty() || cookie.size() > 100) return;
  if (const auto old = store.findSession(auth::hashToken(cookie))) store.deleteSession(old->id);
}

ApiResponse signIn(RequestContext& ctx, auth::AuthServices& services,
                   const SignInFailureObserver& failed) {
  const JsonBody body(ctx.request(), {"username", "password"});
  const std::string username = body.fields().requireString("username", 200);
  const util::Secret password(body.fields().requireString("password", kMaxPassword));
  auth::PgAuthStore store(ctx.txn());
  endPresentedSession(ctx, store);
  const auto out = services.signIn().signIn(store, username, password, ctx.request().peer);
  observeFailure(out, failed);
  return outcomeResponse(out, out.session.csrfToken);
}

ApiResponse signOut(RequestContext& ctx, auth::AuthServices& services) {
  requireSession(ctx);
  auth::PgAuthStore store(ctx.txn());
  services.signIn().signOut(store, sessionRef(ctx));
  ApiResponse r = noContent();
  r.set("Set-Cookie", sessionCookie(auth::kSessionCookie, "", 0));
  return r;
}

ApiResponse secondFactor(RequestContext& ctx, auth::AuthServices& services,
                         const SignInFailureObserver& failed) {
  requireSession(ctx);
  const JsonBody body(ctx.request(), {"code"});
  const std::string code = body.fields().requireString("code", 40);
  auth::PgAuthStore store(ctx.txn());
  const auto out = services.signIn().secondFactor(store, sessionRef(ctx), code);
  observeFailure(out, failed);
  return outcomeResponse(out, ctx.authentication().csrfToken);
}

nlohmann::json meJson(RequestContext& ctx, auth::AuthServices& services, const Router& router) {
  const auto& a = ctx.authentication();
  const auth::Caller& caller = *a.caller;
  auth::PgUsers users(ctx.txn());
  nlohmann::json me;
  if (caller.userId != 0) {
    const auto user = users.byId(caller.userId);
    if (!user) throw ApiError(401, "unknown", "the user of this session is gone");
    me = userJson(*user);
    me["kind"] = "user";
    me["stage"] = std::string(auth::toString(a.stage));
    me["csrf_token"] = a.csrfToken;
    me["totp_required"] = services.settings().signIn.totpRequired.contains(user->role);
  } else {
    const auto token = auth::PgApiTokens(ctx.txn()).byId(caller.apiTokenId);
    const auto org = users.organisation(caller.organisationId);
    if (!token || !org) throw ApiError(401, "unknown", "the API token is gone");
    me = {{"kind", "api_token"},
          {"id", token->id},
          {"username", token->name},
          {"role", std::string(auth::toString(caller.role))},
          {"organisation", {{"id", org->id}, {"name", org->name}, {"kind", org->kind}}},
          {"stage", "complete"},
          {"csrf_token", nullptr}};
  }
  me["organisation_path"] = caller.organisationPath;
  std::vector<std::string> operations =
      router.operationsFor(caller, a.stage == auth::SessionStage::kComplete);
  if (caller.userId == 0 || !auth::managesUsers(caller)) {
    std::erase_if(operations, [](const std::string& op) {
      return op.find("User") != std::string::npos || op.find("ApiToken") != std::string::npos ||
             op.find("AuditLog") != std::string::npos;
    });
  }
  me["operations"] = operations;
  return me;
}

ApiResponse getMe(RequestContext& ctx, auth::AuthServices& services, const Router& router) {
  return json(200, meJson(ctx, services, router));
}

ApiResponse patchMe(RequestContext& ctx, auth::AuthServices& services, const Router& router,
                    const util::Clock& clock) {
  requireSession(ctx);
  const JsonBody body(ctx.request(), {"display_name", "email", "locale"});
  auth::UserChanges changes;
  nlohmann::json before = nlohmann::json::object();
  nlohmann::json after = nlohmann::json::object();
  auth::PgUsers users(ctx.txn());
  const auto user = users.byId(ctx.caller().userId);
  if (!user) throw ApiError(401, "unknown", "the user of this session is gone");
  if (body.has("display_name")) {
    changes.displayName = body.fields().requireString("display_name", 200);
    before["display_name"] = user->displayName;
    after["display_name"] = *changes.displayName;
  }
  if (body.has("email")) {
    changes.email = body.fields().requireString("email", 254);
    before["email"] = user->email;
    after["email"] = *changes.email;
  }
  if (body.has("locale")) {
    changes.locale = body.fields().requireString("locale", 5);
    if (!auth::isLocale(*changes.locale)) invalidField("locale", "expected en, de, fr or it");
    before["locale"] = user->locale;
    after["locale"] = *changes.locale;
  }
  users.update(user->id, changes, clock.now());
  auth::AuditEvent e{user->organisationId, "user.update", "user",       std::to_string(user->id),
                     before.dump(),        after.dump(),  "own profile"};
  auth::writeAudit(ctx.txn(), auth::AuditActor::of(ctx.caller(), ctx.request().peer), e);
  return json(200, meJson(ctx, services, router));
}

ApiResponse changePassword(RequestContext& ctx, auth::AuthServices& services) {
  requireSession(ctx);
  const JsonBody body(ctx.request(), {"current_password", "new_password"});
  const util::Secret current(body.fields().requireString("current_password", kMaxPassword));
  const util::Secret next(body.fields().requireString("new_password", kMaxPassword));
  auth::PgAuthStore store(ctx.txn());
  const auto out = services.signIn().changePassword(store, sessionRef(ctx), current, next);
  if (out.verdict == auth::Verdict::kInvalid) {
    throw ApiError(422, "invalid-password", out.message, {{"new_password", out.message}});
  }
  return outcomeResponse(out, ctx.authentication().csrfToken);
}

ApiResponse beginTotp(RequestContext& ctx, auth::AuthServices& services) {
  requireSession(ctx);
  auth::PgAuthStore store(ctx.txn());
  const auto enrolment = services.signIn().beginTotp(store, sessionRef(ctx));
  if (!enrolment.outcome.ok()) return outcomeResponse(enrolment.outcome, "");
  return json(
      200,
      {{"otpauth_uri", enrolment.uri}, {"secret", enrolment.secret}, {"qr_svg", enrolment.qrSvg}});
}

ApiResponse codeAction(RequestContext& ctx, auth::AuthServices& services,
                       auth::Outcome (auth::SignInService::*action)(auth::AccountStore&,
                                                                    const auth::SessionRef&,
                                                                    std::string_view) const) {
  requireSession(ctx);
  const JsonBody body(ctx.request(), {"code"});
  const std::string code = body.fields().requireString("code", 40);
  auth::PgAuthStore store(ctx.txn());
  const auto out = (services.signIn().*action)(store, sessionRef(ctx), code);
  nlohmann::json extra = nlohmann::json::object();
  if (!out.recoveryCodes.empty()) extra["recovery_codes"] = out.recoveryCodes;
  if (out.ok() && out.session.id.empty()) {
    extra.update(sessionJson(ctx.authentication().stage, ctx.authentication().csrfToken));
  }
  return outcomeResponse(out, ctx.authentication().csrfToken, extra);
}

ApiResponse authMethods(auth::AuthServices& services) {
  nlohmann::json oidc = {{"enabled", services.oidc() != nullptr}};
  if (services.oidc() != nullptr) {
    oidc["label"] = services.oidc()->settings().buttonLabel;
    oidc["start"] = std::string(kOidcPath) + "/start";
  }
  return json(200, {{"password", true}, {"oidc", oidc}});
}

ApiResponse oidcStart(RequestContext& ctx, auth::AuthServices& services) {
  if (services.oidc() == nullptr) {
    throw ApiError(404, "not-found", "single sign-on is not configured (auth.oidc)");
  }
  auth::PgAuthStore store(ctx.txn());
  const auto start = services.oidc()->start(store);
  ApiResponse r = redirect(start.redirectUrl);
  r.set("Set-Cookie", laxCookie(kOidcCookie, start.browserBinding, kOidcPath,
                                static_cast<int>(auth::OidcSignIn::kPendingLifetime.count())));
  r.set("Cache-Control", "no-store");
  return r;
}

ApiResponse oidcCallback(RequestContext& ctx, auth::AuthServices& services,
                         const SignInFailureObserver& failed) {
  if (services.oidc() == nullptr) {
    throw ApiError(404, "not-found", "single sign-on is not configured (auth.oidc)");
  }
  const auto& q = ctx.request().query;
  const auto value = [&](const char* key) {
    const auto it = q.find(key);
    return it == q.end() ? std::string() : it->second.substr(0, 2048);
  };
  auth::PgAuthStore store(ctx.txn());
  const auto out = services.oidc()->finish(store, store, value("code"), value("state"),
                                           ctx.request().cookie(kOidcCookie), ctx.request().peer);
  if (!out.ok() && failed) failed("sso");
  // The browser comes back to the portal either way; the portal shows the
  // error, the details are in the audit log and the server's log.
  ApiResponse r = redirect(out.ok() ? "/" : "/?sign_in_error=sso");
  r.set("Set-Cookie", laxCookie(kOidcCookie, "", kOidcPath, 0));
  if (out.ok()) r.set("Set-Cookie", sessionCookie(auth::kSessionCookie, out.session.id));
  r.set("Cache-Control", "no-store");
  return r;
}

}  // namespace

void registerSessionRoutes(Router& router, auth::AuthServices& services, const util::Clock& clock,
                           const SignInFailureObserver& failed) {
  auto& s = services;
  router.add(
      {"getAuthMethods", "GET", "/api/v1/auth/methods", Access::kPublic, {}, [&s](RequestContext&) {
         return authMethods(s);
       }});
  router.add(
      {"signIn", "POST", "/api/v1/session", Access::kPublic, {}, [&s, failed](RequestContext& ctx) {
         return signIn(ctx, s, failed);
       }});
  router.add(
      {"signOut", "DELETE", "/api/v1/session", Access::kSignInStep, {}, [&s](RequestContext& ctx) {
         return signOut(ctx, s);
       }});
  router.add({"submitSecondFactor",
              "POST",
              "/api/v1/session/second-factor",
              Access::kSignInStep,
              {},
              [&s, failed](RequestContext& ctx) { return secondFactor(ctx, s, failed); }});
  router.add(
      {"getMe", "GET", "/api/v1/me", Access::kSignInStep, {}, [&s, &router](RequestContext& ctx) {
         return getMe(ctx, s, router);
       }});
  router.add(
      {"updateMe",
       "PATCH",
       "/api/v1/me",
       Access::kSignedIn,
       {},
       [&s, &router, &clock](RequestContext& ctx) { return patchMe(ctx, s, router, clock); }});
  router.add({"changeMyPassword",
              "POST",
              "/api/v1/me/password",
              Access::kSignInStep,
              {},
              [&s](RequestContext& ctx) { return changePassword(ctx, s); }});
  router.add({"startTotpEnrolment",
              "POST",
              "/api/v1/me/totp/enrolment",
              Access::kSignInStep,
              {},
              [&s](RequestContext& ctx) { return beginTotp(ctx, s); }});
  router.add({"confirmTotp",
              "POST",
              "/api/v1/me/totp/confirmation",
              Access::kSignInStep,
              {},
              [&s](RequestContext& ctx) {
                return codeAction(ctx, s, &auth::SignInService::confirmTotp);
              }});
  router.add(
      {"removeTotp",
       "POST",
       "/api/v1/me/totp/removal",
       Access::kSignedIn,
       {},
       [&s](RequestContext& ctx) { return codeAction(ctx, s, &auth::SignInService::disableTotp); },
       Scope::kOwner});
  router.add({"renewRecoveryCodes",
              "POST",
              "/api/v1/me/recovery-codes",
              Access::kSignedIn,
              {},
              [&s](RequestContext& ctx) {
                return codeAction(ctx, s, &auth::SignInService::renewRecoveryCodes);
              },
              Scope::kOwner});
  router.add({"startOidcSignIn",
              "GET",
              "/api/v1/auth/oidc/start",
              Access::kPublic,
              {},
              [&s](RequestContext& ctx) { return oidcStart(ctx, s); }});
  router.add({"finishOidcSignIn",
              "GET",
              "/api/v1/auth/oidc/callback",
              Access::kPublic,
              {},
              [&s, failed](RequestContext& ctx) { return oidcCallback(ctx, s, failed); }});
}

}  // namespace openmps::server::api

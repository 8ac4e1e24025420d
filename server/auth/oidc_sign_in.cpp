#include "server/auth/oidc_sign_in.hpp"

#include "server/auth/jws.hpp"
#include "server/auth/user_rules.hpp"
#include "shared/util/log.hpp"

namespace openmps::server::auth {
namespace {

constexpr std::chrono::minutes kProviderCacheLifetime{60};
// A token naming a key we do not know makes us fetch the keys again, but
// not more often than this (a stranger must not make us hammer the provider).
constexpr std::chrono::seconds kKeyRefetchInterval{60};

Outcome refusal(Verdict v, std::string message) {
  Outcome o;
  o.verdict = v;
  o.message = std::move(message);
  return o;
}

}  // namespace

OidcSignIn::OidcSignIn(const util::Clock& clock, OidcSettings settings, OidcHttp& http,
                       const SignInService& signIn)
    : clock_(clock), settings_(std::move(settings)), http_(http), signIn_(signIn) {}

OidcProvider OidcSignIn::provider() {
  const std::lock_guard lock(mutex_);
  const auto now = clock_.monotonic();
  if (!provider_ || now - providerFetched_ >= kProviderCacheLifetime) {
    provider_ = parseDiscovery(http_.get(settings_.issuer + "/.well-known/openid-configuration"),
                               settings_.issuer);
    providerFetched_ = now;
  }
  return *provider_;
}

const Jwk* OidcSignIn::keyFor(const IdToken& token, std::vector<Jwk>& keys) {
  const auto jwksUri = provider().jwksUri;
  const std::lock_guard lock(mutex_);
  const auto now = clock_.monotonic();
  if (!keysFetched_ ||
      (findKey(keys_, token) == nullptr && now - *keysFetched_ >= kKeyRefetchInterval)) {
    keys_ = parseJwks(http_.get(jwksUri));
    keysFetched_ = now;
  }
  keys = keys_;
  return findKey(keys, token);
}

OidcStart OidcSignIn::start(OidcStore& store) {
  const OidcProvider p = provider();
  const PendingOidcLogin login = newPendingLogin();
  store.savePendingLogin(hashToken(login.state), hashToken(login.browserBinding), login.nonce,
                         login.codeVerifier, clock_.now());
  return {authorizationUrl(p, settings_, login), login.browserBinding};
}

std::int64_t OidcSignIn::resolveUser(AccountStore& accounts, OidcStore& store,
                                     const IdTokenClaims& claims, std::string& why) {
  if (const auto linked = store.userOfIdentity(claims.issuer, claims.subject)) return *linked;
  if (claims.claimValue.empty()) {
    why = "the ID token has no '" + settings_.claim + "' claim to match a user by";
    return 0;
  }
  if (settings_.claim == "email" && claims.emailVerified == false) {
    why = "the provider has not verified the e-mail address " + claims.claimValue;
    return 0;
  }
  std::string kind;
  const std::int64_t orgId =
      settings_.organisation.empty() ? 0 : store.organisationNamed(settings_.organisation, kind);
  if (!settings_.organisation.empty() && orgId == 0) {
    why = "auth.oidc.organisation '" + settings_.organisation +
          "' names no organisation, or more than one";
    return 0;
  }
  const auto matches = store.usersMatching(claims.claimValue, orgId);
  if (matches.size() > 1) {
    why = "more than one user matches " + claims.claimValue;
    return 0;
  }
  std::int64_t userId = matches.empty() ? 0 : matches.front();
  if (userId == 0 && orgId != 0) {
    if (auto problem = roleFitProblem(settings_.defaultRole, kind); !problem.empty()) {
      why = "auth.oidc.default_role: " + problem;
      return 0;
    }
    const bool isEmail = claims.claimValue.find('@') != std::string::npos;
    userId = store.createExternalUser(orgId, claims.claimValue, claims.name,
                                      isEmail ? claims.claimValue : std::string(),
                                      settings_.defaultRole);
    if (userId == 0) {
      why = "the user name " + claims.claimValue + " is taken outside " + settings_.organisation;
      return 0;
    }
    AuditEvent created;
    created.organisationId = orgId;
    created.action = "user.create";
    created.targetType = "user";
    created.targetId = std::to_string(userId);
    created.after = R"({"source":"OpenID Connect","role":")" +
                    std::string(toString(settings_.defaultRole)) + "\"}";
    created.detail = claims.claimValue;
    AuditActor actor;
    actor.name = "oidc:" + settings_.issuer;
    accounts.audit(actor, created);
  }
  if (userId == 0) {
    why = "no user matches " + claims.claimValue + " (and auth.oidc.organisation is not set)";
    return 0;
  }
  store.linkIdentity(claims.issuer, claims.subject, userId);
  return userId;
}

Outcome OidcSignIn::finish(AccountStore& accounts, OidcStore& store, std::string_view code,
                           std::string_view state, std::string_view browserBinding,
                           std::string_view peer) {
  AuditEvent failure;
  failure.action = "session.sign_in_failed";
  failure.targetType = "user";
  AuditActor actor;
  actor.name = "oidc:" + settings_.issuer;
  actor.peer = std::string(peer);
  const auto fail = [&](const std::string& detail) {
    failure.detail = "OpenID Connect: " + detail;
    accounts.audit(actor, failure);
    util::logWarning("auth") << "OpenID Connect sign-in refused: " << detail;
    return refusal(Verdict::kRefused, "single sign-on failed: " + detail);
  };
  if (state.empty() || code.empty()) return fail("the answer has no code or no state");
  const auto pending = store.takePendingLogin(hashToken(state));
  if (!pending || clock_.now() - pending->createdAt >= kPendingLifetime) {
    return fail("unknown or expired sign-in (start again)");
  }
  if (browserBinding.empty() || hashToken(browserBinding) != pending->browserHash) {
    return fail("the sign-in was started in another browser");
  }
  IdTokenClaims claims;
  try {
    const OidcProvider p = provider();
    const std::string idToken = idTokenFromTokenResponse(
        http_.postForm(p.tokenEndpoint, tokenRequestBody(settings_, code, pending->codeVerifier),
                       settings_.clientId, settings_.clientSecret));
    const IdToken token = splitIdToken(idToken);
    std::vector<Jwk> keys;
    const Jwk* key = keyFor(token, keys);
    if (key == nullptr) return fail("the ID token names a key the provider does not publish");
    if (!verifyJws(token.signingInput, token.signature, token.alg, *key)) {
      return fail("the ID token's signature does not verify");
    }
    claims = checkClaims(token, settings_, pending->nonce, clock_.now());
  } catch (const OidcError& e) {
    return fail(e.what());
  }
  std::string why;
  const std::int64_t userId = resolveUser(accounts, store, claims, why);
  if (userId == 0) return fail(why);
  return signIn_.signInVerified(accounts, userId, peer, "OpenID Connect " + settings_.issuer);
}

}  // namespace openmps::server::auth

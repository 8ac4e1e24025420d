#include "server/auth/authenticator.hpp"

#include <array>
#include <utility>

namespace openmps::server::auth {
namespace {

Authentication refuse(Refusal refusal, std::string message) {
  Authentication out;
  out.refusal = refusal;
  out.message = std::move(message);
  return out;
}

// Session ids are randomToken(32): 43 base64url characters. Anything else
// is refused before it reaches the database.
bool plausibleSessionId(std::string_view text) {
  if (text.size() != 43) return false;
  for (const char c : text) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

bool sessionExpired(const SessionRecord& s, const SessionPolicy& policy,
                    util::Clock::WallTime now) {
  const auto lifetime =
      s.stage == SessionStage::kComplete ? policy.maxLifetime : policy.incompleteLifetime;
  return now - s.lastSeenAt >= policy.idleTimeout || now - s.createdAt >= lifetime;
}

}  // namespace

std::string_view toString(Refusal refusal) {
  static constexpr std::array<std::string_view, 7> kNames = {
      "none", "no_credentials", "unknown", "expired", "disabled", "csrf", "sign_in_incomplete"};
  return kNames.at(static_cast<std::size_t>(refusal));
}

int httpStatus(Refusal refusal) {
  switch (refusal) {
    case Refusal::kNone: return 0;
    case Refusal::kCsrf:
    case Refusal::kSignInIncomplete: return 403;
    default: return 401;
  }
}

Authentication Authenticator::authenticate(SessionLookup& store, const Credentials& credentials,
                                           bool allowIncomplete) const {
  if (!credentials.bearerToken.empty()) return byToken(store, credentials);
  if (!credentials.sessionCookie.empty()) return bySession(store, credentials, allowIncomplete);
  return refuse(Refusal::kNoCredentials,
                "sign in first (session cookie) or send an API token (Authorization: Bearer)");
}

Authentication Authenticator::bySession(SessionLookup& store, const Credentials& credentials,
                                        bool allowIncomplete) const {
  if (!plausibleSessionId(credentials.sessionCookie)) {
    return refuse(Refusal::kUnknown, "the session cookie is not a session id; sign in again");
  }
  auto session = store.findSession(hashToken(credentials.sessionCookie));
  if (!session) {
    return refuse(Refusal::kUnknown, "no such session (signed out or expired); sign in again");
  }
  const auto now = clock_.now();
  if (sessionExpired(*session, policy_, now)) {
    store.deleteSession(session->id);
    return refuse(Refusal::kExpired, "the session expired; sign in again");
  }
  if (session->userDisabled) {
    store.deleteSession(session->id);
    return refuse(Refusal::kDisabled, "the account is disabled");
  }
  if (credentials.changesState) {
    if (credentials.csrfHeader.empty()) {
      return refuse(Refusal::kCsrf, "the X-CSRF-Token header is missing (GET /api/v1/me has it)");
    }
    if (!equalConstantTime(credentials.csrfHeader, session->csrfToken)) {
      return refuse(Refusal::kCsrf, "the X-CSRF-Token header does not match the session");
    }
  }
  if (session->stage != SessionStage::kComplete && !allowIncomplete) {
    Authentication out = refuse(
        Refusal::kSignInIncomplete,
        "finish signing in first (" + std::string(toString(session->stage)) + " is pending)");
    out.stage = session->stage;
    out.sessionId = session->id;
    return out;
  }
  if (now - session->lastSeenAt >= policy_.touchInterval) {
    store.touchSession(session->id, now);
  }
  Authentication out;
  out.caller = std::move(session->caller);
  out.stage = session->stage;
  out.sessionId = session->id;
  out.csrfToken = std::move(session->csrfToken);
  return out;
}

Authentication Authenticator::byToken(SessionLookup& store, const Credentials& credentials) const {
  if (!looksLikeApiToken(credentials.bearerToken)) {
    return refuse(Refusal::kUnknown, "the bearer token is not an OpenMPS API token (omps_...)");
  }
  auto token = store.findApiToken(hashToken(credentials.bearerToken));
  if (!token || token->revoked) {
    return refuse(Refusal::kUnknown, "no such API token (revoked or never issued)");
  }
  const auto now = clock_.now();
  if (token->expiresAt && now >= *token->expiresAt) {
    return refuse(Refusal::kExpired, "the API token expired");
  }
  if (now - token->lastUsedAt >= policy_.touchInterval) {
    store.touchApiToken(token->id, now);
  }
  Authentication out;
  out.caller = std::move(token->caller);
  return out;
}

}  // namespace openmps::server::auth

#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "server/auth/caller.hpp"
#include "server/auth/session_types.hpp"
#include "server/auth/tokens.hpp"
#include "shared/util/clock.hpp"

// Who is calling: a request's credentials become a Caller or a refusal.
// The API decides what the caller may do; this decides who it is.
namespace openmps::server::auth {

inline constexpr std::string_view kSessionCookie = "omps_session";
inline constexpr std::string_view kCsrfHeader = "X-CSRF-Token";

// What a request carries that may identify its caller. Empty strings mean
// "not sent".
struct Credentials {
  std::string sessionCookie;  // the value of the kSessionCookie cookie
  std::string bearerToken;    // from "Authorization: Bearer ..."
  std::string csrfHeader;     // the value of the kCsrfHeader header
  bool changesState = false;  // any method but GET, HEAD and OPTIONS
  std::string peerAddress;
};

enum class Refusal {
  kNone,
  kNoCredentials,     // 401: neither a session cookie nor a bearer token
  kUnknown,           // 401: no such session or token (signed out, revoked, made up)
  kExpired,           // 401: session idle or too old, token past its expiry
  kDisabled,          // 401: the account is disabled
  kCsrf,              // 403: a state-changing request with a session but no or a wrong CSRF header
  kSignInIncomplete,  // 403: the session still needs a second factor, TOTP enrolment or a new
                      // password
};

std::string_view toString(Refusal refusal);
// 401 or 403 (0 for kNone).
int httpStatus(Refusal refusal);

struct SessionPolicy {
  std::chrono::seconds idleTimeout{30 * 60};
  std::chrono::seconds maxLifetime{12 * 3600};
  // A session's last_seen_at is written at most this often, so reading
  // pages does not turn every request into a write.
  std::chrono::seconds touchInterval{60};
  // How long a session may stay in a stage before kComplete.
  std::chrono::seconds incompleteLifetime{10 * 60};
};

struct Authentication {
  std::optional<Caller> caller;  // set when refusal is kNone
  Refusal refusal = Refusal::kNone;
  std::string message;  // for the problem's detail; names what was wrong
  SessionStage stage = SessionStage::kComplete;
  std::int64_t sessionId = 0;  // 0 for API tokens
  std::string csrfToken;       // the session's, for /me

  bool ok() const { return refusal == Refusal::kNone; }
};

// The database side of authentication (PgAuthStore; a fake in unit tests).
class SessionLookup {
 public:
  virtual ~SessionLookup() = default;
  virtual std::optional<SessionRecord> findSession(const TokenHash& idHash) = 0;
  virtual void touchSession(std::int64_t sessionId, util::Clock::WallTime at) = 0;
  virtual void deleteSession(std::int64_t sessionId) = 0;
  virtual std::optional<ApiTokenRecord> findApiToken(const TokenHash& tokenHash) = 0;
  virtual void touchApiToken(std::int64_t tokenId, util::Clock::WallTime at) = 0;
};

class Authenticator {
 public:
  Authenticator(const util::Clock& clock, SessionPolicy policy) : clock_(clock), policy_(policy) {}

  // A bearer token wins over a session cookie (browsers never attach one
  // on their own, so it needs no CSRF header). allowIncomplete: the route
  // serves sessions still in their sign-in (the sign-in routes only).
  Authentication authenticate(SessionLookup& store, const Credentials& credentials,
                              bool allowIncomplete = false) const;

  const SessionPolicy& policy() const { return policy_; }

 private:
  Authentication bySession(SessionLookup& store, const Credentials& credentials,
                           bool allowIncomplete) const;
  Authentication byToken(SessionLookup& store, const Credentials& credentials) const;

  const util::Clock& clock_;
  SessionPolicy policy_;
};

}  // namespace openmps::server::auth

#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "server/auth/account_store.hpp"
#include "server/auth/password_hasher.hpp"
#include "server/auth/password_policy.hpp"
#include "server/auth/totp_vault.hpp"
#include "shared/util/clock.hpp"
#include "shared/util/secret.hpp"

// Signing in and a person's own credentials: password, lockout, second
// factor, TOTP enrolment, password change and reset, idle accounts. Pure
// decisions over an AccountStore and an injected clock; every outcome is
// audited through the store in the same transaction.
namespace openmps::server::auth {

struct LockoutRule {
  int maxFailures = 5;
  // Failures older than this no longer count; a lock lasts this long.
  std::chrono::seconds duration{15 * 60};
};

struct SignInSettings {
  LockoutRule account;
  // An address is often a whole office behind one NAT: a few people
  // mistyping must not lock all of them out, while one source trying many
  // accounts (which the per-account rule does not see) is still stopped.
  LockoutRule address{30};
  std::chrono::seconds idleUserLimit{std::chrono::hours(24 * 180)};
  // Roles that must use a second factor: by default those who see many
  // customers' data.
  std::set<Role> totpRequired{Role::kRootAdmin, Role::kDealerAdmin};
  std::string totpIssuer = "OpenMPS";
};

// The session a request came with (from Authentication).
struct SessionRef {
  std::int64_t sessionId = 0;
  std::int64_t userId = 0;
  SessionStage stage = SessionStage::kComplete;
  std::string peer;
};

// A session to hand to the browser: its id goes into the cookie, the CSRF
// token into the response body. Empty id: no new session.
struct IssuedSession {
  std::string id;
  std::string csrfToken;
  std::int64_t sessionId = 0;
  std::int64_t userId = 0;
  SessionStage stage = SessionStage::kComplete;
};

enum class Verdict {
  kOk,
  kRefused,   // 401: wrong user name, password or code (never which)
  kLocked,    // 429: too many failures; lockedUntil says until when
  kDisabled,  // 403: the account is disabled
  kInvalid,   // 422: the new password or the request breaks a rule; message says which
  kConflict,  // 409: not possible in the account's state (TOTP on already, ...)
};

struct Outcome {
  Verdict verdict = Verdict::kOk;
  std::string message;
  std::optional<WallTime> lockedUntil;
  std::optional<std::chrono::seconds> retryAfter;  // until lockedUntil, rounded up
  IssuedSession session;                           // set when a session was created or rotated
  std::vector<std::string> recoveryCodes;          // shown once, after TOTP confirmation
  bool ok() const { return verdict == Verdict::kOk; }
};

struct TotpEnrolment {
  Outcome outcome;
  std::string uri;     // otpauth://totp/...
  std::string secret;  // base32, for typing it in by hand
  std::string qrSvg;
};

class SignInService {
 public:
  SignInService(const util::Clock& clock, const PasswordHasher& hasher,
                const PasswordPolicy& policy, const TotpVault& vault, SignInSettings settings);

  // Password step. A new session id every time (no fixation); its stage
  // says what is still missing (second factor, new password, enrolment).
  Outcome signIn(AccountStore& store, std::string_view username, const util::Secret& password,
                 std::string_view peer) const;
  // A user another party vouched for (OpenID Connect): no password and no
  // local second factor (the provider's own applies); disabled and idle
  // accounts are refused as at a password sign-in. `how` goes to the audit.
  Outcome signInVerified(AccountStore& store, std::int64_t userId, std::string_view peer,
                         std::string_view how) const;
  // A 6-digit TOTP code or a recovery code for a session in kSecondFactor.
  Outcome secondFactor(AccountStore& store, const SessionRef& session, std::string_view code) const;
  void signOut(AccountStore& store, const SessionRef& session) const;

  // The user's own change: the current password again, and the new one
  // must follow the policy. Ends the user's other sessions; this one gets a
  // new id.
  Outcome changePassword(AccountStore& store, const SessionRef& session,
                         const util::Secret& current, const util::Secret& next) const;

  TotpEnrolment beginTotp(AccountStore& store, const SessionRef& session) const;
  // The first code confirms the secret; the outcome carries the recovery codes.
  Outcome confirmTotp(AccountStore& store, const SessionRef& session, std::string_view code) const;
  // Needs a current code (or a recovery code); refused when the role requires TOTP.
  Outcome disableTotp(AccountStore& store, const SessionRef& session, std::string_view code) const;
  Outcome renewRecoveryCodes(AccountStore& store, const SessionRef& session,
                             std::string_view code) const;

  // An administrator's (API or command line) reset: the given password, or
  // a generated one-time password (returned in Outcome::message) that must
  // be changed at the next sign-in. Ends the user's sessions.
  Outcome resetPassword(AccountStore& store, const AuditActor& actor, std::int64_t userId,
                        const std::optional<util::Secret>& password) const;
  Outcome resetTotp(AccountStore& store, const AuditActor& actor, std::int64_t userId) const;

  // Disables users without a sign-in for idleUserLimit; returns how many.
  int disableIdleUsers(AccountStore& store) const;

  // The hash of a new password, or the policy's objection (kInvalid).
  Outcome hashNewPassword(const util::Secret& password, std::string_view username,
                          std::string& hashOut) const;
  // A random password (20 characters) that passes the policy for this user.
  static std::string oneTimePassword(std::string_view username);

  const SignInSettings& settings() const { return settings_; }
  const PasswordPolicy& policy() const { return policy_; }

 private:
  SessionStage nextStage(const UserCredentials& user, bool secondFactorDone) const;
  IssuedSession newSession(AccountStore& store, const UserCredentials& user, SessionStage stage,
                           std::string_view peer) const;
  IssuedSession rotate(AccountStore& store, const SessionRef& session, SessionStage stage) const;
  Outcome finishStage(AccountStore& store, const SessionRef& session, const UserCredentials& user,
                      bool secondFactorDone) const;
  std::optional<Outcome> lockedOut(AccountStore& store, std::string_view key, std::string_view peer,
                                   const AuditEvent& failure, const AuditActor& actor) const;
  Outcome failed(AccountStore& store, std::string_view key, std::string_view peer,
                 const AuditEvent& event, const AuditActor& actor) const;
  std::string idleNote() const;
  bool checkSecondFactor(AccountStore& store, const UserCredentials& user, std::string_view code,
                         bool& usedRecoveryCode) const;

  const util::Clock& clock_;
  const PasswordHasher& hasher_;
  const PasswordPolicy& policy_;
  const TotpVault& vault_;
  SignInSettings settings_;
};

std::string_view toString(Verdict verdict);
int httpStatus(Verdict verdict);

}  // namespace openmps::server::auth

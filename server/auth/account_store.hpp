#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "server/auth/audit.hpp"
#include "server/auth/caller.hpp"
#include "server/auth/session_types.hpp"
#include "server/auth/tokens.hpp"
#include "shared/util/clock.hpp"

// The database side of signing in and of a person's own credentials
// (PgAuthStore over the request's transaction; a fake in unit tests).
// Everything one call of the sign-in service does happens in one
// transaction, its audit entries included.
namespace openmps::server::auth {

enum class LockScope { kAccount, kAddress };

struct UserCredentials {
  std::int64_t id = 0;
  std::string username;
  std::int64_t organisationId = 0;
  Role role = Role::kCustomerViewer;
  std::string passwordHash;  // empty: no password (OpenID Connect only)
  bool passwordChangeRequired = false;
  bool disabled = false;
  std::string totpSealed;  // empty: no TOTP secret
  bool totpConfirmed = false;
  std::int64_t totpLastStep = 0;
  // The last sign-in, or when the account was made if never.
  util::Clock::WallTime lastActiveAt;
};

// A user that the idle rule disabled.
struct DisabledUser {
  std::int64_t id = 0;
  std::int64_t organisationId = 0;
  std::string username;
};

using WallTime = util::Clock::WallTime;

class AccountStore {
 public:
  virtual ~AccountStore() = default;

  // Serialises attempts on one account name (lower case) until the end of
  // the transaction, so concurrent guesses are counted one after another.
  virtual void serialiseAccount(std::string_view key) = 0;
  virtual std::optional<UserCredentials> userByName(std::string_view username) = 0;
  virtual std::optional<UserCredentials> userById(std::int64_t id) = 0;

  virtual std::optional<WallTime> lockedUntil(LockScope scope, std::string_view key) = 0;
  // Records a failure at `at`; returns the failures since `since`, this one included.
  virtual int addFailure(LockScope scope, std::string_view key, WallTime at, WallTime since) = 0;
  // Locks the key until `until` and forgets its failures.
  virtual void lock(LockScope scope, std::string_view key, WallTime until) = 0;
  // Forgets the key's failures and lifts its lock.
  virtual void clearFailures(LockScope scope, std::string_view key) = 0;

  virtual std::int64_t createSession(const TokenHash& idHash, std::int64_t userId,
                                     SessionStage stage, std::string_view csrfToken, WallTime at,
                                     std::string_view peer) = 0;
  // A new id (and stage) for a session moving on in its sign-in.
  virtual void rotateSession(std::int64_t sessionId, const TokenHash& newIdHash, SessionStage stage,
                             WallTime at) = 0;
  virtual void endSession(std::int64_t sessionId) = 0;
  virtual void endSessionsOfUser(std::int64_t userId, std::int64_t exceptSessionId) = 0;

  virtual void setPassword(std::int64_t userId, std::string_view hash, bool changeRequired) = 0;
  virtual void markSignedIn(std::int64_t userId, WallTime at) = 0;
  virtual void disableUser(std::int64_t userId, std::string_view reason, WallTime at) = 0;
  // Disables every enabled user whose last activity is before `before`.
  virtual std::vector<DisabledUser> disableIdleUsers(WallTime before, WallTime at) = 0;

  // A new, unconfirmed secret (replaces an unconfirmed one).
  virtual void setTotpSecret(std::int64_t userId, std::string_view sealed) = 0;
  virtual void confirmTotp(std::int64_t userId, std::int64_t step, WallTime at) = 0;
  // Records `step` as used; false when it or a later step was used already.
  virtual bool useTotpStep(std::int64_t userId, std::int64_t step) = 0;
  // Removes the secret and the recovery codes.
  virtual void clearTotp(std::int64_t userId) = 0;
  virtual void replaceRecoveryCodes(std::int64_t userId, const std::vector<TokenHash>& hashes) = 0;
  // Marks an unused code used; false when there is none such.
  virtual bool useRecoveryCode(std::int64_t userId, const TokenHash& hash, WallTime at) = 0;
  virtual int recoveryCodesLeft(std::int64_t userId) = 0;

  virtual void audit(const AuditActor& actor, const AuditEvent& event) = 0;
};

}  // namespace openmps::server::auth

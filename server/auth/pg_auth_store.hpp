#pragma once

#include "server/auth/account_store.hpp"
#include "server/auth/authenticator.hpp"
#include "server/auth/oidc_sign_in.hpp"

namespace pqxx {
class transaction_base;
}

// Sessions, tokens, users' credentials, failures and locks in PostgreSQL,
// over a transaction the caller owns (the API request's, or the command
// line's). It reads as the connection's own role (the owner): call it before
// the request switches to the API's role.
namespace openmps::server::auth {

class PgAuthStore final : public SessionLookup, public AccountStore, public OidcStore {
 public:
  explicit PgAuthStore(pqxx::transaction_base& txn);

  // SessionLookup
  std::optional<SessionRecord> findSession(const TokenHash& idHash) override;
  void touchSession(std::int64_t sessionId, WallTime at) override;
  void deleteSession(std::int64_t sessionId) override;
  std::optional<ApiTokenRecord> findApiToken(const TokenHash& tokenHash) override;
  void touchApiToken(std::int64_t tokenId, WallTime at) override;

  // AccountStore
  void serialiseAccount(std::string_view key) override;
  std::optional<UserCredentials> userByName(std::string_view username) override;
  std::optional<UserCredentials> userById(std::int64_t id) override;
  std::optional<WallTime> lockedUntil(LockScope scope, std::string_view key) override;
  int addFailure(LockScope scope, std::string_view key, WallTime at, WallTime since) override;
  void lock(LockScope scope, std::string_view key, WallTime until) override;
  void clearFailures(LockScope scope, std::string_view key) override;
  std::int64_t createSession(const TokenHash& idHash, std::int64_t userId, SessionStage stage,
                             std::string_view csrfToken, WallTime at,
                             std::string_view peer) override;
  void rotateSession(std::int64_t sessionId, const TokenHash& newIdHash, SessionStage stage,
                     WallTime at) override;
  void endSession(std::int64_t sessionId) override;
  void endSessionsOfUser(std::int64_t userId, std::int64_t exceptSessionId) override;
  void setPassword(std::int64_t userId, std::string_view hash, bool changeRequired) override;
  void markSignedIn(std::int64_t userId, WallTime at) override;
  void disableUser(std::int64_t userId, std::string_view reason, WallTime at) override;
  std::vector<DisabledUser> disableIdleUsers(WallTime before, WallTime at) override;
  void setTotpSecret(std::int64_t userId, std::string_view sealed) override;
  void confirmTotp(std::int64_t userId, std::int64_t step, WallTime at) override;
  bool useTotpStep(std::int64_t userId, std::int64_t step) override;
  void clearTotp(std::int64_t userId) override;
  void replaceRecoveryCodes(std::int64_t userId, const std::vector<TokenHash>& hashes) override;
  bool useRecoveryCode(std::int64_t userId, const TokenHash& hash, WallTime at) override;
  int recoveryCodesLeft(std::int64_t userId) override;
  void audit(const AuditActor& actor, const AuditEvent& event) override;

  // OidcStore
  void savePendingLogin(const TokenHash& stateHash, const TokenHash& browserHash,
                        std::string_view nonce, std::string_view codeVerifier,
                        WallTime at) override;
  std::optional<PendingLoginRecord> takePendingLogin(const TokenHash& stateHash) override;
  std::optional<std::int64_t> userOfIdentity(std::string_view issuer,
                                             std::string_view subject) override;
  void linkIdentity(std::string_view issuer, std::string_view subject,
                    std::int64_t userId) override;
  std::vector<std::int64_t> usersMatching(std::string_view value,
                                          std::int64_t organisationId) override;
  std::int64_t organisationNamed(std::string_view name, std::string& kind) override;
  std::int64_t createExternalUser(std::int64_t organisationId, std::string_view username,
                                  std::string_view displayName, std::string_view email,
                                  Role role) override;

  // Housekeeping for the server's sweep: failures older than `failuresBefore`,
  // expired locks, sessions idle since `sessionsBefore`, unanswered OpenID
  // Connect sign-ins started before `loginsBefore`. Returns rows removed.
  long purgeExpired(WallTime now, WallTime failuresBefore, WallTime sessionsBefore,
                    WallTime loginsBefore);

 private:
  pqxx::transaction_base& txn_;
};

// Timestamps cross the libpq boundary as microseconds since the epoch.
std::int64_t toMicros(WallTime t);
WallTime fromMicros(std::int64_t micros);

}  // namespace openmps::server::auth

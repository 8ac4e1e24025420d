#include "server/auth/pg_auth_store.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <utility>

#include <pqxx/pqxx>

#include "server/auth/pg_audit_log.hpp"

namespace openmps::server::auth {
namespace {

// Timestamps as microseconds since the epoch in both directions.
#define OMPS_AT(x) "(timestamptz 'epoch' + (" x ") * interval '1 microsecond')"
#define OMPS_US(x) "(extract(epoch FROM " x ") * 1000000)::bigint"

constexpr std::string_view kCallerColumns =
    "u.id, u.organisation_id, array_to_string(o.path, ','), u.role, "
    "array_to_string(u.site_ids, ','), array_to_string(u.device_group_ids, ','), u.locale";

constexpr std::string_view kCredentialColumns =
    "id, username, organisation_id, role, coalesce(password_hash, ''), password_change_required, "
    "disabled_at IS NOT NULL, totp_secret, totp_confirmed_at IS NOT NULL, totp_last_step, " OMPS_US(
        "greatest(last_sign_in_at, enabled_at, created_at)");

struct Statement {
  const char* name;
  std::string sql;
};

// Every statement of this adapter, by name.
const std::array<Statement, 38>& statements() {
  static const std::array<Statement, 38> kStatements = {{
      {"auth_find_session",
       "SELECT s.id, s.stage, " OMPS_US("s.created_at") ", " OMPS_US(
           "s.last_seen_at") ", s.csrf_token, u.disabled_at IS NOT NULL, " +
           std::string(kCallerColumns) +
           " FROM sessions s JOIN users u ON u.id = s.user_id"
           " JOIN organisations o ON o.id = u.organisation_id WHERE s.id_hash = $1"},
      {"auth_touch_session", "UPDATE sessions SET last_seen_at = " OMPS_AT("$2") " WHERE id = $1"},
      {"auth_delete_session", "DELETE FROM sessions WHERE id = $1"},
      {"auth_find_token",
       "SELECT t.id, " OMPS_US("t.expires_at") ", t.revoked_at IS NOT NULL, " OMPS_US(
           "coalesce(t.last_used_at, t.created_at)") ", coalesce(t.created_by, 0), "
                                                     "t.organisation_id, array_to_string(o.path, "
                                                     "','), t.role"
                                                     " FROM api_tokens t JOIN organisations o ON "
                                                     "o.id = t.organisation_id"
                                                     " WHERE t.token_hash = $1"},
      {"auth_touch_token", "UPDATE api_tokens SET last_used_at = " OMPS_AT("$2") " WHERE id = $1"},
      {"auth_serialise_account",
       "SELECT pg_advisory_xact_lock(hashtextextended('auth:' || $1, 0))"},
      {"auth_user_by_name", "SELECT " + std::string(kCredentialColumns) +
                                " FROM users WHERE lower(username) = lower($1)"},
      {"auth_user_by_id",
       "SELECT " + std::string(kCredentialColumns) + " FROM users WHERE id = $1"},
      {"auth_locked_until",
       "SELECT " OMPS_US("locked_until") " FROM sign_in_locks WHERE scope = $1 AND key = $2"},
      {"auth_add_failure",
       "INSERT INTO sign_in_failures (scope, key, failed_at) VALUES ($1, $2, " OMPS_AT("$3") ")"},
      {"auth_count_failures",
       "SELECT count(*) FROM sign_in_failures WHERE scope = $1 AND key = $2 AND failed_at "
       "> " OMPS_AT("$3")},
      {"auth_lock",
       "INSERT INTO sign_in_locks (scope, key, locked_until) VALUES ($1, $2, " OMPS_AT(
           "$3") ")"
                 " ON CONFLICT (scope, key) DO UPDATE SET locked_until = EXCLUDED.locked_until"},
      {"auth_clear_failures", "DELETE FROM sign_in_failures WHERE scope = $1 AND key = $2"},
      {"auth_unlock", "DELETE FROM sign_in_locks WHERE scope = $1 AND key = $2"},
      {"auth_create_session",
       "INSERT INTO sessions (id_hash, user_id, stage, csrf_token, created_at, last_seen_at, peer)"
       " VALUES ($1, $2, $3, $4, " OMPS_AT("$5") ", " OMPS_AT("$5") ", $6) RETURNING id"},
      {"auth_rotate_session",
       "UPDATE sessions SET id_hash = $2, stage = $3, last_seen_at = " OMPS_AT(
           "$4") " WHERE id = $1"},
      {"auth_end_user_sessions", "DELETE FROM sessions WHERE user_id = $1 AND id <> $2"},
      {"auth_set_password",
       "UPDATE users SET password_hash = $2, password_change_required = $3, updated_at = now()"
       " WHERE id = $1"},
      {"auth_mark_signed_in", "UPDATE users SET last_sign_in_at = " OMPS_AT("$2") " WHERE id = $1"},
      {"auth_disable_user",
       "UPDATE users SET disabled_at = " OMPS_AT("$3") ", disabled_reason = $2, updated_at = now()"
                                                       " WHERE id = $1 AND disabled_at IS NULL"},
      {"auth_disable_idle",
       "UPDATE users SET disabled_at = " OMPS_AT(
           "$2") ", disabled_reason = 'idle', updated_at = now()"
                 " WHERE disabled_at IS NULL AND greatest(last_sign_in_at, enabled_at, created_at) "
                 "< " OMPS_AT("$1") " RETURNING id, organisation_id, username"},
      {"auth_set_totp",
       "UPDATE users SET totp_secret = $2, totp_confirmed_at = NULL, totp_last_step = 0,"
       " updated_at = now() WHERE id = $1"},
      {"auth_confirm_totp",
       "UPDATE users SET totp_confirmed_at = " OMPS_AT("$3") ", totp_last_step = $2,"
                                                             " updated_at = now() WHERE id = $1"},
      {"auth_use_totp_step",
       "UPDATE users SET totp_last_step = $2 WHERE id = $1 AND totp_last_step < $2 RETURNING id"},
      {"auth_clear_totp",
       "UPDATE users SET totp_secret = NULL, totp_confirmed_at = NULL, totp_last_step = 0,"
       " updated_at = now() WHERE id = $1"},
      {"auth_clear_recovery", "DELETE FROM recovery_codes WHERE user_id = $1"},
      {"auth_add_recovery", "INSERT INTO recovery_codes (user_id, code_hash) VALUES ($1, $2)"},
      {"auth_use_recovery",
       "UPDATE recovery_codes SET used_at = " OMPS_AT(
           "$3") " WHERE user_id = $1 AND code_hash = $2 AND used_at IS NULL RETURNING user_id"},
      {"auth_recovery_left",
       "SELECT count(*) FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL"},
      {"auth_purge",
       "WITH f AS (DELETE FROM sign_in_failures WHERE failed_at < " OMPS_AT(
           "$2") " RETURNING 1),"
                 " l AS (DELETE FROM sign_in_locks WHERE locked_until < " OMPS_AT(
                     "$1") " RETURNING 1),"
                           " s AS (DELETE FROM sessions WHERE last_seen_at < " OMPS_AT(
                               "$3") " RETURNING 1),"
                                     " o AS (DELETE FROM oidc_logins WHERE created_at < " OMPS_AT(
                                         "$4") " RETURNING 1)"
                                               " SELECT (SELECT count(*) FROM f) + (SELECT "
                                               "count(*) FROM l) + (SELECT count(*) FROM s)"
                                               " + (SELECT count(*) FROM o)"},
      {"auth_end_session", "DELETE FROM sessions WHERE id = $1"},
      {"auth_save_login",
       "INSERT INTO oidc_logins (state_hash, browser_hash, nonce, code_verifier, created_at)"
       " VALUES ($1, $2, $3, $4, " OMPS_AT("$5") ")"},
      {"auth_take_login",
       "DELETE FROM oidc_logins WHERE state_hash = $1"
       " RETURNING browser_hash, nonce, code_verifier, " OMPS_US("created_at")},
      {"auth_identity_user",
       "SELECT user_id FROM oidc_identities WHERE issuer = $1 AND subject = $2"},
      {"auth_link_identity",
       "INSERT INTO oidc_identities (issuer, subject, user_id) VALUES ($1, $2, $3)"
       " ON CONFLICT (issuer, subject) DO UPDATE SET user_id = EXCLUDED.user_id"},
      {"auth_users_matching",
       "SELECT u.id FROM users u JOIN organisations o ON o.id = u.organisation_id"
       " WHERE (lower(u.username) = lower($1) OR (u.email <> '' AND lower(u.email) = lower($1)))"
       " AND ($2::bigint = 0 OR o.path @> ARRAY[$2]::bigint[]) ORDER BY u.id LIMIT 2"},
      {"auth_org_named",
       "SELECT id, kind FROM organisations WHERE lower(name) = lower($1) LIMIT 2"},
      {"auth_create_external_user",
       "INSERT INTO users (organisation_id, username, display_name, email, role)"
       " VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING RETURNING id"},
  }};
  return kStatements;
}

#undef OMPS_AT
#undef OMPS_US

void prepareAll(pqxx::connection_base& conn) {
  for (const auto& s : statements()) conn.prepare(s.name, s.sql);
}

pqxx::binarystring bytes(const TokenHash& hash) {
  return pqxx::binarystring(hash.data(), hash.size());
}

std::string_view scopeName(LockScope scope) {
  return scope == LockScope::kAccount ? "account" : "address";
}

std::vector<std::int64_t> idList(const pqxx::field& field) {
  std::vector<std::int64_t> out;
  const std::string_view text = field.is_null() ? std::string_view{} : field.c_str();
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find(',', start);
    if (end == std::string_view::npos) end = text.size();
    std::int64_t value = 0;
    std::from_chars(text.data() + start, text.data() + end, value);
    out.push_back(value);
    start = end + 1;
  }
  return out;
}

// The caller columns (kCallerColumns) starting at index `first`.
Caller callerFrom(const pqxx::row& row, pqxx::row::size_type first) {
  Caller c;
  c.userId = row[first].as<std::int64_t>();
  c.organisationId = row[first + 1].as<std::int64_t>();
  c.organisationPath = idList(row[first + 2]);
  c.role = parseRole(row[first + 3].c_str()).value_or(Role::kCustomerViewer);
  c.siteIds = idList(row[first + 4]);
  c.deviceGroupIds = idList(row[first + 5]);
  c.locale = row[first + 6].as<std::string>();
  return c;
}

UserCredentials credentialsFrom(const pqxx::row& row) {
  UserCredentials u;
  u.id = row[0].as<std::int64_t>();
  u.username = row[1].as<std::string>();
  u.organisationId = row[2].as<std::int64_t>();
  u.role = parseRole(row[3].c_str()).value_or(Role::kCustomerViewer);
  u.passwordHash = row[4].as<std::string>();
  u.passwordChangeRequired = row[5].as<bool>();
  u.disabled = row[6].as<bool>();
  if (!row[7].is_null()) u.totpSealed = pqxx::binarystring(row[7]).str();
  u.totpConfirmed = row[8].as<bool>();
  u.totpLastStep = row[9].as<std::int64_t>();
  u.lastActiveAt = fromMicros(row[10].as<std::int64_t>());
  return u;
}

}  // namespace

std::int64_t toMicros(WallTime t) {
  return std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
}

WallTime fromMicros(std::int64_t micros) {
  return WallTime{
      std::chrono::duration_cast<WallTime::duration>(std::chrono::microseconds{micros})};
}

PgAuthStore::PgAuthStore(pqxx::transaction_base& txn) : txn_(txn) {
  prepareAll(txn_.conn());
}

std::optional<SessionRecord> PgAuthStore::findSession(const TokenHash& idHash) {
  const auto r = txn_.exec_prepared("auth_find_session", bytes(idHash));
  if (r.empty()) return std::nullopt;
  const auto& row = r[0];
  SessionRecord s;
  s.id = row[0].as<std::int64_t>();
  s.stage = parseSessionStage(row[1].c_str()).value_or(SessionStage::kSecondFactor);
  s.createdAt = fromMicros(row[2].as<std::int64_t>());
  s.lastSeenAt = fromMicros(row[3].as<std::int64_t>());
  s.csrfToken = row[4].as<std::string>();
  s.userDisabled = row[5].as<bool>();
  s.caller = callerFrom(row, 6);
  return s;
}

void PgAuthStore::touchSession(std::int64_t sessionId, WallTime at) {
  txn_.exec_prepared("auth_touch_session", sessionId, toMicros(at));
}

void PgAuthStore::deleteSession(std::int64_t sessionId) {
  txn_.exec_prepared("auth_delete_session", sessionId);
}

std::optional<ApiTokenRecord> PgAuthStore::findApiToken(const TokenHash& tokenHash) {
  const auto r = txn_.exec_prepared("auth_find_token", bytes(tokenHash));
  if (r.empty()) return std::nullopt;
  const auto& row = r[0];
  ApiTokenRecord t;
  t.id = row[0].as<std::int64_t>();
  if (!row[1].is_null()) t.expiresAt = fromMicros(row[1].as<std::int64_t>());
  t.revoked = row[2].as<bool>();
  t.lastUsedAt = fromMicros(row[3].as<std::int64_t>());
  t.caller.apiTokenId = t.id;
  t.caller.userId = 0;
  t.caller.organisationId = row[5].as<std::int64_t>();
  t.caller.organisationPath = idList(row[6]);
  t.caller.role = parseRole(row[7].c_str()).value_or(Role::kCustomerViewer);
  return t;
}

void PgAuthStore::touchApiToken(std::int64_t tokenId, WallTime at) {
  txn_.exec_prepared("auth_touch_token", tokenId, toMicros(at));
}

void PgAuthStore::serialiseAccount(std::string_view key) {
  txn_.exec_prepared("auth_serialise_account", std::string(key));
}

std::optional<UserCredentials> PgAuthStore::userByName(std::string_view username) {
  const auto r = txn_.exec_prepared("auth_user_by_name", std::string(username));
  if (r.empty()) return std::nullopt;
  return credentialsFrom(r[0]);
}

std::optional<UserCredentials> PgAuthStore::userById(std::int64_t id) {
  const auto r = txn_.exec_prepared("auth_user_by_id", id);
  if (r.empty()) return std::nullopt;
  return credentialsFrom(r[0]);
}

std::optional<WallTime> PgAuthStore::lockedUntil(LockScope scope, std::string_view key) {
  const auto r =
      txn_.exec_prepared("auth_locked_until", std::string(scopeName(scope)), std::string(key));
  if (r.empty()) return std::nullopt;
  return fromMicros(r[0][0].as<std::int64_t>());
}

int PgAuthStore::addFailure(LockScope scope, std::string_view key, WallTime at, WallTime since) {
  const std::string s(scopeName(scope));
  const std::string k(key);
  txn_.exec_prepared("auth_add_failure", s, k, toMicros(at));
  return txn_.exec_prepared("auth_count_failures", s, k, toMicros(since))[0][0].as<int>();
}

void PgAuthStore::lock(LockScope scope, std::string_view key, WallTime until) {
  const std::string s(scopeName(scope));
  const std::string k(key);
  txn_.exec_prepared("auth_lock", s, k, toMicros(until));
  txn_.exec_prepared("auth_clear_failures", s, k);
}

void PgAuthStore::clearFailures(LockScope scope, std::string_view key) {
  const std::string s(scopeName(scope));
  const std::string k(key);
  txn_.exec_prepared("auth_clear_failures", s, k);
  txn_.exec_prepared("auth_unlock", s, k);
}

std::int64_t PgAuthStore::createSession(const TokenHash& idHash, std::int64_t userId,
                                        SessionStage stage, std::string_view csrfToken, WallTime at,
                                        std::string_view peer) {
  return txn_
      .exec_prepared("auth_create_session", bytes(idHash), userId, std::string(toString(stage)),
                     std::string(csrfToken), toMicros(at), std::string(peer))[0][0]
      .as<std::int64_t>();
}

void PgAuthStore::rotateSession(std::int64_t sessionId, const TokenHash& newIdHash,
                                SessionStage stage, WallTime at) {
  txn_.exec_prepared("auth_rotate_session", sessionId, bytes(newIdHash),
                     std::string(toString(stage)), toMicros(at));
}

void PgAuthStore::endSession(std::int64_t sessionId) {
  txn_.exec_prepared("auth_end_session", sessionId);
}

void PgAuthStore::endSessionsOfUser(std::int64_t userId, std::int64_t exceptSessionId) {
  txn_.exec_prepared("auth_end_user_sessions", userId, exceptSessionId);
}

void PgAuthStore::setPassword(std::int64_t userId, std::string_view hash, bool changeRequired) {
  txn_.exec_prepared("auth_set_password", userId, std::string(hash), changeRequired);
}

void PgAuthStore::markSignedIn(std::int64_t userId, WallTime at) {
  txn_.exec_prepared("auth_mark_signed_in", userId, toMicros(at));
}

void PgAuthStore::disableUser(std::int64_t userId, std::string_view reason, WallTime at) {
  txn_.exec_prepared("auth_disable_user", userId, std::string(reason), toMicros(at));
}

std::vector<DisabledUser> PgAuthStore::disableIdleUsers(WallTime before, WallTime at) {
  std::vector<DisabledUser> out;
  for (const auto& row : txn_.exec_prepared("auth_disable_idle", toMicros(before), toMicros(at))) {
    out.push_back({row[0].as<std::int64_t>(), row[1].as<std::int64_t>(), row[2].as<std::string>()});
  }
  return out;
}

void PgAuthStore::setTotpSecret(std::int64_t userId, std::string_view sealed) {
  txn_.exec_prepared("auth_set_totp", userId, pqxx::binarystring(sealed.data(), sealed.size()));
}

void PgAuthStore::confirmTotp(std::int64_t userId, std::int64_t step, WallTime at) {
  txn_.exec_prepared("auth_confirm_totp", userId, step, toMicros(at));
}

bool PgAuthStore::useTotpStep(std::int64_t userId, std::int64_t step) {
  return !txn_.exec_prepared("auth_use_totp_step", userId, step).empty();
}

void PgAuthStore::clearTotp(std::int64_t userId) {
  txn_.exec_prepared("auth_clear_totp", userId);
  txn_.exec_prepared("auth_clear_recovery", userId);
}

void PgAuthStore::replaceRecoveryCodes(std::int64_t userId, const std::vector<TokenHash>& hashes) {
  txn_.exec_prepared("auth_clear_recovery", userId);
  for (const auto& h : hashes) txn_.exec_prepared("auth_add_recovery", userId, bytes(h));
}

bool PgAuthStore::useRecoveryCode(std::int64_t userId, const TokenHash& hash, WallTime at) {
  return !txn_.exec_prepared("auth_use_recovery", userId, bytes(hash), toMicros(at)).empty();
}

int PgAuthStore::recoveryCodesLeft(std::int64_t userId) {
  return txn_.exec_prepared("auth_recovery_left", userId)[0][0].as<int>();
}

void PgAuthStore::audit(const AuditActor& actor, const AuditEvent& event) {
  writeAudit(txn_, actor, event);
}

long PgAuthStore::purgeExpired(WallTime now, WallTime failuresBefore, WallTime sessionsBefore,
                               WallTime loginsBefore) {
  return txn_
      .exec_prepared("auth_purge", toMicros(now), toMicros(failuresBefore),
                     toMicros(sessionsBefore), toMicros(loginsBefore))[0][0]
      .as<long>();
}

void PgAuthStore::savePendingLogin(const TokenHash& stateHash, const TokenHash& browserHash,
                                   std::string_view nonce, std::string_view codeVerifier,
                                   WallTime at) {
  txn_.exec_prepared("auth_save_login", bytes(stateHash), bytes(browserHash), std::string(nonce),
                     std::string(codeVerifier), toMicros(at));
}

std::optional<PendingLoginRecord> PgAuthStore::takePendingLogin(const TokenHash& stateHash) {
  const auto r = txn_.exec_prepared("auth_take_login", bytes(stateHash));
  if (r.empty()) return std::nullopt;
  PendingLoginRecord p;
  const std::string browser = pqxx::binarystring(r[0][0]).str();
  std::copy_n(browser.begin(), std::min(browser.size(), p.browserHash.size()),
              p.browserHash.begin());
  p.nonce = r[0][1].as<std::string>();
  p.codeVerifier = r[0][2].as<std::string>();
  p.createdAt = fromMicros(r[0][3].as<std::int64_t>());
  return p;
}

std::optional<std::int64_t> PgAuthStore::userOfIdentity(std::string_view issuer,
                                                        std::string_view subject) {
  const auto r =
      txn_.exec_prepared("auth_identity_user", std::string(issuer), std::string(subject));
  if (r.empty()) return std::nullopt;
  return r[0][0].as<std::int64_t>();
}

void PgAuthStore::linkIdentity(std::string_view issuer, std::string_view subject,
                               std::int64_t userId) {
  txn_.exec_prepared("auth_link_identity", std::string(issuer), std::string(subject), userId);
}

std::vector<std::int64_t> PgAuthStore::usersMatching(std::string_view value,
                                                     std::int64_t organisationId) {
  std::vector<std::int64_t> out;
  for (const auto& row :
       txn_.exec_prepared("auth_users_matching", std::string(value), organisationId)) {
    out.push_back(row[0].as<std::int64_t>());
  }
  return out;
}

std::int64_t PgAuthStore::organisationNamed(std::string_view name, std::string& kind) {
  const auto r = txn_.exec_prepared("auth_org_named", std::string(name));
  if (r.size() != 1) return 0;
  kind = r[0][1].as<std::string>();
  return r[0][0].as<std::int64_t>();
}

std::int64_t PgAuthStore::createExternalUser(std::int64_t organisationId, std::string_view username,
                                             std::string_view displayName, std::string_view email,
                                             Role role) {
  const auto r = txn_.exec_prepared("auth_create_external_user", organisationId,
                                    std::string(username), std::string(displayName).substr(0, 200),
                                    std::string(email).substr(0, 254), std::string(toString(role)));
  return r.empty() ? 0 : r[0][0].as<std::int64_t>();
}

}  // namespace openmps::server::auth

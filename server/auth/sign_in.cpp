#include "server/auth/sign_in.hpp"

#include <algorithm>
#include <array>
#include <tuple>
#include <utility>

#include "server/auth/qr_svg.hpp"
#include "server/auth/recovery_codes.hpp"
#include "server/auth/totp.hpp"
#include "shared/util/time_format.hpp"

namespace openmps::server::auth {
namespace {

constexpr std::size_t kMaxUsernameLength = 200;
constexpr std::string_view kWrongCredentials = "wrong user name or password";
constexpr std::string_view kWrongCode = "wrong or already used code";

std::string lowerAscii(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](char c) {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  });
  return out;
}

std::string_view scopeName(LockScope scope) {
  return scope == LockScope::kAccount ? "account" : "address";
}

AuditEvent userEvent(const UserCredentials& user, std::string action, std::string detail = {}) {
  AuditEvent e;
  e.organisationId = user.organisationId;
  e.action = std::move(action);
  e.targetType = "user";
  e.targetId = std::to_string(user.id);
  e.detail = std::move(detail);
  return e;
}

AuditActor actorFor(const UserCredentials& user, std::string_view peer) {
  AuditActor a;
  a.userId = user.id;
  a.name = user.username;
  a.peer = std::string(peer);
  return a;
}

Outcome verdict(Verdict v, std::string message) {
  Outcome o;
  o.verdict = v;
  o.message = std::move(message);
  return o;
}

bool looksLikeTotpCode(std::string_view code) {
  return code.size() == 6 &&
         std::all_of(code.begin(), code.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

std::string_view toString(Verdict v) {
  static constexpr std::array<std::string_view, 6> kNames = {"ok",       "refused", "locked",
                                                             "disabled", "invalid", "conflict"};
  return kNames.at(static_cast<std::size_t>(v));
}

int httpStatus(Verdict v) {
  static constexpr std::array<int, 6> kStatus = {200, 401, 429, 403, 422, 409};
  return kStatus.at(static_cast<std::size_t>(v));
}

SignInService::SignInService(const util::Clock& clock, const PasswordHasher& hasher,
                             const PasswordPolicy& policy, const TotpVault& vault,
                             SignInSettings settings)
    : clock_(clock),
      hasher_(hasher),
      policy_(policy),
      vault_(vault),
      settings_(std::move(settings)) {}

SessionStage SignInService::nextStage(const UserCredentials& user, bool secondFactorDone) const {
  if (user.totpConfirmed && !secondFactorDone) return SessionStage::kSecondFactor;
  if (user.passwordChangeRequired) return SessionStage::kPasswordChange;
  if (!user.totpConfirmed && settings_.totpRequired.contains(user.role)) {
    return SessionStage::kTotpEnrolment;
  }
  return SessionStage::kComplete;
}

IssuedSession SignInService::newSession(AccountStore& store, const UserCredentials& user,
                                        SessionStage stage, std::string_view peer) const {
  IssuedSession s;
  s.id = randomToken();
  s.csrfToken = randomToken();
  s.userId = user.id;
  s.stage = stage;
  s.sessionId =
      store.createSession(hashToken(s.id), user.id, stage, s.csrfToken, clock_.now(), peer);
  return s;
}

IssuedSession SignInService::rotate(AccountStore& store, const SessionRef& session,
                                    SessionStage stage) const {
  IssuedSession s;
  s.id = randomToken();
  s.userId = session.userId;
  s.sessionId = session.sessionId;
  s.stage = stage;
  store.rotateSession(session.sessionId, hashToken(s.id), stage, clock_.now());
  return s;
}

// Moves a session to its next stage with a new id; a completed sign-in is
// recorded and audited.
Outcome SignInService::finishStage(AccountStore& store, const SessionRef& session,
                                   const UserCredentials& user, bool secondFactorDone) const {
  Outcome out;
  out.session = rotate(store, session, nextStage(user, secondFactorDone));
  if (out.session.stage == SessionStage::kComplete) {
    store.markSignedIn(user.id, clock_.now());
    store.audit(actorFor(user, session.peer), userEvent(user, "session.sign_in"));
  }
  return out;
}

std::optional<Outcome> SignInService::lockedOut(AccountStore& store, std::string_view key,
                                                std::string_view peer, const AuditEvent& failure,
                                                const AuditActor& actor) const {
  const auto now = clock_.now();
  std::optional<WallTime> until;
  for (const auto& [scope, k] :
       {std::pair{LockScope::kAddress, peer}, {LockScope::kAccount, key}}) {
    const auto lockedTo = store.lockedUntil(scope, k);
    if (lockedTo && *lockedTo > now && (!until || *lockedTo > *until)) until = lockedTo;
  }
  if (!until) return std::nullopt;
  AuditEvent e = failure;
  e.detail = "locked until " + util::formatRfc3339(*until);
  store.audit(actor, e);
  Outcome o = verdict(Verdict::kLocked,
                      "too many failed attempts; try again after " + util::formatRfc3339(*until));
  o.lockedUntil = until;
  o.retryAfter = std::chrono::ceil<std::chrono::seconds>(*until - now);
  return o;
}

Outcome SignInService::failed(AccountStore& store, std::string_view key, std::string_view peer,
                              const AuditEvent& event, const AuditActor& actor) const {
  const auto now = clock_.now();
  store.audit(actor, event);
  Outcome out = verdict(
      Verdict::kRefused,
      std::string(event.action == "session.sign_in_failed" ? kWrongCredentials : kWrongCode));
  for (const auto& [scope, k, rule] : {std::tuple{LockScope::kAccount, key, settings_.account},
                                       std::tuple{LockScope::kAddress, peer, settings_.address}}) {
    if (k.empty()) continue;
    const int count = store.addFailure(scope, k, now, now - rule.duration);
    if (count < rule.maxFailures) continue;
    const auto until = now + rule.duration;
    store.lock(scope, k, until);
    AuditEvent locked = event;
    locked.action = "session.locked";
    locked.detail = std::string(scopeName(scope)) + " '" + std::string(k) + "' locked after " +
                    std::to_string(count) + " failures until " + util::formatRfc3339(until);
    store.audit(AuditActor::server(), locked);
    out.verdict = Verdict::kLocked;
    out.message = "too many failed attempts; try again after " + util::formatRfc3339(until);
    out.lockedUntil = until;
    out.retryAfter = rule.duration;
  }
  return out;
}

Outcome SignInService::signIn(AccountStore& store, std::string_view username,
                              const util::Secret& password, std::string_view peer) const {
  const std::string key = lowerAscii(username.substr(0, kMaxUsernameLength));
  store.serialiseAccount(key);
  auto user = username.size() <= kMaxUsernameLength && !username.empty()
                  ? store.userByName(username)
                  : std::nullopt;
  AuditEvent failure;
  failure.action = "session.sign_in_failed";
  failure.targetType = "user";
  AuditActor actor;
  actor.name = key;
  actor.peer = std::string(peer);
  if (user) {
    failure = userEvent(*user, "session.sign_in_failed");
    actor = actorFor(*user, peer);
  }
  if (auto locked = lockedOut(store, key, peer, failure, actor)) return *locked;

  const bool passwordOk =
      user && !user->passwordHash.empty() && hasher_.verify(user->passwordHash, password);
  if (!user || user->passwordHash.empty()) hasher_.verifyNothing(password);
  if (!passwordOk) {
    failure.detail = user ? "wrong password" : "no such user";
    return failed(store, key, peer, failure, actor);
  }
  store.clearFailures(LockScope::kAccount, key);
  const auto now = clock_.now();
  if (user->disabled) {
    failure.detail = "account disabled";
    store.audit(actor, failure);
    return verdict(Verdict::kDisabled, "the account is disabled; ask an administrator");
  }
  if (now - user->lastActiveAt >= settings_.idleUserLimit) {
    store.disableUser(user->id, "idle", now);
    store.audit(AuditActor::server(), userEvent(*user, "user.disable", idleNote()));
    return verdict(Verdict::kDisabled,
                   "the account was disabled after a long time without sign-in; ask an "
                   "administrator");
  }
  if (hasher_.needsRehash(user->passwordHash)) {
    store.setPassword(user->id, hasher_.hash(password), user->passwordChangeRequired);
  }
  Outcome out;
  out.session = newSession(store, *user, nextStage(*user, false), peer);
  if (out.session.stage == SessionStage::kComplete) {
    store.markSignedIn(user->id, now);
    store.audit(actor, userEvent(*user, "session.sign_in"));
  } else {
    store.audit(actor, userEvent(*user, "session.password_accepted",
                                 std::string(toString(out.session.stage)) + " pending"));
  }
  return out;
}

Outcome SignInService::signInVerified(AccountStore& store, std::int64_t userId,
                                      std::string_view peer, std::string_view how) const {
  const auto user = store.userById(userId);
  if (!user) return verdict(Verdict::kRefused, "no such user");
  const AuditActor actor = actorFor(*user, peer);
  const auto now = clock_.now();
  if (user->disabled) {
    store.audit(
        actor, userEvent(*user, "session.sign_in_failed", std::string(how) + ": account disabled"));
    return verdict(Verdict::kDisabled, "the account is disabled; ask an administrator");
  }
  if (now - user->lastActiveAt >= settings_.idleUserLimit) {
    store.disableUser(user->id, "idle", now);
    store.audit(AuditActor::server(), userEvent(*user, "user.disable", idleNote()));
    return verdict(Verdict::kDisabled,
                   "the account was disabled after a long time without sign-in; ask an "
                   "administrator");
  }
  Outcome out;
  out.session = newSession(store, *user, SessionStage::kComplete, peer);
  store.markSignedIn(user->id, now);
  store.audit(actor, userEvent(*user, "session.sign_in", std::string(how)));
  return out;
}

bool SignInService::checkSecondFactor(AccountStore& store, const UserCredentials& user,
                                      std::string_view code, bool& usedRecoveryCode) const {
  usedRecoveryCode = false;
  if (user.totpSealed.empty() || !user.totpConfirmed) return false;
  if (looksLikeTotpCode(code)) {
    const auto secret = vault_.open(user.id, user.totpSealed);
    if (!secret) return false;
    const auto step = matchTotp(*secret, code, clock_.now());
    return step && *step > user.totpLastStep && store.useTotpStep(user.id, *step);
  }
  if (normaliseRecoveryCode(code).empty()) return false;
  usedRecoveryCode = store.useRecoveryCode(user.id, hashRecoveryCode(code), clock_.now());
  return usedRecoveryCode;
}

Outcome SignInService::secondFactor(AccountStore& store, const SessionRef& session,
                                    std::string_view code) const {
  if (session.stage != SessionStage::kSecondFactor) {
    return verdict(Verdict::kConflict, "this session does not wait for a second factor");
  }
  auto user = store.userById(session.userId);
  if (!user) return verdict(Verdict::kRefused, "no such user");
  const std::string key = lowerAscii(user->username);
  store.serialiseAccount(key);
  user = store.userById(session.userId);  // again, after waiting for the lock
  if (!user) return verdict(Verdict::kRefused, "no such user");
  const AuditActor actor = actorFor(*user, session.peer);
  const AuditEvent failure = userEvent(*user, "session.second_factor_failed");
  if (auto locked = lockedOut(store, key, session.peer, failure, actor)) return *locked;
  bool recovery = false;
  if (!checkSecondFactor(store, *user, code, recovery)) {
    return failed(store, key, session.peer, failure, actor);
  }
  store.clearFailures(LockScope::kAccount, key);
  if (recovery) {
    store.audit(actor, userEvent(*user, "user.recovery_code_used",
                                 std::to_string(store.recoveryCodesLeft(user->id)) + " left"));
  }
  return finishStage(store, session, *user, true);
}

void SignInService::signOut(AccountStore& store, const SessionRef& session) const {
  store.endSession(session.sessionId);
  if (auto user = store.userById(session.userId)) {
    store.audit(actorFor(*user, session.peer), userEvent(*user, "session.sign_out"));
  }
}

Outcome SignInService::hashNewPassword(const util::Secret& password, std::string_view username,
                                       std::string& hashOut) const {
  if (auto problem = policy_.problem(password.reveal(), username); !problem.empty()) {
    return verdict(Verdict::kInvalid, std::move(problem));
  }
  hashOut = hasher_.hash(password);
  return {};
}

Outcome SignInService::changePassword(AccountStore& store, const SessionRef& session,
                                      const util::Secret& current, const util::Secret& next) const {
  if (session.stage != SessionStage::kComplete && session.stage != SessionStage::kPasswordChange) {
    return verdict(Verdict::kConflict, "finish the second factor first");
  }
  auto user = store.userById(session.userId);
  if (!user) return verdict(Verdict::kRefused, "no such user");
  const std::string key = lowerAscii(user->username);
  store.serialiseAccount(key);
  const AuditActor actor = actorFor(*user, session.peer);
  AuditEvent failure = userEvent(*user, "user.password_change_failed", "wrong current password");
  if (auto locked = lockedOut(store, key, session.peer, failure, actor)) return *locked;
  if (user->passwordHash.empty() || !hasher_.verify(user->passwordHash, current)) {
    Outcome o = failed(store, key, session.peer, failure, actor);
    if (o.verdict == Verdict::kRefused) o.message = "the current password is wrong";
    return o;
  }
  if (next.reveal() == current.reveal()) {
    return verdict(Verdict::kInvalid, "the new password must differ from the current one");
  }
  std::string hash;
  if (Outcome o = hashNewPassword(next, user->username, hash); !o.ok()) return o;
  store.setPassword(user->id, hash, false);
  store.endSessionsOfUser(user->id, session.sessionId);
  store.audit(actor, userEvent(*user, "user.password_change"));
  user->passwordChangeRequired = false;
  return finishStage(store, session, *user, true);
}

TotpEnrolment SignInService::beginTotp(AccountStore& store, const SessionRef& session) const {
  TotpEnrolment out;
  if (session.stage != SessionStage::kComplete && session.stage != SessionStage::kTotpEnrolment) {
    out.outcome = verdict(Verdict::kConflict, "finish signing in first");
    return out;
  }
  const auto user = store.userById(session.userId);
  if (!user) {
    out.outcome = verdict(Verdict::kRefused, "no such user");
    return out;
  }
  if (user->totpConfirmed) {
    out.outcome = verdict(Verdict::kConflict,
                          "TOTP is on already; turn it off first to enrol another authenticator");
    return out;
  }
  const std::string secret = newTotpSecret();
  store.setTotpSecret(user->id, vault_.seal(user->id, secret));
  out.uri = otpauthUri(settings_.totpIssuer, user->username, secret);
  out.secret = base32(secret);
  out.qrSvg = qrSvg(out.uri);
  store.audit(actorFor(*user, session.peer), userEvent(*user, "user.totp_enrolment_start"));
  return out;
}

Outcome SignInService::confirmTotp(AccountStore& store, const SessionRef& session,
                                   std::string_view code) const {
  auto user = store.userById(session.userId);
  if (!user) return verdict(Verdict::kRefused, "no such user");
  if (user->totpConfirmed) return verdict(Verdict::kConflict, "TOTP is on already");
  if (user->totpSealed.empty()) {
    return verdict(Verdict::kConflict, "start the enrolment first (POST .../totp/enrolment)");
  }
  const std::string key = lowerAscii(user->username);
  store.serialiseAccount(key);
  const AuditActor actor = actorFor(*user, session.peer);
  const AuditEvent failure = userEvent(*user, "user.totp_confirm_failed");
  if (auto locked = lockedOut(store, key, session.peer, failure, actor)) return *locked;
  const auto secret = vault_.open(user->id, user->totpSealed);
  const auto step = secret ? matchTotp(*secret, code, clock_.now()) : std::nullopt;
  if (!step) return failed(store, key, session.peer, failure, actor);
  store.confirmTotp(user->id, *step, clock_.now());
  const auto codes = newRecoveryCodes();
  std::vector<TokenHash> hashes;
  hashes.reserve(codes.size());
  for (const auto& c : codes) hashes.push_back(hashRecoveryCode(c));
  store.replaceRecoveryCodes(user->id, hashes);
  store.audit(actor, userEvent(*user, "user.totp_enable"));
  user->totpConfirmed = true;
  Outcome out;
  if (session.stage != SessionStage::kComplete) out = finishStage(store, session, *user, true);
  out.recoveryCodes = codes;
  return out;
}

Outcome SignInService::disableTotp(AccountStore& store, const SessionRef& session,
                                   std::string_view code) const {
  auto user = store.userById(session.userId);
  if (!user) return verdict(Verdict::kRefused, "no such user");
  if (!user->totpConfirmed) return verdict(Verdict::kConflict, "TOTP is not on");
  if (settings_.totpRequired.contains(user->role)) {
    return verdict(Verdict::kConflict, "the role " + std::string(toString(user->role)) +
                                           " requires TOTP; an administrator can reset it");
  }
  const std::string key = lowerAscii(user->username);
  store.serialiseAccount(key);
  const AuditActor actor = actorFor(*user, session.peer);
  const AuditEvent failure = userEvent(*user, "user.totp_disable_failed");
  if (auto locked = lockedOut(store, key, session.peer, failure, actor)) return *locked;
  bool recovery = false;
  if (!checkSecondFactor(store, *user, code, recovery)) {
    return failed(store, key, session.peer, failure, actor);
  }
  store.clearTotp(user->id);
  store.audit(actor, userEvent(*user, "user.totp_disable"));
  return {};
}

Outcome SignInService::renewRecoveryCodes(AccountStore& store, const SessionRef& session,
                                          std::string_view code) const {
  auto user = store.userById(session.userId);
  if (!user) return verdict(Verdict::kRefused, "no such user");
  if (!user->totpConfirmed) return verdict(Verdict::kConflict, "TOTP is not on");
  const std::string key = lowerAscii(user->username);
  store.serialiseAccount(key);
  const AuditActor actor = actorFor(*user, session.peer);
  const AuditEvent failure = userEvent(*user, "user.recovery_codes_failed");
  if (auto locked = lockedOut(store, key, session.peer, failure, actor)) return *locked;
  bool recovery = false;
  if (!checkSecondFactor(store, *user, code, recovery)) {
    return failed(store, key, session.peer, failure, actor);
  }
  Outcome out;
  out.recoveryCodes = newRecoveryCodes();
  std::vector<TokenHash> hashes;
  hashes.reserve(out.recoveryCodes.size());
  for (const auto& c : out.recoveryCodes) hashes.push_back(hashRecoveryCode(c));
  store.replaceRecoveryCodes(user->id, hashes);
  store.audit(actor, userEvent(*user, "user.recovery_codes_renew"));
  return out;
}

namespace {

// `n` characters of `set`, each equally likely (rejection sampling).
std::string randomFrom(std::string_view set, std::size_t n) {
  const auto unbiased = static_cast<unsigned>(256 - 256 % set.size());
  std::string out;
  while (out.size() < n) {
    for (const char c : randomBytes(32)) {
      const auto b = static_cast<unsigned char>(c);
      if (b < unbiased && out.size() < n) out += set[b % set.size()];
    }
  }
  return out;
}

}  // namespace

std::string SignInService::oneTimePassword(std::string_view username) {
  // 17 characters from a set without look-alikes, then one lower-case
  // letter, one digit and one other character, so every class is there.
  // Drawn again in the rare case that it contains the user name, which
  // the policy refuses (for a user called "ann", about 1 in 1,400).
  static constexpr std::string_view kSet =
      "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
  const std::string name = lowerAscii(username);
  for (;;) {
    std::string out = randomFrom(kSet, 17) + randomFrom("abcdefghijkmnpqrstuvwxyz", 1) +
                      randomFrom("23456789", 1) + randomFrom("-.!_", 1);
    if (name.size() < 3 || lowerAscii(out).find(name) == std::string::npos) return out;
  }
}

Outcome SignInService::resetPassword(AccountStore& store, const AuditActor& actor,
                                     std::int64_t userId,
                                     const std::optional<util::Secret>& password) const {
  const auto user = store.userById(userId);
  if (!user) return verdict(Verdict::kRefused, "no such user");
  const util::Secret chosen = password ? *password : util::Secret(oneTimePassword(user->username));
  std::string hash;
  if (Outcome o = hashNewPassword(chosen, user->username, hash); !o.ok()) return o;
  store.setPassword(user->id, hash, !password);
  store.endSessionsOfUser(user->id, 0);
  store.clearFailures(LockScope::kAccount, lowerAscii(user->username));
  store.audit(actor, userEvent(*user, "user.password_reset",
                               password ? "password set" : "one-time password issued"));
  Outcome out;
  if (!password) out.message = chosen.reveal();
  return out;
}

Outcome SignInService::resetTotp(AccountStore& store, const AuditActor& actor,
                                 std::int64_t userId) const {
  const auto user = store.userById(userId);
  if (!user) return verdict(Verdict::kRefused, "no such user");
  store.clearTotp(user->id);
  store.endSessionsOfUser(user->id, 0);
  store.audit(actor, userEvent(*user, "user.totp_reset"));
  return {};
}

std::string SignInService::idleNote() const {
  const auto days =
      std::chrono::duration_cast<std::chrono::hours>(settings_.idleUserLimit).count() / 24;
  return "no sign-in for " + std::to_string(days) + " days";
}

int SignInService::disableIdleUsers(AccountStore& store) const {
  const auto now = clock_.now();
  const auto users = store.disableIdleUsers(now - settings_.idleUserLimit, now);
  for (const auto& u : users) {
    AuditEvent e;
    e.organisationId = u.organisationId;
    e.action = "user.disable";
    e.targetType = "user";
    e.targetId = std::to_string(u.id);
    e.detail = idleNote();
    e.before = R"({"disabled":false})";
    e.after = R"({"disabled":true})";
    store.audit(AuditActor::server(), e);
  }
  return static_cast<int>(users.size());
}

}  // namespace openmps::server::auth

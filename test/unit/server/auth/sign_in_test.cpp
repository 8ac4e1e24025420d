#include "server/auth/sign_in.hpp"

#include <algorithm>

#include <catch2/catch.hpp>

#include "server/auth/password_policy.hpp"
#include "server/auth/recovery_codes.hpp"
#include "server/auth/totp.hpp"
#include "unit/server/auth/fake_account_store.hpp"

using namespace openmps::server::auth;
using openmps::server::auth::testing::FakeAccountStore;
using openmps::util::ManualClock;
using openmps::util::Secret;
using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

namespace {

constexpr HashCost kCheap{1, 64u << 10};
constexpr std::string_view kPassword = "Kx9!vomit-Prawn";
constexpr std::string_view kPeer = "192.0.2.10";

std::array<unsigned char, 32> testMasterKey() {
  std::array<unsigned char, 32> key{};
  key.fill(9);
  return key;
}

struct Fixture {
  ManualClock clock;
  PasswordHasher hasher{kCheap};
  PasswordPolicy policy;
  TotpVault vault{testMasterKey()};
  FakeAccountStore store;
  SignInSettings settings;
  std::optional<SignInService> service;

  Fixture() {
    UserCredentials anna;
    anna.id = 1;
    anna.username = "Anna";
    anna.organisationId = 5;
    anna.role = Role::kDealerAdmin;
    anna.passwordHash = hasher.hash(Secret(std::string(kPassword)));
    anna.lastActiveAt = clock.now();
    store.add(anna);
    UserCredentials ben = anna;
    ben.id = 2;
    ben.username = "ben";
    store.add(ben);
    settings.totpRequired.clear();  // the tests that need it ask for it
    make();
  }
  void make() { service.emplace(clock, hasher, policy, vault, settings); }
  Outcome signIn(std::string_view user, std::string_view password = kPassword,
                 std::string_view peer = kPeer) {
    return service->signIn(store, user, Secret(std::string(password)), peer);
  }
  SessionRef ref(const Outcome& o) const {
    return {o.session.sessionId, o.session.userId, o.session.stage, std::string(kPeer)};
  }
  // Gives user 1 a confirmed TOTP secret; returns it.
  std::string enrolTotp() {
    const std::string secret = newTotpSecret();
    store.users.at(1).totpSealed = vault.seal(1, secret);
    store.users.at(1).totpConfirmed = true;
    return secret;
  }
  std::string codeNow(const std::string& secret) const {
    return totpCode(secret, totpStep(clock.now()));
  }
};

}  // namespace

TEST_CASE("the right password opens a complete session with a fresh id", "[server][auth]") {
  Fixture f;
  const auto a = f.signIn("anna");  // names are not case-sensitive
  REQUIRE(a.ok());
  CHECK(a.session.stage == SessionStage::kComplete);
  CHECK(a.session.id.size() == 43);
  CHECK(a.session.csrfToken.size() == 43);
  CHECK(f.store.sessions.at(a.session.sessionId).idHash == hashToken(a.session.id));
  const auto b = f.signIn("Anna");
  REQUIRE(b.ok());
  CHECK(b.session.id != a.session.id);  // every sign-in a new id: nothing to fixate
  CHECK(f.store.actions() == std::vector<std::string>{"session.sign_in", "session.sign_in"});
  CHECK(f.store.audits[0].actor.peer == kPeer);
  CHECK(f.store.audits[0].event.organisationId == 5);
}

TEST_CASE("a wrong password and an unknown user read the same", "[server][auth]") {
  Fixture f;
  const auto wrong = f.signIn("anna", "Kx9!vomit-Prawm");
  const auto unknown = f.signIn("nobody");
  CHECK(wrong.verdict == Verdict::kRefused);
  CHECK(unknown.verdict == Verdict::kRefused);
  CHECK(wrong.message == unknown.message);
  CHECK(wrong.session.id.empty());
  CHECK(httpStatus(wrong.verdict) == 401);
  CHECK(f.store.actions() ==
        std::vector<std::string>{"session.sign_in_failed", "session.sign_in_failed"});
  CHECK(f.store.audits[1].event.organisationId == 0);  // unknown: the root's log
  CHECK(f.store.sessions.empty());
}

TEST_CASE("five failures lock the account for 15 minutes", "[server][auth]") {
  Fixture f;
  for (int i = 0; i < 4; ++i) {
    CHECK(f.signIn("anna", "wrong", "192.0.2." + std::to_string(i)).verdict == Verdict::kRefused);
  }
  const auto fifth = f.signIn("anna", "wrong", "192.0.2.99");
  CHECK(fifth.verdict == Verdict::kLocked);
  CHECK(httpStatus(fifth.verdict) == 429);
  REQUIRE(fifth.lockedUntil);
  CHECK(*fifth.lockedUntil == f.clock.now() + minutes(15));
  CHECK(fifth.retryAfter == minutes(15));
  const auto actions = f.store.actions();
  CHECK(std::count(actions.begin(), actions.end(), "session.locked") == 1);
  // Even the right password, from anywhere, is refused while locked.
  f.clock.advance(minutes(14) + seconds(59));
  const auto stillLocked = f.signIn("anna", kPassword, "198.51.100.1");
  CHECK(stillLocked.verdict == Verdict::kLocked);
  CHECK(stillLocked.retryAfter == seconds(1));
  CHECK(f.signIn("ben").ok());  // other accounts are not affected
  f.clock.advance(seconds(1));
  CHECK(f.signIn("anna", kPassword, "198.51.100.1").ok());
}

TEST_CASE("failures older than the window do not count", "[server][auth]") {
  Fixture f;
  for (int i = 0; i < 4; ++i) f.signIn("anna", "wrong");
  f.clock.advance(minutes(15));
  CHECK(f.signIn("anna", "wrong").verdict == Verdict::kRefused);
  CHECK(f.signIn("anna").ok());  // and a success forgets the account's failures
  for (int i = 0; i < 4; ++i) {
    CHECK(f.signIn("anna", "wrong", "192.0.2.77").verdict == Verdict::kRefused);
  }
}

TEST_CASE("thirty failures from one address lock the address", "[server][auth]") {
  Fixture f;
  // Fewer than an office behind one NAT address makes by mistyping.
  for (int i = 0; i < 29; ++i) {
    CHECK(f.signIn("user" + std::to_string(i), "wrong").verdict == Verdict::kRefused);
  }
  CHECK(f.signIn("user9", "wrong").verdict == Verdict::kLocked);
  CHECK(f.signIn("anna").verdict == Verdict::kLocked);  // from that address: nobody
  CHECK(f.signIn("anna", kPassword, "192.0.2.11").ok());
  f.clock.advance(minutes(15));
  CHECK(f.signIn("anna").ok());
}

TEST_CASE("lockout limits and durations are configurable", "[server][auth]") {
  Fixture f;
  f.settings.account = {3, minutes(5)};
  f.settings.address = {100, minutes(1)};
  f.make();
  f.signIn("anna", "wrong");
  f.signIn("anna", "wrong");
  const auto third = f.signIn("anna", "wrong");
  CHECK(third.verdict == Verdict::kLocked);
  CHECK(*third.lockedUntil == f.clock.now() + minutes(5));
  f.clock.advance(minutes(5));
  CHECK(f.signIn("anna").ok());
}

TEST_CASE("a TOTP code completes the sign-in once, on a new session id", "[server][auth]") {
  Fixture f;
  const std::string secret = f.enrolTotp();
  const auto first = f.signIn("anna");
  REQUIRE(first.ok());
  CHECK(first.session.stage == SessionStage::kSecondFactor);
  CHECK(f.store.actions().back() == "session.password_accepted");
  const std::string code = f.codeNow(secret);
  const auto second = f.service->secondFactor(f.store, f.ref(first), code);
  REQUIRE(second.ok());
  CHECK(second.session.stage == SessionStage::kComplete);
  CHECK(second.session.id != first.session.id);
  CHECK(second.session.sessionId == first.session.sessionId);
  CHECK(f.store.sessions.at(first.session.sessionId).idHash == hashToken(second.session.id));
  CHECK(f.store.actions().back() == "session.sign_in");
  // The same code cannot sign in again (replay within its 90 seconds).
  const auto again = f.signIn("anna");
  CHECK(f.service->secondFactor(f.store, f.ref(again), code).verdict == Verdict::kRefused);
  // The next step's code works.
  f.clock.advance(seconds(30));
  CHECK(f.service->secondFactor(f.store, f.ref(again), f.codeNow(secret)).ok());
}

TEST_CASE("codes one step off are accepted, two steps off are not", "[server][auth]") {
  Fixture f;
  const std::string secret = f.enrolTotp();
  const std::int64_t step = totpStep(f.clock.now());
  const auto s1 = f.signIn("anna");
  CHECK(f.service->secondFactor(f.store, f.ref(s1), totpCode(secret, step - 1)).ok());
  const auto s2 = f.signIn("anna");
  CHECK(f.service->secondFactor(f.store, f.ref(s2), totpCode(secret, step + 2)).verdict ==
        Verdict::kRefused);
  CHECK(f.service->secondFactor(f.store, f.ref(s2), totpCode(secret, step + 1)).ok());
}

TEST_CASE("wrong second factors count towards the lockout", "[server][auth]") {
  Fixture f;
  f.enrolTotp();
  const auto s = f.signIn("anna");
  for (int i = 0; i < 4; ++i) {
    CHECK(f.service->secondFactor(f.store, f.ref(s), "000000").verdict == Verdict::kRefused);
  }
  CHECK(f.service->secondFactor(f.store, f.ref(s), "000000").verdict == Verdict::kLocked);
  CHECK(f.store.audits.back().event.action == "session.locked");
}

TEST_CASE("a second factor is only taken by a session waiting for one", "[server][auth]") {
  Fixture f;
  const std::string secret = f.enrolTotp();
  const auto s = f.signIn("anna");
  SessionRef done = f.ref(s);
  done.stage = SessionStage::kComplete;
  CHECK(f.service->secondFactor(f.store, done, f.codeNow(secret)).verdict == Verdict::kConflict);
}

TEST_CASE("required TOTP: enrol, confirm with the first code, get recovery codes",
          "[server][auth]") {
  Fixture f;
  f.settings.totpRequired = {Role::kDealerAdmin};
  f.make();
  const auto s = f.signIn("anna");
  REQUIRE(s.ok());
  CHECK(s.session.stage == SessionStage::kTotpEnrolment);
  const auto enrolment = f.service->beginTotp(f.store, f.ref(s));
  REQUIRE(enrolment.outcome.ok());
  CHECK(enrolment.uri.starts_with("otpauth://totp/OpenMPS:Anna?secret=" + enrolment.secret));
  CHECK(enrolment.qrSvg.starts_with("<svg"));
  CHECK_FALSE(f.store.users.at(1).totpConfirmed);
  const auto secret = f.vault.open(1, f.store.users.at(1).totpSealed);
  REQUIRE(secret);
  CHECK(f.service->confirmTotp(f.store, f.ref(s), "123456").verdict == Verdict::kRefused);
  const auto confirmed = f.service->confirmTotp(f.store, f.ref(s), f.codeNow(*secret));
  REQUIRE(confirmed.ok());
  CHECK(confirmed.recoveryCodes.size() == 10);
  CHECK(confirmed.session.stage == SessionStage::kComplete);
  CHECK(confirmed.session.id != s.session.id);
  CHECK(f.store.users.at(1).totpConfirmed);
  CHECK(f.store.recoveryCodesLeft(1) == 10);
  // The role requires it: it cannot be turned off by its user.
  f.clock.advance(seconds(30));
  CHECK(f.service->disableTotp(f.store, f.ref(confirmed), f.codeNow(*secret)).verdict ==
        Verdict::kConflict);
}

TEST_CASE("a recovery code stands in for the authenticator once", "[server][auth]") {
  Fixture f;
  f.enrolTotp();
  const auto codes = newRecoveryCodes();
  std::vector<TokenHash> hashes;
  for (const auto& c : codes) hashes.push_back(hashRecoveryCode(c));
  f.store.replaceRecoveryCodes(1, hashes);
  const auto s1 = f.signIn("anna");
  CHECK(f.service->secondFactor(f.store, f.ref(s1), codes[2]).ok());
  CHECK(f.store.recoveryCodesLeft(1) == 9);
  const auto actions = f.store.actions();
  CHECK(std::count(actions.begin(), actions.end(), "user.recovery_code_used") == 1);
  const auto s2 = f.signIn("anna");
  CHECK(f.service->secondFactor(f.store, f.ref(s2), codes[2]).verdict == Verdict::kRefused);
  CHECK(f.service->secondFactor(f.store, f.ref(s2), "not-a-code").verdict == Verdict::kRefused);
}

TEST_CASE("turning TOTP off takes a current code", "[server][auth]") {
  Fixture f;
  const std::string secret = f.enrolTotp();
  const auto s = f.signIn("anna");
  const auto done = f.service->secondFactor(f.store, f.ref(s), f.codeNow(secret));
  REQUIRE(done.ok());
  const SessionRef ref{done.session.sessionId, 1, SessionStage::kComplete, std::string(kPeer)};
  CHECK(f.service->disableTotp(f.store, ref, "000000").verdict == Verdict::kRefused);
  f.clock.advance(seconds(30));
  CHECK(f.service->disableTotp(f.store, ref, f.codeNow(secret)).ok());
  CHECK(f.store.users.at(1).totpSealed.empty());
  CHECK(f.signIn("anna").session.stage == SessionStage::kComplete);
}

TEST_CASE("a one-time password passes the policy for its user, whatever the name",
          "[server][auth]") {
  const PasswordPolicy policy;
  // "a7-" was the fixed end of every one-time password once; three letters
  // of the password's own alphabet come up in about 1 of 1,400.
  for (const std::string name : {"a7-", "ann", "Ann", "xy"}) {
    for (int i = 0; i < 2000; ++i) {
      const auto password = SignInService::oneTimePassword(name);
      REQUIRE(password.size() == 20);
      REQUIRE(policy.problem(password, name).empty());
    }
  }
}

TEST_CASE("a reset password is a one-time password to be changed", "[server][auth]") {
  Fixture f;
  const auto old = f.signIn("anna");
  const auto reset = f.service->resetPassword(f.store, AuditActor::commandLine(), 1, std::nullopt);
  REQUIRE(reset.ok());
  const std::string oneTime = reset.message;
  CHECK(f.policy.problem(oneTime, "Anna").empty());
  CHECK(f.store.sessions.empty());  // every session of the user ended
  CHECK(f.signIn("anna").verdict == Verdict::kRefused);
  const auto s = f.signIn("anna", oneTime);
  REQUIRE(s.ok());
  CHECK(s.session.stage == SessionStage::kPasswordChange);
  const auto ref = f.ref(s);
  CHECK(f.service->changePassword(f.store, ref, Secret(oneTime), Secret("short")).verdict ==
        Verdict::kInvalid);
  CHECK(f.service->changePassword(f.store, ref, Secret(oneTime), Secret("Password1!")).message ==
        "the password is a common password or a common word with digits or symbols added");
  CHECK(
      f.service->changePassword(f.store, ref, Secret("wrong"), Secret("Zq7!tundra-Oboe")).verdict ==
      Verdict::kRefused);
  const auto changed =
      f.service->changePassword(f.store, ref, Secret(oneTime), Secret("Zq7!tundra-Oboe"));
  REQUIRE(changed.ok());
  CHECK(changed.session.stage == SessionStage::kComplete);
  CHECK(changed.session.id != s.session.id);
  CHECK(f.signIn("anna", "Zq7!tundra-Oboe").session.stage == SessionStage::kComplete);
  const auto actions = f.store.actions();
  CHECK(std::count(actions.begin(), actions.end(), "user.password_reset") == 1);
  CHECK(std::count(actions.begin(), actions.end(), "user.password_change") == 1);
}

TEST_CASE("changing the password ends the other sessions", "[server][auth]") {
  Fixture f;
  const auto a = f.signIn("anna");
  const auto b = f.signIn("anna");
  const auto changed = f.service->changePassword(f.store, f.ref(b), Secret(std::string(kPassword)),
                                                 Secret("Zq7!tundra-Oboe"));
  REQUIRE(changed.ok());
  CHECK_FALSE(f.store.sessions.contains(a.session.sessionId));
  CHECK(f.store.sessions.contains(b.session.sessionId));
}

TEST_CASE("users idle for 180 days are disabled", "[server][auth]") {
  Fixture f;
  f.clock.advance(hours(24 * 179));
  CHECK(f.signIn("ben").ok());  // ben is active again
  f.clock.advance(hours(24));
  const auto idle = f.signIn("anna");
  CHECK(idle.verdict == Verdict::kDisabled);
  CHECK(f.store.users.at(1).disabled);
  CHECK(f.store.actions().back() == "user.disable");
  CHECK(f.signIn("anna").verdict == Verdict::kDisabled);
  // The sweep finds the others.
  CHECK(f.service->disableIdleUsers(f.store) == 0);
  f.clock.advance(hours(24 * 180));
  CHECK(f.service->disableIdleUsers(f.store) == 1);
  CHECK(f.store.users.at(2).disabled);
}

TEST_CASE("a hash made with another cost is renewed at sign-in", "[server][auth]") {
  Fixture f;
  const PasswordHasher dearer(HashCost{2, 128u << 10});
  f.service.emplace(f.clock, dearer, f.policy, f.vault, f.settings);
  const std::string before = f.store.users.at(1).passwordHash;
  REQUIRE(f.signIn("anna").ok());
  const std::string after = f.store.users.at(1).passwordHash;
  CHECK(after != before);
  CHECK_FALSE(dearer.needsRehash(after));
  CHECK(dearer.verify(after, Secret(std::string(kPassword))));
}

TEST_CASE("a disabled account cannot sign in", "[server][auth]") {
  Fixture f;
  f.store.users.at(1).disabled = true;
  const auto a = f.signIn("anna");
  CHECK(a.verdict == Verdict::kDisabled);
  CHECK(a.session.id.empty());
  CHECK(f.signIn("anna", "wrong").verdict == Verdict::kRefused);  // no hint without the password
}

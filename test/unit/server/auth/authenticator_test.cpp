#include "server/auth/authenticator.hpp"

#include <catch2/catch.hpp>

#include "unit/server/auth/fake_session_lookup.hpp"

using namespace openmps::server::auth;
using openmps::server::auth::testing::FakeSessionLookup;
using openmps::util::ManualClock;
using std::chrono::minutes;
using std::chrono::seconds;

namespace {

struct Fixture {
  ManualClock clock;
  FakeSessionLookup store;
  Authenticator auth{clock, SessionPolicy{}};
  std::string sessionId = randomToken();
  std::string token = newApiToken();

  Fixture() {
    SessionRecord s;
    s.id = 7;
    s.createdAt = s.lastSeenAt = clock.now();
    s.csrfToken = "csrf-token-value";
    s.caller.userId = 3;
    s.caller.organisationId = 5;
    s.caller.organisationPath = {1, 5};
    s.caller.role = Role::kDealerAdmin;
    store.sessions[hashToken(sessionId)] = s;
    ApiTokenRecord t;
    t.id = 11;
    t.lastUsedAt = clock.now();
    t.caller.apiTokenId = 11;
    t.caller.organisationId = 9;
    t.caller.role = Role::kCustomerViewer;
    store.tokens[hashToken(token)] = t;
  }
  Credentials cookie(bool changes = false, std::string csrf = "") const {
    Credentials c;
    c.sessionCookie = sessionId;
    c.changesState = changes;
    c.csrfHeader = std::move(csrf);
    return c;
  }
  Credentials bearer(bool changes = false) const {
    Credentials c;
    c.bearerToken = token;
    c.changesState = changes;
    return c;
  }
};

}  // namespace

TEST_CASE("a session cookie names its user", "[server][auth]") {
  Fixture f;
  const auto a = f.auth.authenticate(f.store, f.cookie());
  REQUIRE(a.ok());
  CHECK(a.caller->userId == 3);
  CHECK(a.caller->role == Role::kDealerAdmin);
  CHECK(a.caller->organisationPath == std::vector<std::int64_t>{1, 5});
  CHECK(a.sessionId == 7);
  CHECK(a.csrfToken == "csrf-token-value");
}

TEST_CASE("no credentials, made-up and malformed ones are 401", "[server][auth]") {
  Fixture f;
  const auto none = f.auth.authenticate(f.store, Credentials{});
  CHECK(none.refusal == Refusal::kNoCredentials);
  CHECK(httpStatus(none.refusal) == 401);
  Credentials madeUp;
  madeUp.sessionCookie = randomToken();
  CHECK(f.auth.authenticate(f.store, madeUp).refusal == Refusal::kUnknown);
  madeUp.sessionCookie = "../../etc/passwd";
  CHECK(f.auth.authenticate(f.store, madeUp).refusal == Refusal::kUnknown);
  Credentials badToken;
  badToken.bearerToken = "omps_short";
  CHECK(f.auth.authenticate(f.store, badToken).refusal == Refusal::kUnknown);
  badToken.bearerToken = newApiToken();
  CHECK(f.auth.authenticate(f.store, badToken).refusal == Refusal::kUnknown);
}

TEST_CASE("a state-changing request with a session needs the CSRF header", "[server][auth]") {
  Fixture f;
  const auto missing = f.auth.authenticate(f.store, f.cookie(true));
  CHECK(missing.refusal == Refusal::kCsrf);
  CHECK(httpStatus(missing.refusal) == 403);
  CHECK(f.auth.authenticate(f.store, f.cookie(true, "csrf-token-valuX")).refusal == Refusal::kCsrf);
  CHECK(f.auth.authenticate(f.store, f.cookie(true, "csrf-token-value")).ok());
  CHECK(f.auth.authenticate(f.store, f.cookie(false)).ok());  // reading needs none
}

TEST_CASE("a bearer token needs no CSRF header and wins over a cookie", "[server][auth]") {
  Fixture f;
  Credentials both = f.bearer(true);
  both.sessionCookie = f.sessionId;
  const auto a = f.auth.authenticate(f.store, both);
  REQUIRE(a.ok());
  CHECK(a.caller->apiTokenId == 11);
  CHECK(a.caller->role == Role::kCustomerViewer);
  CHECK(a.sessionId == 0);
}

TEST_CASE("idle sessions end after 30 minutes, any session after 12 hours", "[server][auth]") {
  Fixture f;
  f.clock.advance(minutes(29));
  REQUIRE(f.auth.authenticate(f.store, f.cookie()).ok());  // and touched
  f.clock.advance(minutes(29));
  REQUIRE(f.auth.authenticate(f.store, f.cookie()).ok());
  f.clock.advance(minutes(30));
  const auto idle = f.auth.authenticate(f.store, f.cookie());
  CHECK(idle.refusal == Refusal::kExpired);
  CHECK(f.store.sessions.empty());  // the expired session is gone for good

  Fixture g;
  for (int i = 0; i < 12 * 4 - 1; ++i) {
    g.clock.advance(minutes(15));
    REQUIRE(g.auth.authenticate(g.store, g.cookie()).ok());
  }
  g.clock.advance(minutes(15));
  CHECK(g.auth.authenticate(g.store, g.cookie()).refusal == Refusal::kExpired);
}

TEST_CASE("last seen is written at most once a minute", "[server][auth]") {
  Fixture f;
  for (int i = 0; i < 10; ++i) {
    f.clock.advance(seconds(5));
    REQUIRE(f.auth.authenticate(f.store, f.cookie()).ok());
  }
  CHECK(f.store.touches == 0);
  f.clock.advance(seconds(15));
  REQUIRE(f.auth.authenticate(f.store, f.cookie()).ok());
  CHECK(f.store.touches == 1);
}

TEST_CASE("an unfinished sign-in reaches only the sign-in routes", "[server][auth]") {
  Fixture f;
  f.store.sessions.begin()->second.stage = SessionStage::kSecondFactor;
  const auto refused = f.auth.authenticate(f.store, f.cookie());
  CHECK(refused.refusal == Refusal::kSignInIncomplete);
  CHECK(refused.stage == SessionStage::kSecondFactor);
  CHECK(httpStatus(refused.refusal) == 403);
  const auto allowed = f.auth.authenticate(f.store, f.cookie(), true);
  REQUIRE(allowed.ok());
  CHECK(allowed.stage == SessionStage::kSecondFactor);
  f.clock.advance(minutes(10));  // an unfinished sign-in lives 10 minutes at most
  CHECK(f.auth.authenticate(f.store, f.cookie(), true).refusal == Refusal::kExpired);
}

TEST_CASE("a disabled user's session ends", "[server][auth]") {
  Fixture f;
  f.store.sessions.begin()->second.userDisabled = true;
  CHECK(f.auth.authenticate(f.store, f.cookie()).refusal == Refusal::kDisabled);
  CHECK(f.store.sessions.empty());
}

TEST_CASE("revoked and expired API tokens are refused", "[server][auth]") {
  Fixture f;
  auto& t = f.store.tokens.begin()->second;
  t.expiresAt = f.clock.now() + std::chrono::hours(24);
  CHECK(f.auth.authenticate(f.store, f.bearer()).ok());
  f.clock.advance(std::chrono::hours(24));
  CHECK(f.auth.authenticate(f.store, f.bearer()).refusal == Refusal::kExpired);
  t.expiresAt.reset();
  t.revoked = true;
  CHECK(f.auth.authenticate(f.store, f.bearer()).refusal == Refusal::kUnknown);
}

TEST_CASE("tokens are random, hashed and recognisable", "[server][auth]") {
  const std::string a = newApiToken();
  CHECK(looksLikeApiToken(a));
  CHECK(a.size() == 48);
  CHECK(a != newApiToken());
  CHECK(apiTokenHint(a) == a.substr(0, 12));
  CHECK_FALSE(looksLikeApiToken("omps_" + std::string(43, '!')));
  CHECK(hashToken(a) == hashToken(a));
  CHECK(hashToken(a) != hashToken(newApiToken()));
  CHECK(equalConstantTime("abc", "abc"));
  CHECK_FALSE(equalConstantTime("abc", "abd"));
  CHECK_FALSE(equalConstantTime("abc", "abcd"));
}

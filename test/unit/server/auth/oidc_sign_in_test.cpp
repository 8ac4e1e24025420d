#include "server/auth/oidc_sign_in.hpp"

#include <map>

#include <catch2/catch.hpp>

#include "unit/server/auth/fake_account_store.hpp"
#include "unit/server/auth/oidc_vectors.hpp"

using namespace openmps::server::auth;
using namespace openmps::server::auth::testing;
using Catch::Matchers::Contains;
using openmps::util::ManualClock;
using openmps::util::Secret;

namespace {

constexpr std::string_view kDiscovery =
    R"({"issuer":"https://id.example.com","authorization_endpoint":"https://id.example.com/auth",)"
    R"("token_endpoint":"https://id.example.com/token","jwks_uri":"https://id.example.com/jwks"})";

// The provider: fixed answers, every request recorded.
class FakeOidcHttp final : public OidcHttp {
 public:
  std::string idToken{kRs256};
  std::vector<std::string> requests;
  std::string lastForm;

  std::string get(const std::string& url) override {
    requests.push_back(url);
    if (url == "https://id.example.com/.well-known/openid-configuration") {
      return std::string(kDiscovery);
    }
    if (url == "https://id.example.com/jwks") return std::string(kJwks);
    throw OidcError(url + ": HTTP 404");
  }
  std::string postForm(const std::string& url, const std::string& body, const std::string& id,
                       const Secret& secret) override {
    requests.push_back(url);
    lastForm = body;
    if (id != "openmps" || secret.reveal() != "s3cret") throw OidcError(url + ": HTTP 401");
    return R"({"access_token":"x","id_token":")" + idToken + "\"}";
  }
};

class FakeOidcStore final : public OidcStore {
 public:
  std::map<TokenHash, PendingLoginRecord> pending;
  std::map<std::pair<std::string, std::string>, std::int64_t> identities;
  FakeAccountStore& accounts;
  std::map<std::string, std::pair<std::int64_t, std::string>> organisations;  // name -> id, kind
  std::map<std::int64_t, std::vector<std::int64_t>> orgPaths;

  explicit FakeOidcStore(FakeAccountStore& a) : accounts(a) {}

  void savePendingLogin(const TokenHash& state, const TokenHash& browser, std::string_view nonce,
                        std::string_view verifier, WallTime at) override {
    pending[state] = {browser, std::string(nonce), std::string(verifier), at};
  }
  std::optional<PendingLoginRecord> takePendingLogin(const TokenHash& state) override {
    const auto it = pending.find(state);
    if (it == pending.end()) return std::nullopt;
    auto out = it->second;
    pending.erase(it);
    return out;
  }
  std::optional<std::int64_t> userOfIdentity(std::string_view iss, std::string_view sub) override {
    const auto it = identities.find({std::string(iss), std::string(sub)});
    if (it == identities.end()) return std::nullopt;
    return it->second;
  }
  void linkIdentity(std::string_view iss, std::string_view sub, std::int64_t userId) override {
    identities[{std::string(iss), std::string(sub)}] = userId;
  }
  std::vector<std::int64_t> usersMatching(std::string_view value, std::int64_t orgId) override {
    std::vector<std::int64_t> out;
    for (const auto& [id, u] : accounts.users) {
      const auto& path = orgPaths[u.organisationId];
      const bool inside = orgId == 0 || std::find(path.begin(), path.end(), orgId) != path.end();
      if (u.username == value && inside) out.push_back(id);
    }
    return out;
  }
  std::int64_t organisationNamed(std::string_view name, std::string& kind) override {
    const auto it = organisations.find(std::string(name));
    if (it == organisations.end()) return 0;
    kind = it->second.second;
    return it->second.first;
  }
  std::int64_t createExternalUser(std::int64_t orgId, std::string_view username, std::string_view,
                                  std::string_view, Role role) override {
    for (const auto& [id, u] : accounts.users) {
      if (u.username == username) return 0;
    }
    UserCredentials u;
    u.id = 100 + static_cast<std::int64_t>(accounts.users.size());
    u.username = std::string(username);
    u.organisationId = orgId;
    u.role = role;
    u.lastActiveAt = WallTime{std::chrono::seconds{1800000000}};
    accounts.add(u);
    return u.id;
  }
};

struct Fixture {
  ManualClock clock{WallTime{std::chrono::seconds{1800000000}}};
  PasswordHasher hasher{HashCost{1, 64u << 10}};
  PasswordPolicy policy;
  TotpVault vault{std::array<unsigned char, 32>{}};
  SignInSettings signInSettings;
  SignInService signIn{clock, hasher, policy, vault, signInSettings};
  FakeOidcHttp http;
  FakeAccountStore accounts;
  FakeOidcStore store{accounts};
  OidcSettings settings;
  std::optional<OidcSignIn> oidc;

  Fixture() {
    settings.enabled = true;
    settings.issuer = "https://id.example.com";
    settings.clientId = "openmps";
    settings.clientSecret = Secret("s3cret");
    settings.redirectUri = "https://portal.example.com/api/v1/auth/oidc/callback";
    settings.organisation = "Print Partner";
    settings.defaultRole = Role::kDealerTechnician;
    store.organisations["Print Partner"] = {2, "dealer"};
    store.orgPaths[1] = {1};
    store.orgPaths[2] = {1, 2};
    store.orgPaths[3] = {1, 3};
    oidc.emplace(clock, settings, http, signIn);
  }
  void remake() { oidc.emplace(clock, settings, http, signIn); }
  // A sign-in as the test vectors' token expects it: the state the test
  // chooses, the token's nonce.
  void pendingLogin(std::string_view state = "state-1", std::string_view binding = "browser-1") {
    store.pending[hashToken(state)] = {hashToken(binding), std::string(kNonce), "verifier-1",
                                       clock.now()};
    clock.advance(std::chrono::seconds(100));
  }
  Outcome finish(std::string_view state = "state-1", std::string_view binding = "browser-1") {
    return oidc->finish(accounts, store, "code-1", state, binding, "192.0.2.7");
  }
  UserCredentials& addUser(std::int64_t id, std::string name, std::int64_t org) {
    UserCredentials u;
    u.id = id;
    u.username = std::move(name);
    u.organisationId = org;
    u.role = Role::kDealerAdmin;
    u.lastActiveAt = clock.now();
    return accounts.add(u);
  }
};

}  // namespace

TEST_CASE("start stores the state hashed and sends the browser to the provider", "[server][auth]") {
  Fixture f;
  const auto start = f.oidc->start(f.store);
  CHECK(start.redirectUrl.starts_with("https://id.example.com/auth?response_type=code"));
  REQUIRE(f.store.pending.size() == 1);
  const auto& [stateHash, pending] = *f.store.pending.begin();
  CHECK(pending.browserHash == hashToken(start.browserBinding));
  CHECK(start.redirectUrl.find("&nonce=" + pending.nonce) != std::string::npos);
  CHECK(start.redirectUrl.find(pending.codeVerifier) == std::string::npos);
  // The discovery document is fetched once and then cached.
  f.oidc->start(f.store);
  CHECK(f.http.requests.size() == 1);
}

TEST_CASE("a new user is created in the configured organisation and linked", "[server][auth]") {
  Fixture f;
  f.pendingLogin();
  const auto out = f.finish();
  REQUIRE(out.ok());
  CHECK(out.session.stage == SessionStage::kComplete);
  CHECK(out.session.id.size() == 43);
  const auto& user = f.accounts.users.at(out.session.userId);
  CHECK(user.username == "anna@example.com");
  CHECK(user.organisationId == 2);
  CHECK(user.role == Role::kDealerTechnician);
  CHECK(user.passwordHash.empty());
  CHECK(f.store.identities.at({"https://id.example.com", "u-123"}) == user.id);
  CHECK(f.accounts.actions() == std::vector<std::string>{"user.create", "session.sign_in"});
  CHECK(f.http.lastForm.find("code_verifier=verifier-1") != std::string::npos);
  // The answer is taken once.
  CHECK(f.finish().verdict == Verdict::kRefused);
}

TEST_CASE("an existing user is matched by the claim inside the organisation only",
          "[server][auth]") {
  Fixture f;
  f.addUser(7, "anna@example.com", 2);
  f.pendingLogin();
  const auto out = f.finish();
  REQUIRE(out.ok());
  CHECK(out.session.userId == 7);
  CHECK(f.accounts.users.size() == 1);

  Fixture g;
  g.addUser(8, "anna@example.com", 3);  // another dealer's user of that name
  g.pendingLogin();
  const auto refused = g.finish();
  CHECK(refused.verdict == Verdict::kRefused);
  CHECK_THAT(refused.message, Contains("taken outside"));
}

TEST_CASE("a linked identity signs in as its user whatever its claim", "[server][auth]") {
  Fixture f;
  f.addUser(9, "someone-else", 2);
  f.store.identities[{"https://id.example.com", "u-123"}] = 9;
  f.pendingLogin();
  REQUIRE(f.finish().session.userId == 9);
}

TEST_CASE("the answer must come to the browser that started, in time", "[server][auth]") {
  Fixture f;
  f.pendingLogin();
  CHECK_THAT(f.finish("state-1", "browser-2").message, Contains("another browser"));
  f.pendingLogin("state-2");
  CHECK_THAT(f.finish("unknown-state").message, Contains("unknown or expired"));
  f.clock.advance(std::chrono::seconds(600));
  CHECK_THAT(f.finish("state-2").message, Contains("unknown or expired"));
  CHECK(f.accounts.actions() == std::vector<std::string>(3, "session.sign_in_failed"));
  CHECK(f.accounts.sessions.empty());
}

TEST_CASE("a token the provider did not sign is refused", "[server][auth]") {
  Fixture f;
  std::string forged(kRs256);
  forged[forged.size() - 3] = forged[forged.size() - 3] == 'A' ? 'B' : 'A';
  f.http.idToken = forged;
  f.pendingLogin();
  CHECK_THAT(f.finish().message, Contains("signature does not verify"));
  CHECK(f.accounts.users.empty());
}

TEST_CASE("the token's claims are checked", "[server][auth]") {
  Fixture f;
  f.settings.clientId = "someone-else";
  f.settings.clientSecret = Secret("s3cret");
  f.remake();
  f.pendingLogin();
  // The fake provider refuses the wrong client at the token endpoint.
  CHECK_THAT(f.finish().message, Contains("HTTP 401"));

  Fixture g;
  g.pendingLogin();
  g.clock.advance(std::chrono::seconds(300));  // past exp + skew
  CHECK_THAT(g.finish().message, Contains("expired"));
}

TEST_CASE("without an organisation only existing users sign in", "[server][auth]") {
  Fixture f;
  f.settings.organisation.clear();
  f.remake();
  f.pendingLogin();
  CHECK_THAT(f.finish().message, Contains("no user matches anna@example.com"));
  f.addUser(5, "anna@example.com", 3);
  f.pendingLogin("state-2");
  CHECK(f.finish("state-2").session.userId == 5);
}

TEST_CASE("a disabled user is refused after the provider vouched", "[server][auth]") {
  Fixture f;
  f.addUser(7, "anna@example.com", 2).disabled = true;
  f.pendingLogin();
  CHECK(f.finish().verdict == Verdict::kDisabled);
  CHECK(f.accounts.sessions.empty());
}

TEST_CASE("a default role that does not fit the organisation creates nobody", "[server][auth]") {
  Fixture f;
  f.settings.defaultRole = Role::kCustomerViewer;
  f.remake();
  f.pendingLogin();
  CHECK_THAT(f.finish().message, Contains("default_role"));
  CHECK(f.accounts.users.empty());
}

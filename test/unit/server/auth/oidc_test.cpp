#include "server/auth/oidc.hpp"

#include <catch2/catch.hpp>

#include "server/auth/jws.hpp"
#include "unit/server/auth/oidc_vectors.hpp"

using namespace openmps::server::auth;
using Catch::Matchers::Contains;
using openmps::util::Clock;
using namespace openmps::server::auth::testing;

namespace {

Clock::WallTime at(std::int64_t s) {
  return Clock::WallTime{std::chrono::seconds{s}};
}

OidcSettings settings() {
  OidcSettings s;
  s.enabled = true;
  s.issuer = "https://id.example.com";
  s.clientId = "openmps";
  s.redirectUri = "https://portal.example.com/api/v1/auth/oidc/callback";
  return s;
}

bool verifies(std::string_view compact) {
  const auto keys = parseJwks(kJwks);
  const auto token = splitIdToken(compact);
  const Jwk* key = findKey(keys, token);
  return key != nullptr && verifyJws(token.signingInput, token.signature, token.alg, *key);
}

std::string flipped(std::string_view compact, std::size_t from_end) {
  std::string out(compact);
  char& c = out[out.size() - from_end];
  c = c == 'A' ? 'B' : 'A';
  return out;
}

}  // namespace

TEST_CASE("ID token signatures verify against the provider's keys", "[server][auth]") {
  const auto keys = parseJwks(kJwks);
  REQUIRE(keys.size() == 2);  // the encryption key is left out
  CHECK(verifies(kRs256));
  CHECK(verifies(kEs256));
  CHECK_FALSE(verifies(flipped(kRs256, 5)));  // signature changed
  CHECK_FALSE(verifies(flipped(kEs256, 5)));
  // The payload of one token with the signature of the other: refused.
  const std::string mixed = std::string(kRs256.substr(0, kRs256.rfind('.'))) +
                            std::string(kEs256.substr(kEs256.rfind('.')));
  CHECK_FALSE(verifies(mixed));
}

TEST_CASE("unsigned and unknown algorithms are refused before any key", "[server][auth]") {
  // {"alg":"none"} . payload . (empty)
  CHECK_THROWS_WITH(splitIdToken("eyJhbGciOiJub25lIn0." +
                                 std::string(kRs256.substr(kRs256.find('.') + 1,
                                                           kRs256.rfind('.') - kRs256.find('.')))),
                    Contains("'none' is not accepted"));
  // {"alg":"HS256"}: a shared-secret signature keyed with the public key is the classic attack.
  CHECK_THROWS_WITH(splitIdToken("eyJhbGciOiJIUzI1NiJ9.e30.c2ln"), Contains("'HS256'"));
  CHECK_THROWS_WITH(splitIdToken("a.b"), Contains("compact JWS"));
  CHECK_THROWS_WITH(splitIdToken("a.b.c.d"), Contains("compact JWS"));
  CHECK_THROWS_WITH(splitIdToken("!!.e30.c2ln"), Contains("not base64url"));
}

TEST_CASE("a token's key is found by kid, or as the only one of its kind", "[server][auth]") {
  const auto keys = parseJwks(kJwks);
  auto token = splitIdToken(kRs256);
  REQUIRE(findKey(keys, token) != nullptr);
  CHECK(findKey(keys, token)->kid == "r1");
  token.kid = "unknown";
  CHECK(findKey(keys, token) == nullptr);
  token.kid.clear();
  CHECK(findKey(keys, token) != nullptr);
}

TEST_CASE("issuer, audience, expiry and nonce are checked", "[server][auth]") {
  const auto token = splitIdToken(kRs256);
  const auto claims = checkClaims(token, settings(), kNonce, at(1800000100));
  CHECK(claims.subject == "u-123");
  CHECK(claims.claimValue == "anna@example.com");
  CHECK(claims.emailVerified == true);
  CHECK(claims.name == "Anna");

  CHECK_THROWS_WITH(checkClaims(token, settings(), kNonce, at(1800000360)), Contains("expired"));
  CHECK_NOTHROW(checkClaims(token, settings(), kNonce, at(1800000330)));  // a minute's skew
  CHECK_THROWS_WITH(checkClaims(token, settings(), kNonce, at(1799999900)),
                    Contains("issued in the future"));
  CHECK_THROWS_WITH(checkClaims(token, settings(), "other-nonce", at(1800000100)),
                    Contains("nonce"));
  auto other = settings();
  other.clientId = "someone-else";
  CHECK_THROWS_WITH(checkClaims(token, other, kNonce, at(1800000100)), Contains("aud"));
  other = settings();
  other.issuer = "https://evil.example.com";
  CHECK_THROWS_WITH(checkClaims(token, other, kNonce, at(1800000100)), Contains("iss"));
  other = settings();
  other.claim = "preferred_username";
  CHECK(checkClaims(token, other, kNonce, at(1800000100)).claimValue.empty());
}

TEST_CASE("the discovery document must name the configured issuer", "[server][auth]") {
  const std::string doc =
      R"({"issuer":"https://id.example.com/","authorization_endpoint":"https://id.example.com/auth",)"
      R"("token_endpoint":"https://id.example.com/token","jwks_uri":"https://id.example.com/jwks"})";
  const auto p = parseDiscovery(doc, "https://id.example.com");
  CHECK(p.tokenEndpoint == "https://id.example.com/token");
  CHECK_THROWS_WITH(parseDiscovery(doc, "https://other.example.com"),
                    Contains("not the configured issuer"));
  std::string plain = doc;
  plain.replace(plain.find("https://id.example.com/token"), 8, "http://");
  CHECK_THROWS_WITH(parseDiscovery(plain, "https://id.example.com"),
                    Contains("discovery.token_endpoint: expected an https:// URL"));
  CHECK_THROWS_WITH(parseDiscovery("{}", "https://id.example.com"),
                    Contains("discovery.issuer: missing"));
  CHECK_THROWS_WITH(parseDiscovery("not json", "https://id.example.com"),
                    Contains("not valid JSON"));
}

TEST_CASE("the authorization request carries state, nonce and a PKCE challenge", "[server][auth]") {
  // RFC 7636 appendix B.
  CHECK(pkceChallenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk") ==
        "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
  const auto login = newPendingLogin();
  CHECK(login.state != login.nonce);
  CHECK(login.codeVerifier.size() >= 43);
  OidcProvider p{"https://id.example.com", "https://id.example.com/auth?tenant=1",
                 "https://id.example.com/token", "https://id.example.com/jwks"};
  const std::string url = authorizationUrl(p, settings(), login);
  CHECK(
      url.starts_with("https://id.example.com/auth?tenant=1&response_type=code&client_id=openmps"
                      "&redirect_uri=https%3A%2F%2Fportal.example.com%2Fapi%2Fv1%2Fauth%2Foidc"
                      "%2Fcallback&scope=openid%20email%20profile&state=" +
                      login.state));
  CHECK(url.find("&nonce=" + login.nonce) != std::string::npos);
  CHECK(url.ends_with("&code_challenge=" + pkceChallenge(login.codeVerifier) +
                      "&code_challenge_method=S256"));
  CHECK(url.find(login.codeVerifier) == std::string::npos);
  CHECK(
      tokenRequestBody(settings(), "c o/de", "v") ==
      "grant_type=authorization_code&code=c%20o%2Fde&redirect_uri=https%3A%2F%2Fportal.example.com"
      "%2Fapi%2Fv1%2Fauth%2Foidc%2Fcallback&code_verifier=v");
  CHECK(idTokenFromTokenResponse(R"({"access_token":"a","id_token":"x.y.z"})") == "x.y.z");
  CHECK_THROWS_WITH(idTokenFromTokenResponse(R"({"access_token":"a"})"),
                    Contains("token_response.id_token: missing"));
}

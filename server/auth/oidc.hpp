#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "server/auth/auth_settings.hpp"
#include "shared/util/clock.hpp"

// OpenID Connect sign-in, the pure parts: the provider's discovery
// document and keys, the authorization request (code flow with PKCE S256,
// state and nonce), and the checks of the ID token (signature by one of the
// provider's keys, issuer, audience, expiry, nonce).
namespace openmps::server::auth {

// Anything the provider sent that cannot be trusted; the message names it.
class OidcError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct OidcProvider {
  std::string issuer;
  std::string authorizationEndpoint;
  std::string tokenEndpoint;
  std::string jwksUri;
};

// One key of the provider's JWKS (RSA: n and e; EC P-256: x and y), its
// numbers as raw big-endian bytes.
struct Jwk {
  std::string kid;
  std::string kty;  // "RSA" or "EC"
  std::string alg;  // may be empty
  std::string n;
  std::string e;
  std::string crv;
  std::string x;
  std::string y;
};

// The values one browser's sign-in carries to the provider and back.
struct PendingOidcLogin {
  std::string state;
  std::string nonce;
  std::string codeVerifier;
  std::string browserBinding;  // the value of the short-lived omps_oidc cookie
};

struct IdToken {
  std::string header;        // JSON
  std::string payload;       // JSON
  std::string signingInput;  // base64url(header) "." base64url(payload)
  std::string signature;     // raw bytes
  std::string alg;
  std::string kid;
};

struct IdTokenClaims {
  std::string issuer;
  std::string subject;
  std::string claimValue;  // the configured claim (settings.claim), as text
  std::optional<bool> emailVerified;
  std::string name;
};

// The discovery document (issuer/.well-known/openid-configuration). Its
// issuer must equal the configured one; every endpoint must be https.
OidcProvider parseDiscovery(std::string_view json, const std::string& expectedIssuer);
std::vector<Jwk> parseJwks(std::string_view json);

PendingOidcLogin newPendingLogin();
// base64url(SHA-256(verifier)), RFC 7636 S256.
std::string pkceChallenge(std::string_view verifier);
std::string authorizationUrl(const OidcProvider& provider, const OidcSettings& settings,
                             const PendingOidcLogin& login);
// application/x-www-form-urlencoded body of the token request.
std::string tokenRequestBody(const OidcSettings& settings, std::string_view code,
                             std::string_view codeVerifier);
// The id_token of the token endpoint's answer.
std::string idTokenFromTokenResponse(std::string_view json);

// Splits a compact JWS; refuses "none", unknown algorithms and malformed text.
IdToken splitIdToken(std::string_view compact);
// The key the token names (kid), or the only key fit for its algorithm.
const Jwk* findKey(const std::vector<Jwk>& keys, const IdToken& token);
// Issuer, audience (and azp), expiry, issued-at and nonce, with `skew` of
// clock tolerance; returns the claims the sign-in needs.
IdTokenClaims checkClaims(const IdToken& token, const OidcSettings& settings,
                          std::string_view expectedNonce, util::Clock::WallTime now,
                          std::chrono::seconds skew = std::chrono::seconds(60));

std::string formEncode(std::string_view text);

}  // namespace openmps::server::auth

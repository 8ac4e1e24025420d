#include "server/auth/oidc.hpp"

#include <algorithm>
#include <array>

#include <sodium.h>

#include "server/auth/tokens.hpp"
#include "shared/util/base64.hpp"
#include "shared/util/json_fields.hpp"

namespace openmps::server::auth {
namespace {

constexpr std::size_t kMaxUrl = 2000;
constexpr std::size_t kMaxKeys = 50;
constexpr std::size_t kMaxTokenBytes = std::size_t{16} * 1024;
constexpr std::array<std::string_view, 4> kAlgorithms = {"RS256", "RS384", "RS512", "ES256"};

// Every JSON the provider sends is read with the strict parser; its errors
// name the field.
template <typename F>
auto readJson(std::string_view json, std::string_view what, F&& read) {
  try {
    const util::JsonDocument doc(json, what, 16);
    const util::JsonPath path(what);
    const util::JsonFields fields(doc.root(), path);
    return read(fields);
  } catch (const util::JsonFieldError& e) {
    throw OidcError(e.what());
  }
}

std::string httpsUrl(const util::JsonFields& f, std::string_view key) {
  std::string url = f.requireString(key, kMaxUrl);
  if (!url.starts_with("https://")) {
    throw OidcError(f.path().child(key) + ": expected an https:// URL, got '" + url + "'");
  }
  return url;
}

std::string decodeBase64Url(std::string_view text, std::string_view what) {
  auto out = util::fromBase64Url(text);
  if (!out) throw OidcError(std::string(what) + ": not base64url");
  return *out;
}

std::int64_t secondsSinceEpoch(util::Clock::WallTime t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

// "aud" is a string or an array of strings.
bool audienceContains(const util::JsonFields& f, const std::string& clientId, bool& several) {
  const auto aud = f.find("aud");
  if (!aud) throw OidcError("id_token.aud: missing");
  several = false;
  if (aud->isString()) return aud->string() == clientId;
  if (!aud->isArray()) throw OidcError("id_token.aud: expected a string or an array");
  several = aud->size() > 1;
  bool found = false;
  for (const auto v : *aud) found = found || (v.isString() && v.string() == clientId);
  return found;
}

// The configured claim as text (strings as they are, numbers written out).
std::string claimText(const util::JsonFields& f, const std::string& claim) {
  const auto v = f.find(claim);
  if (!v) return {};
  if (v->isString()) return std::string(v->string().substr(0, 200));
  if (v->type() == util::JsonType::kInteger) return std::to_string(v->integer());
  if (v->type() == util::JsonType::kUnsigned) return std::to_string(v->unsignedInteger());
  throw OidcError("id_token." + claim + ": expected a string");
}

}  // namespace

std::string formEncode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '.' || c == '_' || c == '~') {
      out += ch;
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

OidcProvider parseDiscovery(std::string_view json, const std::string& expectedIssuer) {
  return readJson(json, "discovery", [&](const util::JsonFields& f) {
    OidcProvider p;
    p.issuer = f.requireString("issuer", kMaxUrl);
    std::string normalised = p.issuer;
    while (normalised.ends_with('/')) normalised.pop_back();
    if (normalised != expectedIssuer) {
      throw OidcError("discovery.issuer: '" + p.issuer + "' is not the configured issuer '" +
                      expectedIssuer + "'");
    }
    p.authorizationEndpoint = httpsUrl(f, "authorization_endpoint");
    p.tokenEndpoint = httpsUrl(f, "token_endpoint");
    p.jwksUri = httpsUrl(f, "jwks_uri");
    return p;
  });
}

std::vector<Jwk> parseJwks(std::string_view json) {
  return readJson(json, "jwks", [&](const util::JsonFields& f) {
    std::vector<Jwk> keys;
    const util::JsonValue list = f.requireArray("keys", kMaxKeys);
    const util::JsonPath keysPath(f.path(), "keys");
    std::size_t i = 0;
    for (const auto entry : list) {
      const util::JsonPath path(keysPath, i++);
      const util::JsonFields k(entry, path);
      const std::string use = k.optionalString("use", 20);
      if (!use.empty() && use != "sig") continue;
      Jwk key;
      key.kty = k.requireString("kty", 10);
      key.kid = k.optionalString("kid", 200);
      key.alg = k.optionalString("alg", 20);
      if (key.kty == "RSA") {
        key.n = decodeBase64Url(k.requireString("n", 2048), path.child("n"));
        key.e = decodeBase64Url(k.requireString("e", 16), path.child("e"));
      } else if (key.kty == "EC") {
        key.crv = k.requireString("crv", 20);
        if (key.crv != "P-256") continue;
        key.x = decodeBase64Url(k.requireString("x", 100), path.child("x"));
        key.y = decodeBase64Url(k.requireString("y", 100), path.child("y"));
      } else {
        continue;  // keys of other kinds are not used for ID tokens here
      }
      keys.push_back(std::move(key));
    }
    return keys;
  });
}

PendingOidcLogin newPendingLogin() {
  return {randomToken(), randomToken(), randomToken(48), randomToken()};
}

std::string pkceChallenge(std::string_view verifier) {
  const TokenHash h = hashToken(verifier);
  return util::toBase64Url(std::string_view(reinterpret_cast<const char*>(h.data()), h.size()));
}

std::string authorizationUrl(const OidcProvider& provider, const OidcSettings& settings,
                             const PendingOidcLogin& login) {
  std::string scope;
  for (const auto& s : settings.scopes) scope += (scope.empty() ? "" : " ") + s;
  const char separator = provider.authorizationEndpoint.find('?') == std::string::npos ? '?' : '&';
  return provider.authorizationEndpoint + separator + "response_type=code" +
         "&client_id=" + formEncode(settings.clientId) +
         "&redirect_uri=" + formEncode(settings.redirectUri) + "&scope=" + formEncode(scope) +
         "&state=" + formEncode(login.state) + "&nonce=" + formEncode(login.nonce) +
         "&code_challenge=" + pkceChallenge(login.codeVerifier) + "&code_challenge_method=S256";
}

std::string tokenRequestBody(const OidcSettings& settings, std::string_view code,
                             std::string_view codeVerifier) {
  return "grant_type=authorization_code&code=" + formEncode(code) +
         "&redirect_uri=" + formEncode(settings.redirectUri) +
         "&code_verifier=" + formEncode(codeVerifier);
}

std::string idTokenFromTokenResponse(std::string_view json) {
  return readJson(json, "token_response", [](const util::JsonFields& f) {
    return f.requireString("id_token", kMaxTokenBytes);
  });
}

IdToken splitIdToken(std::string_view compact) {
  if (compact.size() > kMaxTokenBytes) throw OidcError("id_token: too long");
  const auto first = compact.find('.');
  const auto second = compact.find('.', first == std::string_view::npos ? 0 : first + 1);
  if (first == std::string_view::npos || second == std::string_view::npos ||
      compact.find('.', second + 1) != std::string_view::npos) {
    throw OidcError("id_token: not a compact JWS (three parts separated by dots)");
  }
  IdToken t;
  t.header = decodeBase64Url(compact.substr(0, first), "id_token header");
  t.payload = decodeBase64Url(compact.substr(first + 1, second - first - 1), "id_token payload");
  t.signature = decodeBase64Url(compact.substr(second + 1), "id_token signature");
  t.signingInput = std::string(compact.substr(0, second));
  readJson(t.header, "id_token.header", [&](const util::JsonFields& f) {
    t.alg = f.requireString("alg", 20);
    t.kid = f.optionalString("kid", 200);
    return 0;
  });
  if (std::find(kAlgorithms.begin(), kAlgorithms.end(), t.alg) == kAlgorithms.end()) {
    throw OidcError("id_token.header.alg: '" + t.alg +
                    "' is not accepted (RS256, RS384, RS512, ES256)");
  }
  return t;
}

const Jwk* findKey(const std::vector<Jwk>& keys, const IdToken& token) {
  const std::string kty = token.alg.starts_with("ES") ? "EC" : "RSA";
  const Jwk* only = nullptr;
  int candidates = 0;
  for (const auto& k : keys) {
    if (k.kty != kty || (!k.alg.empty() && k.alg != token.alg)) continue;
    if (!token.kid.empty() && k.kid == token.kid) return &k;
    only = &k;
    ++candidates;
  }
  return token.kid.empty() && candidates == 1 ? only : nullptr;
}

IdTokenClaims checkClaims(const IdToken& token, const OidcSettings& settings,
                          std::string_view expectedNonce, util::Clock::WallTime now,
                          std::chrono::seconds skew) {
  return readJson(token.payload, "id_token", [&](const util::JsonFields& f) {
    IdTokenClaims c;
    c.issuer = f.requireString("iss", kMaxUrl);
    if (c.issuer != settings.issuer && c.issuer != settings.issuer + "/") {
      throw OidcError("id_token.iss: '" + c.issuer + "' is not the configured issuer");
    }
    bool several = false;
    if (!audienceContains(f, settings.clientId, several)) {
      throw OidcError("id_token.aud: not issued for this client ('" + settings.clientId + "')");
    }
    const std::string azp = f.optionalString("azp", 500);
    if ((several || !azp.empty()) && azp != settings.clientId) {
      throw OidcError("id_token.azp: not this client");
    }
    const std::int64_t t = secondsSinceEpoch(now);
    const std::int64_t exp = f.requireInt("exp", 0, INT64_MAX / 2);
    if (t - skew.count() >= exp) throw OidcError("id_token.exp: the token expired");
    if (const auto iat = f.optionalInt("iat", 0, INT64_MAX / 2); iat && *iat > t + skew.count()) {
      throw OidcError("id_token.iat: issued in the future");
    }
    if (const auto nbf = f.optionalInt("nbf", 0, INT64_MAX / 2); nbf && *nbf > t + skew.count()) {
      throw OidcError("id_token.nbf: not valid yet");
    }
    const std::string nonce = f.requireString("nonce", 200);
    if (!equalConstantTime(nonce, expectedNonce)) {
      throw OidcError("id_token.nonce: does not match this sign-in");
    }
    c.subject = f.requireString("sub", 255);
    if (c.subject.empty()) throw OidcError("id_token.sub: empty");
    c.claimValue = claimText(f, settings.claim);
    c.emailVerified = f.optionalBool("email_verified");
    c.name = f.optionalString("name", 200);
    return c;
  });
}

}  // namespace openmps::server::auth

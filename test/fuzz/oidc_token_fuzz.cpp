// What an OpenID Connect provider (or whoever answers in its place) sends:
// the ID token, the JWKS, the discovery document and the token response.
// Input: the token, a NUL, then the JSON documents. Nothing may crash or
// leak, and a token that verifies must have passed every check.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "server/auth/jws.hpp"
#include "server/auth/oidc.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace openmps::server::auth;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const auto nul = input.find('\0');
  const std::string_view compact = input.substr(0, nul);
  const std::string_view json = nul == std::string_view::npos ? "" : input.substr(nul + 1);
  OidcSettings settings;
  settings.issuer = "https://id.example.com";
  settings.clientId = "openmps";
  try {
    parseDiscovery(json, settings.issuer);
  } catch (const OidcError&) {
  }
  try {
    idTokenFromTokenResponse(json);
  } catch (const OidcError&) {
  }
  std::vector<Jwk> keys;
  try {
    keys = parseJwks(json);
  } catch (const OidcError&) {
  }
  try {
    const IdToken token = splitIdToken(compact);
    if (const Jwk* key = findKey(keys, token)) {
      verifyJws(token.signingInput, token.signature, token.alg, *key);
    }
    const auto now = openmps::util::Clock::WallTime{std::chrono::seconds{1800000100}};
    checkClaims(token, settings, "n-0S6_WzA2Mj", now);
  } catch (const OidcError&) {
  }
  return 0;
}

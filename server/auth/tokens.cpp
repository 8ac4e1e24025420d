#include "server/auth/tokens.hpp"

#include <stdexcept>

#include <sodium.h>

#include "shared/util/base64.hpp"

namespace openmps::server::auth {
namespace {

void initSodium() {
  if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
}

bool isBase64UrlChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_';
}

constexpr std::size_t kApiTokenBytes = 32;
constexpr std::size_t kApiTokenChars = 43;  // base64url of 32 bytes, unpadded

}  // namespace

std::string randomBytes(std::size_t bytes) {
  initSodium();
  std::string raw(bytes, '\0');
  randombytes_buf(raw.data(), raw.size());
  return raw;
}

std::string randomToken(std::size_t bytes) {
  std::string raw = randomBytes(bytes);
  std::string out = util::toBase64Url(raw);
  sodium_memzero(raw.data(), raw.size());
  return out;
}

TokenHash hashToken(std::string_view token) {
  TokenHash out{};
  crypto_hash_sha256(out.data(), reinterpret_cast<const unsigned char*>(token.data()),
                     token.size());
  return out;
}

bool equalConstantTime(std::string_view a, std::string_view b) {
  // Hashing first makes the comparison independent of both lengths.
  const TokenHash ha = hashToken(a);
  const TokenHash hb = hashToken(b);
  return sodium_memcmp(ha.data(), hb.data(), ha.size()) == 0 && a.size() == b.size();
}

std::string newApiToken() {
  return std::string(kApiTokenPrefix) + randomToken(kApiTokenBytes);
}

bool looksLikeApiToken(std::string_view text) {
  if (!text.starts_with(kApiTokenPrefix)) return false;
  const std::string_view body = text.substr(kApiTokenPrefix.size());
  if (body.size() != kApiTokenChars) return false;
  for (const char c : body) {
    if (!isBase64UrlChar(c)) return false;
  }
  return true;
}

std::string apiTokenHint(std::string_view token) {
  return std::string(token.substr(0, 12));
}

}  // namespace openmps::server::auth

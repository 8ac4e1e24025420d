#include "server/auth/totp.hpp"

#include <cstdlib>
#include <mutex>
#include <stdexcept>

#include <liboath/oath.h>

#include "server/auth/tokens.hpp"

namespace openmps::server::auth {
namespace {

constexpr unsigned kDigits = 6;

void initOath() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (oath_init() != OATH_OK) throw std::runtime_error("liboath failed to initialise");
  });
}

std::string percentEncode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    const bool plain = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                       c == '-' || c == '.' || c == '_' || c == '~' || c == '@';
    if (plain) {
      out += ch;
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

bool sixDigits(std::string_view code) {
  if (code.size() != kDigits) return false;
  for (const char c : code) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

}  // namespace

std::string newTotpSecret() {
  return randomBytes(kTotpSecretBytes);
}

std::string base32(std::string_view bytes) {
  initOath();
  char* out = nullptr;
  std::size_t length = 0;
  if (oath_base32_encode(bytes.data(), bytes.size(), &out, &length) != OATH_OK) {
    throw std::runtime_error("base32 encoding failed");
  }
  std::string text(out, length);
  std::free(out);  // NOLINT(cppcoreguidelines-no-malloc): liboath allocated it
  while (!text.empty() && text.back() == '=') text.pop_back();
  return text;
}

std::string otpauthUri(std::string_view issuer, std::string_view account, std::string_view secret) {
  return "otpauth://totp/" + percentEncode(issuer) + ":" + percentEncode(account) +
         "?secret=" + base32(secret) + "&issuer=" + percentEncode(issuer) +
         "&algorithm=SHA1&digits=6&period=30";
}

std::int64_t totpStep(util::Clock::WallTime at) {
  return std::chrono::duration_cast<std::chrono::seconds>(at.time_since_epoch()).count() /
         kTotpStepSeconds;
}

std::string totpCode(std::string_view secret, std::int64_t step) {
  initOath();
  char out[kDigits + 1] = {};
  const auto at = static_cast<time_t>(step * kTotpStepSeconds);
  if (oath_totp_generate(secret.data(), secret.size(), at, kTotpStepSeconds,
                         OATH_TOTP_DEFAULT_START_TIME, kDigits, out) != OATH_OK) {
    throw std::runtime_error("TOTP generation failed");
  }
  return out;
}

std::optional<std::int64_t> matchTotp(std::string_view secret, std::string_view code,
                                      util::Clock::WallTime now) {
  if (!sixDigits(code)) return std::nullopt;
  const std::int64_t current = totpStep(now);
  std::optional<std::int64_t> matched;
  // Every candidate is computed and compared, so the time taken does not
  // depend on which one matched.
  for (std::int64_t step = current - 1; step <= current + 1; ++step) {
    if (equalConstantTime(totpCode(secret, step), code) && !matched) matched = step;
  }
  return matched;
}

}  // namespace openmps::server::auth

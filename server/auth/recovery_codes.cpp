#include "server/auth/recovery_codes.hpp"

namespace openmps::server::auth {
namespace {

constexpr std::string_view kAlphabet = "abcdefghijklmnopqrstuvwxyz234567";
constexpr std::size_t kCodeChars = 16;

}  // namespace

std::vector<std::string> newRecoveryCodes(int count) {
  std::vector<std::string> codes;
  for (int i = 0; i < count; ++i) {
    const std::string raw = randomBytes(kCodeChars);
    std::string code;
    for (std::size_t k = 0; k < kCodeChars; ++k) {
      if (k > 0 && k % 4 == 0) code += '-';
      code += kAlphabet[static_cast<unsigned char>(raw[k]) % kAlphabet.size()];  // 256 % 32 == 0
    }
    codes.push_back(std::move(code));
  }
  return codes;
}

std::string normaliseRecoveryCode(std::string_view typed) {
  std::string out;
  for (const char c : typed) {
    if (c == '-' || c == ' ') continue;
    const char lower = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    if (kAlphabet.find(lower) == std::string_view::npos) return {};
    out += lower;
    if (out.size() > kCodeChars) return {};
  }
  return out.size() == kCodeChars ? out : std::string();
}

TokenHash hashRecoveryCode(std::string_view typed) {
  return hashToken(normaliseRecoveryCode(typed));
}

}  // namespace openmps::server::auth

#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "server/auth/tokens.hpp"

// Recovery codes stand in for the authenticator when it is lost: ten of
// them, each usable once, shown to the user once and kept only as hashes.
// A code is 16 characters of base32 (80 bits) written "xxxx-xxxx-xxxx-xxxx".
namespace openmps::server::auth {

inline constexpr int kRecoveryCodeCount = 10;

std::vector<std::string> newRecoveryCodes(int count = kRecoveryCodeCount);
// Lower case without dashes or spaces, as people type it back; empty when
// it cannot be a recovery code.
std::string normaliseRecoveryCode(std::string_view typed);
TokenHash hashRecoveryCode(std::string_view typed);

}  // namespace openmps::server::auth

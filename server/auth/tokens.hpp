#pragma once

#include <array>
#include <cstddef>
#include <string>
#include <string_view>

// Random bearer secrets (session ids, CSRF tokens, API tokens, recovery
// codes) and the one-way form the database keeps of them: a stolen copy of
// the database holds no usable session or token.
namespace openmps::server::auth {

using TokenHash = std::array<unsigned char, 32>;  // SHA-256

// `bytes` random bytes from the system's generator.
std::string randomBytes(std::size_t bytes);
// `bytes` random bytes as base64url without padding.
std::string randomToken(std::size_t bytes = 32);
// SHA-256 of the token's text as the client sends it.
TokenHash hashToken(std::string_view token);
// Constant-time equality of two strings (CSRF tokens).
bool equalConstantTime(std::string_view a, std::string_view b);

// API tokens read "omps_" + 43 base64url characters; the first 12
// characters (prefix included) name the token in lists without revealing it.
inline constexpr std::string_view kApiTokenPrefix = "omps_";
std::string newApiToken();
bool looksLikeApiToken(std::string_view text);
std::string apiTokenHint(std::string_view token);

}  // namespace openmps::server::auth

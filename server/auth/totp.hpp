#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "shared/util/clock.hpp"

// Time-based one-time passwords (RFC 6238: HMAC-SHA1, 6 digits, 30-second
// steps) through liboath, as every authenticator app computes them.
namespace openmps::server::auth {

inline constexpr int kTotpStepSeconds = 30;
inline constexpr std::size_t kTotpSecretBytes = 20;

// A new random secret (raw bytes).
std::string newTotpSecret();
// RFC 4648 base32 without padding, as authenticator apps take it.
std::string base32(std::string_view bytes);
// otpauth://totp/ISSUER:ACCOUNT?secret=...&issuer=ISSUER&... for the QR code.
std::string otpauthUri(std::string_view issuer, std::string_view account, std::string_view secret);

// The code for one 30-second step (tests and the enrolment check).
std::string totpCode(std::string_view secret, std::int64_t step);
std::int64_t totpStep(util::Clock::WallTime at);

// The step whose code `code` is, allowing one step of clock drift either
// way; nullopt when it matches none. Whether that step was used already is
// the caller's question (each code works once).
std::optional<std::int64_t> matchTotp(std::string_view secret, std::string_view code,
                                      util::Clock::WallTime now);

}  // namespace openmps::server::auth

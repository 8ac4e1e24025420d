#include "server/auth/totp.hpp"

#include <algorithm>
#include <cctype>

#include <catch2/catch.hpp>

#include "server/auth/qr_svg.hpp"
#include "server/auth/recovery_codes.hpp"
#include "server/auth/totp_vault.hpp"

using namespace openmps::server::auth;
using openmps::util::Clock;

namespace {
Clock::WallTime at(std::int64_t unixSeconds) {
  return Clock::WallTime{std::chrono::seconds{unixSeconds}};
}
constexpr std::string_view kRfcSecret = "12345678901234567890";
}  // namespace

TEST_CASE("TOTP codes are RFC 6238's (SHA-1, 6 digits)", "[server][auth]") {
  // RFC 6238 appendix B, last six of the eight digits.
  CHECK(totpCode(kRfcSecret, totpStep(at(59))) == "287082");
  CHECK(totpCode(kRfcSecret, totpStep(at(1111111109))) == "081804");
  CHECK(totpCode(kRfcSecret, totpStep(at(1234567890))) == "005924");
  CHECK(totpCode(kRfcSecret, totpStep(at(2000000000))) == "279037");
}

TEST_CASE("a code matches its step and one step either side", "[server][auth]") {
  const auto now = at(1234567890);
  const std::int64_t step = totpStep(now);
  CHECK(matchTotp(kRfcSecret, totpCode(kRfcSecret, step), now) == step);
  CHECK(matchTotp(kRfcSecret, totpCode(kRfcSecret, step - 1), now) == step - 1);
  CHECK(matchTotp(kRfcSecret, totpCode(kRfcSecret, step + 1), now) == step + 1);
  CHECK_FALSE(matchTotp(kRfcSecret, totpCode(kRfcSecret, step - 2), now));
  CHECK_FALSE(matchTotp(kRfcSecret, totpCode(kRfcSecret, step + 2), now));
  CHECK_FALSE(matchTotp(kRfcSecret, "12345", now));
  CHECK_FALSE(matchTotp(kRfcSecret, "12345a", now));
  CHECK_FALSE(matchTotp(kRfcSecret, "", now));
}

TEST_CASE("the enrolment URI carries the secret in base32", "[server][auth]") {
  CHECK(base32(kRfcSecret) == "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
  const std::string uri = otpauthUri("OpenMPS", "anna@example.com", kRfcSecret);
  CHECK(uri ==
        "otpauth://totp/OpenMPS:anna@example.com?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
        "&issuer=OpenMPS&algorithm=SHA1&digits=6&period=30");
  CHECK(
      otpauthUri("Print Partner", "a:b", "x").starts_with("otpauth://totp/Print%20Partner:a%3Ab?"));
  CHECK(newTotpSecret().size() == kTotpSecretBytes);
  CHECK(newTotpSecret() != newTotpSecret());
}

TEST_CASE("the QR code is an SVG of dark modules", "[server][auth]") {
  const std::string svg = qrSvg(otpauthUri("OpenMPS", "anna", kRfcSecret));
  CHECK(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 "));
  CHECK(svg.ends_with("\"/></svg>"));
  CHECK(svg.find("<script") == std::string::npos);
  // The three finder patterns start at the quiet zone's corner (module 4,4).
  CHECK(svg.find("M4 4h1v1h-1z") != std::string::npos);
  CHECK_THROWS(qrSvg(std::string(8000, 'x')));
}

TEST_CASE("recovery codes: ten, distinct, typed back in any case", "[server][auth]") {
  const auto codes = newRecoveryCodes();
  REQUIRE(codes.size() == 10);
  CHECK(codes[0].size() == 19);
  CHECK(codes[0][4] == '-');
  CHECK(codes[0] != codes[1]);
  std::string typed = codes[3];
  for (char& c : typed) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  typed.erase(std::remove(typed.begin(), typed.end(), '-'), typed.end());
  CHECK(normaliseRecoveryCode(typed) == normaliseRecoveryCode(codes[3]));
  CHECK(hashRecoveryCode(typed) == hashRecoveryCode(codes[3]));
  CHECK(normaliseRecoveryCode("abcd-efgh").empty());
  CHECK(normaliseRecoveryCode("abcd-efgh-ijkl-mno1").empty());
}

TEST_CASE("TOTP secrets are sealed per user under the master key", "[server][auth]") {
  std::array<unsigned char, 32> master{};
  master[0] = 7;
  const TotpVault vault(master);
  const std::string sealed = vault.seal(42, kRfcSecret);
  CHECK(sealed.find(kRfcSecret) == std::string::npos);
  CHECK(vault.open(42, sealed) == std::string(kRfcSecret));
  CHECK_FALSE(vault.open(43, sealed));  // another user's row
  std::string tampered = sealed;
  tampered.back() = static_cast<char>(tampered.back() ^ 1);
  CHECK_FALSE(vault.open(42, tampered));
  master[0] = 8;
  const TotpVault other(master);
  CHECK_FALSE(other.open(42, sealed));
  CHECK_FALSE(vault.open(42, "short"));
}

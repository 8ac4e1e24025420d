#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

// TOTP secrets at rest: XChaCha20-Poly1305 under a key derived from the
// server's master key (crypto_kdf, context "OMPStotp"), with the user id as
// associated data, so a secret copied to another user's row does not open.
namespace openmps::server::auth {

class TotpVault {
 public:
  explicit TotpVault(const std::array<unsigned char, 32>& masterKey);
  ~TotpVault();
  TotpVault(const TotpVault&) = delete;
  TotpVault& operator=(const TotpVault&) = delete;

  // nonce (24 bytes) followed by the ciphertext.
  std::string seal(std::int64_t userId, std::string_view secret) const;
  std::optional<std::string> open(std::int64_t userId, std::string_view sealed) const;

 private:
  std::array<unsigned char, 32> key_{};
};

}  // namespace openmps::server::auth

#include "server/auth/totp_vault.hpp"

#include <stdexcept>

#include <sodium.h>

namespace openmps::server::auth {
namespace {

constexpr char kContext[crypto_kdf_CONTEXTBYTES + 1] = "OMPStotp";
constexpr std::uint64_t kSubkeyId = 1;

std::string associatedData(std::int64_t userId) {
  return "openmps totp user " + std::to_string(userId);
}

}  // namespace

TotpVault::TotpVault(const std::array<unsigned char, 32>& masterKey) {
  if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
  static_assert(crypto_kdf_KEYBYTES == 32);
  crypto_kdf_derive_from_key(key_.data(), key_.size(), kSubkeyId, kContext, masterKey.data());
}

TotpVault::~TotpVault() {
  sodium_memzero(key_.data(), key_.size());
}

std::string TotpVault::seal(std::int64_t userId, std::string_view secret) const {
  const std::string ad = associatedData(userId);
  std::string out(crypto_aead_xchacha20poly1305_ietf_NPUBBYTES + secret.size() +
                      crypto_aead_xchacha20poly1305_ietf_ABYTES,
                  '\0');
  auto* nonce = reinterpret_cast<unsigned char*>(out.data());
  randombytes_buf(nonce, crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
  unsigned long long written = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(
      nonce + crypto_aead_xchacha20poly1305_ietf_NPUBBYTES, &written,
      reinterpret_cast<const unsigned char*>(secret.data()), secret.size(),
      reinterpret_cast<const unsigned char*>(ad.data()), ad.size(), nullptr, nonce, key_.data());
  out.resize(crypto_aead_xchacha20poly1305_ietf_NPUBBYTES + written);
  return out;
}

std::optional<std::string> TotpVault::open(std::int64_t userId, std::string_view sealed) const {
  constexpr std::size_t kOverhead =
      crypto_aead_xchacha20poly1305_ietf_NPUBBYTES + crypto_aead_xchacha20poly1305_ietf_ABYTES;
  if (sealed.size() < kOverhead || sealed.size() > kOverhead + 256) return std::nullopt;
  const std::string ad = associatedData(userId);
  const auto* nonce = reinterpret_cast<const unsigned char*>(sealed.data());
  const std::string_view cipher = sealed.substr(crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
  std::string plain(cipher.size() - crypto_aead_xchacha20poly1305_ietf_ABYTES, '\0');
  unsigned long long length = 0;
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(
          reinterpret_cast<unsigned char*>(plain.data()), &length, nullptr,
          reinterpret_cast<const unsigned char*>(cipher.data()), cipher.size(),
          reinterpret_cast<const unsigned char*>(ad.data()), ad.size(), nonce, key_.data()) != 0) {
    return std::nullopt;
  }
  plain.resize(length);
  return plain;
}

}  // namespace openmps::server::auth

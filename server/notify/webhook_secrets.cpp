#include "server/notify/webhook_secrets.hpp"

#include <stdexcept>

#include <sodium.h>

#include "shared/util/base64.hpp"

namespace openmps::server::notify {
namespace {

constexpr char kContext[crypto_kdf_CONTEXTBYTES + 1] = "OMPSwhk1";
constexpr std::uint64_t kSubkeyId = 1;
constexpr std::string_view kAssociatedData = "openmps webhook secret";
constexpr std::size_t kNonce = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
constexpr std::size_t kTag = crypto_aead_xchacha20poly1305_ietf_ABYTES;

const unsigned char* bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

}  // namespace

WebhookSecrets::WebhookSecrets(const std::array<unsigned char, 32>& masterKey) {
  if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
  static_assert(crypto_kdf_KEYBYTES == 32);
  crypto_kdf_derive_from_key(key_.data(), key_.size(), kSubkeyId, kContext, masterKey.data());
}

WebhookSecrets::~WebhookSecrets() {
  sodium_memzero(key_.data(), key_.size());
}

std::string WebhookSecrets::seal(std::string_view secret) const {
  std::string out(kNonce + secret.size() + kTag, '\0');
  auto* nonce = reinterpret_cast<unsigned char*>(out.data());
  randombytes_buf(nonce, kNonce);
  unsigned long long written = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(nonce + kNonce, &written, bytes(secret), secret.size(),
                                             bytes(kAssociatedData), kAssociatedData.size(),
                                             nullptr, nonce, key_.data());
  out.resize(kNonce + written);
  return out;
}

std::optional<std::string> WebhookSecrets::open(std::string_view sealed) const {
  if (sealed.size() < kNonce + kTag || sealed.size() > kNonce + kTag + 1024) return std::nullopt;
  const std::string_view cipher = sealed.substr(kNonce);
  std::string plain(cipher.size() - kTag, '\0');
  unsigned long long length = 0;
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(reinterpret_cast<unsigned char*>(plain.data()),
                                                 &length, nullptr, bytes(cipher), cipher.size(),
                                                 bytes(kAssociatedData), kAssociatedData.size(),
                                                 bytes(sealed), key_.data()) != 0) {
    return std::nullopt;
  }
  plain.resize(length);
  return plain;
}

std::string WebhookSecrets::generate() {
  if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
  unsigned char raw[32];
  randombytes_buf(raw, sizeof raw);
  std::string out = util::toBase64Url(std::string_view(reinterpret_cast<char*>(raw), sizeof raw));
  sodium_memzero(raw, sizeof raw);
  return out;
}

}  // namespace openmps::server::notify

#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>

// Webhook signing secrets at rest: XChaCha20-Poly1305 under a key derived
// from the server's master key (crypto_kdf, context "OMPSwhk1"). The
// database holds only sealed secrets; the delivery worker opens one just
// to sign.
namespace openmps::server::notify {

class WebhookSecrets {
 public:
  explicit WebhookSecrets(const std::array<unsigned char, 32>& masterKey);
  ~WebhookSecrets();
  WebhookSecrets(const WebhookSecrets&) = delete;
  WebhookSecrets& operator=(const WebhookSecrets&) = delete;

  // nonce (24 bytes) followed by the ciphertext.
  std::string seal(std::string_view secret) const;
  std::optional<std::string> open(std::string_view sealed) const;

  // A new random secret for a webhook: 32 bytes, base64url, no padding.
  static std::string generate();

 private:
  std::array<unsigned char, 32> key_{};
};

}  // namespace openmps::server::notify

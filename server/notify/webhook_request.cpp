#include "server/notify/webhook_request.hpp"

#include <sodium.h>

#include "shared/util/base64.hpp"
#include "shared/util/version.hpp"

namespace openmps::server::notify {

std::string webhookSignature(std::string_view secret, std::int64_t timestamp,
                             std::string_view body) {
  const std::string prefix = std::to_string(timestamp) + ".";
  crypto_auth_hmacsha256_state state;
  crypto_auth_hmacsha256_init(&state, reinterpret_cast<const unsigned char*>(secret.data()),
                              secret.size());
  crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(prefix.data()),
                                prefix.size());
  crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(body.data()),
                                body.size());
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_final(&state, mac);
  sodium_memzero(&state, sizeof state);
  return "sha256=" + util::toHex(std::string_view(reinterpret_cast<const char*>(mac), sizeof mac));
}

Headers webhookHeaders(const Delivery& delivery, std::string_view secret,
                       std::chrono::system_clock::time_point now) {
  const auto timestamp =
      std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  return {
      {"Content-Type", "application/json"},
      {"User-Agent", std::string("OpenMPS/") + kVersion},
      {std::string(kDeliveryHeader), delivery.messageId},
      {std::string(kEventHeader), delivery.kind},
      {std::string(kTimestampHeader), std::to_string(timestamp)},
      {std::string(kSignatureHeader), webhookSignature(secret, timestamp, delivery.body)},
  };
}

}  // namespace openmps::server::notify

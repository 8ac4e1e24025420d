#pragma once

#include "server/notify/notify_settings.hpp"
#include "server/notify/senders.hpp"

// Webhook calls with libcurl: HTTPS only (no redirects, no other
// protocols), the receiver's certificate checked against the system's CAs
// or webhooks.ca_file, TLS 1.2 or newer, a deadline for the whole call, at
// most 64 KiB of answer read. Any 2xx answer counts as delivered.
namespace openmps::server::notify {

class CurlWebhookSender final : public WebhookSender {
 public:
  explicit CurlWebhookSender(WebhookSettings settings);
  SendResult post(const std::string& url, const Headers& headers, const std::string& body) override;

 private:
  WebhookSettings settings_;
};

}  // namespace openmps::server::notify

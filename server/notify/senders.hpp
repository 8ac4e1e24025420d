#pragma once

#include <string>

#include "server/notify/notification.hpp"
#include "server/notify/webhook_request.hpp"

// The network seams of delivery: one e-mail through the SMTP server, one
// HTTPS POST to a webhook. Adapters: poco_smtp_sender, curl_webhook_sender;
// unit tests use the fakes in test/unit/server/notify.
namespace openmps::server::notify {

class MailSender {
 public:
  virtual ~MailSender() = default;
  // Sends delivery.body as the text, its attachments, delivery.messageId
  // as the Message-ID, to delivery.recipient.
  virtual SendResult send(const Delivery& delivery) = 0;
};

class WebhookSender {
 public:
  virtual ~WebhookSender() = default;
  virtual SendResult post(const std::string& url, const Headers& headers,
                          const std::string& body) = 0;
};

}  // namespace openmps::server::notify

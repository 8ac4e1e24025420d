#pragma once

#include <memory>

#include "server/config/server_config.hpp"
#include "server/notify/delivery_worker.hpp"
#include "server/notify/notify_settings.hpp"
#include "server/notify/pg_delivery_store.hpp"
#include "server/notify/webhook_secrets.hpp"
#include "shared/util/clock.hpp"

// Everything of server/notify a process needs, built once from the
// configuration: the SMTP sender (when notify.smtp is configured), the
// webhook sender, the sealed-secret box and the delivery workers.
// `run` starts the workers; `alert test-notify` drives one itself.
namespace openmps::server::notify {

class NotifyServices {
 public:
  // Reads the notify: section and the master key. Loaders resolve
  // attachments stored as references (by source name).
  NotifyServices(const config::ServerConfig& config, const util::Clock& clock,
                 AttachmentLoaders loaders = {});
  ~NotifyServices();
  NotifyServices(const NotifyServices&) = delete;
  NotifyServices& operator=(const NotifyServices&) = delete;

  const NotifySettings& settings() const { return settings_; }
  const WebhookSecrets& secrets() const { return *secrets_; }
  DeliveryService& delivery() { return *delivery_; }
  // A store on a connection of its own (for deliverOne outside the workers).
  std::unique_ptr<DeliveryStore> makeStore() const;

  void start();
  void stop();

 private:
  const config::ServerConfig& config_;
  NotifySettings settings_;
  AttachmentLoaders loaders_;
  std::unique_ptr<WebhookSecrets> secrets_;
  std::unique_ptr<MailSender> mail_;
  std::unique_ptr<WebhookSender> webhooks_;
  std::unique_ptr<DeliveryService> delivery_;
};

}  // namespace openmps::server::notify

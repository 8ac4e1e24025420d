#include "server/notify/notify_services.hpp"

#include "server/config/server_secrets.hpp"
#include "server/notify/curl_webhook_sender.hpp"
#include "server/notify/poco_smtp_sender.hpp"
#include "shared/util/log.hpp"

namespace openmps::server::notify {

NotifyServices::NotifyServices(const config::ServerConfig& config, const util::Clock& clock,
                               AttachmentLoaders loaders)
    : config_(config),
      settings_(parseNotifySettings(config.sourceText, config.sourcePath.string(),
                                    std::filesystem::absolute(config.sourcePath).parent_path())),
      loaders_(std::move(loaders)) {
  secrets_ = std::make_unique<WebhookSecrets>(config::loadMasterKey(config).bytes());
  if (settings_.smtp.configured) {
    mail_ = std::make_unique<PocoSmtpSender>(settings_.smtp, clock);
  }
  webhooks_ = std::make_unique<CurlWebhookSender>(settings_.webhooks);
  DeliveryOptions options;
  options.workers = settings_.workers;
  options.retry = settings_.retry;
  options.pollInterval = settings_.pollInterval;
  delivery_ = std::make_unique<DeliveryService>([this] { return makeStore(); }, mail_.get(),
                                                *webhooks_, *secrets_, options, clock);
}

NotifyServices::~NotifyServices() {
  stop();
}

std::unique_ptr<DeliveryStore> NotifyServices::makeStore() const {
  return std::make_unique<PgDeliveryStore>(config_.databaseUri, loaders_);
}

void NotifyServices::start() {
  if (!settings_.smtp.configured) {
    util::logWarning("notify") << "no notify.smtp section: e-mail notifications wait in the "
                                  "outbox until an SMTP server is configured";
  }
  delivery_->start();
}

void NotifyServices::stop() {
  delivery_->stop();
}

}  // namespace openmps::server::notify

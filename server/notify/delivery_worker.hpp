#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <thread>
#include <vector>

#include "server/notify/delivery_store.hpp"
#include "server/notify/retry_policy.hpp"
#include "server/notify/senders.hpp"
#include "server/notify/webhook_secrets.hpp"
#include "shared/util/clock.hpp"

// Takes notifications out of the outbox and sends them: each claimed,
// sent, and its outcome recorded (sent, retry at a later time, or dead)
// while the claim is held, so no two workers of any servers send the same
// one and a crash leaves it queued. Workers sleep until the outbox wakes
// them or the poll interval passes (due retries).
namespace openmps::server::notify {

struct DeliveryOptions {
  int workers = 2;
  RetryPolicy retry;
  std::chrono::milliseconds pollInterval{5000};
};

class DeliveryService {
 public:
  using StoreFactory = std::function<std::unique_ptr<DeliveryStore>()>;

  // `mail` may be null (no SMTP server configured: e-mail stays queued).
  DeliveryService(StoreFactory factory, MailSender* mail, WebhookSender& webhooks,
                  const WebhookSecrets& secrets, DeliveryOptions options, const util::Clock& clock);
  ~DeliveryService();
  DeliveryService(const DeliveryService&) = delete;
  DeliveryService& operator=(const DeliveryService&) = delete;

  // One due notification through `store`, if there is one; false if none
  // was due. What the worker threads call in a loop, and tests directly.
  bool deliverOne(DeliveryStore& store);

  void start();
  void stop();

 private:
  void loop();
  SendResult sendClaimed(const Delivery& delivery);

  StoreFactory factory_;
  MailSender* mail_;
  WebhookSender& webhooks_;
  const WebhookSecrets& secrets_;
  DeliveryOptions options_;
  const util::Clock& clock_;
  std::atomic<bool> stopping_{false};
  std::vector<std::thread> threads_;
};

}  // namespace openmps::server::notify

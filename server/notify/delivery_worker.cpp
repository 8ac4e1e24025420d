#include "server/notify/delivery_worker.hpp"

#include "shared/util/log.hpp"

namespace openmps::server::notify {
namespace {

constexpr std::string_view kLog = "notify";
constexpr std::chrono::milliseconds kWaitSlice{250};
constexpr std::chrono::seconds kReconnectPause{5};

// Where a notification went, without the address's local part or the
// URL's path (both may be personal or carry a token).
std::string target(const Delivery& d) {
  if (d.channel == Channel::kEmail) {
    const auto at = d.recipient.rfind('@');
    return "e-mail to *" + (at == std::string::npos ? std::string() : d.recipient.substr(at));
  }
  const auto hostStart = d.recipient.find("://");
  const auto begin = hostStart == std::string::npos ? 0 : hostStart + 3;
  const auto end = d.recipient.find_first_of("/?#", begin);
  return "webhook to " + d.recipient.substr(0, end);
}

}  // namespace

DeliveryService::DeliveryService(StoreFactory factory, MailSender* mail, WebhookSender& webhooks,
                                 const WebhookSecrets& secrets, DeliveryOptions options,
                                 const util::Clock& clock)
    : factory_(std::move(factory)),
      mail_(mail),
      webhooks_(webhooks),
      secrets_(secrets),
      options_(options),
      clock_(clock) {}

DeliveryService::~DeliveryService() {
  stop();
}

SendResult DeliveryService::sendClaimed(const Delivery& d) {
  if (d.channel == Channel::kEmail) {
    return mail_->send(d);
  }
  const auto secret = secrets_.open(d.sealedSecret);
  if (!secret) {
    // Sealed under another master key: no attempt can ever sign it.
    return {SendStatus::kPermanent, "the webhook secret does not open with this master key"};
  }
  return webhooks_.post(d.recipient, webhookHeaders(d, *secret, clock_.now()), d.body);
}

bool DeliveryService::deliverOne(DeliveryStore& store) {
  const ChannelsReady ready{mail_ != nullptr, true};
  const auto claimed = store.claimNext(clock_.now(), ready);
  if (!claimed) {
    return false;
  }
  const Delivery& d = *claimed;
  SendResult result;
  try {
    result = d.problem.empty() ? sendClaimed(d) : SendResult{SendStatus::kRetry, d.problem};
  } catch (const std::exception& e) {
    result = {SendStatus::kRetry, e.what()};
  }
  const int attempts = d.attempts + 1;
  const auto now = clock_.now();
  const Decision decision = decide(options_.retry, attempts, result.status, now);
  store.finish(d, decision, result.status == SendStatus::kSent ? "" : result.detail, now);
  if (decision.step == NextStep::kDone) {
    util::logInfo(kLog) << "sent notification " << d.id << " (" << d.kind << ", " << target(d)
                        << ", attempt " << attempts << ")";
  } else if (decision.step == NextStep::kRetry) {
    util::logWarning(kLog) << "notification " << d.id << " (" << d.kind << ", " << target(d)
                           << ") failed, attempt " << attempts << " of "
                           << options_.retry.maxAttempts << ": " << result.detail;
  } else {
    util::logError(kLog) << "notification " << d.id << " (" << d.kind << ", " << target(d)
                         << ") given up after " << attempts << " attempts: " << result.detail;
  }
  return true;
}

void DeliveryService::loop() {
  std::unique_ptr<DeliveryStore> store;
  while (!stopping_) {
    try {
      if (!store) {
        store = factory_();
      }
      if (deliverOne(*store)) {
        continue;
      }
      for (auto waited = std::chrono::milliseconds(0); !stopping_ && waited < options_.pollInterval;
           waited += kWaitSlice) {
        if (store->waitForWork(kWaitSlice)) break;
      }
    } catch (const std::exception& e) {
      util::logWarning(kLog) << "delivery worker: " << e.what() << " (retrying in "
                             << kReconnectPause.count() << " s)";
      store.reset();
      for (auto waited = std::chrono::milliseconds(0); !stopping_ && waited < kReconnectPause;
           waited += kWaitSlice) {
        std::this_thread::sleep_for(kWaitSlice);
      }
    }
  }
}

void DeliveryService::start() {
  stopping_ = false;
  for (int i = 0; i < options_.workers; ++i) {
    threads_.emplace_back([this] { loop(); });
  }
}

void DeliveryService::stop() {
  stopping_ = true;
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
  threads_.clear();
}

}  // namespace openmps::server::notify

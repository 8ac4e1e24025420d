#pragma once

// The shared fakes of server/notify's seams: the delivery store, the mail
// sender and the webhook sender.
#include <algorithm>
#include <deque>
#include <string>
#include <vector>

#include "server/notify/delivery_store.hpp"
#include "server/notify/senders.hpp"

namespace openmps::server::notify::testing {

// Queued notifications in memory; a claim is the first due one of a ready
// channel.
class FakeDeliveryStore final : public DeliveryStore {
 public:
  struct Row {
    Delivery delivery;
    std::string state = "queued";
    std::chrono::system_clock::time_point nextAttemptAt{};
    std::string lastError;
  };

  std::vector<Row> rows;
  int claims = 0;
  bool claimed = false;

  Row& add(Delivery d) {
    d.id = static_cast<std::int64_t>(rows.size()) + 1;
    if (d.messageId.empty()) d.messageId = "omps-test-" + std::to_string(d.id);
    Row row;
    row.delivery = std::move(d);
    rows.push_back(std::move(row));
    return rows.back();
  }

  std::optional<Delivery> claimNext(std::chrono::system_clock::time_point now,
                                    ChannelsReady channels) override {
    for (auto& r : rows) {
      const bool ready = r.delivery.channel == Channel::kEmail ? channels.email : channels.webhook;
      if (r.state == "queued" && ready && r.nextAttemptAt <= now) {
        ++claims;
        claimed = true;
        return r.delivery;
      }
    }
    return std::nullopt;
  }

  void finish(const Delivery& delivery, const Decision& decision, const std::string& detail,
              std::chrono::system_clock::time_point /*now*/) override {
    Row& r = rows.at(static_cast<std::size_t>(delivery.id - 1));
    r.delivery.attempts += 1;
    r.lastError = detail;
    if (decision.step == NextStep::kDone) r.state = "sent";
    if (decision.step == NextStep::kDead) r.state = "dead";
    if (decision.step == NextStep::kRetry) r.nextAttemptAt = decision.nextAttemptAt;
    claimed = false;
  }

  void abandon() override { claimed = false; }
  bool waitForWork(std::chrono::milliseconds /*timeout*/) override { return false; }
};

// Answers from a script (the last answer repeats), remembering every call.
class FakeMailSender final : public MailSender {
 public:
  std::deque<SendResult> answers;
  std::vector<Delivery> sent;

  SendResult send(const Delivery& delivery) override {
    sent.push_back(delivery);
    if (answers.empty()) return {SendStatus::kSent, "ok"};
    SendResult r = answers.front();
    if (answers.size() > 1) answers.pop_front();
    return r;
  }
};

class FakeWebhookSender final : public WebhookSender {
 public:
  struct Call {
    std::string url;
    Headers headers;
    std::string body;
    std::string header(std::string_view name) const {
      const auto it = std::find_if(headers.begin(), headers.end(),
                                   [&](const auto& h) { return h.first == name; });
      return it == headers.end() ? std::string() : it->second;
    }
  };
  std::deque<SendResult> answers;
  std::vector<Call> calls;

  SendResult post(const std::string& url, const Headers& headers,
                  const std::string& body) override {
    calls.push_back({url, headers, body});
    if (answers.empty()) return {SendStatus::kSent, "HTTP 200"};
    SendResult r = answers.front();
    if (answers.size() > 1) answers.pop_front();
    return r;
  }
};

}  // namespace openmps::server::notify::testing

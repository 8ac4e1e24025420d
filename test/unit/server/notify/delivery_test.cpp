#include <catch2/catch.hpp>

#include "server/notify/delivery_worker.hpp"
#include "server/notify/retry_policy.hpp"
#include "server/notify/webhook_request.hpp"
#include "shared/util/clock.hpp"
#include "test/unit/server/notify/fake_notify.hpp"

using namespace openmps::server::notify;
using namespace openmps::server::notify::testing;
using namespace std::chrono_literals;
using openmps::util::ManualClock;

namespace {

const std::array<unsigned char, 32> kMasterKey{1, 2, 3};

Delivery mail(std::string to = "dealer@example.com") {
  Delivery d;
  d.channel = Channel::kEmail;
  d.kind = "alert.raised";
  d.recipient = std::move(to);
  d.subject = "Toner low";
  d.body = "text";
  return d;
}

struct Rig {
  ManualClock clock;
  FakeDeliveryStore store;
  FakeMailSender smtp;
  FakeWebhookSender hooks;
  WebhookSecrets secrets{kMasterKey};
  DeliveryOptions options;
  std::unique_ptr<DeliveryService> service;

  explicit Rig(bool withSmtp = true) {
    options.retry.maxAttempts = 4;
    options.retry.firstDelay = 60s;
    options.retry.maxDelay = 600s;
    service = std::make_unique<DeliveryService>(nullptr, withSmtp ? &smtp : nullptr, hooks, secrets,
                                                options, clock);
  }
  Delivery webhook() {
    Delivery d;
    d.channel = Channel::kWebhook;
    d.kind = "alert.raised";
    d.recipient = "https://hooks.example.com/omps?token=abc";
    d.body = R"({"event":"alert.raised"})";
    d.sealedSecret = secrets.seal("s3cret");
    return d;
  }
};

}  // namespace

TEST_CASE("retry delays double from the first up to the maximum", "[server][notify]") {
  RetryPolicy p;
  p.firstDelay = 60s;
  p.maxDelay = 3600s;
  CHECK(retryDelay(p, 1) == 60s);
  CHECK(retryDelay(p, 2) == 120s);
  CHECK(retryDelay(p, 3) == 240s);
  CHECK(retryDelay(p, 7) == 3600s);
  CHECK(retryDelay(p, 50) == 3600s);
}

TEST_CASE("an attempt is done, retried or dead", "[server][notify]") {
  RetryPolicy p;
  p.maxAttempts = 3;
  const auto now = std::chrono::system_clock::time_point(1000s);
  CHECK(decide(p, 1, SendStatus::kSent, now).step == NextStep::kDone);
  const auto retry = decide(p, 1, SendStatus::kRetry, now);
  CHECK(retry.step == NextStep::kRetry);
  CHECK(retry.nextAttemptAt == now + p.firstDelay);
  CHECK(decide(p, 3, SendStatus::kRetry, now).step == NextStep::kDead);
  CHECK(decide(p, 1, SendStatus::kPermanent, now).step == NextStep::kDead);
}

TEST_CASE("a queued mail is sent once and marked sent", "[server][notify]") {
  Rig rig;
  rig.store.add(mail());
  CHECK(rig.service->deliverOne(rig.store));
  CHECK(rig.store.rows[0].state == "sent");
  REQUIRE(rig.smtp.sent.size() == 1);
  CHECK(rig.smtp.sent[0].messageId == "omps-test-1");
  CHECK_FALSE(rig.service->deliverOne(rig.store));
  CHECK(rig.smtp.sent.size() == 1);
}

TEST_CASE("a failing mail is retried with backoff on the clock, then dead", "[server][notify]") {
  Rig rig;
  rig.store.add(mail());
  rig.smtp.answers = {{SendStatus::kRetry, "421 try later"}};
  CHECK(rig.service->deliverOne(rig.store));
  CHECK(rig.store.rows[0].state == "queued");
  CHECK(rig.store.rows[0].lastError == "421 try later");
  // Not due before the first delay has passed.
  rig.clock.advance(59s);
  CHECK_FALSE(rig.service->deliverOne(rig.store));
  rig.clock.advance(1s);
  CHECK(rig.service->deliverOne(rig.store));
  rig.clock.advance(119s);
  CHECK_FALSE(rig.service->deliverOne(rig.store));
  rig.clock.advance(1s);
  CHECK(rig.service->deliverOne(rig.store));
  rig.clock.advance(240s);
  CHECK(rig.service->deliverOne(rig.store));
  CHECK(rig.store.rows[0].state == "dead");
  CHECK(rig.store.rows[0].delivery.attempts == 4);
  CHECK(rig.smtp.sent.size() == 4);
  // Every attempt carried the same Message-ID.
  for (const auto& d : rig.smtp.sent) CHECK(d.messageId == rig.smtp.sent[0].messageId);
  rig.clock.advance(24h);
  CHECK_FALSE(rig.service->deliverOne(rig.store));
}

TEST_CASE("a permanent refusal is dead at once", "[server][notify]") {
  Rig rig;
  rig.store.add(mail());
  rig.smtp.answers = {{SendStatus::kPermanent, "550 no such user"}};
  CHECK(rig.service->deliverOne(rig.store));
  CHECK(rig.store.rows[0].state == "dead");
  CHECK(rig.store.rows[0].lastError == "550 no such user");
}

TEST_CASE("without an SMTP server e-mail waits and webhooks still leave", "[server][notify]") {
  Rig rig(false);
  rig.store.add(mail());
  rig.store.add(rig.webhook());
  CHECK(rig.service->deliverOne(rig.store));
  CHECK_FALSE(rig.service->deliverOne(rig.store));
  CHECK(rig.store.rows[0].state == "queued");
  CHECK(rig.store.rows[1].state == "sent");
}

TEST_CASE("an attachment that did not load counts as a failed attempt", "[server][notify]") {
  Rig rig;
  auto d = mail();
  d.problem = "attachment report.pdf: nothing loads source 'report_file'";
  rig.store.add(d);
  CHECK(rig.service->deliverOne(rig.store));
  CHECK(rig.smtp.sent.empty());
  CHECK(rig.store.rows[0].state == "queued");
  CHECK(rig.store.rows[0].lastError == d.problem);
}

TEST_CASE("webhooks are signed over timestamp and body with the opened secret",
          "[server][notify]") {
  Rig rig;
  rig.store.add(rig.webhook());
  rig.clock.setWall(std::chrono::system_clock::time_point(1'767'225'600s));
  CHECK(rig.service->deliverOne(rig.store));
  REQUIRE(rig.hooks.calls.size() == 1);
  const auto& call = rig.hooks.calls[0];
  CHECK(call.header("X-OpenMPS-Timestamp") == "1767225600");
  CHECK(call.header("X-OpenMPS-Delivery") == "omps-test-1");
  CHECK(call.header("X-OpenMPS-Event") == "alert.raised");
  CHECK(call.header("X-OpenMPS-Signature") ==
        webhookSignature("s3cret", 1'767'225'600, R"({"event":"alert.raised"})"));
  CHECK(call.header("Content-Type") == "application/json");
}

TEST_CASE("a webhook secret sealed under another master key is dead at once", "[server][notify]") {
  Rig rig;
  auto d = rig.webhook();
  const std::array<unsigned char, 32> otherKey{9, 9, 9};
  d.sealedSecret = WebhookSecrets(otherKey).seal("s3cret");
  rig.store.add(d);
  CHECK(rig.service->deliverOne(rig.store));
  CHECK(rig.hooks.calls.empty());
  CHECK(rig.store.rows[0].state == "dead");
}

TEST_CASE("the webhook signature is HMAC-SHA256 in hex", "[server][notify]") {
  // HMAC-SHA256("key", "1.{}") computed independently (Python's hmac module).
  CHECK(webhookSignature("key", 1, "{}") ==
        "sha256=1ba6b8171186efc613e8bcc0cbdab2748f24984d7c5a84faa2637afa0e40d224");
}

TEST_CASE("webhook secrets open only with the key that sealed them", "[server][notify]") {
  WebhookSecrets a(kMasterKey);
  const auto sealed = a.seal("top");
  CHECK(a.open(sealed) == "top");
  CHECK_FALSE(WebhookSecrets({7}).open(sealed));
  auto tampered = sealed;
  tampered.back() = static_cast<char>(tampered.back() ^ 1);
  CHECK_FALSE(a.open(tampered));
  const auto generated = WebhookSecrets::generate();
  CHECK(generated.size() == 43);
  CHECK(generated != WebhookSecrets::generate());
}

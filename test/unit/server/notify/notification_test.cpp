#include "server/notify/notification.hpp"

#include <catch2/catch.hpp>

#include "server/notify/notify_settings.hpp"

using namespace openmps::server::notify;
using Catch::Matchers::Contains;

namespace {
OutgoingMail goodMail() {
  OutgoingMail m;
  m.organisationId = 3;
  m.kind = "alert.raised";
  m.to = "dealer@example.com";
  m.locale = "de";
  m.subject = "Toner niedrig";
  m.text = "…";
  return m;
}
}  // namespace

TEST_CASE("a well-formed mail has no problem", "[server][notify]") {
  CHECK(mailProblem(goodMail()).empty());
  auto m = goodMail();
  m.attachments.push_back({"alert-1.json", "application/json", "{}", "", 0});
  m.attachments.push_back({"billing.pdf", "application/pdf", "", "report_file", 7});
  CHECK(mailProblem(m).empty());
}

TEST_CASE("mail problems name the field", "[server][notify]") {
  auto m = goodMail();
  m.to = "dealer@example.com\r\nBcc: all@example.com";
  CHECK_THAT(mailProblem(m), Contains("to:"));
  m = goodMail();
  m.to = "Dealer <dealer@example.com>";
  CHECK_THAT(mailProblem(m), Contains("to:"));
  m = goodMail();
  m.subject = "a\r\nBcc: x@example.com";
  CHECK_THAT(mailProblem(m), Contains("subject:"));
  m = goodMail();
  m.locale = "es";
  CHECK_THAT(mailProblem(m), Contains("locale:"));
  m = goodMail();
  m.kind = "Alert";
  CHECK_THAT(mailProblem(m), Contains("kind:"));
  m = goodMail();
  m.attachments.push_back({"../etc/passwd", "text/plain", "x", "", 0});
  CHECK_THAT(mailProblem(m), Contains("attachments[0].file_name"));
  m = goodMail();
  m.attachments.push_back({"a.json", "application/json", "x", "report_file", 1});
  CHECK_THAT(mailProblem(m), Contains("either content or a source"));
  m = goodMail();
  m.organisationId = 0;
  CHECK_THAT(mailProblem(m), Contains("organisation_id"));
}

TEST_CASE("webhooks go to https only and need a secret", "[server][notify]") {
  OutgoingWebhook h{3, "alert.raised", "https://hooks.example.com/x", "{}", "sealed"};
  CHECK(webhookProblem(h).empty());
  h.url = "http://hooks.example.com/x";
  CHECK_THAT(webhookProblem(h), Contains("url:"));
  h.url = "https://hooks.example.com/x";
  h.sealedSecret.clear();
  CHECK_THAT(webhookProblem(h), Contains("secret"));
}

TEST_CASE("plausible addresses", "[server][notify]") {
  CHECK(plausibleAddress("a@b.c"));
  CHECK(plausibleAddress("first.last+tag@example.co.uk"));
  for (const char* bad :
       {"", "a", "@b.c", "a@", "a@@b", "a b@c.d", "a@b.c,d@e.f", "<a@b.c>", "a@b\n.c"}) {
    INFO(bad);
    CHECK_FALSE(plausibleAddress(bad));
  }
}

TEST_CASE("the notify section: defaults, SMTP and errors with lines", "[server][notify]") {
  const auto none = parseNotifySettings("database: {uri: x}\n", "s.yaml", "/etc/openmps");
  CHECK_FALSE(none.smtp.configured);
  CHECK(none.workers == 2);
  CHECK(none.retry.maxAttempts == 8);

  const auto s = parseNotifySettings(
      "notify:\n"
      "  smtp:\n"
      "    host: smtp.example.com\n"
      "    tls: implicit\n"
      "    user: alerts\n"
      "    password: pw\n"
      "    from: alerts@example.com\n"
      "    ca_file: ca.pem\n"
      "  webhooks: {timeout: 5s}\n"
      "  max_attempts: 3\n"
      "  retry_first: 10s\n"
      "  retry_max: 1m\n",
      "s.yaml", "/etc/openmps");
  CHECK(s.smtp.configured);
  CHECK(s.smtp.port == 465);
  CHECK(s.smtp.tls == SmtpTls::kImplicit);
  CHECK(s.smtp.password.reveal() == "pw");
  CHECK(s.smtp.caFile == "/etc/openmps/ca.pem");
  CHECK(s.webhooks.timeout == std::chrono::seconds(5));
  CHECK(s.retry.maxAttempts == 3);
  CHECK(s.retry.firstDelay == std::chrono::seconds(10));

  auto error = [](const std::string& text) {
    try {
      parseNotifySettings(text, "s.yaml", "/");
    } catch (const NotifyConfigError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  CHECK_THAT(error("notify:\n  smtp:\n    host: h\n    from: a@b.c\n    tls: none\n"),
             Contains("s.yaml:5:10: notify.smtp.tls: expected starttls or implicit"));
  CHECK_THAT(error("notify:\n  smtp:\n    host: h\n"), Contains("missing from"));
  CHECK_THAT(error("notify:\n  smtp:\n    host: h\n    from: a@b.c\n    user: u\n"),
             Contains("user without password"));
  CHECK_THAT(error("notify:\n  workerz: 3\n"), Contains("notify.workerz"));
  CHECK_THAT(error("notify:\n  retry_first: soon\n"), Contains("expected a duration"));
}

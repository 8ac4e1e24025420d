#include "server/alerts/dispatch.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "server/meters/calendar.hpp"

using namespace openmps::server::alerts;
using namespace std::chrono_literals;
using Catch::Matchers::Contains;
using openmps::server::notify::Channel;
using json = nlohmann::json;

namespace {

const TimePoint kT0 = TimePoint(1'800'000'000s);  // 2027-01-15 08:00:00 UTC

Alert alert(std::string condition, Severity severity = Severity::kWarning) {
  Alert a;
  a.id = 42;
  a.condition = std::move(condition);
  a.severity = severity;
  a.state = AlertState::kOpen;
  a.since = kT0;
  a.raisedAt = kT0;
  return a;
}

Subscription email(std::int64_t org, std::string address) {
  Subscription s;
  s.id = 1;
  s.organisationId = org;
  s.address = std::move(address);
  return s;
}

AlertContext context(Alert a) {
  AlertContext c;
  c.alert = std::move(a);
  c.customerId = 30;
  c.customer = "Acme";
  c.dealer = "Print Partner";
  c.deviceId = 5;
  c.deviceModel = "ECOSYS M2540dn";
  c.deviceSerial = "VCF1234";
  c.deviceLocation = "2nd floor";
  c.deviceAddress = "10.0.0.5";
  c.timeZone = "Europe/Berlin";
  return c;
}

}  // namespace

TEST_CASE("subscriptions cover their organisation's subtree, severity and conditions",
          "[server][alerts]") {
  const std::vector<std::int64_t> path{1, 10, 30};  // root, dealer, customer
  auto dealer = email(10, "dealer@example.com");
  CHECK(wants(dealer, path, alert("jam"), AlertEvent::kRaised));
  CHECK_FALSE(wants(email(11, "other@example.com"), path, alert("jam"), AlertEvent::kRaised));
  CHECK_FALSE(wants(dealer, path, alert("jam", Severity::kInfo), AlertEvent::kRaised));
  dealer.minSeverity = Severity::kCritical;
  CHECK_FALSE(wants(dealer, path, alert("jam"), AlertEvent::kRaised));
  CHECK(wants(dealer, path, alert("service_requested", Severity::kCritical), AlertEvent::kRaised));
  auto tonerOnly = email(30, "it@acme.example");
  tonerOnly.conditions = {"toner"};
  CHECK_FALSE(wants(tonerOnly, path, alert("jam"), AlertEvent::kRaised));
  CHECK(wants(tonerOnly, path, alert("toner"), AlertEvent::kRaised));
  CHECK_FALSE(wants(tonerOnly, path, alert("toner"), AlertEvent::kCleared));
  tonerOnly.includeClears = true;
  CHECK(wants(tonerOnly, path, alert("toner"), AlertEvent::kCleared));
  tonerOnly.enabled = false;
  CHECK_FALSE(wants(tonerOnly, path, alert("toner"), AlertEvent::kRaised));
}

TEST_CASE("recipients in their own language", "[server][alerts]") {
  const std::vector<Person> people = {{1, "anna@example.com", "de", "dealer_technician"},
                                      {2, "luc@example.com", "fr", "dealer_technician"},
                                      {3, "boss@example.com", "en", "dealer_admin"},
                                      {4, "", "it", "dealer_technician"}};
  Subscription role;
  role.id = 9;
  role.organisationId = 10;
  role.role = "dealer_technician";
  const auto r = recipients(role, people, "it");
  REQUIRE(r.size() == 2);
  CHECK(r[0].target == "anna@example.com");
  CHECK(r[0].locale == "de");
  CHECK(r[1].locale == "fr");
  Subscription user = role;
  user.role.clear();
  user.userId = 3;
  user.locale = "it";  // the subscription's language wins
  CHECK(recipients(user, people, "en").at(0).locale == "it");
  // An address without a user: the organisation's language.
  CHECK(recipients(email(10, "desk@example.com"), people, "fr").at(0).locale == "fr");
  Subscription hook;
  hook.channel = Channel::kWebhook;
  hook.url = "https://hooks.example.com/x";
  hook.sealedSecret = "sealed";
  const auto h = recipients(hook, people, "de");
  REQUIRE(h.size() == 1);
  CHECK(h[0].sealedSecret == "sealed");
}

TEST_CASE("quiet hours in the customer's time zone end with a digest", "[server][alerts]") {
  // 08:00 UTC is 09:00 in Berlin in January.
  const QuietHours morning{8 * 60, 10 * 60};
  const auto until = quietUntil(morning, "Europe/Berlin", kT0);
  REQUIRE(until);
  CHECK(*until == kT0 + 1h);
  CHECK_FALSE(quietUntil(morning, "UTC", kT0 - 1min));
  const QuietHours night{22 * 60, 7 * 60};
  const auto late = quietUntil(night, "UTC", kT0 + 15h);  // 23:00 UTC
  REQUIRE(late);
  CHECK(*late == kT0 + 23h);  // 07:00 the next day
}

TEST_CASE("the storm guard holds what exceeds the threshold until the window ends",
          "[server][alerts]") {
  StormGuard storm;
  storm.threshold = 3;
  storm.window = 10min;
  CHECK_FALSE(stormHold(storm, 3, kT0 + 2min));
  const auto hold = stormHold(storm, 4, kT0 + 2min);
  REQUIRE(hold);
  CHECK(hold->reason == "storm");
  CHECK(hold->releaseAt == kT0 + 10min);  // kT0 is on a 10-minute boundary
  CHECK(stormHold(storm, 9, kT0 + 9min)->releaseAt == kT0 + 10min);

  RuleSet rules = resolveRules({R"({"quiet_hours":"08:00-10:00","storm":{"threshold":1}})"});
  const auto quiet = holdFor(rules, "UTC", 5, AlertEvent::kRaised, kT0);
  CHECK(quiet->reason == "quiet_hours");
  rules.quietHours.reset();
  CHECK(holdFor(rules, "UTC", 5, AlertEvent::kRaised, kT0)->reason == "storm");
  CHECK_FALSE(holdFor(rules, "UTC", 5, AlertEvent::kCleared, kT0));
}

TEST_CASE("an alert mail in the recipient's language with the alert attached", "[server][alerts]") {
  Alert a = alert("toner");
  a.stage = "low";
  a.subject = "1";
  a.detail = R"({"description":"Black Toner","after":18,"family":"toner"})";
  const auto c = context(a);
  Recipient to{1, Channel::kEmail, "dealer@example.com", "de", ""};
  const auto mail = alertMail(c, AlertEvent::kRaised, to, 30);
  CHECK(mail.kind == "alert.raised");
  CHECK(mail.locale == "de");
  CHECK(mail.subject ==
        "[OpenMPS] Warnung: Black Toner niedrig (18 %) – ECOSYS M2540dn (VCF1234), Acme");
  CHECK_THAT(mail.text, Contains("Standort:     2nd floor"));
  CHECK_THAT(mail.text, Contains("Seit:         2027-01-15 09:00 Europe/Berlin"));
  REQUIRE(mail.attachments.size() == 1);
  CHECK(mail.attachments[0].fileName == "alert-42.json");
  const auto j = json::parse(mail.attachments[0].content);
  CHECK(j["condition"] == "toner");
  CHECK(j["device"]["serial"] == "VCF1234");
  CHECK(j["detail"]["after"] == 18);
  CHECK(openmps::server::notify::mailProblem(mail).empty());

  to.locale = "fr";
  CHECK_THAT(alertMail(c, AlertEvent::kRaised, to, 30).subject,
             Contains("Avertissement: Black Toner bas (18 %)"));
  to.locale = "it";
  CHECK_THAT(alertMail(c, AlertEvent::kCleared, to, 30).subject, Contains("Risolto: Avviso"));
  to.locale = "en";
  CHECK_THAT(alertMail(context(alert("jam")), AlertEvent::kRepeat, to, 30).subject,
             Contains("Reminder: Warning: Paper jam"));
}

TEST_CASE("a webhook carries the event, a title and the alert", "[server][alerts]") {
  Recipient to{1, Channel::kWebhook, "https://hooks.example.com/x", "en", "sealed"};
  const auto hook = alertWebhook(context(alert("jam")), AlertEvent::kRaised, to, 30);
  const auto body = json::parse(hook.body);
  CHECK(body["event"] == "alert.raised");
  CHECK(body["title"] == "Paper jam");
  CHECK(body["alert"]["id"] == 42);
  CHECK(hook.sealedSecret == "sealed");
  CHECK(openmps::server::notify::webhookProblem(hook).empty());
}

TEST_CASE("a digest lists what was held", "[server][alerts]") {
  Recipient to{1, Channel::kEmail, "dealer@example.com", "de", ""};
  const auto mail = digestMail({{context(alert("offline")), AlertEvent::kRaised},
                                {context(alert("jam")), AlertEvent::kRaised}},
                               "storm", to, 30);
  CHECK(mail.kind == "alert.digest");
  CHECK(mail.subject == "[OpenMPS] 2 gleichartige Alarme auf einmal");
  CHECK_THAT(mail.text, Contains("Gerät offline"));
  CHECK_THAT(mail.text, Contains("Papierstau"));
  CHECK(json::parse(mail.attachments.at(0).content).size() == 2);
}

TEST_CASE("every condition has a title in every language", "[server][alerts]") {
  for (const char* locale : {"en", "de", "fr", "it"}) {
    for (const auto& condition : {"toner",
                                  "drum",
                                  "fuser",
                                  "waste_toner",
                                  "kit",
                                  "jam",
                                  "door_open",
                                  "paper_out",
                                  "service_requested",
                                  "offline",
                                  "vendor_error",
                                  "printer_alert",
                                  "device_silent",
                                  "collector_silent",
                                  "meter_missing",
                                  "counter_backwards",
                                  "counter_reset",
                                  "counter_jump",
                                  "device_swapped",
                                  "runs_out"}) {
      Alert a = alert(condition);
      if (isSupplyCondition(condition)) a.stage = "low";
      const auto title =
          openmps::server::notify::alertTitle(locale, factsOf(context(a), AlertEvent::kRaised));
      INFO(locale << " " << condition << ": " << title);
      CHECK_FALSE(title.empty());
      CHECK(title != condition);
      CHECK(title.find('{') == std::string::npos);
    }
  }
}

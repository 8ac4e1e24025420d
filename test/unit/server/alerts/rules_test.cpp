#include "server/alerts/rules.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

using namespace openmps::server::alerts;
using namespace std::chrono_literals;
using Catch::Matchers::Contains;
using json = nlohmann::json;

namespace {
std::string problem(const std::string& layer) {
  try {
    checkLayer(layer);
  } catch (const RulesError& e) {
    return e.what();
  }
  return "none";
}
}  // namespace

TEST_CASE("the defaults dealers start from", "[server][alerts]") {
  const RuleSet r = resolveRules({});
  CHECK(r.rule("toner").low == 20);
  CHECK(r.rule("toner").veryLow == 10);
  CHECK(r.rule("toner").emptySeverity == Severity::kCritical);
  CHECK(r.rule("drum").low == 10);
  CHECK_FALSE(r.rule("waste_toner").enabled);
  CHECK(r.rule("jam").holdDown == 15min);
  CHECK(r.rule("service_requested").holdDown == 0s);
  CHECK(r.rule("service_requested").severity == Severity::kCritical);
  CHECK(r.rule("printer_alert").minSeverity == Severity::kCritical);
  CHECK(r.rule("device_silent").warningAfter == 4 * 24h);
  CHECK(r.rule("device_silent").criticalAfter == 10 * 24h);
  CHECK(r.rule("collector_silent").factor == 2);
  CHECK(r.rule("collector_silent").slack == 1h);
  CHECK_FALSE(r.rule("collector_silent").sendInterval);
  CHECK(r.rule("meter_missing").daysBefore == 3);
  CHECK(r.rule("counter_jump").pagesPerMinute == 200);
  CHECK_FALSE(r.rule("jam").repeat);
  CHECK_FALSE(r.rule("jam").escalateAfter);
  CHECK_FALSE(r.quietHours);
  CHECK(r.storm.threshold == 10);
  CHECK_THROWS_AS(r.rule("nonsense"), RulesError);
}

TEST_CASE("layers merge in order, key by key", "[server][alerts]") {
  const std::string dealer = R"({"toner":{"low":25},"jam":{"hold_down":"30m","repeat":"4h"}})";
  const std::string customer = R"({"toner":{"very_low":5},"jam":{"hold_down":"5m"},
                                   "quiet_hours":"22:00-07:00"})";
  const std::string device = R"({"jam":{"enabled":false}})";
  const RuleSet r = resolveRules({dealer, customer, device});
  CHECK(r.rule("toner").low == 25);
  CHECK(r.rule("toner").veryLow == 5);
  CHECK(r.rule("jam").holdDown == 5min);
  CHECK(r.rule("jam").repeat == 4h);
  CHECK_FALSE(r.rule("jam").enabled);
  REQUIRE(r.quietHours);
  CHECK(r.quietHours->fromMinute == 22 * 60);
  CHECK(r.quietHours->toMinute == 7 * 60);
  const auto merged = json::parse(mergedSettings({dealer, customer}));
  CHECK(merged["toner"]["low"] == 25);
  CHECK(merged["toner"]["very_low"] == 5);
  CHECK(merged["jam"]["severity"] == "warning");
}

TEST_CASE("a stored layer that no longer fits is skipped and reported", "[server][alerts]") {
  std::vector<std::string> problems;
  const RuleSet r =
      resolveRules({R"({"toner":{"low":25}})", R"({"jam":{"hold_down":"soon"}})"}, &problems);
  CHECK(r.rule("toner").low == 25);
  CHECK(r.rule("jam").holdDown == 15min);
  REQUIRE(problems.size() == 1);
  CHECK_THAT(problems[0], Contains("jam.hold_down"));
}

TEST_CASE("layers are checked key by key with a clear message", "[server][alerts]") {
  CHECK(problem(R"({"toner":{"low":15},"storm":{"threshold":3,"window":"5m"}})") == "none");
  CHECK_THAT(problem(R"({"tonerr":{}})"), Contains("tonerr: unknown condition"));
  CHECK_THAT(problem(R"({"toner":{"lowish":3}})"), Contains("toner.lowish: unknown setting"));
  CHECK_THAT(problem(R"({"toner":{"low":120}})"), Contains("toner.low: expected a whole number"));
  CHECK_THAT(problem(R"({"jam":{"hold_down":"3"}})"),
             Contains("jam.hold_down: expected a duration"));
  CHECK_THAT(problem(R"({"jam":{"severity":"loud"}})"), Contains("jam.severity"));
  CHECK_THAT(problem(R"({"jam":{"low":3}})"), Contains("jam.low: unknown setting"));
  CHECK_THAT(problem(R"({"quiet_hours":"25:00-07:00"})"), Contains("quiet_hours"));
  CHECK_THAT(problem(R"({"quiet_hours":"07:00-07:00"})"), Contains("must not be empty"));
  CHECK_THAT(problem(R"({"storm":{"size":3}})"), Contains("storm.size"));
  CHECK_THAT(problem("[1]"), Contains("expected a JSON object"));
  CHECK_THAT(problem("{"), Contains("not valid JSON"));
}

TEST_CASE("set and unset single keys as the command line does", "[server][alerts]") {
  std::string layer = setInLayer("", "jam.hold_down", "10m");
  layer = setInLayer(layer, "toner.low", "15");
  layer = setInLayer(layer, "waste_toner.enabled", "true");
  layer = setInLayer(layer, "quiet_hours", "22:00-06:30");
  layer = setInLayer(layer, "storm.threshold", "4");
  layer = setInLayer(layer, "jam.repeat", "off");
  const auto j = json::parse(layer);
  CHECK(j["jam"]["hold_down"] == "10m");
  CHECK(j["toner"]["low"] == 15);
  CHECK(j["waste_toner"]["enabled"] == true);
  CHECK(j["storm"]["threshold"] == 4);
  const RuleSet r = resolveRules({layer});
  CHECK(r.rule("waste_toner").enabled);
  CHECK(r.storm.threshold == 4);
  CHECK_FALSE(r.rule("jam").repeat);
  CHECK_THROWS_WITH(setInLayer(layer, "toner.low", "many"), Contains("toner.low"));
  CHECK_THROWS_WITH(setInLayer(layer, "jam.hold_down", "x"), Contains("jam.hold_down"));
  layer = unsetInLayer(layer, "toner.low");
  CHECK_FALSE(json::parse(layer).contains("toner"));
  layer = unsetInLayer(layer, "quiet_hours");
  CHECK_FALSE(json::parse(layer).contains("quiet_hours"));
}

TEST_CASE("quiet hours over midnight and within a day", "[server][alerts]") {
  const QuietHours night{22 * 60, 7 * 60};
  CHECK(inQuietHours(night, 23 * 60));
  CHECK(inQuietHours(night, 0));
  CHECK(inQuietHours(night, 6 * 60 + 59));
  CHECK_FALSE(inQuietHours(night, 7 * 60));
  CHECK_FALSE(inQuietHours(night, 12 * 60));
  const QuietHours lunch{12 * 60, 13 * 60};
  CHECK(inQuietHours(lunch, 12 * 60 + 30));
  CHECK_FALSE(inQuietHours(lunch, 13 * 60));
}

TEST_CASE("condition names", "[server][alerts]") {
  CHECK(isSupplyCondition("toner"));
  CHECK_FALSE(isSupplyCondition("jam"));
  CHECK(isKnownCondition("runs_out"));
  CHECK(isKnownCondition("collector_silent"));
  CHECK_FALSE(isKnownCondition("tonerr"));
  CHECK(isOneShot("counter_reset"));
  CHECK_FALSE(isOneShot("jam"));
  CHECK(severityFromString("critical") == Severity::kCritical);
  CHECK_FALSE(severityFromString("loud"));
}

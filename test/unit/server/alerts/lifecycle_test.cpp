#include "server/alerts/lifecycle.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "shared/util/clock.hpp"

using namespace openmps::server::alerts;
using namespace std::chrono_literals;
using openmps::server::events::Event;
using openmps::util::ManualClock;
using json = nlohmann::json;

namespace {

const TimePoint kT0 = TimePoint(1'800'000'000s);

Event event(std::string kind, json detail, TimePoint at = kT0) {
  return Event{1, at, std::move(kind), detail.dump()};
}

Event jam(bool raised, TimePoint at) {
  return raised ? event("status_raised",
                        {{"condition", "jam"}, {"subject", ""}, {"severity", "warning"}}, at)
                : event("status_cleared", {{"condition", "jam"}, {"subject", ""}}, at);
}

Event toner(std::optional<int> after, TimePoint at = kT0, std::string state = "ok") {
  return event("supply_level",
               {{"index", 1},
                {"family", "toner"},
                {"after", after ? json(*after) : json()},
                {"state", state},
                {"description", "Black Toner"}},
               at);
}

// Applies changes to a device's active alerts as the store would, giving
// created alerts ids.
struct Device {
  std::vector<Alert> active;
  std::vector<Change> history;
  std::int64_t nextId = 1;

  std::vector<Change> feed(const Event& e, const RuleSet& rules) {
    auto changes = onEvent(e, rules, active);
    for (auto& c : changes) apply(c);
    return changes;
  }

  void apply(Change& c) {
    if (c.kind == Change::Kind::kCreate) {
      c.alert.id = nextId++;
      active.push_back(c.alert);
    } else if (c.kind == Change::Kind::kClear || c.kind == Change::Kind::kCancel) {
      std::erase_if(active, [&](const Alert& a) { return a.id == c.alert.id; });
    } else {
      for (auto& a : active) {
        if (a.id == c.alert.id) a = c.alert;
      }
    }
    history.push_back(c);
  }
};

std::vector<AlertEvent> notices(const std::vector<Change>& changes) {
  std::vector<AlertEvent> out;
  for (const auto& c : changes) {
    if (c.notify) out.push_back(*c.notify);
  }
  return out;
}

}  // namespace

TEST_CASE("a jam cleared within the hold-down raises nothing", "[server][alerts]") {
  const RuleSet rules = resolveRules({});
  Device d;
  auto c = d.feed(jam(true, kT0), rules);
  REQUIRE(c.size() == 1);
  CHECK(c[0].alert.state == AlertState::kPending);
  CHECK(c[0].alert.dueAt == kT0 + 15min);
  CHECK_FALSE(c[0].notify);
  c = d.feed(jam(false, kT0 + 14min), rules);
  REQUIRE(c.size() == 1);
  CHECK(c[0].kind == Change::Kind::kCancel);
  CHECK(notices(d.history).empty());
  CHECK(d.active.empty());
}

TEST_CASE("a jam that lasts is raised once by the sweep, and clears", "[server][alerts]") {
  const RuleSet rules = resolveRules({});
  ManualClock clock(kT0);
  Device d;
  d.feed(jam(true, kT0), rules);
  const Alert pending = d.active.at(0);
  // Still within the hold-down by the clock and by the readings: waiting.
  clock.advance(10min);
  CHECK_FALSE(promote(pending, true, kT0 + 5min, clock.now()));
  // A reading 15 minutes after the first still shows it: open, whatever the clock.
  auto byReading = promote(pending, true, kT0 + 15min, clock.now());
  REQUIRE(byReading);
  CHECK(byReading->kind == Change::Kind::kOpen);
  // The clock passing the end does it too (a jammed device that went quiet).
  clock.advance(5min);
  auto byClock = promote(pending, true, kT0, clock.now());
  REQUIRE(byClock);
  CHECK(byClock->notify == AlertEvent::kRaised);
  d.apply(*byClock);
  // The latest reading no longer shows it: cancelled instead.
  CHECK(promote(pending, false, kT0 + 16min, clock.now())->kind == Change::Kind::kCancel);
  // Raised again while open: folded, no second notice.
  auto again = d.feed(jam(true, kT0 + 30min), rules);
  REQUIRE(again.size() == 1);
  CHECK(again[0].kind == Change::Kind::kFold);
  CHECK_FALSE(again[0].notify);
  auto cleared = d.feed(jam(false, kT0 + 40min), rules);
  CHECK(notices(cleared) == std::vector{AlertEvent::kCleared});
  CHECK(notices(d.history) == std::vector{AlertEvent::kRaised, AlertEvent::kCleared});
}

TEST_CASE("without a hold-down a condition opens at once", "[server][alerts]") {
  const RuleSet rules = resolveRules({});
  Device d;
  const auto c =
      d.feed(event("status_raised",
                   {{"condition", "service_requested"}, {"subject", ""}, {"severity", "critical"}}),
             rules);
  REQUIRE(c.size() == 1);
  CHECK(c[0].alert.state == AlertState::kOpen);
  CHECK(c[0].alert.severity == Severity::kCritical);
  CHECK(c[0].notify == AlertEvent::kRaised);
}

TEST_CASE("disabled conditions and Printer-MIB alerts below the minimum raise nothing",
          "[server][alerts]") {
  Device d;
  const RuleSet off = resolveRules({R"({"jam":{"enabled":false}})"});
  CHECK(d.feed(jam(true, kT0), off).empty());
  const RuleSet rules = resolveRules({});
  CHECK(d.feed(event("status_raised", {{"condition", "printer_alert"},
                                       {"subject", "input/807"},
                                       {"severity", "warning"}}),
               rules)
            .empty());
  const RuleSet warnings = resolveRules({R"({"printer_alert":{"min_severity":"warning"}})"});
  CHECK(d.feed(event("status_raised", {{"condition", "printer_alert"},
                                       {"subject", "input/807"},
                                       {"severity", "warning"}}),
               warnings)
            .size() == 1);
}

TEST_CASE("toner: low, very low, empty, replaced", "[server][alerts]") {
  const RuleSet rules = resolveRules({});
  Device d;
  CHECK(d.feed(toner(25), rules).empty());
  auto c = d.feed(toner(18), rules);
  REQUIRE(c.size() == 1);
  CHECK(c[0].alert.stage == "low");
  CHECK(c[0].alert.subject == "1");
  CHECK(c[0].alert.severity == Severity::kWarning);
  c = d.feed(toner(9), rules);
  CHECK(c[0].kind == Change::Kind::kStage);
  CHECK(c[0].alert.stage == "very_low");
  CHECK(c[0].notify == AlertEvent::kWorse);
  c = d.feed(toner(0), rules);
  CHECK(c[0].alert.stage == "empty");
  CHECK(c[0].alert.severity == Severity::kCritical);
  c = d.feed(event("supply_replaced", {{"index", 1}, {"family", "toner"}}), rules);
  REQUIRE(c.size() == 1);
  CHECK(c[0].kind == Change::Kind::kClear);
  CHECK(d.active.empty());
  CHECK(notices(d.history) == std::vector{AlertEvent::kRaised, AlertEvent::kWorse,
                                          AlertEvent::kWorse, AlertEvent::kCleared});
}

TEST_CASE("toner thresholds follow the device's rules; state-only supplies count too",
          "[server][alerts]") {
  const RuleSet strict = resolveRules({R"({"toner":{"low":30,"very_low":15}})"});
  Device d;
  CHECK(d.feed(toner(28), strict).at(0).alert.stage == "low");
  Device s;
  CHECK(s.feed(toner(std::nullopt, kT0, "low"), resolveRules({})).at(0).alert.stage == "low");
  CHECK(supplyStage(strict.rule("toner"), 15, "ok") == "very_low");
  CHECK(supplyStage(strict.rule("toner"), 31, "ok").empty());
  CHECK(supplyStage(strict.rule("toner"), std::nullopt, "empty") == "empty");
  CHECK(supplyStage(strict.rule("toner"), std::nullopt, "unknown").empty());
}

TEST_CASE("waste toner is off by default", "[server][alerts]") {
  Device d;
  const auto e = event("supply_level", {{"index", 9}, {"family", "waste_toner"}, {"after", 2}});
  CHECK(d.feed(e, resolveRules({})).empty());
  CHECK(d.feed(e, resolveRules({R"({"waste_toner":{"enabled":true}})"})).size() == 1);
}

TEST_CASE("data quality: one alert per device and condition, closed by acknowledging",
          "[server][alerts]") {
  const RuleSet rules = resolveRules({});
  Device d;
  auto c = d.feed(event("counter_backwards", {{"counter", "total"}}), rules);
  CHECK(c.at(0).notify == AlertEvent::kRaised);
  c = d.feed(event("counter_backwards", {{"counter", "mono"}}), rules);
  CHECK(c.at(0).kind == Change::Kind::kFold);
  CHECK(acknowledgeCloses(d.active.at(0)));
  CHECK(notices(d.history).size() == 1);
}

TEST_CASE("counter jumps against the device's own limit", "[server][alerts]") {
  const auto e = event(
      "counter_jump",
      {{"counters", {{{"counter", "total"}, {"before", 0}, {"after", 1000}}}}, {"minutes", 10}});
  Device d;
  CHECK(d.feed(e, resolveRules({})).empty());  // 1000 pages in 10 min: 100/min, fine
  CHECK(d.feed(e, resolveRules({R"({"counter_jump":{"pages_per_minute":50}})"})).size() == 1);
}

TEST_CASE("a device back after silence clears its silence", "[server][alerts]") {
  Device d;
  auto c = watch("device_silent", "", "warning", Severity::kWarning, kT0, "{}", std::nullopt,
                 kT0 + 5 * 24h);
  d.apply(*c);
  const auto back = d.feed(event("device_back", {{"hours", 120}}), resolveRules({}));
  REQUIRE(back.size() == 1);
  CHECK(back[0].kind == Change::Kind::kClear);
}

TEST_CASE("silence stages and the collector's limit", "[server][alerts]") {
  const RuleSet rules = resolveRules({});
  const auto& silent = rules.rule("device_silent");
  CHECK(silenceStage(silent, std::chrono::duration_cast<std::chrono::seconds>(3 * 24h)).empty());
  CHECK(silenceStage(silent, std::chrono::duration_cast<std::chrono::seconds>(4 * 24h)) ==
        "warning");
  CHECK(silenceStage(silent, std::chrono::duration_cast<std::chrono::seconds>(11 * 24h)) ==
        "critical");
  const auto& collector = rules.rule("collector_silent");
  CHECK(collectorSilenceLimit(collector, std::nullopt) == 2 * 15min + 1h);
  CHECK(collectorSilenceLimit(collector, std::chrono::seconds(24h)) == 2 * 24h + 1h);
  const RuleSet fixed = resolveRules({R"({"collector_silent":{"send_interval":"1h"}})"});
  CHECK(collectorSilenceLimit(fixed.rule("collector_silent"), std::chrono::seconds(24h)) == 3h);
}

TEST_CASE("watched conditions raise, worsen, and end", "[server][alerts]") {
  Device d;
  auto c = watch("device_silent", "", "warning", Severity::kWarning, kT0, "{}", std::nullopt,
                 kT0 + 4 * 24h);
  REQUIRE(c);
  CHECK(c->notify == AlertEvent::kRaised);
  d.apply(*c);
  CHECK_FALSE(watch("device_silent", "", "warning", Severity::kWarning, kT0, "{}", d.active[0],
                    kT0 + 5 * 24h));
  c = watch("device_silent", "", "critical", Severity::kCritical, kT0, "{}", d.active[0],
            kT0 + 10 * 24h);
  CHECK(c->notify == AlertEvent::kWorse);
  d.apply(*c);
  c = watch("device_silent", "", "", Severity::kCritical, kT0, "{}", d.active[0], kT0 + 11 * 24h);
  CHECK(c->kind == Change::Kind::kClear);
  CHECK_FALSE(watch("device_silent", "", "", Severity::kWarning, kT0, "{}", std::nullopt, kT0));
}

TEST_CASE("repeats and escalation on the clock, not after acknowledging", "[server][alerts]") {
  const RuleSet rules = resolveRules({R"({"jam":{"repeat":"4h","escalate_after":"2h"}})"});
  const auto& rule = rules.rule("jam");
  ManualClock clock(kT0);
  Alert a;
  a.id = 7;
  a.condition = "jam";
  a.state = AlertState::kOpen;
  a.raisedAt = kT0;
  a.since = kT0;
  a.lastNotifiedAt = kT0;
  clock.advance(1h);
  CHECK_FALSE(remind(a, rule, clock.now()));
  clock.advance(1h);
  auto c = remind(a, rule, clock.now());
  REQUIRE(c);
  CHECK(c->notify == AlertEvent::kEscalated);
  CHECK(c->alert.severity == Severity::kCritical);
  a = c->alert;
  clock.advance(3h);
  CHECK_FALSE(remind(a, rule, clock.now()));
  clock.advance(1h);
  c = remind(a, rule, clock.now());
  REQUIRE(c);
  CHECK(c->notify == AlertEvent::kRepeat);
  a = c->alert;
  a.acknowledgedAt = clock.now();
  clock.advance(24h);
  CHECK_FALSE(remind(a, rule, clock.now()));
  CHECK_FALSE(remind(a, resolveRules({}).rule("jam"), clock.now()));
}

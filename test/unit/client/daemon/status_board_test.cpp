#include "client/daemon/status_board.hpp"

#include <catch2/catch.hpp>

#include "client/daemon/daemon.hpp"
#include "client/daemon/read_plan.hpp"

using namespace openmps;
using namespace openmps::client;
using namespace openmps::client::daemon;
using namespace std::chrono_literals;

namespace {

const WallTime kNow{std::chrono::hours{500'000}};

bool hasWarning(const DaemonState& s, const std::string& code) {
  for (const auto& w : s.warnings) {
    if (w.code == code) return true;
  }
  return false;
}

model::Reading readingWithCounter(std::int64_t total) {
  model::Reading r;
  r.identity.serial = "SN1";
  r.identity.kind = "printer";
  r.origin.pmd = "generic";
  r.counters["total"] = total;
  return r;
}

}  // namespace

TEST_CASE("a device is new until read, failing after one failed read, then offline") {
  CHECK(conditionOf(false, 0) == DeviceCondition::kNew);
  CHECK(conditionOf(true, 0) == DeviceCondition::kOk);
  CHECK(conditionOf(true, 1) == DeviceCondition::kFailing);
  CHECK(conditionOf(true, kOfflineAfterFailures) == DeviceCondition::kOffline);
  CHECK(conditionOf(false, kOfflineAfterFailures + 3) == DeviceCondition::kOffline);
  CHECK(std::string(toString(DeviceCondition::kFailing)) == "failing");
}

TEST_CASE("the board lists known devices with their newest answer and why they fail") {
  StatusBoard board;
  board.deviceKnown(1, "10.0.0.5:161", kNow);
  board.deviceKnown(2, "10.0.0.4:161", kNow);
  board.deviceRead(1, readingWithCounter(100), 0, "");
  board.deviceRead(1, std::nullopt, 1, "no answer");
  auto devices = board.devices();
  REQUIRE(devices.size() == 2);
  CHECK(devices[0].address == "10.0.0.4:161");
  CHECK(devices[0].condition == DeviceCondition::kNew);
  CHECK(devices[1].condition == DeviceCondition::kFailing);
  CHECK(devices[1].error == "no answer");
  REQUIRE(devices[1].lastReading);
  CHECK(devices[1].lastReading->counters.at("total") == 100);
  CHECK(devices[1].kind == "printer");
  CHECK(devices[1].pmd == "generic");

  CHECK(board.deviceAt("10.0.0.5") == 1);
  CHECK(board.deviceAt("10.0.0.5:161") == 1);
  CHECK(board.deviceAt("10.0.0.50") == 0);
  // Pushed out of its address by another device: not listed until seen again.
  board.deviceKnown(1, "", kNow);
  CHECK(board.devices().size() == 1);
  CHECK(board.deviceAt("10.0.0.5") == 0);
}

TEST_CASE("a device read before this start is listed as answered, with that time") {
  StatusBoard board;
  board.deviceKnown(3, "10.0.0.7:161", kNow - 72h, kNow - 2h);
  board.deviceKnown(4, "10.0.0.8:161", kNow - 72h, std::nullopt);
  auto devices = board.devices();
  REQUIRE(devices.size() == 2);
  CHECK(devices[0].condition == DeviceCondition::kOk);
  CHECK(devices[0].lastReadAt == kNow - 2h);
  CHECK_FALSE(devices[0].lastReading);
  CHECK(devices[1].condition == DeviceCondition::kNew);
  CHECK_FALSE(devices[1].lastReadAt);
  board.deviceRead(3, readingWithCounter(7), 0, "");
  CHECK(board.devices()[0].lastReadAt == board.devices()[0].lastReading->readAt);
}

TEST_CASE("carriers keep their last success and last error, per route") {
  StatusBoard board;
  board.setEnrollment("42", {"xmlrpcs://mps.example:52004", "mailto:in@example.com"});
  board.routeAnswered("xmlrpcs://mps.example:52004",
                      carrier::SendResult(carrier::SendStatus::kRetryable, "connection refused"),
                      kNow);
  board.routeAnswered("mailto:in@example.com",
                      carrier::SendResult(carrier::SendStatus::kStored, "250 ok"), kNow + 1s);
  const auto s = board.state({});
  CHECK(s.enrolled);
  CHECK(s.clientId == "42");
  REQUIRE(s.carriers.size() == 2);
  CHECK(s.carriers[0].carrier == "xmlrpc");
  CHECK(s.carriers[0].lastError == "connection refused");
  CHECK(s.carriers[0].lastErrorAt == kNow);
  CHECK_FALSE(s.carriers[0].lastSuccessAt);
  CHECK(s.carriers[1].carrier == "email");
  CHECK(s.carriers[1].lastSuccessAt == kNow + 1s);
  CHECK(s.carriers[1].lastError.empty());
}

TEST_CASE("warnings: outbox filling, server refusing, clock skew, not enrolled, bad config") {
  StatusBoard board;
  CHECK(hasWarning(board.state({}), "not_enrolled"));
  board.setEnrollment("42", {"https://mps.example/RPC2"});
  CHECK(board.state({10, 100, kNow}).warnings.empty());
  CHECK(board.state({10, 100, kNow}).outboxOldestAt == kNow);
  CHECK(hasWarning(board.state({80, 100, kNow}), "outbox_filling"));
  CHECK_FALSE(hasWarning(board.state({79, 100, kNow}), "outbox_filling"));
  board.batchRefused(true);
  CHECK(hasWarning(board.state({}), "server_refusing"));
  board.batchRefused(false);
  // The server's Date header in its answer: this machine 5 min ahead is
  // tolerated, 6 min behind is not.
  carrier::SendResult answer(carrier::SendStatus::kStored, "stored");
  answer.serverTime = kNow - 5min;
  board.routeAnswered("xmlrpcs://mps.example.net:52004", answer, kNow);
  CHECK_FALSE(hasWarning(board.state({}), "clock_skew"));
  answer.serverTime = kNow + 6min;
  board.routeAnswered("xmlrpcs://mps.example.net:52004", answer, kNow);
  CHECK(hasWarning(board.state({}), "clock_skew"));
  answer.serverTime.reset();  // an answer without a date changes nothing
  board.routeAnswered("xmlrpcs://mps.example.net:52004", answer, kNow);
  CHECK(hasWarning(board.state({}), "clock_skew"));
  board.setConfigError("data_dir: changes only with a restart");
  CHECK(hasWarning(board.state({}), "config_error"));
}

TEST_CASE("the log keeps the newest lines, oldest first") {
  StatusBoard board;
  for (std::size_t i = 0; i < kLogRingLines + 10; ++i) {
    board.logLine(kNow, util::LogLevel::kInfo, "line " + std::to_string(i));
  }
  auto all = board.log(10'000);
  REQUIRE(all.size() == kLogRingLines);
  CHECK(all.front().message == "line 10");
  auto last = board.log(2);
  REQUIRE(last.size() == 2);
  CHECK(last[0].message == "line " + std::to_string(kLogRingLines + 8));
  CHECK(last[1].message == "line " + std::to_string(kLogRingLines + 9));
}

TEST_CASE("the log observer sees every line without its priority prefix") {
  StatusBoard board;
  util::setLogObserver(
      [&board](util::LogLevel level, std::string_view line) { board.logLine(kNow, level, line); });
  std::ostringstream sink;
  util::setLogSinkForTesting(&sink);
  util::logWarning("run") << "device 7\nforged";
  util::setLogSinkForTesting(nullptr);
  util::setLogObserver({});
  const auto lines = board.log(5);
  REQUIRE(lines.size() == 1);
  CHECK(lines[0].level == util::LogLevel::kWarning);
  CHECK(lines[0].message == "run: device 7\\x0aforged");
}

TEST_CASE("a configuration that changes where the daemon keeps its files needs a restart") {
  auto running = config::parseConfig("data_dir: /var/lib/a\n", "client.yaml", "/");
  auto same = running;
  same.intervals.status = 60s;
  CHECK(needsRestart(running, same).empty());
  auto moved = config::parseConfig("data_dir: /var/lib/b\n", "client.yaml", "/");
  CHECK(needsRestart(running, moved).starts_with("data_dir"));
}

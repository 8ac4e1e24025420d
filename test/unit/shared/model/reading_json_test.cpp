#include "shared/model/reading_json.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "shared/model/counter_names.hpp"
#include "shared/util/json_fields.hpp"
#include "shared/util/time_format.hpp"

using namespace openmps;
using model::Reading;

namespace {

Reading sampleReading() {
  Reading r;
  r.kind = model::ReadingKind::kMeter;
  r.readAt = *util::parseRfc3339("2026-11-22T10:15:30.250Z");
  r.origin = {"17", "192.0.2.10:161", "hp"};
  r.identity.manufacturer = "HP";
  r.identity.model = "LaserJet MFP M130nw";
  r.identity.serial = "VNCRC48198";
  r.identity.firmware = "20201023";
  r.identity.mac = "14:cb:19:95:2e:a0";
  r.counters = {{"total", 15232}, {"mono", 15232}, {"scan.total", 1190}, {"custom.jam_events", 12}};
  model::Supply toner;
  toner.index = 1;
  toner.description = "Black Cartridge HP CF217A";
  toner.type = "toner";
  toner.color = "black";
  toner.level = 28;
  toner.max = 100;
  toner.levelPercent = 28;
  toner.state = model::SupplyState::kOk;
  toner.unit = "percent";
  toner.supplyClass = "consumed";
  toner.partNumber = "CF217A";
  toner.serial = "CRUM-21052112345";
  model::Supply tray;
  tray.index = 2;
  tray.description = "Tray 1";
  tray.type = "input";
  tray.level = -3;
  tray.max = 150;
  tray.state = model::SupplyState::kSomeRemaining;
  r.supplies = {toner, tray};
  r.status.printerStatus = "idle";
  r.status.deviceStatus = "running";
  r.status.errors = {"lowToner"};
  r.status.alerts = {{3, "warning", "markerSupplies", 1104, "Toner low"}};
  r.capabilities.color = false;
  r.capabilities.duplex = true;
  r.capabilities.inputTrays = 2;
  r.notes = {"vendor total agrees with prtMarkerLifeCount"};
  return r;
}

}  // namespace

TEST_CASE("a reading survives its JSON form unchanged", "[model]") {
  const Reading r = sampleReading();
  REQUIRE(model::readingFromJson(model::readingToJson(r)) == r);
}

TEST_CASE("the fixed JSON keys are where tools expect them", "[model]") {
  const auto v = nlohmann::json::parse(model::readingToJson(sampleReading()));
  CHECK(v["identity"]["serial"] == "VNCRC48198");
  CHECK(v["identity"]["model"] == "LaserJet MFP M130nw");
  CHECK(v["counters"]["total"] == 15232);
  CHECK(v["supplies"][0]["level_percent"] == 28);
  CHECK(v["supplies"][1]["level_percent"].is_null());
  CHECK(v["supplies"][1]["state"] == "some_remaining");
  CHECK(v["status"]["errors"][0] == "lowToner");
  CHECK(v["read_at"] == "2026-11-22T10:15:30.250Z");
}

TEST_CASE("bad readings are refused with the field named", "[model]") {
  auto expectError = [](const std::string& json, const std::string& pathPart) {
    try {
      (void)model::readingFromJson(json);
      FAIL("accepted: " << json);
    } catch (const util::JsonFieldError& e) {
      INFO(e.what());
      CHECK(std::string(e.what()).find(pathPart) != std::string::npos);
    }
  };
  const std::string ok = R"("kind":"meter","read_at":"2026-11-22T10:00:00Z","identity":{})";
  expectError("{" + ok + R"(,"counters":{"total":-1}})", "counters.total");
  expectError("{" + ok + R"(,"counters":{"pages":5}})", "counters.pages");
  expectError("{" + ok + R"(,"counters":{"total":"5"}})", "counters.total");
  expectError("{" + ok + R"(,"supplies":[{"level":1,"max":2,"state":"half"}]})",
              "supplies[0].state");
  expectError("{" + ok + R"(,"supplies":[{"max":2,"state":"ok"}]})", "supplies[0].level");
  expectError(R"({"kind":"meter","read_at":"yesterday","identity":{}})", "read_at");
  expectError(R"({"kind":"other","read_at":"2026-11-22T10:00:00Z","identity":{}})", "kind");
  expectError(R"({"kind":"meter","read_at":"2026-11-22T10:00:00Z"})", "identity");
  expectError("{" + ok + R"(,"identity":{"serial":")" + std::string(2000, 'x') + "\"}}",
              "identity.serial");
  expectError("[1,2]", "$");
  expectError("{\"kind\":", "reading");
  expectError(std::string(100, '[') + std::string(100, ']'), "nested");
}

TEST_CASE("counter names follow the vocabulary", "[model]") {
  CHECK(model::isValidCounterName("total"));
  CHECK(model::isValidCounterName("large.color"));
  CHECK(model::isValidCounterName("custom.a3_color"));
  CHECK_FALSE(model::isValidCounterName("Total"));
  CHECK_FALSE(model::isValidCounterName("custom."));
  CHECK_FALSE(model::isValidCounterName("custom.A3"));
  CHECK_FALSE(model::isValidCounterName("custom." + std::string(80, 'a')));
}

TEST_CASE("device strings that are not UTF-8 still print", "[model]") {
  Reading r = sampleReading();
  r.identity.location = "B\xfcro 3";  // Latin-1 from a device
  const std::string json = model::readingToJson(r);
  CHECK(json.find("B\xef\xbf\xbdro 3") != std::string::npos);
}

TEST_CASE("a number beyond double's range is a clear error, not a crash", "[model]") {
  // Found by fuzz_reading_json: nlohmann throws out_of_range for this.
  const std::string text = "{\"kind\":2" + std::string(70, '2') + "E" + std::string(40, '2') + "}";
  CHECK_THROWS_AS(model::readingFromJson(text), util::JsonFieldError);
  try {
    (void)model::readingFromJson(text);
  } catch (const util::JsonFieldError& e) {
    CHECK(std::string(e.what()).find("reading: not valid JSON") == 0);
  }
}

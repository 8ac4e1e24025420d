#include "server/events/conditions.hpp"

#include <catch2/catch.hpp>

#include "server/events/event.hpp"

using namespace openmps::server::events;
using openmps::model::Status;
using openmps::model::Supply;
using openmps::model::SupplyState;

namespace {

std::vector<std::string> names(const std::vector<StatusCondition>& cs) {
  std::vector<std::string> out;
  out.reserve(cs.size());
  for (const auto& c : cs) {
    out.push_back(c.subject.empty() ? c.condition : c.condition + ":" + c.subject);
  }
  return out;
}

Supply supply(std::string type, std::string description, std::optional<int> percent,
              SupplyState state = SupplyState::kOk, std::string cls = "consumed") {
  Supply s;
  s.type = std::move(type);
  s.description = std::move(description);
  s.levelPercent = percent;
  s.state = state;
  s.supplyClass = std::move(cls);
  return s;
}

}  // namespace

TEST_CASE("error bits and alert codes name conditions once", "[server][events]") {
  Status s;
  s.errors = {"jammed", "doorOpen", "lowToner", "noPaper", "overduePreventMaint", "offline"};
  s.alerts = {{1, "critical", "mediaPath", 8, "Jam in tray 2"},
              {2, "warning", "markerSupplies", 1104, "Toner low"},
              {3, "critical", "marker", 1001, "Fuser under temperature"},
              {4, "info", "generalPrinter", 7, "Configuration change"},
              {5, "warning", "input", 807, "Paper low"}};
  const auto cs = statusConditions(s);
  CHECK(names(cs) == std::vector<std::string>{"door_open", "jam", "offline", "paper_out",
                                              "printer_alert:input/807",
                                              "printer_alert:marker/1001", "service_requested"});
  for (const auto& c : cs) {
    if (c.condition == "service_requested") CHECK(c.severity == "critical");
    if (c.subject == "marker/1001") CHECK(c.text == "Fuser under temperature");
  }
}

TEST_CASE("a vendor code is a condition of its own per code", "[server][events]") {
  Status s;
  s.vendorCode = "C6000";
  CHECK(names(statusConditions(s)) == std::vector<std::string>{"vendor_error:C6000"});
  CHECK(statusConditions(Status{}).empty());
}

TEST_CASE("supply families", "[server][events]") {
  CHECK(supplyFamily(supply("toner", "Black Toner", 50)) == "toner");
  CHECK(supplyFamily(supply("inkCartridge", "Cyan", 50)) == "toner");
  CHECK(supplyFamily(supply("opc", "Drum Unit", 50)) == "drum");
  CHECK(supplyFamily(supply("fuser", "Fuser Kit", 50)) == "fuser");
  CHECK(supplyFamily(supply("wasteToner", "Waste Toner Box", 50, SupplyState::kOk, "receptacle")) ==
        "waste_toner");
  CHECK(supplyFamily(supply("other", "Waste toner container", 50)) == "waste_toner");
  CHECK(supplyFamily(supply("", "TK-1150 Toner Cartridge", 50)) == "toner");
  CHECK(supplyFamily(supply("transferUnit", "Transfer Belt", 50)) == "kit");
  CHECK(supplyFamily(supply("maintenanceKit", "MK-1150", 50)) == "kit");
  CHECK(supplyFamily(supply("input", "Tray 1", 50)).empty());
  CHECK(supplyFamily(supply("output", "Output Bin", 50)).empty());
}

TEST_CASE("supply bands by level, or by state without one", "[server][events]") {
  const std::vector<int> points{20, 10};
  CHECK(supplyBand(supply("toner", "", 21), points) == 0);
  CHECK(supplyBand(supply("toner", "", 20), points) == 1);
  CHECK(supplyBand(supply("toner", "", 11), points) == 1);
  CHECK(supplyBand(supply("toner", "", 10), points) == 2);
  CHECK(supplyBand(supply("toner", "", 1), points) == 2);
  CHECK(supplyBand(supply("toner", "", 0), points) == 3);
  CHECK(supplyBand(supply("toner", "", std::nullopt, SupplyState::kLow), points) == 1);
  CHECK(supplyBand(supply("toner", "", std::nullopt, SupplyState::kEmpty), points) == 3);
  CHECK(supplyBand(supply("toner", "", std::nullopt, SupplyState::kSomeRemaining), points) == 0);
  CHECK_FALSE(supplyBand(supply("toner", "", std::nullopt, SupplyState::kUnknown), points));
}

TEST_CASE("the alert engine acts on some kinds only", "[server][events]") {
  CHECK(forAlerts(kStatusRaised));
  CHECK(forAlerts(kSupplyLevel));
  CHECK(forAlerts(kDeviceBack));
  CHECK_FALSE(forAlerts(kNewDevice));
  CHECK_FALSE(forAlerts("firmware_changed"));
  CHECK_FALSE(forAlerts(kNote));
}

TEST_CASE("a vendor status line that says ready, asleep or busy is no error", "[server][events]") {
  for (const char* line : {"Ready", "  READY", "Sleep mode on", "Printing...", "Processing job",
                           "Powersave on", "Bereit", "Warming up"}) {
    openmps::model::Status s;
    s.vendorCode = line;
    CHECK(statusConditions(s).empty());
  }
  openmps::model::Status jam;
  jam.vendorCode = "13.B2.D2 Jam in tray 2";
  CHECK(names(statusConditions(jam)) ==
        std::vector<std::string>{"vendor_error:13.B2.D2 Jam in tray 2"});
}

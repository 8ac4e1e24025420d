#include "client/pmd/engine.hpp"

#include <algorithm>

#include <catch2/catch.hpp>

#include "client/pmd/printer_mib.hpp"
#include "openmps_test_dirs.hpp"
#include "shared/pmd/load.hpp"

using namespace openmps::client::pmd;
using openmps::model::SupplyState;
using openmps::pmd::Catalog;
using openmps::pmd::Definition;
using openmps::pmd::parseDefinition;
using openmps::snmp::Oid;
using openmps::snmp::Value;

namespace {

const Catalog& projectCatalog() {
  static const Catalog catalog = Catalog::loadDirectory(OPENMPS_SOURCE_DIR "/pmd");
  return catalog;
}

// A device as a list of "oid = value" lines: numbers are INTEGER, quoted
// text is OCTET STRING, "oid:" is an OBJECT IDENTIFIER, "hex:" raw octets.
Snapshot snapshotOf(std::initializer_list<std::pair<const char*, Value>> rows) {
  Snapshot s;
  for (const auto& [oid, value] : rows) {
    s.add({Oid::of(oid), value});
  }
  return s;
}

Value num(std::int64_t v) {
  return Value::integer(v);
}
Value str(const char* v) {
  return Value::octets(v);
}
Value oid(const char* v) {
  return Value::objectId(Oid::of(v));
}

const openmps::model::Supply* supplyNamed(const openmps::model::Reading& r, const std::string& d) {
  for (const auto& s : r.supplies) {
    if (s.description == d) {
      return &s;
    }
  }
  return nullptr;
}

}  // namespace

TEST_CASE("generic: identity, total, supplies with sentinels, status, alerts") {
  const Snapshot device = snapshotOf({
      {"1.3.6.1.2.1.1.1.0", str("Some Printer 1.0")},
      {"1.3.6.1.2.1.1.2.0", oid("1.3.6.1.4.1.424242.1")},
      {"1.3.6.1.2.1.1.5.0", str("prn-1")},
      {"1.3.6.1.2.1.1.6.0", str("2nd floor")},
      {"1.3.6.1.2.1.2.2.1.6.1", str("")},
      {"1.3.6.1.2.1.2.2.1.6.2", Value::octets(std::string("\x00\x1b\x2c\x3d\x4e\x5f", 6))},
      {"1.3.6.1.2.1.25.3.2.1.2.1", oid("1.3.6.1.2.1.25.3.1.5")},
      {"1.3.6.1.2.1.25.3.2.1.3.1", str("Acme LaserWriter 9000")},
      {"1.3.6.1.2.1.25.3.2.1.5.1", num(3)},
      {"1.3.6.1.2.1.25.3.5.1.1.1", num(3)},
      {"1.3.6.1.2.1.25.3.5.1.2.1", Value::octets(std::string("\x50\x00", 2))},
      {"1.3.6.1.2.1.43.5.1.1.17.1", str("SER123  ")},
      {"1.3.6.1.2.1.43.10.2.1.3.1.1", num(7)},
      {"1.3.6.1.2.1.43.10.2.1.4.1.1", num(123456)},
      // Supplies: black toner 40 %, cyan -3, magenta -2, yellow -1, waste receptacle 0 of 100.
      {"1.3.6.1.2.1.43.11.1.1.3.1.1", num(1)},
      {"1.3.6.1.2.1.43.11.1.1.4.1.1", num(3)},
      {"1.3.6.1.2.1.43.11.1.1.5.1.1", num(3)},
      {"1.3.6.1.2.1.43.11.1.1.6.1.1", str("Toner K  TN-999")},
      {"1.3.6.1.2.1.43.11.1.1.7.1.1", num(7)},
      {"1.3.6.1.2.1.43.11.1.1.8.1.1", num(5000)},
      {"1.3.6.1.2.1.43.11.1.1.9.1.1", num(2000)},
      {"1.3.6.1.2.1.43.11.1.1.3.1.2", num(2)},
      {"1.3.6.1.2.1.43.11.1.1.6.1.2", str("Toner C")},
      {"1.3.6.1.2.1.43.11.1.1.8.1.2", num(100)},
      {"1.3.6.1.2.1.43.11.1.1.9.1.2", num(-3)},
      {"1.3.6.1.2.1.43.11.1.1.6.1.3", str("Magenta Toner")},
      {"1.3.6.1.2.1.43.11.1.1.8.1.3", num(-2)},
      {"1.3.6.1.2.1.43.11.1.1.9.1.3", num(-2)},
      {"1.3.6.1.2.1.43.11.1.1.6.1.4", str("Yellow Toner")},
      {"1.3.6.1.2.1.43.11.1.1.9.1.4", num(-1)},
      {"1.3.6.1.2.1.43.11.1.1.4.1.5", num(4)},
      {"1.3.6.1.2.1.43.11.1.1.5.1.5", num(4)},
      {"1.3.6.1.2.1.43.11.1.1.6.1.5", str("Waste Toner Box")},
      {"1.3.6.1.2.1.43.11.1.1.8.1.5", num(100)},
      {"1.3.6.1.2.1.43.11.1.1.9.1.5", num(0)},
      {"1.3.6.1.2.1.43.12.1.1.4.1.1", str("black")},
      {"1.3.6.1.2.1.43.12.1.1.4.1.2", str("cyan")},
      // A paper tray: at least one sheet (-3).
      {"1.3.6.1.2.1.43.8.2.1.2.1.1", num(4)},
      {"1.3.6.1.2.1.43.8.2.1.9.1.1", num(250)},
      {"1.3.6.1.2.1.43.8.2.1.10.1.1", num(-3)},
      {"1.3.6.1.2.1.43.8.2.1.13.1.1", str("Tray 1")},
      // Alerts: a jam with no description, a vendor-worded toner low.
      {"1.3.6.1.2.1.43.18.1.1.2.1.1", num(3)},
      {"1.3.6.1.2.1.43.18.1.1.4.1.1", num(13)},
      {"1.3.6.1.2.1.43.18.1.1.7.1.1", num(8)},
      {"1.3.6.1.2.1.43.18.1.1.2.1.2", num(4)},
      {"1.3.6.1.2.1.43.18.1.1.4.1.2", num(11)},
      {"1.3.6.1.2.1.43.18.1.1.7.1.2", num(1104)},
      {"1.3.6.1.2.1.43.18.1.1.8.1.2", str("Cyan toner low")},
  });
  const auto& def = selectDefinition(projectCatalog(), device);
  CHECK(def.id == "generic");
  const auto r = evaluate(def, device, {"127.0.0.1:161", "127.0.0.1"});
  CHECK(r.identity.model == "Acme LaserWriter 9000");
  CHECK(r.identity.serial == "SER123");
  CHECK(r.identity.mac == "00:1b:2c:3d:4e:5f");
  CHECK(r.identity.hostName == "prn-1");
  CHECK(r.identity.location == "2nd floor");
  CHECK(r.identity.ip == "127.0.0.1");
  CHECK(r.identity.sysObjectId == "1.3.6.1.4.1.424242.1");
  CHECK(r.counters.at("total") == 123456);
  CHECK(r.counters.size() == 1);

  const auto* black = supplyNamed(r, "Toner K  TN-999");
  REQUIRE(black != nullptr);
  CHECK(black->type == "toner");
  CHECK(black->color == "black");
  CHECK(black->unit == "impressions");
  CHECK(black->levelPercent == 40);
  CHECK(black->state == SupplyState::kOk);
  const auto* cyan = supplyNamed(r, "Toner C");
  REQUIRE(cyan != nullptr);
  CHECK(cyan->color == "cyan");  // from the colorant table
  CHECK_FALSE(cyan->levelPercent);
  CHECK(cyan->state == SupplyState::kSomeRemaining);
  CHECK(supplyNamed(r, "Magenta Toner")->state == SupplyState::kUnknown);
  CHECK(supplyNamed(r, "Yellow Toner")->state == SupplyState::kOther);
  const auto* waste = supplyNamed(r, "Waste Toner Box");
  CHECK(waste->supplyClass == "receptacle");
  CHECK(waste->state == SupplyState::kFull);
  const auto* tray = supplyNamed(r, "Tray 1");
  REQUIRE(tray != nullptr);
  CHECK(tray->type == "input");
  CHECK(tray->state == SupplyState::kSomeRemaining);

  CHECK(r.status.printerStatus == "idle");
  CHECK(r.status.deviceStatus == "warning");
  CHECK(r.status.errors == std::vector<std::string>{"noPaper", "noToner"});
  REQUIRE(r.status.alerts.size() == 2);
  CHECK(r.status.alerts[0].severity == "critical");
  CHECK(r.status.alerts[0].group == "mediaPath");
  CHECK(r.status.alerts[0].code == 8);
  CHECK(r.status.alerts[0].text == "jam");
  CHECK(r.status.alerts[1].text == "Cyan toner low");
  CHECK(r.capabilities.color == true);
  CHECK(r.capabilities.inputTrays == 1);
  CHECK(r.origin.pmd == "generic");
}

TEST_CASE("generic: a life count in inches is not a page count") {
  const Snapshot device = snapshotOf({
      {"1.3.6.1.2.1.43.10.2.1.3.1.1", num(3)},
      {"1.3.6.1.2.1.43.10.2.1.4.1.1", num(1920)},
  });
  const auto r = evaluate(projectCatalog().generic(), device, {});
  CHECK(r.counters.empty());
}

TEST_CASE("detected error bits follow RFC 2790 bit order") {
  CHECK(detectedErrorNames(std::string("\x80", 1)) == std::vector<std::string>{"lowPaper"});
  CHECK(detectedErrorNames(std::string("\x01", 1)) == std::vector<std::string>{"serviceRequested"});
  CHECK(detectedErrorNames(std::string("\x00\x80", 2)) ==
        std::vector<std::string>{"inputTrayMissing"});
  CHECK(detectedErrorNames(std::string("\x00\x02", 2)) ==
        std::vector<std::string>{"overduePreventMaint"});
  CHECK(detectedErrorNames("").empty());
}

namespace {
const char* const kVendor = R"Y(pmd: 1
name: Test vendor
priority: 10
match:
  - sysObjectId: [1.3.6.1.4.1.99999]
identity:
  manufacturer: [{value: Testco}]
  serial: [{oid: 1.3.6.1.2.1.1.1.0, regex: "SN:([A-Z0-9]+)"}]
counters:
  total: [{oid: 1.3.6.1.4.1.99999.1.0, skipZero: true}]
  print.total:
    - {walk: 1.3.6.1.4.1.99999.2.1.3, keyColumn: 1.3.6.1.4.1.99999.2.1.2, key: "Printer: Total"}
  copy.total:
    - {walk: 1.3.6.1.4.1.99999.2.1.3, index: "20"}
  color:
    - {walk: 1.3.6.1.4.1.99999.2.1.3, keyColumn: 1.3.6.1.4.1.99999.2.1.2, keyPattern: "colou?r", aggregate: sum}
  mono:
    - difference: [{counter: total}, {counter: color}]
  scan.total:
    - sum: [1.3.6.1.4.1.99999.3.1.0, 1.3.6.1.4.1.99999.3.2.0]
  fax.total:
    - sum: [1.3.6.1.4.1.99999.3.1.0, 1.3.6.1.4.1.99999.3.9.0]
checks:
  - counter: total
    against: prtMarkerLifeCount.1.1
    maxDeviationPercent: 5
    action: useReference
status:
  vendorCode: [{oid: 1.3.6.1.4.1.99999.9.0, map: {"10": "ready", "40": "paper jam"}}]
capabilities:
  duplex: [{value: "true"}]
)Y";
}  // namespace

TEST_CASE("vendor: matching, fallbacks, tables by label and code, sums, differences, checks") {
  const Catalog catalog = Catalog::build(
      {parseDefinition("pmd: 1\nname: g\ncounters:\n  total: [prtMarkerLifeCount.1.1]\n",
                       "generic.yaml", "generic"),
       parseDefinition(kVendor, "test.yaml", "test")});
  Snapshot device = snapshotOf({
      {"1.3.6.1.2.1.1.1.0", str("TESTCO X1 SN:ABC123,FW 2")},
      {"1.3.6.1.2.1.1.2.0", oid("1.3.6.1.4.1.99999.7.1")},
      {"1.3.6.1.2.1.43.10.2.1.4.1.1", num(1000)},
      {"1.3.6.1.4.1.99999.1.0", num(0)},  // unset vendor total: skipped, generic used
      {"1.3.6.1.4.1.99999.2.1.2.10", str("Printer: Total")},
      {"1.3.6.1.4.1.99999.2.1.3.10", num(600)},
      {"1.3.6.1.4.1.99999.2.1.2.20", str("Copier: Total")},
      {"1.3.6.1.4.1.99999.2.1.3.20", num(400)},
      {"1.3.6.1.4.1.99999.2.1.2.30", str("Printer: Full Color")},
      {"1.3.6.1.4.1.99999.2.1.3.30", num(150)},
      {"1.3.6.1.4.1.99999.2.1.2.31", str("Copier: Full Colour")},
      {"1.3.6.1.4.1.99999.2.1.3.31", num(50)},
      {"1.3.6.1.4.1.99999.3.1.0", num(7)},
      {"1.3.6.1.4.1.99999.3.2.0", num(8)},
      {"1.3.6.1.4.1.99999.9.0", num(40)},
  });
  const auto& def = selectDefinition(catalog, device);
  REQUIRE(def.id == "test");
  auto r = evaluate(def, device, {});
  CHECK(r.identity.manufacturer == "Testco");
  CHECK(r.identity.serial == "ABC123");
  CHECK(r.counters.at("total") == 1000);
  CHECK(r.counters.at("print.total") == 600);
  CHECK(r.counters.at("copy.total") == 400);
  CHECK(r.counters.at("color") == 200);
  CHECK(r.counters.at("mono") == 800);
  CHECK(r.counters.at("scan.total") == 15);
  CHECK_FALSE(r.counters.contains("fax.total"));  // one part missing: no half sum
  CHECK(r.status.vendorCode == "paper jam");
  CHECK(r.capabilities.duplex == true);
  CHECK(r.notes.empty());

  SECTION("a vendor total far from prtMarkerLifeCount is replaced, with a note") {
    device.add({Oid::of("1.3.6.1.4.1.99999.1.0"), num(5000)});
    r = evaluate(def, device, {});
    CHECK(r.counters.at("total") == 1000);
    REQUIRE(r.notes.size() == 1);
    CHECK_THAT(r.notes[0], Catch::Contains("differs from the reference 1000"));
  }
  SECTION("a vendor total close to prtMarkerLifeCount is kept") {
    device.add({Oid::of("1.3.6.1.4.1.99999.1.0"), num(1010)});
    r = evaluate(def, device, {});
    CHECK(r.counters.at("total") == 1010);
    CHECK(r.counters.at("mono") == 810);
  }
  SECTION("a negative difference is left out") {
    device.add({Oid::of("1.3.6.1.4.1.99999.2.1.3.30"), num(5000)});
    r = evaluate(def, device, {});
    CHECK_FALSE(r.counters.contains("mono"));
  }
  SECTION("without the vendor sysObjectID the generic definition reads it") {
    Snapshot other = snapshotOf({{"1.3.6.1.2.1.1.2.0", oid("1.3.6.1.4.1.5.1")}});
    CHECK(selectDefinition(catalog, other).id == "generic");
  }
}

TEST_CASE("fetch plans: phase one is one GET, phase two walks each column it reads once") {
  const auto& catalog = projectCatalog();
  const FetchPlan one = planIdentify(catalog);
  CHECK(one.walks.empty());
  CHECK(std::find(one.gets.begin(), one.gets.end(), Oid::of("1.3.6.1.2.1.1.2.0")) !=
        one.gets.end());
  Snapshot phaseOne;
  for (const auto& o : one.gets) {
    phaseOne.add({o, Value::integer(1)});
  }
  const FetchPlan two = planRead(catalog.generic(), phaseOne);
  CHECK(two.gets.empty());  // phase one had them all
  for (std::size_t i = 0; i < two.walks.size(); ++i) {
    for (std::size_t j = 0; j < two.walks.size(); ++j) {
      CHECK((i == j || !two.walks[i].isPrefixOf(two.walks[j])));
    }
  }
  // Only the columns read: hrDeviceType, hrDeviceDescr and hrDeviceStatus of
  // hrDeviceTable, not its entry; of prtInputEntry's two dozen columns, the
  // five the generic definition reads.
  auto has = [&](const char* oid) {
    return std::find(two.walks.begin(), two.walks.end(), Oid::of(oid)) != two.walks.end();
  };
  CHECK(has("1.3.6.1.2.1.25.3.2.1.2"));
  CHECK(has("1.3.6.1.2.1.25.3.2.1.3"));
  CHECK(has("1.3.6.1.2.1.25.3.2.1.5"));
  CHECK_FALSE(has("1.3.6.1.2.1.25.3.2.1"));
  CHECK_FALSE(has("1.3.6.1.2.1.25.3.2.1.4"));
  CHECK(std::count_if(two.walks.begin(), two.walks.end(), [](const Oid& w) {
          return Oid::of("1.3.6.1.2.1.43.8.2.1").isPrefixOf(w);
        }) == 5);
  // A supply table's columns, and the colorant table's value column.
  CHECK(has("1.3.6.1.2.1.43.11.1.1.9"));
  CHECK(has("1.3.6.1.2.1.43.11.1.1.6"));
  CHECK_FALSE(has("1.3.6.1.2.1.43.11.1.1"));
  CHECK(has("1.3.6.1.2.1.43.12.1.1.4"));
  CHECK(has("1.3.6.1.2.1.43.18.1.1.7"));
}

TEST_CASE("supplies: descriptions split into name, part number and serial") {
  const char* const kDef = R"Y(pmd: 1
name: v
match: [{sysDescr: "^V "}]
supplies:
  - name: markerSupplies
    entry: prtMarkerSuppliesEntry
    columns: {description: 6, max: 8, level: 9, partNumber: 20}
supplyPatterns:
  - {regex: "^(.*?)\\s*,\\s*PN\\s*([^;]*?)\\s*;\\s*SN\\s*(\\S*)\\s*$", name: 1, partNumber: 2, serial: 3}
  - {regex: "^(.*?)\\s*S/N:\\s*(\\S*)$", name: 1, serial: 2}
)Y";
  const Catalog catalog =
      Catalog::build({parseDefinition("pmd: 1\nname: g\n", "generic.yaml", "generic"),
                      parseDefinition(kDef, "v.yaml", "v")});
  Snapshot device = snapshotOf({
      {"1.3.6.1.2.1.1.1.0", str("V 1")},
      {"1.3.6.1.2.1.43.11.1.1.6.1.1", str("Black Toner, PN 006R01700;SN4X7654321")},
      {"1.3.6.1.2.1.43.11.1.1.6.1.2", str("Fuser, PN unknown;SNunknown")},
      {"1.3.6.1.2.1.43.11.1.1.6.1.3", str("Drum S/N:CRUM-1234")},
      {"1.3.6.1.2.1.43.11.1.1.6.1.4", str("Waste Toner Box")},
      {"1.3.6.1.2.1.43.11.1.1.6.1.5", str("Cyan Toner, PN 006R01701;SN77")},
      {"1.3.6.1.2.1.43.11.1.1.20.1.5", str("106R00001")},  // a part number column wins
  });
  for (int i = 1; i <= 5; ++i) {
    device.add({Oid::of("1.3.6.1.2.1.43.11.1.1.8.1." + std::to_string(i)), num(100)});
    device.add({Oid::of("1.3.6.1.2.1.43.11.1.1.9.1." + std::to_string(i)), num(50)});
  }
  const auto& def = selectDefinition(catalog, device);
  REQUIRE(def.id == "v");
  const auto r = evaluate(def, device, {});
  REQUIRE(r.supplies.size() == 5);
  CHECK(r.supplies[0].description == "Black Toner");
  CHECK(r.supplies[0].partNumber == "006R01700");
  CHECK(r.supplies[0].serial == "4X7654321");
  CHECK(r.supplies[1].description == "Fuser");  // "unknown" is no number
  CHECK(r.supplies[1].partNumber.empty());
  CHECK(r.supplies[1].serial.empty());
  CHECK(r.supplies[2].description == "Drum");  // the first pattern that matches
  CHECK(r.supplies[2].serial == "CRUM-1234");
  CHECK(r.supplies[2].partNumber.empty());
  CHECK(r.supplies[3].description == "Waste Toner Box");  // no pattern matches: unchanged
  CHECK(r.supplies[3].serial.empty());
  CHECK(r.supplies[4].partNumber == "106R00001");
  CHECK(r.supplies[4].serial == "77");
  CHECK(r.supplies[4].description == "Cyan Toner");
}

TEST_CASE("supplies: part and serial numbers from a vendor table, by index or by description") {
  const char* const kDef = R"Y(pmd: 1
name: v
match: [{sysDescr: "^V "}]
supplies:
  - name: markerSupplies
    entry: prtMarkerSuppliesEntry
    columns: {description: 6, max: 8, level: 9}
    join:
      entry: 1.3.6.1.4.1.99999.6.1
      on: {description: 5}
      columns: {partNumber: 7, serial: 6}
  - name: inputTrays
    entry: prtInputEntry
    columns: {description: 13, max: 9, level: 10}
    type: input
    join: {entry: 1.3.6.1.4.1.99999.7.1, on: index, columns: {partNumber: 2}}
)Y";
  const Catalog catalog =
      Catalog::build({parseDefinition("pmd: 1\nname: g\n", "generic.yaml", "generic"),
                      parseDefinition(kDef, "v.yaml", "v")});
  const Snapshot device = snapshotOf({
      {"1.3.6.1.2.1.1.1.0", str("V 1")},
      {"1.3.6.1.2.1.43.11.1.1.6.1.1", str("Black Cartridge")},
      {"1.3.6.1.2.1.43.11.1.1.8.1.1", num(100)},
      {"1.3.6.1.2.1.43.11.1.1.9.1.1", num(80)},
      {"1.3.6.1.2.1.43.11.1.1.6.1.2", str("Imaging Unit")},
      {"1.3.6.1.2.1.43.11.1.1.8.1.2", num(100)},
      {"1.3.6.1.2.1.43.11.1.1.9.1.2", num(90)},
      // The vendor table has its own order and index.
      {"1.3.6.1.4.1.99999.6.1.5.1.1", str("Imaging Unit")},
      {"1.3.6.1.4.1.99999.6.1.6.1.1", str("IU0001")},
      {"1.3.6.1.4.1.99999.6.1.7.1.1", str("56F0Z00")},
      {"1.3.6.1.4.1.99999.6.1.5.1.2", str("black cartridge")},
      {"1.3.6.1.4.1.99999.6.1.6.1.2", str("CA1234")},
      {"1.3.6.1.4.1.99999.6.1.7.1.2", str("56F2000")},
      {"1.3.6.1.2.1.43.8.2.1.13.1.1", str("Tray 1")},
      {"1.3.6.1.2.1.43.8.2.1.9.1.1", num(250)},
      {"1.3.6.1.2.1.43.8.2.1.10.1.1", num(-3)},
      {"1.3.6.1.4.1.99999.7.1.2.1.1", str("TRAY-250")},
  });
  const auto& def = selectDefinition(catalog, device);
  REQUIRE(def.id == "v");
  const auto plan = planRead(def, Snapshot{});
  auto walked = [&](const char* o) {
    return std::find(plan.walks.begin(), plan.walks.end(), Oid::of(o)) != plan.walks.end();
  };
  CHECK(walked("1.3.6.1.4.1.99999.6.1.5"));  // the key column
  CHECK(walked("1.3.6.1.4.1.99999.6.1.6"));
  CHECK(walked("1.3.6.1.4.1.99999.6.1.7"));
  CHECK(walked("1.3.6.1.4.1.99999.7.1.2"));
  const auto r = evaluate(def, device, {});
  REQUIRE(r.supplies.size() == 3);
  CHECK(r.supplies[0].partNumber == "56F2000");  // found by its description, any case
  CHECK(r.supplies[0].serial == "CA1234");
  CHECK(r.supplies[1].partNumber == "56F0Z00");
  CHECK(r.supplies[1].serial == "IU0001");
  CHECK(r.supplies[2].partNumber == "TRAY-250");  // by the row index
}

TEST_CASE("walk rows: index endings and key rows by an index prefix") {
  CHECK(indexEndsWith(Oid::of("5.3.3"), Oid::of("3.3")));
  CHECK(indexEndsWith(Oid::of("3.3"), Oid::of("3.3")));
  CHECK_FALSE(indexEndsWith(Oid::of("5.3.4"), Oid::of("3.3")));
  CHECK_FALSE(indexEndsWith(Oid::of("3"), Oid::of("3.3")));
  CHECK(keyRowOf(Oid::of("5.3.3"), 1) == Oid::of("5"));
  CHECK(keyRowOf(Oid::of("5.3.3"), 0) == Oid::of("5.3.3"));
  CHECK(keyRowOf(Oid::of("5.3.3"), 3) == Oid::of("5.3.3"));
  CHECK_FALSE(keyRowOf(Oid::of("5.3"), 3));
}

// PWG-IMAGING-COUNTER-MIB: icKeyServiceType (1.3.6.1.4.1.2699.1.3.1.2.1.1.2)
// by key index; icImageTotalImages (...1.7.1.1.4) by (key index, workType,
// persistence). Key 1 is the print service (11), key 2 the scan service
// (12); workTotals = 3, datastream = 4; lifetime = 3, powerOn = 4.
TEST_CASE("scanners: the scan counter comes from the PWG imaging counters") {
  const auto& catalog = projectCatalog();
  Snapshot device = snapshotOf({
      {"1.3.6.1.2.1.1.1.0", str("EPSON Scan Server")},
      {"1.3.6.1.2.1.1.2.0", oid("1.3.6.1.4.1.1248.1")},
      {"1.3.6.1.4.1.2699.1.3.1.2.1.1.2.1", num(11)},
      {"1.3.6.1.4.1.2699.1.3.1.2.1.1.2.2", num(12)},
      {"1.3.6.1.4.1.2699.1.3.1.7.1.1.4.1.3.3", num(999)},
      {"1.3.6.1.4.1.2699.1.3.1.7.1.1.4.2.3.4", num(17)},    // since power on
      {"1.3.6.1.4.1.2699.1.3.1.7.1.1.4.2.4.3", num(5000)},  // datastream, not work totals
      {"1.3.6.1.4.1.2699.1.3.1.7.1.1.4.2.3.3", num(48210)},
  });
  const auto id = identify(catalog, device);
  REQUIRE(id.kind == DeviceKind::kScanner);
  const auto& def = *id.definition;
  const auto plan = planRead(def, Snapshot{});
  const auto walked = [&](const char* column) {
    return std::find(plan.walks.begin(), plan.walks.end(), Oid::of(column)) != plan.walks.end();
  };
  CHECK(walked("1.3.6.1.4.1.2699.1.3.1.7.1.1.4"));
  CHECK(walked("1.3.6.1.4.1.2699.1.3.1.2.1.1.2"));
  auto r = evaluate(def, device, {});
  CHECK(r.counters.at("scan.total") == 48210);
  CHECK_FALSE(r.counters.contains("total"));

  SECTION("no scan service in the key table: no scan counter") {
    device.add({Oid::of("1.3.6.1.4.1.2699.1.3.1.2.1.1.2.2"), num(4)});  // copy
    r = evaluate(def, device, {});
    CHECK_FALSE(r.counters.contains("scan.total"));
  }
}

TEST_CASE("identify: definitions decide, the standard MIBs decide for the rest") {
  const auto& catalog = projectCatalog();
  SECTION("a vendor definition that matches makes a printer without any printer MIB") {
    const auto id =
        identify(catalog, snapshotOf({{"1.3.6.1.2.1.1.1.0", str("LANIER MP 1 / x")},
                                      {"1.3.6.1.2.1.1.2.0", oid("1.3.6.1.4.1.367.1.1")}}));
    CHECK(id.kind == DeviceKind::kPrinter);
    CHECK(id.definition->id == "lanier");
    CHECK(id.read());
  }
  SECTION("a scanner definition makes a scanner") {
    const auto id =
        identify(catalog, snapshotOf({{"1.3.6.1.2.1.1.1.0", str("EPSON Scan Server")},
                                      {"1.3.6.1.2.1.1.2.0", oid("1.3.6.1.4.1.1248.1")}}));
    CHECK(id.kind == DeviceKind::kScanner);
    CHECK(id.definition->id == "epson_scanner");
    CHECK(std::string(toString(id.kind)) == "scanner");
  }
  SECTION("nothing matches: a printer by the standard MIBs") {
    CHECK(identify(catalog, snapshotOf({{"1.3.6.1.2.1.1.2.0", oid("1.3.6.1.4.1.424242")},
                                        {"1.3.6.1.2.1.43.10.2.1.4.1.1", num(5)}}))
              .kind == DeviceKind::kPrinter);
    CHECK(identify(catalog, snapshotOf({{"1.3.6.1.2.1.1.2.0", oid("1.3.6.1.4.1.424242")},
                                        {"1.3.6.1.2.1.25.3.2.1.2.1", oid("1.3.6.1.2.1.25.3.1.3")},
                                        {"1.3.6.1.2.1.25.3.2.1.2.7", oid("1.3.6.1.2.1.25.3.1.5")}}))
              .kind == DeviceKind::kPrinter);
  }
  SECTION("nothing matches and no printer MIB: other, never read") {
    const auto id = identify(
        catalog, snapshotOf({{"1.3.6.1.2.1.1.1.0", str("Linux host 6.1.0")},
                             {"1.3.6.1.2.1.1.2.0", oid("1.3.6.1.4.1.8072.3.2.10")},
                             {"1.3.6.1.2.1.25.3.2.1.2.196608", oid("1.3.6.1.2.1.25.3.1.3")}}));
    CHECK(id.kind == DeviceKind::kOther);
    CHECK_FALSE(id.read());
    CHECK(id.definition->id == "generic");
    CHECK(std::string(toString(id.kind)) == "other");
  }
  SECTION("a printer vendor's other products are not taken for printers") {
    for (const auto& [objectId, descr] : std::vector<std::pair<const char*, const char*>>{
             {"1.3.6.1.4.1.11.2.3.7.11.153", "HP J9776A 2530-24G Switch, revision YA.16.10"},
             {"1.3.6.1.4.1.1248.4.1.1", "EPSON Projector EB-992F"},
             {"1.3.6.1.4.1.236.4.1", "Samsung SRN-1670D Network Video Recorder"},
             {"1.3.6.1.4.1.186.1.2", "TOSHIBA NAS"}}) {
      INFO(descr);
      const auto id = identify(catalog, snapshotOf({{"1.3.6.1.2.1.1.1.0", str(descr)},
                                                    {"1.3.6.1.2.1.1.2.0", oid(objectId)}}));
      CHECK(id.kind == DeviceKind::kOther);
    }
  }
}

TEST_CASE("a Counter64 above 2^63-1 is refused with its exact value, never clamped") {
  const Catalog catalog = Catalog::build({parseDefinition(
      "pmd: 1\nname: g\ncounters:\n  total: [1.3.6.1.4.1.99999.5.0, prtMarkerLifeCount.1.1]\n",
      "generic.yaml", "generic")});
  Value huge{openmps::snmp::ValueType::kCounter64, 0, UINT64_MAX, {}, {}};
  const Snapshot device = snapshotOf({
      {"1.3.6.1.4.1.99999.5.0", huge},
      {"1.3.6.1.2.1.43.10.2.1.4.1.1", num(1234)},
  });
  const auto r = evaluate(catalog.generic(), device, {});
  CHECK(r.counters.at("total") == 1234);
  REQUIRE(r.notes.size() == 1);
  CHECK_THAT(r.notes[0], Catch::Contains("18446744073709551615 from 1.3.6.1.4.1.99999.5.0"));
  CHECK_THAT(r.notes[0], Catch::Contains("not a plausible page count"));
}

// Each vendor definition in pmd/ over a small snapshot of what such a device
// answers: the right definition is chosen and its vendor objects land in the
// right fields.
#include <catch2/catch.hpp>

#include "client/pmd/engine.hpp"
#include "openmps_test_dirs.hpp"
#include "shared/pmd/load.hpp"

using namespace openmps::client::pmd;
using openmps::pmd::Catalog;
using openmps::snmp::Oid;
using openmps::snmp::Value;

namespace {

const Catalog& catalog() {
  static const Catalog kCatalog = Catalog::loadDirectory(OPENMPS_SOURCE_DIR "/pmd");
  return kCatalog;
}

struct Row {
  const char* oid;
  Value value;
};

Value num(std::int64_t v) {
  return Value::integer(v);
}
Value str(std::string v) {
  return Value::octets(std::move(v));
}

openmps::model::Reading read(const char* sysObjectId, const char* sysDescr,
                             std::initializer_list<Row> rows, std::string* pmdId) {
  Snapshot s;
  s.add({Oid::of("1.3.6.1.2.1.1.2.0"), Value::objectId(Oid::of(sysObjectId))});
  s.add({Oid::of("1.3.6.1.2.1.1.1.0"), str(sysDescr)});
  for (const auto& row : rows) {
    s.add({Oid::of(row.oid), row.value});
  }
  const auto& def = selectDefinition(catalog(), s);
  *pmdId = def.id;
  return evaluate(def, s, {"192.0.2.1:161", "192.0.2.1"});
}

}  // namespace

TEST_CASE("vendor: HP") {
  std::string id;
  const auto r = read("1.3.6.1.4.1.11.2.3.9.1", "HP ETHERNET MULTI-ENVIRONMENT,SN:CN123,PID:x",
                      {{"1.3.6.1.4.1.11.2.3.9.1.1.7.0", str("MFG:HP;MDL:HP Color LaserJet M455;")},
                       {"1.3.6.1.4.1.11.2.3.9.4.2.1.1.3.5.0", str("\x01\x15"
                                                                  "20230101")},
                       {"1.3.6.1.4.1.11.2.3.9.4.2.1.4.1.2.5.0", num(1000)},
                       {"1.3.6.1.4.1.11.2.3.9.4.2.1.4.1.2.6.0", num(700)},
                       {"1.3.6.1.4.1.11.2.3.9.4.2.1.4.1.2.22.0", num(120)},
                       {"1.3.6.1.2.1.43.10.2.1.4.1.1", num(1001)},
                       {"1.3.6.1.2.1.43.11.1.1.6.1.1", str("Black Cartridge HP W2030A")},
                       {"1.3.6.1.2.1.43.11.1.1.8.1.1", num(100)},
                       {"1.3.6.1.2.1.43.11.1.1.9.1.1", num(50)}},
                      &id);
  CHECK(id == "hp");
  CHECK(r.identity.manufacturer == "HP");
  CHECK(r.identity.model == "HP Color LaserJet M455");
  CHECK(r.identity.serial == "CN123");  // from sysDescr: no serial OID answered
  CHECK(r.identity.firmware == "20230101");
  CHECK(r.counters.at("total") == 1000);
  CHECK(r.counters.at("mono") == 700);
  CHECK(r.counters.at("color") == 300);  // total − mono: no colour counter answered
  CHECK(r.counters.at("duplex") == 120);
  CHECK(r.supplies.at(0).partNumber == "W2030A");
  CHECK(r.supplies.at(0).description == "Black Cartridge");
  CHECK(r.notes.empty());
}

TEST_CASE("vendor: Kyocera, and UTAX on top of it") {
  std::string id;
  auto r = read("1.3.6.1.4.1.1347.41", "KYOCERA Document Solutions Printing System",
                {{"1.3.6.1.4.1.1347.43.5.1.1.1.1", str("ECOSYS M6630cidn")},
                 {"1.3.6.1.4.1.1347.43.5.1.1.28.1", str("VCF0000001")},
                 {"1.3.6.1.4.1.1347.43.10.1.1.12.1.1", num(5000)},
                 {"1.3.6.1.4.1.1347.42.3.1.1.1.1.1", num(3000)},
                 {"1.3.6.1.4.1.1347.42.3.1.1.1.1.2", num(2000)},
                 {"1.3.6.1.4.1.1347.42.3.1.2.1.1.1.1", num(2500)},
                 {"1.3.6.1.4.1.1347.42.3.1.2.1.1.1.3", num(500)},
                 {"1.3.6.1.4.1.1347.42.3.1.2.1.1.2.1", num(1800)},
                 {"1.3.6.1.4.1.1347.42.3.1.2.1.1.2.3", num(200)}},
                &id);
  CHECK(id == "kyocera");
  CHECK(r.identity.model == "ECOSYS M6630cidn");
  CHECK(r.identity.serial == "VCF0000001");
  CHECK(r.counters.at("print.total") == 3000);
  CHECK(r.counters.at("copy.total") == 2000);
  CHECK(r.counters.at("mono") == 4300);
  CHECK(r.counters.at("color") == 700);
  r = read("1.3.6.1.4.1.1347.41", "TA_UTAX Printing System", {}, &id);
  CHECK(id == "utax");
  CHECK(r.identity.manufacturer == "UTAX");
}

TEST_CASE("vendor: Ricoh and its brands, from sysDescr alone") {
  std::string id;
  auto r = read("1.3.6.1.4.1.367.1.1", "NRG SP 4210N 1.05 / NRG Network Printer C model", {}, &id);
  CHECK(id == "nrg");
  CHECK(r.identity.manufacturer == "NRG");
  CHECK(r.identity.model == "SP 4210N");
  CHECK(r.identity.firmware == "1.05");
  r = read("1.3.6.1.4.1.367.1.1", "RICOH IM C3000 1.02 / RICOH Network Printer C model",
           {{"1.3.6.1.4.1.367.3.2.1.2.19.1.0", num(900)},
            {"1.3.6.1.4.1.367.3.2.1.2.19.5.1.5.1", str("Printer: Black & White")},
            {"1.3.6.1.4.1.367.3.2.1.2.19.5.1.9.1", num(400)},
            {"1.3.6.1.4.1.367.3.2.1.2.19.5.1.5.2", str("Printer: Full Color")},
            {"1.3.6.1.4.1.367.3.2.1.2.19.5.1.9.2", num(100)},
            {"1.3.6.1.4.1.367.3.2.1.2.19.5.1.5.3", str("Copier: Black & White")},
            {"1.3.6.1.4.1.367.3.2.1.2.19.5.1.9.3", num(300)},
            {"1.3.6.1.4.1.367.3.2.1.2.19.5.1.5.4", str("Copier: Full Color")},
            {"1.3.6.1.4.1.367.3.2.1.2.19.5.1.9.4", num(100)}},
           &id);
  CHECK(id == "ricoh");
  CHECK(r.counters.at("total") == 900);
  CHECK(r.counters.at("print.total") == 500);
  CHECK(r.counters.at("copy.color") == 100);
  CHECK(r.counters.at("mono") == 700);
  CHECK(r.counters.at("color") == 200);
  for (const char* brand : {"LANIER", "SAVIN", "Gestetner"}) {
    (void)read("1.3.6.1.4.1.367.1.1", (std::string(brand) + " MP C3501 2.01 / x").c_str(), {}, &id);
    CHECK(id == (std::string(brand) == "LANIER"  ? "lanier"
                 : std::string(brand) == "SAVIN" ? "savin"
                                                 : "gestetner"));
  }
}

TEST_CASE("vendor: Sharp counter table by function and colour code") {
  std::string id;
  const auto r = read("1.3.6.1.4.1.2385.3.1.112.1.2", "SHARP MX-3570N",
                      {{"1.3.6.1.4.1.2385.1.1.19.2.1.3.5.4.61", num(900)},
                       {"1.3.6.1.4.1.2385.1.1.19.2.1.3.5.4.63", num(100)},
                       {"1.3.6.1.4.1.2385.1.1.19.2.1.3.1.4.60", num(600)},
                       {"1.3.6.1.4.1.2385.1.1.19.2.1.3.4.4.60", num(400)},
                       {"1.3.6.1.4.1.2385.1.1.19.2.1.3.7.4.50", num(55)}},
                      &id);
  CHECK(id == "sharp");
  CHECK(r.identity.model == "MX-3570N");
  CHECK(r.counters.at("total") == 1000);  // mono + colour; no two-colour rows
  CHECK(r.counters.at("print.total") == 600);
  CHECK(r.counters.at("copy.total") == 400);
  CHECK(r.counters.at("scan.total") == 55);
}

TEST_CASE("vendor: Konica Minolta and Develop") {
  std::string id;
  auto r = read("1.3.6.1.4.1.18334.1.1.1.2.1.117.2.2", "KONICA MINOLTA bizhub C3110",
                {{"1.3.6.1.4.1.18334.1.1.1.1.6.1.0", str("1.80")},
                 {"1.3.6.1.4.1.18334.1.1.1.5.7.2.1.1.0", num(800)},
                 {"1.3.6.1.4.1.18334.1.1.1.5.7.2.2.1.5.1.1", num(100)},
                 {"1.3.6.1.4.1.18334.1.1.1.5.7.2.2.1.5.1.2", num(50)},
                 {"1.3.6.1.4.1.18334.1.1.1.5.7.2.2.1.5.2.1", num(500)},
                 {"1.3.6.1.4.1.18334.1.1.1.5.7.2.2.1.5.2.2", num(150)}},
                &id);
  CHECK(id == "konica_minolta");
  CHECK(r.identity.model == "bizhub C3110");
  CHECK(r.identity.firmware == "1.80");
  CHECK(r.counters.at("total") == 800);
  CHECK(r.counters.at("mono") == 600);
  CHECK(r.counters.at("color") == 200);
  r = read("1.3.6.1.4.1.18334.1.2.1.2.1.50.2.2", "Develop ineo  280", {}, &id);
  CHECK(id == "develop");
  CHECK(r.identity.manufacturer == "Develop");
  CHECK(r.identity.model == "ineo  280");
}

TEST_CASE("vendor: Xerox and Fujifilm") {
  std::string id;
  auto r = read("1.3.6.1.4.1.253.8.62.1.35.2.3.1.1", "Xerox AltaLink C8045; SS 100.002",
                {{"1.3.6.1.4.1.253.8.53.13.2.1.6.1.20.1", num(1000)},
                 {"1.3.6.1.4.1.253.8.53.13.2.1.6.1.20.33", num(250)},
                 {"1.3.6.1.2.1.43.10.2.1.4.1.1", num(1000)}},
                &id);
  CHECK(id == "xerox");
  CHECK(r.identity.manufacturer == "Xerox");
  CHECK(r.identity.model == "AltaLink C8045");
  CHECK(r.counters.at("mono") == 750);
  CHECK(r.identity.firmware == "100.002");  // SS: system software, after the model
  r = read("1.3.6.1.4.1.297.1.11.93.2.1.2.3.5", "FUJIFILM Apeos C7580", {}, &id);
  CHECK(id == "xerox");
  CHECK(r.identity.manufacturer == "Fujifilm");
  CHECK(r.identity.model == "Apeos C7580");
  r = read("1.3.6.1.4.1.297.1.11.93.1.35.34.7.1",
           "FUJI XEROX ApeosPort-VI C4471;ESS1.0.217,IOT 52.54.1,FIN C5.5.0",
           {{"1.3.6.1.4.1.253.8.53.3.2.1.3.1", str("FX0000001")}}, &id);
  CHECK(r.identity.model == "ApeosPort-VI C4471");
  CHECK(r.identity.firmware == "1.0.217");
  CHECK(r.identity.serial == "FX0000001");  // xcmHrDevInfoSerialNumber
}

TEST_CASE("vendor: Lexmark supplies with part and serial numbers from the MPS MIB") {
  std::string id;
  const auto r = read("1.3.6.1.4.1.641.1.5", "Lexmark MS621 version MSNGM.081.234 kernel 4.11",
                      {{"1.3.6.1.4.1.641.6.2.3.1.4.1", str("Lexmark MS621")},
                       {"1.3.6.1.4.1.641.6.2.3.1.5.1", str("4600000000001")},
                       {"1.3.6.1.2.1.43.11.1.1.6.1.1", str("Black Cartridge")},
                       {"1.3.6.1.2.1.43.11.1.1.8.1.1", num(100)},
                       {"1.3.6.1.2.1.43.11.1.1.9.1.1", num(60)},
                       {"1.3.6.1.2.1.43.11.1.1.6.1.2", str("Imaging Unit")},
                       {"1.3.6.1.2.1.43.11.1.1.8.1.2", num(100)},
                       {"1.3.6.1.2.1.43.11.1.1.9.1.2", num(80)},
                       {"1.3.6.1.4.1.641.6.4.4.1.1.5.1.1", str("Imaging Unit")},
                       {"1.3.6.1.4.1.641.6.4.4.1.1.6.1.1", str("IU00001")},
                       {"1.3.6.1.4.1.641.6.4.4.1.1.7.1.1", str("56F0Z00")},
                       {"1.3.6.1.4.1.641.6.4.4.1.1.5.1.2", str("Black Cartridge")},
                       {"1.3.6.1.4.1.641.6.4.4.1.1.6.1.2", str("CAB00001")},
                       {"1.3.6.1.4.1.641.6.4.4.1.1.7.1.2", str("56F2H00")}},
                      &id);
  CHECK(id == "lexmark");
  CHECK(r.identity.model == "MS621");
  CHECK(r.identity.serial == "4600000000001");  // deviceSerialNumber
  CHECK(r.identity.firmware == "MSNGM.081.234");
  REQUIRE(r.supplies.size() == 2);
  CHECK(r.supplies[0].partNumber == "56F2H00");
  CHECK(r.supplies[0].serial == "CAB00001");
  CHECK(r.supplies[1].partNumber == "56F0Z00");
  CHECK(r.supplies[1].serial == "IU00001");
}

TEST_CASE("vendor: Canon, with a vendor total checked against prtMarkerLifeCount") {
  std::string id;
  const auto r = read("1.3.6.1.4.1.1602.4.3", "Canon TM-5300 /P",
                      {{"1.3.6.1.4.1.1602.1.1.1.1.0", str("TM-5300")},
                       {"1.3.6.1.4.1.1602.1.1.1.4.0", str("01.21")},
                       {"1.3.6.1.4.1.1602.1.11.1.3.1.4.101", num(90000)},
                       {"1.3.6.1.2.1.43.10.2.1.4.1.1", num(21588)}},
                      &id);
  CHECK(id == "canon");
  CHECK(r.identity.model == "TM-5300");
  CHECK(r.identity.firmware == "01.21");
  CHECK(r.counters.at("total") == 21588);
  CHECK(r.notes.size() == 1);
  CHECK(r.capabilities.largeFormat == true);
}

TEST_CASE("vendor: Brother, Lexmark, Toshiba, Epson, OKI, Samsung, Dell, Zebra, TSC") {
  std::string id;
  auto r = read("1.3.6.1.4.1.2435.2.3.9.1", "Brother NC-8300h",
                {{"1.3.6.1.4.1.2435.2.4.3.2435.5.13.3.0", str("Brother MFC-L2710DW series")},
                 {"1.3.6.1.4.1.2435.2.3.9.4.2.1.5.5.1.0", str("E12345")},
                 {"1.3.6.1.4.1.2435.2.4.3.1240.6.5.0", str("Firmware Ver.Q")}},
                &id);
  CHECK(id == "brother");
  CHECK(r.identity.model == "MFC-L2710DW");
  CHECK(r.identity.serial == "E12345");
  CHECK(r.identity.firmware == "Q");

  r = read("1.3.6.1.4.1.641.1.71106749", "Lexmark T640 version NS.NP.N219 kernel 2.6.6", {}, &id);
  CHECK(id == "lexmark");
  CHECK(r.identity.model == "T640");
  CHECK(r.identity.firmware == "NS.NP.N219");

  r = read("1.3.6.1.4.1.641.2.71107164", "TOSHIBA e-STUDIO305CS version NH63.GM.N639 kernel", {},
           &id);
  CHECK(id == "toshiba_tec");  // a Lexmark sysObjectID, but Toshiba's own sysDescr
  CHECK(r.identity.model == "e-STUDIO305CS");

  r = read("1.3.6.1.4.1.1248.1.1.2.1.3.5", "EPSON Built-in",
           {{"1.3.6.1.2.1.43.11.1.1.6.1.1", str("Black Ink Supply Unit T9441/T9451")},
            {"1.3.6.1.2.1.43.11.1.1.9.1.1", num(1)},
            {"1.3.6.1.2.1.43.11.1.1.8.1.1", num(100)}},
           &id);
  CHECK(id == "epson");
  CHECK(r.supplies.at(0).partNumber == "T9441/T9451");
  CHECK(r.supplies.at(0).description == "Black Ink Supply Unit");
  CHECK(r.supplies.at(0).state == openmps::model::SupplyState::kLow);

  r = read("1.3.6.1.4.1.2001.1.1.1.1", "OKI C532", {}, &id);
  CHECK(id == "oki");
  CHECK(r.identity.model == "C532");

  r = read("1.3.6.1.4.1.236.11.5.11.62.1",
           "Samsung M4080FX; V11.01.03.04_02-27-2017;Engine V1.00.06", {}, &id);
  CHECK(id == "samsung");
  CHECK(r.identity.model == "M4080FX");
  CHECK(r.identity.firmware == "11.01.03.04_02-27-2017");

  r = read("1.3.6.1.4.1.674.10898.2.100.100.51.1", "Dell S5830dn version NH62.YS.N636 kernel", {},
           &id);
  CHECK(id == "dell");
  CHECK(r.identity.model == "S5830dn");
  CHECK(r.identity.firmware == "NH62.YS.N636");

  r = read("1.3.6.1.4.1.683.6.0", "ZebraNet Wired PS",
           {{"1.3.6.1.4.1.10642.200.17.3.0", str("1920 INCHES, 4876 CENTIMETERS")},
            {"1.3.6.1.2.1.43.10.2.1.3.1.1", num(3)},
            {"1.3.6.1.2.1.43.10.2.1.4.1.1", num(487600)}},
           &id);
  CHECK(id == "zebra");
  CHECK(r.counters.at("custom.length_inches") == 1920);
  CHECK_FALSE(r.counters.contains("total"));  // a length is not a page count

  // The printer's model and serial (Zebra MIB) before the print server's (ESI MIB).
  r = read("1.3.6.1.4.1.683.6.0", "ZebraNet Wired PS",
           {{"1.3.6.1.4.1.683.1.4.0", str("79071")},
            {"1.3.6.1.4.1.683.1.5.0", str("PS0001")},
            {"1.3.6.1.4.1.10642.1.1.0", str("ZTC ZD421-203dpi")},
            {"1.3.6.1.4.1.10642.200.19.5.0", str("D4J000001")}},
           &id);
  CHECK(r.identity.model == "ZD421-203dpi");
  CHECK(r.identity.serial == "D4J000001");
  r = read("1.3.6.1.4.1.683.6.0", "ZebraNet Wired PS",
           {{"1.3.6.1.4.1.683.1.4.0", str("79071")}, {"1.3.6.1.4.1.683.1.5.0", str("PS0001")}},
           &id);
  CHECK(r.identity.model == "79071");  // a print server alone: what it says
  CHECK(r.identity.serial == "PS0001");

  r = read("1.3.6.1.4.1.2001.1.1.1.1.100.3.1", "OKI C532",
           {{"1.3.6.1.4.1.2001.1.1.1.1.11.1.10.25.0", str("OKI C532")},
            {"1.3.6.1.4.1.2001.1.1.1.1.11.1.10.45.0", str("AK1234567")}},
           &id);
  CHECK(id == "oki");
  CHECK(r.identity.model == "C532");
  CHECK(r.identity.serial == "AK1234567");

  r = read("1.3.6.1.4.1.236.11.5.1", "Samsung Network Printer",
           {{"1.3.6.1.4.1.236.11.5.1.1.1.1.0", str("Samsung ML-3710 Series")},
            {"1.3.6.1.4.1.236.11.5.1.1.1.2.0", str("V3.00.01.27")}},
           &id);
  CHECK(id == "samsung");
  CHECK(r.identity.model == "ML-3710 Series");  // the short sysDescr has neither
  CHECK(r.identity.firmware == "V3.00.01.27");

  r = read("1.3.6.1.4.1.51966.2.6", "TTP244CE Version: 7.02 EZD", {}, &id);
  CHECK(id == "tsc");
  CHECK(r.identity.model == "TTP244CE");
  CHECK(r.identity.firmware == "7.02");
}

TEST_CASE("the worked example of pmd/README.md does what the README says") {
  const char* const kAcme = R"Y(pmd: 1
name: Acme LaserWriter
priority: 50
match:
  - sysObjectId: [1.3.6.1.4.1.99999]
identity:
  manufacturer: [{value: Acme}]
  model: [1.3.6.1.4.1.99999.2.1.0]
  serial: [1.3.6.1.4.1.99999.2.2.0]
  firmware: [{oid: 1.3.6.1.4.1.99999.2.3.0, regex: "FW\\s*(\\S+)"}]
counters:
  print.mono:
    - {walk: 1.3.6.1.4.1.99999.3.1.3, keyColumn: 1.3.6.1.4.1.99999.3.1.2, key: "Print Black"}
  print.color:
    - {walk: 1.3.6.1.4.1.99999.3.1.3, keyColumn: 1.3.6.1.4.1.99999.3.1.2, key: "Print Colour"}
  copy.mono:
    - {walk: 1.3.6.1.4.1.99999.3.1.3, keyColumn: 1.3.6.1.4.1.99999.3.1.2, key: "Copy Black"}
  mono: [{sum: [{counter: print.mono}, {counter: copy.mono}]}]
  color: [{counter: print.color}]
  total: [{sum: [{counter: mono}, {counter: color}]}]
checks:
  - {counter: total, against: prtMarkerLifeCount.1.1, maxDeviationPercent: 2, action: note}
)Y";
  std::vector<openmps::pmd::Definition> defs;
  defs.push_back(*catalog().find("generic"));
  defs.back().chain.clear();
  defs.push_back(openmps::pmd::parseDefinition(kAcme, "acme.yaml", "acme"));
  const Catalog withAcme = Catalog::build(defs);
  Snapshot s;
  auto add = [&](const char* oid, Value v) { s.add({Oid::of(oid), std::move(v)}); };
  add("1.3.6.1.2.1.1.2.0", Value::objectId(Oid::of("1.3.6.1.4.1.99999.1.9000")));
  add("1.3.6.1.4.1.99999.2.1.0", str("LaserWriter 9000"));
  add("1.3.6.1.4.1.99999.2.2.0", str("AC9K-001234"));
  add("1.3.6.1.4.1.99999.2.3.0", str("FW 4.2.1"));
  add("1.3.6.1.4.1.99999.3.1.2.1", str("Print Black"));
  add("1.3.6.1.4.1.99999.3.1.3.1", num(40000));
  add("1.3.6.1.4.1.99999.3.1.2.2", str("Print Colour"));
  add("1.3.6.1.4.1.99999.3.1.3.2", num(9000));
  add("1.3.6.1.4.1.99999.3.1.2.3", str("Copy Black"));
  add("1.3.6.1.4.1.99999.3.1.3.3", num(1000));
  add("1.3.6.1.2.1.43.10.2.1.3.1.1", num(7));
  add("1.3.6.1.2.1.43.10.2.1.4.1.1", num(50000));
  const auto& def = selectDefinition(withAcme, s);
  REQUIRE(def.id == "acme");
  const auto r = evaluate(def, s, {});
  CHECK(r.identity.serial == "AC9K-001234");
  CHECK(r.identity.firmware == "4.2.1");
  CHECK(r.counters == openmps::model::Counters{{"print.mono", 40000},
                                               {"print.color", 9000},
                                               {"copy.mono", 1000},
                                               {"mono", 41000},
                                               {"color", 9000},
                                               {"total", 50000}});
  CHECK(r.notes.empty());
  // Each column read is walked once (together, by walkMany), the entry not.
  const FetchPlan plan = planRead(def, Snapshot{});
  CHECK(std::count(plan.walks.begin(), plan.walks.end(), Oid::of("1.3.6.1.4.1.99999.3.1.2")) == 1);
  CHECK(std::count(plan.walks.begin(), plan.walks.end(), Oid::of("1.3.6.1.4.1.99999.3.1.3")) == 1);
  CHECK(std::count(plan.walks.begin(), plan.walks.end(), Oid::of("1.3.6.1.4.1.99999.3.1")) == 0);
}

#include "client/discovery/sweep.hpp"

#include <map>

#include <catch2/catch.hpp>

#include "openmps_test_dirs.hpp"
#include "test/unit/client/fake_snmp_client.hpp"

using namespace openmps::client::discovery;
using namespace openmps::client::snmp;
using openmps::snmp::ValueType;

namespace {

using openmps::test::FakeAgent;

// Calls wait until pump(), as the real client answers on its own thread.
struct FakeClient : openmps::test::FakeSnmpClient {
  FakeClient() { deferred = true; }
};

FakeAgent printer(const std::string& serial, const std::string& mac = "") {
  FakeAgent d;
  d.objects[Oid::of("1.3.6.1.2.1.1.1.0")] = Value::octets("ACME LaserWriter 5000");
  d.objects[Oid::of("1.3.6.1.2.1.1.2.0")] = Value::objectId(Oid::of("1.3.6.1.4.1.99999.1"));
  d.objects[Oid::of("1.3.6.1.2.1.1.5.0")] = Value::octets("lw5000");
  d.objects[Oid::of("1.3.6.1.2.1.2.2.1.6.1")] = Value::octets("");  // loopback
  if (!mac.empty()) {
    d.objects[Oid::of("1.3.6.1.2.1.2.2.1.6.2")] = Value::octets(mac);
  }
  d.objects[Oid::of("1.3.6.1.2.1.25.3.2.1.2.1")] = Value::objectId(Oid::of("1.3.6.1.2.1.25.3.1.5"));
  d.objects[Oid::of("1.3.6.1.2.1.43.5.1.1.16.1")] = Value::octets("LW5000");
  d.objects[Oid::of("1.3.6.1.2.1.43.5.1.1.17.1")] = Value::octets(serial + std::string(2, '\0'));
  d.objects[Oid::of("1.3.6.1.2.1.43.10.2.1.4.1.1")] = Value::integer(12345);
  return d;
}

FakeAgent router() {
  FakeAgent d;
  d.objects[Oid::of("1.3.6.1.2.1.1.1.0")] = Value::octets("Some Router");
  d.objects[Oid::of("1.3.6.1.2.1.1.2.0")] = Value::objectId(Oid::of("1.3.6.1.4.1.9.1.1"));
  d.objects[Oid::of("1.3.6.1.2.1.2.2.1.6.1")] =
      Value::octets(std::string("\x00\x11\x22\x33\x44\x55", 6));
  d.objects[Oid::of("1.3.6.1.2.1.4.1.0")] = Value::integer(1);
  return d;
}

AddressSet range(const char* text) {
  AddressSet set;
  auto spec = parseRange(text);
  set.add(spec.first, spec.last);
  return set;
}

const openmps::pmd::Catalog& projectCatalog() {
  static const auto catalog = openmps::pmd::Catalog::loadDirectory(OPENMPS_SOURCE_DIR "/pmd");
  return catalog;
}

SweepResult sweep(FakeClient& client, const AddressSet& set, SweepOptions options,
                  std::vector<SweepProgress>* progress = nullptr) {
  std::optional<SweepResult> result;
  runSweep(
      client, projectCatalog(), set, {}, std::move(options),
      [&](const SweepProgress& p) {
        if (progress != nullptr) progress->push_back(p);
      },
      [&](SweepResult r) { result = std::move(r); });
  client.pump();
  REQUIRE(result.has_value());
  return *result;
}

}  // namespace

TEST_CASE("a sweep finds printers, tells them from other devices and reads serial and MAC") {
  FakeClient client;
  client.agents["10.0.0.5"] = printer("SER001", std::string("\xAA\xBB\xCC\x00\x00\x01", 6));
  client.agents["10.0.0.9"] = router();
  auto result = sweep(client, range("10.0.0.0/28"), {});
  CHECK(result.probed == 14);
  CHECK(result.answered == 2);
  REQUIRE(result.devices.size() == 2);
  const auto& p = result.devices[0];
  CHECK(p.address == "10.0.0.5");
  CHECK(p.printer);
  CHECK(p.serial == "SER001");
  CHECK(p.printerName == "LW5000");
  CHECK(p.mac == "aa:bb:cc:00:00:01");  // the loopback's empty address skipped
  CHECK(p.sysObjectId == "1.3.6.1.4.1.99999.1");
  CHECK(p.credential == "public");
  CHECK(p.kind == openmps::client::pmd::DeviceKind::kPrinter);
  CHECK(p.pmd == "generic");
  CHECK_FALSE(result.devices[1].printer);
  CHECK(result.devices[1].kind == openmps::client::pmd::DeviceKind::kOther);
  CHECK(result.devices[1].sysDescr == "Some Router");
}

TEST_CASE("a device a vendor definition matches is read without any standard printer MIB") {
  // What many office machines answer with only the system group and their
  // vendor's own MIB: the definitions decide, as they do for probe.
  FakeClient client;
  FakeAgent kyocera;
  kyocera.objects[Oid::of("1.3.6.1.2.1.1.1.0")] = Value::octets("KYOCERA Printing System");
  kyocera.objects[Oid::of("1.3.6.1.2.1.1.2.0")] = Value::objectId(Oid::of("1.3.6.1.4.1.1347.41"));
  client.agents["10.0.0.1"] = kyocera;
  FakeAgent scanner;
  scanner.objects[Oid::of("1.3.6.1.2.1.1.1.0")] = Value::octets("EPSON Network Scan Server");
  scanner.objects[Oid::of("1.3.6.1.2.1.1.2.0")] =
      Value::objectId(Oid::of("1.3.6.1.4.1.1248.1.1.2.1.3"));
  scanner.objects[Oid::of("1.3.6.1.2.1.25.3.2.1.2.1")] =
      Value::objectId(Oid::of("1.3.6.1.2.1.25.3.1.1"));
  scanner.objects[Oid::of("1.3.6.1.2.1.25.3.2.1.3.1")] = Value::octets("DS-1630");
  client.agents["10.0.0.2"] = scanner;
  client.agents["10.0.0.3"] = router();
  auto result = sweep(client, range("10.0.0.1-10.0.0.3"), {});
  REQUIRE(result.devices.size() == 3);
  CHECK(result.devices[0].printer);
  CHECK(result.devices[0].kind == openmps::client::pmd::DeviceKind::kPrinter);
  CHECK(result.devices[0].pmd == "kyocera");
  CHECK(result.devices[1].printer);
  CHECK(result.devices[1].kind == openmps::client::pmd::DeviceKind::kScanner);
  CHECK(result.devices[1].pmd == "epson_scanner");
  CHECK_FALSE(result.devices[2].printer);
  CHECK(result.devices[2].pmd == "generic");
}

TEST_CASE("hrDeviceType printer alone makes a printer, also when it is not the first device") {
  FakeClient client;
  FakeAgent d;
  d.objects[Oid::of("1.3.6.1.2.1.1.1.0")] = Value::octets("Tiny printer");
  d.objects[Oid::of("1.3.6.1.2.1.25.3.2.1.2.1")] = Value::objectId(Oid::of("1.3.6.1.2.1.25.3.1.3"));
  d.objects[Oid::of("1.3.6.1.2.1.25.3.2.1.2.2")] = Value::objectId(Oid::of("1.3.6.1.2.1.25.3.1.5"));
  client.agents["10.0.0.1"] = d;
  FakeAgent server;
  server.objects[Oid::of("1.3.6.1.2.1.1.1.0")] = Value::octets("Linux server");
  server.objects[Oid::of("1.3.6.1.2.1.25.3.2.1.2.1")] =
      Value::objectId(Oid::of("1.3.6.1.2.1.25.3.1.3"));
  client.agents["10.0.0.2"] = server;
  auto result = sweep(client, range("10.0.0.1-10.0.0.2"), {});
  REQUIRE(result.devices.size() == 2);
  CHECK(result.devices[0].printer);
  CHECK_FALSE(result.devices[1].printer);
}

TEST_CASE("credential sets are tried in order and the one that worked is remembered") {
  FakeClient client;
  client.agents["10.0.0.1"] = printer("A1");
  client.agents["10.0.0.2"] = printer("B2");
  client.agents["10.0.0.2"].community = "secret";
  client.agents["10.0.0.3"] = printer("C3");
  client.agents["10.0.0.3"].community = "none";
  client.agents["10.0.0.3"].v3User = "fleet";
  client.agents["10.0.0.4"] = router();
  client.agents["10.0.0.4"].community = "none";
  client.agents["10.0.0.4"].v3User = "admin";  // refuses our v3 user
  SweepOptions options;
  Credentials v3;
  v3.version = Version::kV3;
  v3.user = "fleet";
  Credentials secret;
  secret.community = openmps::util::Secret("secret");
  options.credentials = {{"v3-fleet", v3}, {"public", {}}, {"secret", secret}};
  auto result = sweep(client, range("10.0.0.1-10.0.0.4"), options);
  REQUIRE(result.devices.size() == 3);
  CHECK(result.devices[0].credential == "public");
  CHECK(result.devices[1].credential == "secret");
  CHECK(result.devices[2].credential == "v3-fleet");
  CHECK(result.refused == 1);
}

TEST_CASE("a device answering on two addresses is reported once, by serial then by MAC") {
  FakeClient client;
  client.agents["10.0.0.7"] = printer("SAME");
  client.agents["10.0.0.3"] = printer("SAME");
  const std::string mac("\x00\x11\x22\x33\x44\x66", 6);
  client.agents["10.0.0.4"] = printer("", mac);
  client.agents["10.0.0.12"] = printer("", mac);
  client.agents["10.0.0.5"] = printer("OTHER");
  auto result = sweep(client, range("10.0.0.0/28"), {});
  REQUIRE(result.devices.size() == 3);
  CHECK(result.devices[0].address == "10.0.0.3");
  CHECK(result.devices[0].alsoAt == std::vector<std::string>{"10.0.0.7"});
  CHECK(result.devices[1].address == "10.0.0.4");
  CHECK(result.devices[1].alsoAt == std::vector<std::string>{"10.0.0.12"});
  CHECK(result.devices[2].serial == "OTHER");
  CHECK(result.devices[2].alsoAt.empty());
}

TEST_CASE("concurrency bounds the requests in flight and progress counts every address") {
  FakeClient client;
  for (int i = 1; i <= 20; ++i) {
    client.agents["10.1.0." + std::to_string(i)] = printer("S" + std::to_string(i));
  }
  SweepOptions options;
  options.concurrency = 7;
  std::vector<SweepProgress> progress;
  auto result = sweep(client, range("10.1.0.0/24"), options, &progress);
  CHECK(client.maxInFlightSeen <= 7);
  CHECK(result.probed == 254);
  CHECK(result.devices.size() == 20);
  REQUIRE(progress.size() == 254);
  CHECK(progress.back().done == 254);
  CHECK(progress.back().total == 254);
  CHECK(progress.back().printers == 20);
}

TEST_CASE("probe answers outside the asked columns are not taken as facts") {
  // A device without Printer-MIB answers GETNEXT with whatever comes next.
  std::vector<VarBind> answer(probeOids().size());
  for (std::size_t i = 0; i < answer.size(); ++i) {
    answer[i] = {Oid::of("1.3.6.1.6.3.1.1.1.0"), Value::integer(1)};
  }
  auto facts = interpretProbe(answer);
  CHECK_FALSE(facts.printerMib);
  CHECK_FALSE(facts.hrPrinter);
  CHECK(facts.sysDescr.empty());
  CHECK(formatMac(std::string(6, '\0')).empty());
  CHECK(formatMac("abc").empty());
  CHECK(formatMac(std::string("\x01\x02\x03\x04\x05\xff", 6)) == "01:02:03:04:05:ff");
}

TEST_CASE("an empty range sweeps nothing and still finishes") {
  FakeClient client;
  auto result = sweep(client, AddressSet{}, {});
  CHECK(result.probed == 0);
  CHECK(result.devices.empty());
}

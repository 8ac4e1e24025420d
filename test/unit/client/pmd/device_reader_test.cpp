#include "client/pmd/device_reader.hpp"

#include <map>

#include <catch2/catch.hpp>

#include "openmps_test_dirs.hpp"
#include "test/unit/client/fake_snmp_client.hpp"

using namespace openmps::client::pmd;
namespace snmp = openmps::client::snmp;
using openmps::pmd::Catalog;
using openmps::snmp::Oid;
using openmps::snmp::Value;
using openmps::snmp::ValueType;
using openmps::snmp::VarBind;

namespace {

using openmps::test::FakeCall;
using openmps::test::FakeSnmpClient;

const Catalog& projectCatalog() {
  static const Catalog catalog = Catalog::loadDirectory(OPENMPS_SOURCE_DIR "/pmd");
  return catalog;
}

void printer(FakeSnmpClient& d) {
  auto add = [&](const char* oid, Value v) { d.agent().set(oid, std::move(v)); };
  add("1.3.6.1.2.1.1.1.0", Value::octets("Acme LaserWriter 9000"));
  add("1.3.6.1.2.1.1.2.0", Value::objectId(Oid::of("1.3.6.1.4.1.424242.1")));
  add("1.3.6.1.2.1.25.3.2.1.2.1", Value::objectId(Oid::of("1.3.6.1.2.1.25.3.1.5")));
  add("1.3.6.1.2.1.25.3.2.1.3.1", Value::octets("Acme LaserWriter 9000"));
  add("1.3.6.1.2.1.25.3.2.1.4.1", Value::objectId(Oid::of("0.0")));  // a column nobody reads
  add("1.3.6.1.2.1.43.5.1.1.17.1", Value::octets("SER123"));
  add("1.3.6.1.2.1.43.10.2.1.4.1.1", Value::integer(123456));
  add("1.3.6.1.2.1.43.10.2.1.3.1.1", Value::integer(7));
  add("1.3.6.1.2.1.43.11.1.1.6.1.1", Value::octets("Black Toner"));
  add("1.3.6.1.2.1.43.11.1.1.8.1.1", Value::integer(100));
  add("1.3.6.1.2.1.43.11.1.1.9.1.1", Value::integer(42));
  add("1.3.6.1.2.1.43.18.1.1.7.1.1", Value::integer(1104));
  add("1.3.6.1.2.1.43.18.1.1.8.1.1", Value::octets("Black toner low"));
}

}  // namespace

TEST_CASE("the device reader asks one GET, then one GET and one walkMany of the columns") {
  FakeSnmpClient device;
  printer(device);
  DeviceReader reader(device, projectCatalog());
  const auto out = reader.readAndWait(snmp::Target{});
  REQUIRE(out.ok());
  CHECK(out.reading.identity.serial == "SER123");
  CHECK(out.reading.counters.at("total") == 123456);
  REQUIRE_FALSE(out.reading.supplies.empty());
  CHECK(out.reading.supplies[0].levelPercent == 42);
  REQUIRE(out.reading.status.alerts.size() == 1);
  CHECK(out.reading.status.alerts[0].code == 1104);
  CHECK(out.reading.notes.empty());
  CHECK(device.walkManys == 1);
  CHECK(device.walks == 0);
  // The generic definition needs no scalar the identification did not ask
  // (those it asked and the device lacks are not asked again).
  CHECK(device.gets == 1);
  // Columns, never a whole entry: hrDeviceTable's column 4 is not asked.
  for (const auto& root : device.walkedRoots) {
    CHECK_FALSE(root == Oid::of("1.3.6.1.2.1.25.3.2.1"));
    CHECK_FALSE(Oid::of("1.3.6.1.2.1.25.3.2.1.4").isPrefixOf(root));
  }
}

TEST_CASE("a column the agent refuses costs that column and leaves a note") {
  FakeSnmpClient device;
  printer(device);
  device.agent().refusedWalks[Oid::of("1.3.6.1.2.1.43.18.1.1.7")] =
      snmp::Result{snmp::ErrorKind::kAgentError, "the agent answered genErr after 0 rows", {}};
  DeviceReader reader(device, projectCatalog());
  const auto out = reader.readAndWait(snmp::Target{});
  REQUIRE(out.ok());
  CHECK(out.reading.identity.serial == "SER123");
  CHECK_FALSE(out.reading.supplies.empty());
  REQUIRE(out.reading.notes.size() == 1);
  CHECK(out.reading.notes[0].find("walking 1.3.6.1.2.1.43.18.1.1.7") != std::string::npos);
  CHECK(out.reading.notes[0].find("genErr") != std::string::npos);
}

TEST_CASE("a device that stops answering during the walks fails the read once") {
  FakeSnmpClient device;
  printer(device);
  // Answers the identification, then falls silent.
  device.fault = [](FakeCall, int call) -> std::optional<snmp::Result> {
    if (call == 1) return std::nullopt;
    return snmp::Result{snmp::ErrorKind::kTimeout, "no answer", {}};
  };
  FakeSnmpClient& client = device;
  DeviceReader silentReader(client, projectCatalog());
  const auto out = silentReader.readAndWait(snmp::Target{});
  CHECK(out.error == ReadError::kSnmp);
  CHECK(out.snmpError == snmp::ErrorKind::kTimeout);
  CHECK(out.message == "no answer");
}

TEST_CASE("an identification the agent refuses fails the read, whatever the walks bring") {
  FakeSnmpClient device;
  printer(device);
  device.fault = [](FakeCall kind, int) -> std::optional<snmp::Result> {
    if (kind != FakeCall::kGet) return std::nullopt;
    return snmp::Result{snmp::ErrorKind::kAgentError, "the agent answered genErr", {}};
  };
  FakeSnmpClient& client = device;
  DeviceReader reader(client, projectCatalog());
  const auto out = reader.readAndWait(snmp::Target{});
  CHECK(out.error == ReadError::kSnmp);
  CHECK(out.snmpError == snmp::ErrorKind::kAgentError);
  CHECK(out.message == "the agent answered genErr");
}

#include "server/ingest/device_resolver.hpp"

#include <catch2/catch.hpp>

using namespace openmps::server::ingest;
using openmps::model::DeviceIdentity;

namespace {

DeviceIdentity identity(std::string serial, std::string mac, std::string ip) {
  DeviceIdentity i;
  i.serial = std::move(serial);
  i.mac = std::move(mac);
  i.ip = std::move(ip);
  return i;
}

const std::vector<KnownDevice> kKnown = {
    {1, identity("S1", "aa:00:00:00:00:01", "10.0.0.1")},
    {2, identity("", "aa:00:00:00:00:02", "10.0.0.2")},
    {3, identity("", "", "10.0.0.3")},
};

}  // namespace

TEST_CASE("serial first", "[server][ingest]") {
  CHECK(resolveDevice(identity("S1", "", ""), kKnown) == 1);
  CHECK(resolveDevice(identity("S1", "aa:00:00:00:00:02", "10.0.0.3"), kKnown) == 1);
}

TEST_CASE("MAC when the serial does not contradict", "[server][ingest]") {
  CHECK(resolveDevice(identity("", "aa:00:00:00:00:01", ""), kKnown) == 1);
  CHECK(resolveDevice(identity("S9", "aa:00:00:00:00:02", ""), kKnown) == 2);
  // same MAC, but the stored device has another serial: another device
  CHECK_FALSE(resolveDevice(identity("S9", "aa:00:00:00:00:01", ""), kKnown));
}

TEST_CASE("address last, only when nothing contradicts", "[server][ingest]") {
  CHECK(resolveDevice(identity("", "", "10.0.0.3"), kKnown) == 3);
  CHECK(resolveDevice(identity("S7", "", "10.0.0.3"), kKnown) == 3);
  CHECK_FALSE(resolveDevice(identity("S7", "", "10.0.0.1"), kKnown));
  CHECK_FALSE(resolveDevice(identity("", "bb:00:00:00:00:09", "10.0.0.2"), kKnown));
  CHECK_FALSE(resolveDevice(identity("", "", "10.9.9.9"), kKnown));
  CHECK_FALSE(resolveDevice(identity("", "", ""), kKnown));
}

TEST_CASE("identities are normalised before matching", "[server][ingest]") {
  const auto n = normaliseIdentity(identity("  S1 \t", " AA:00:00:00:00:01", " 10.0.0.1 "));
  CHECK(n.serial == "S1");
  CHECK(n.mac == "aa:00:00:00:00:01");
  CHECK(n.ip == "10.0.0.1");
}

TEST_CASE("changes ignore empty new values", "[server][ingest]") {
  DeviceIdentity before = identity("S1", "aa", "10.0.0.1");
  before.firmware = "1.0";
  DeviceIdentity after = identity("", "", "10.0.0.2");
  after.firmware = "2.0";
  const auto changes = identityChanges(before, after);
  REQUIRE(changes.size() == 2);
  CHECK(changes[0] == IdentityChange{"firmware", "1.0", "2.0"});
  CHECK(changes[1] == IdentityChange{"ip", "10.0.0.1", "10.0.0.2"});
  const auto merged = mergeIdentity(before, after);
  CHECK(merged.serial == "S1");
  CHECK(merged.ip == "10.0.0.2");
  CHECK(merged.firmware == "2.0");
}

TEST_CASE("counters that go backwards are named", "[server][ingest]") {
  CHECK(countersGoneBackwards({{"total", 100}, {"mono", 80}}, {{"total", 5}, {"mono", 90}}) ==
        std::vector<std::string>{"total"});
  CHECK(countersGoneBackwards({}, {{"total", 5}}).empty());
  CHECK(countersGoneBackwards({{"total", 5}}, {{"total", 5}}).empty());
}

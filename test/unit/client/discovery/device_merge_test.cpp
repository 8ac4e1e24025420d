#include "client/discovery/device_merge.hpp"

#include <catch2/catch.hpp>

using namespace openmps::client::discovery;
using namespace std::chrono_literals;

namespace {

const WallTime kT0{std::chrono::seconds{1'800'000'000}};

FoundDevice printer(std::string address, std::string serial, std::string mac = "") {
  FoundDevice f;
  f.address = std::move(address);
  f.port = 161;
  f.credential = "public";
  f.printer = true;
  f.serial = std::move(serial);
  f.mac = std::move(mac);
  f.sysDescr = "printer";
  return f;
}

KnownDevice known(std::uint64_t id, std::string address, std::string serial, std::string mac = "") {
  KnownDevice d;
  d.id = id;
  d.address = std::move(address);
  d.serial = std::move(serial);
  d.mac = std::move(mac);
  d.credential = "old";
  d.firstSeen = d.lastSeen = kT0;
  d.statusDigest = "kept";
  return d;
}

const KnownDevice* byId(const MergeResult& r, std::uint64_t id) {
  for (const auto& d : r.changed) {
    if (d.id == id) {
      return &d;
    }
  }
  return nullptr;
}

}  // namespace

TEST_CASE("new printers are added, non-printers ignored") {
  FoundDevice router = printer("10.0.0.1", "");
  router.printer = false;
  const auto r = mergeSweep({}, {router, printer("10.0.0.5", "S1")}, kT0 + 1h);
  REQUIRE(r.changed.size() == 1);
  CHECK(r.added == 1);
  CHECK(r.changed[0].id == 0);
  CHECK(r.changed[0].address == "10.0.0.5");
  CHECK(r.changed[0].credential == "public");
  CHECK(r.changed[0].firstSeen == kT0 + 1h);
}

TEST_CASE("a device at a new address is recognised by serial, then by MAC") {
  const std::vector<KnownDevice> before = {known(1, "10.0.0.5", "S1"),
                                           known(2, "10.0.0.6", "", "aa:bb:cc:00:00:02")};
  const auto r = mergeSweep(
      before, {printer("10.0.0.50", "S1"), printer("10.0.0.60", "", "aa:bb:cc:00:00:02")},
      kT0 + 1h);
  CHECK(r.added == 0);
  REQUIRE(r.changed.size() == 2);
  CHECK(byId(r, 1)->address == "10.0.0.50");
  CHECK(byId(r, 1)->statusDigest == "kept");  // read state travels with the device
  CHECK(byId(r, 1)->lastSeen == kT0 + 1h);
  CHECK(byId(r, 2)->address == "10.0.0.60");
  REQUIRE(r.moved.size() == 2);
  CHECK(r.moved[0].from == "10.0.0.5:161");
  CHECK(r.moved[0].to == "10.0.0.50:161");
}

TEST_CASE("another device at a known address pushes the old one out; it comes back by serial") {
  std::vector<KnownDevice> devices = {known(1, "10.0.0.5", "S1")};
  auto r = mergeSweep(devices, {printer("10.0.0.5", "S2")}, kT0 + 1h);
  CHECK(r.added == 1);
  CHECK(r.displaced == std::vector<std::uint64_t>{1});
  CHECK(byId(r, 1)->address.empty());
  REQUIRE(byId(r, 0) != nullptr);
  CHECK(byId(r, 0)->serial == "S2");

  devices = {known(1, "", "S1"), known(2, "10.0.0.5", "S2")};
  r = mergeSweep(devices, {printer("10.0.0.9", "S1"), printer("10.0.0.5", "S2")}, kT0 + 2h);
  CHECK(r.added == 0);
  CHECK(r.displaced.empty());
  CHECK(byId(r, 1)->address == "10.0.0.9");
  CHECK(r.moved.empty());  // it had no address: found again, not moved
}

TEST_CASE("a MAC match is refused when the serials say otherwise") {
  const auto r = mergeSweep({known(1, "10.0.0.5", "S1", "aa:bb:cc:00:00:01")},
                            {printer("10.0.0.7", "S9", "aa:bb:cc:00:00:01")}, kT0);
  CHECK(r.added == 1);
  CHECK(byId(r, 1) == nullptr);  // untouched
}

TEST_CASE("the same address without a serial stays the same device") {
  const auto r = mergeSweep({known(1, "10.0.0.5", "")}, {printer("10.0.0.5", "")}, kT0 + 1h);
  CHECK(r.added == 0);
  REQUIRE(r.changed.size() == 1);
  CHECK(r.changed[0].id == 1);
  CHECK(r.changed[0].credential == "public");  // the credential that worked now
  CHECK(r.displaced.empty());
}

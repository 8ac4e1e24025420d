#include "server/meters/device_swaps.hpp"

#include <catch2/catch.hpp>

#include "shared/util/time_format.hpp"

using namespace openmps::server::meters;

namespace {
TimePoint at(const char* text) {
  return *openmps::util::parseRfc3339(text);
}
}  // namespace

TEST_CASE("a new serial at the same address after the old one stopped replaces it",
          "[server][meters]") {
  std::vector<DeviceSpan> d = {
      {1, 7, "OLD1", "Floor 2", "10.0.0.5", at("2026-01-01T03:00:00Z"), at("2026-11-10T03:00:00Z")},
      {2, 7, "NEW1", "", "10.0.0.5", at("2026-11-12T03:00:00Z"), at("2026-12-01T03:00:00Z")},
      // same address, but the old one is still read: not a replacement
      {3, 7, "OTHER", "", "10.0.0.9", at("2026-01-01T03:00:00Z"), at("2026-12-01T03:00:00Z")},
      {4, 7, "MOVED", "", "10.0.0.9", at("2026-11-01T03:00:00Z"), at("2026-12-01T03:00:00Z")},
      // same location, another customer
      {5, 8, "ELSE", "Floor 2", "", at("2026-11-20T03:00:00Z"), at("2026-12-01T03:00:00Z")},
  };
  const auto r = findReplacements(d);
  REQUIRE(r.size() == 1);
  CHECK(r[0].oldId == 1);
  CHECK(r[0].newId == 2);
  CHECK(r[0].newFirstRead == at("2026-11-12T03:00:00Z"));
}

TEST_CASE("a chain of replacements pairs each device with its closest neighbours",
          "[server][meters]") {
  std::vector<DeviceSpan> d = {
      {1, 7, "A", "Copy room", "", at("2026-01-01T03:00:00Z"), at("2026-10-01T03:00:00Z")},
      {2, 7, "B", "Copy room", "", at("2026-10-20T03:00:00Z"), at("2026-10-25T03:00:00Z")},
      {3, 7, "C", "Copy room", "", at("2026-10-26T03:00:00Z"), at("2026-12-01T03:00:00Z")},
      {4, 7, "D", "Copy room", "", at("2027-02-01T03:00:00Z"), at("2027-03-01T03:00:00Z")},
  };
  const auto r = findReplacements(d);
  REQUIRE(r.size() == 2);
  CHECK(((r[0].oldId == 2 && r[0].newId == 3) || (r[1].oldId == 2 && r[1].newId == 3)));
  CHECK(((r[0].oldId == 1 && r[0].newId == 2) || (r[1].oldId == 1 && r[1].newId == 2)));
  // D starts two months after C stopped: beyond the 31-day window.
}

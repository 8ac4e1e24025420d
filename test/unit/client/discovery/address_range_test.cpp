#include "client/discovery/address_range.hpp"

#include <catch2/catch.hpp>

using namespace openmps::client::discovery;

TEST_CASE("IPv4 addresses parse strictly") {
  CHECK(parseIpv4("192.168.1.10") == 0xc0a8010a);
  CHECK(parseIpv4("0.0.0.0") == 0u);
  CHECK(parseIpv4("255.255.255.255") == 0xffffffffu);
  CHECK_FALSE(parseIpv4("256.1.1.1"));
  CHECK_FALSE(parseIpv4("1.2.3"));
  CHECK_FALSE(parseIpv4("1.2.3.4.5"));
  CHECK_FALSE(parseIpv4("01.2.3.4"));
  CHECK_FALSE(parseIpv4("1.2.3.4 "));
  CHECK_FALSE(parseIpv4(""));
  CHECK(formatIpv4(0xc0a8010a) == "192.168.1.10");
}

TEST_CASE("CIDR blocks leave out network and broadcast addresses") {
  const RangeSpec r = parseRange("192.168.1.0/24");
  CHECK(r.kind == RangeSpec::Kind::kInterval);
  CHECK(formatIpv4(r.first) == "192.168.1.1");
  CHECK(formatIpv4(r.last) == "192.168.1.254");
  CHECK(r.size() == 254);
  CHECK(parseRange("10.0.0.0/31").size() == 2);
  CHECK(parseRange("10.0.0.7/32").size() == 1);
  CHECK(parseRange("127.77.0.0/16").size() == 65534);
}

TEST_CASE("CIDR with host bits set suggests the network") {
  try {
    parseRange("192.168.1.5/24");
    FAIL("accepted host bits");
  } catch (const RangeError& e) {
    CHECK(std::string(e.what()).find("did you mean 192.168.1.0/24") != std::string::npos);
  }
  CHECK_THROWS_AS(parseRange("192.168.1.0/33"), RangeError);
  CHECK_THROWS_AS(parseRange("192.168.1.0/"), RangeError);
  CHECK_THROWS_AS(parseRange("printer/24"), RangeError);
}

TEST_CASE("first-last ranges, full or last octet only") {
  const RangeSpec r = parseRange("10.0.0.5-10.0.0.80");
  CHECK(r.first == *parseIpv4("10.0.0.5"));
  CHECK(r.last == *parseIpv4("10.0.0.80"));
  CHECK(r.size() == 76);
  const RangeSpec s = parseRange(" 10.0.0.5 - 80 ");
  CHECK(s.last == *parseIpv4("10.0.0.80"));
  CHECK(s.text == "10.0.0.5 - 80");
  CHECK(parseRange("10.0.0.255-10.0.1.3").size() == 5);
  CHECK_THROWS_WITH(parseRange("10.0.0.9-10.0.0.1"), Catch::Contains("before the first"));
  CHECK_THROWS_WITH(parseRange("10.0.0.9-300"), Catch::Contains("not an IPv4 address"));
}

TEST_CASE("single addresses, host names and IPv6 literals") {
  CHECK(parseRange("10.1.2.3").size() == 1);
  const RangeSpec h = parseRange("printer-3.example.lan");
  CHECK(h.kind == RangeSpec::Kind::kHost);
  CHECK(h.host == "printer-3.example.lan");
  CHECK(parseRange("fe80::1").kind == RangeSpec::Kind::kHost);
  CHECK(parseRange("mfp-2nd-floor").kind == RangeSpec::Kind::kHost);
  CHECK_THROWS_AS(parseRange("10.1.2.300"), RangeError);  // digits and dots: a bad address
  CHECK_THROWS_AS(parseRange("printer one"), RangeError);
  CHECK_THROWS_AS(parseRange(""), RangeError);
}

TEST_CASE("address sets merge, subtract and count") {
  AddressSet set;
  set.add(10, 20);
  set.add(30, 40);
  set.add(21, 29);  // adjacent on both sides: one interval
  REQUIRE(set.intervals().size() == 1);
  CHECK(set.size() == 31);
  set.remove(15, 16);
  CHECK(set.intervals() == std::vector<Interval>{{10, 14}, {17, 40}});
  CHECK(set.contains(14));
  CHECK_FALSE(set.contains(15));
  CHECK(set.contains(40));
  CHECK_FALSE(set.contains(41));
  CHECK_FALSE(set.contains(9));
  set.remove(0, 100);
  CHECK(set.empty());
  set.add(0xfffffff0u, 0xffffffffu);
  set.add(0, 5);
  CHECK(set.size() == 22);
  CHECK(set.intervals().front() == Interval{0, 5});
}

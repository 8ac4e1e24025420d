#include "shared/snmp/oid.hpp"

#include <catch2/catch.hpp>

#include "shared/snmp/value.hpp"

using openmps::snmp::Oid;
using openmps::snmp::Value;

TEST_CASE("OIDs parse, print and order like SNMP", "[snmp]") {
  CHECK(Oid::of(".1.3.6.1.2.1.1.1.0").toString() == "1.3.6.1.2.1.1.1.0");
  CHECK(Oid::of("1.3.6.1.2.1.43") < Oid::of("1.3.6.1.2.1.43.5"));
  CHECK(Oid::of("1.3.6.1.2.1.43.9.1") < Oid::of("1.3.6.1.2.1.43.10"));
  CHECK_FALSE(Oid::of("1.3.6.1.2.1.43.10") < Oid::of("1.3.6.1.2.1.43.9"));
  CHECK(Oid::of("1.3.6.1.2.1.43").isPrefixOf(Oid::of("1.3.6.1.2.1.43.11.1.1.9.1.1")));
  CHECK_FALSE(Oid::of("1.3.6.1.2.1.43.1").isPrefixOf(Oid::of("1.3.6.1.2.1.43.11")));
  CHECK(Oid::of("1.3.6.1.2.1.43.11.1.1.9.1.1").suffixAfter(Oid::of("1.3.6.1.2.1.43.11.1.1.9")) ==
        Oid::of("1.1"));
}

TEST_CASE("malformed OIDs are refused", "[snmp]") {
  for (const char* bad : {"", ".", "1..3", "1.3.", "1.a.3", "1.3.99999999999", "-1.3"}) {
    INFO(bad);
    CHECK_FALSE(Oid::parse(bad));
  }
  std::string tooLong = "1";
  for (int i = 0; i < 200; ++i) tooLong += ".1";
  CHECK_FALSE(Oid::parse(tooLong));
}

TEST_CASE("values convert to numbers and text", "[snmp]") {
  CHECK(Value::integer(-3).asInteger() == -3);
  CHECK_FALSE(Value::octets("abc").asInteger());
  CHECK(Value::octets("abc").asText() == "abc");
  Value ip{openmps::snmp::ValueType::kIpAddress, 0, 0, std::string("\xc0\x00\x02\x0a", 4), {}};
  CHECK(ip.asText() == "192.0.2.10");
  CHECK(Value::exception(openmps::snmp::ValueType::kNoSuchObject).isException());
}

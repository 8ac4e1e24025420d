#include "shared/snmp/value.hpp"

#include <cstdint>

#include <catch2/catch.hpp>

using openmps::snmp::Value;
using openmps::snmp::ValueType;

TEST_CASE("Counter64: a number only while it fits, its exact text always", "[snmp][value]") {
  const Value fits{ValueType::kCounter64, 0, std::uint64_t{INT64_MAX}, {}, {}};
  CHECK(fits.asInteger() == INT64_MAX);
  const Value above{ValueType::kCounter64, 0, std::uint64_t{INT64_MAX} + 1, {}, {}};
  CHECK_FALSE(above.asInteger().has_value());
  CHECK(above.asText() == "9223372036854775808");
  const Value top{ValueType::kCounter64, 0, UINT64_MAX, {}, {}};
  CHECK(top.asText() == "18446744073709551615");
}

TEST_CASE("octet strings read as valid UTF-8; the raw bytes stay", "[snmp][value]") {
  const Value latin1 = Value::octets("B\xFCro\x01");
  CHECK(latin1.asText() == "B\xC3\xBCro\x01");
  CHECK(latin1.bytes == "B\xFCro\x01");
}

#include <catch2/catch.hpp>

// clang-format off
#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
// clang-format on

#include "client/snmp/net_snmp_convert.hpp"

using openmps::client::snmp::errorStatusName;
using openmps::client::snmp::toVarBind;
using openmps::snmp::Oid;
using openmps::snmp::ValueType;

namespace {

// A varbind built the way net-snmp builds them from a packet.
struct Var {
  netsnmp_variable_list* vb = nullptr;
  Var(std::vector<oid> name, u_char type, const void* value, std::size_t length) {
    snmp_varlist_add_variable(&vb, name.data(), name.size(), type, value, length);
  }
  ~Var() { snmp_free_varbind(vb); }
  Var(const Var&) = delete;
  Var& operator=(const Var&) = delete;
};

const std::vector<oid> kName{1, 3, 6, 1, 2, 1, 1, 1, 0};

}  // namespace

TEST_CASE("integers, strings and OIDs convert with their types") {
  long integer = -42;
  Var i(kName, ASN_INTEGER, &integer, sizeof integer);
  auto vb = toVarBind(*i.vb);
  CHECK(vb.oid == Oid::of("1.3.6.1.2.1.1.1.0"));
  CHECK(vb.value.type == ValueType::kInteger);
  CHECK(vb.value.number == -42);

  const std::string text("HP LaserJet\0x", 13);
  Var s(kName, ASN_OCTET_STR, text.data(), text.size());
  vb = toVarBind(*s.vb);
  CHECK(vb.value.type == ValueType::kOctetString);
  CHECK(vb.value.bytes == text);  // embedded NUL kept

  const std::vector<oid> target{1, 3, 6, 1, 4, 1, 11, 2, 3, 9, 1};
  Var o(kName, ASN_OBJECT_ID, target.data(), target.size() * sizeof(oid));
  vb = toVarBind(*o.vb);
  CHECK(vb.value.type == ValueType::kOid);
  CHECK(vb.value.oid == Oid::of("1.3.6.1.4.1.11.2.3.9.1"));
}

TEST_CASE("unsigned 32-bit types and Counter64 keep their full range") {
  long big = 4'000'000'000L;
  Var c(kName, ASN_COUNTER, &big, sizeof big);
  auto vb = toVarBind(*c.vb);
  CHECK(vb.value.type == ValueType::kCounter32);
  CHECK(vb.value.number == 4'000'000'000LL);

  Var g(kName, ASN_GAUGE, &big, sizeof big);
  CHECK(toVarBind(*g.vb).value.type == ValueType::kGauge32);
  Var t(kName, ASN_TIMETICKS, &big, sizeof big);
  CHECK(toVarBind(*t.vb).value.type == ValueType::kTimeTicks);

  counter64 c64{};
  c64.high = 1;
  c64.low = 5;
  Var c6(kName, ASN_COUNTER64, &c64, sizeof c64);
  vb = toVarBind(*c6.vb);
  CHECK(vb.value.type == ValueType::kCounter64);
  CHECK(vb.value.counter64 == (1ULL << 32U) + 5);
}

TEST_CASE("exceptions, IP addresses and unknown types") {
  Var nso(kName, SNMP_NOSUCHOBJECT, nullptr, 0);
  CHECK(toVarBind(*nso.vb).value.type == ValueType::kNoSuchObject);
  Var nsi(kName, SNMP_NOSUCHINSTANCE, nullptr, 0);
  CHECK(toVarBind(*nsi.vb).value.type == ValueType::kNoSuchInstance);
  Var end(kName, SNMP_ENDOFMIBVIEW, nullptr, 0);
  CHECK(toVarBind(*end.vb).value.type == ValueType::kEndOfMibView);
  Var null(kName, ASN_NULL, nullptr, 0);
  CHECK(toVarBind(*null.vb).value.type == ValueType::kNull);

  const unsigned char ip[4] = {192, 168, 1, 7};
  Var a(kName, ASN_IPADDRESS, ip, 4);
  auto vb = toVarBind(*a.vb);
  CHECK(vb.value.type == ValueType::kIpAddress);
  CHECK(vb.value.bytes == std::string("\xC0\xA8\x01\x07", 4));

  const char opaque[3] = {1, 2, 3};
  Var op(kName, ASN_OPAQUE, opaque, 3);
  CHECK(toVarBind(*op.vb).value.type == ValueType::kOpaque);
}

TEST_CASE("error-status names") {
  CHECK(errorStatusName(1) == "tooBig");
  CHECK(errorStatusName(2) == "noSuchName");
  CHECK(errorStatusName(5) == "genErr");
  CHECK(errorStatusName(16) == "authorizationError");
  CHECK(errorStatusName(99) == "error-status 99");
  CHECK(errorStatusName(-1) == "error-status -1");
}

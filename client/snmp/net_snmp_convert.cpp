#include "client/snmp/net_snmp_convert.hpp"

// clang-format off
#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
// clang-format on

#include <array>
#include <cstdint>
#include <vector>

namespace openmps::client::snmp {

using openmps::snmp::Oid;
using openmps::snmp::Value;
using openmps::snmp::ValueType;
using openmps::snmp::VarBind;

namespace {

Oid toOid(const oid* arcs, std::size_t length) {
  std::vector<std::uint32_t> out;
  if (arcs != nullptr) {
    out.reserve(length);
    for (std::size_t i = 0; i < length; ++i) {
      out.push_back(static_cast<std::uint32_t>(arcs[i]));
    }
  }
  return Oid(std::move(out));
}

std::string bytesOf(const variable_list& vb) {
  if (vb.val.string == nullptr || vb.val_len == 0) {
    return {};
  }
  return {reinterpret_cast<const char*>(vb.val.string), vb.val_len};
}

}  // namespace

VarBind toVarBind(const variable_list& vb) {
  VarBind out;
  out.oid = toOid(vb.name, vb.name_length);
  Value& v = out.value;
  const bool hasInteger = vb.val.integer != nullptr && vb.val_len >= sizeof(long);
  switch (vb.type) {
    case ASN_INTEGER:
      v.type = ValueType::kInteger;
      v.number = hasInteger ? static_cast<std::int64_t>(*vb.val.integer) : 0;
      break;
    case ASN_COUNTER:
    case ASN_GAUGE:
    case ASN_TIMETICKS:
    case ASN_UINTEGER: {
      v.type = vb.type == ASN_COUNTER     ? ValueType::kCounter32
               : vb.type == ASN_TIMETICKS ? ValueType::kTimeTicks
                                          : ValueType::kGauge32;
      // Unsigned 32-bit on the wire; net-snmp keeps it in a long.
      const auto raw = hasInteger ? static_cast<unsigned long>(*vb.val.integer) : 0UL;
      v.number = static_cast<std::int64_t>(raw & 0xFFFFFFFFUL);
      break;
    }
    case ASN_COUNTER64:
      v.type = ValueType::kCounter64;
      if (vb.val.counter64 != nullptr && vb.val_len >= sizeof(counter64)) {
        v.counter64 = (static_cast<std::uint64_t>(vb.val.counter64->high & 0xFFFFFFFFUL) << 32U) |
                      (vb.val.counter64->low & 0xFFFFFFFFUL);
      }
      break;
    case ASN_OCTET_STR:
      v.type = ValueType::kOctetString;
      v.bytes = bytesOf(vb);
      break;
    case ASN_IPADDRESS:
      v.type = ValueType::kIpAddress;
      v.bytes = bytesOf(vb);
      break;
    case ASN_OBJECT_ID:
      v.type = ValueType::kOid;
      v.oid = toOid(vb.val.objid, vb.val.objid != nullptr ? vb.val_len / sizeof(oid) : 0);
      break;
    case ASN_NULL: v.type = ValueType::kNull; break;
    case SNMP_NOSUCHOBJECT: v.type = ValueType::kNoSuchObject; break;
    case SNMP_NOSUCHINSTANCE: v.type = ValueType::kNoSuchInstance; break;
    case SNMP_ENDOFMIBVIEW: v.type = ValueType::kEndOfMibView; break;
    default:  // ASN_OPAQUE and its float/double/int64 forms, anything else
      v.type = ValueType::kOpaque;
      v.bytes = bytesOf(vb);
      break;
  }
  return out;
}

std::string errorStatusName(long status) {
  static constexpr std::array<const char*, 19> kNames{"noError",
                                                      "tooBig",
                                                      "noSuchName",
                                                      "badValue",
                                                      "readOnly",
                                                      "genErr",
                                                      "noAccess",
                                                      "wrongType",
                                                      "wrongLength",
                                                      "wrongEncoding",
                                                      "wrongValue",
                                                      "noCreation",
                                                      "inconsistentValue",
                                                      "resourceUnavailable",
                                                      "commitFailed",
                                                      "undoFailed",
                                                      "authorizationError",
                                                      "notWritable",
                                                      "inconsistentName"};
  if (status >= 0 && static_cast<std::size_t>(status) < kNames.size()) {
    return kNames[static_cast<std::size_t>(status)];
  }
  return "error-status " + std::to_string(status);
}

}  // namespace openmps::client::snmp

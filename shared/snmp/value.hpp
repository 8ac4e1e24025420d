#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "shared/snmp/oid.hpp"

namespace openmps::snmp {

// SMI types plus the SNMPv2 exceptions an agent may answer instead of a value.
enum class ValueType {
  kInteger,
  kOctetString,
  kOid,
  kIpAddress,
  kCounter32,
  kGauge32,
  kTimeTicks,
  kOpaque,
  kCounter64,
  kNull,
  kNoSuchObject,
  kNoSuchInstance,
  kEndOfMibView,
};

// One value as the agent sent it. Integers of every kind are in number;
// octet strings, opaque and IP addresses (4 raw bytes) in bytes; OIDs in oid.
struct Value {
  ValueType type = ValueType::kNull;
  std::int64_t number = 0;  // kInteger (signed), kCounter32/kGauge32/kTimeTicks (unsigned 32)
  std::uint64_t counter64 = 0;
  std::string bytes;
  Oid oid;

  static Value integer(std::int64_t v) { return {ValueType::kInteger, v, 0, {}, {}}; }
  static Value octets(std::string v) { return {ValueType::kOctetString, 0, 0, std::move(v), {}}; }
  static Value objectId(Oid v) { return {ValueType::kOid, 0, 0, {}, std::move(v)}; }
  static Value exception(ValueType t) { return {t, 0, 0, {}, {}}; }

  // No value: noSuchObject, noSuchInstance, endOfMibView or NULL.
  bool isException() const;
  // Any integer-like type as a signed number; nothing for a Counter64
  // above 2^63-1 (never clamped: asText has its exact value).
  std::optional<std::int64_t> asInteger() const;
  // Octet strings as valid UTF-8 (util::toValidUtf8: bytes that are not
  // UTF-8 read as Windows-1252, as printers send them); numbers printed in
  // decimal; OIDs dotted. The raw bytes stay in `bytes` (MACs, bit masks).
  std::optional<std::string> asText() const;

  bool operator==(const Value&) const = default;
};

struct VarBind {
  Oid oid;
  Value value;
  bool operator==(const VarBind&) const = default;
};

const char* toString(ValueType type);

}  // namespace openmps::snmp

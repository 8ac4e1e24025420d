#include "shared/snmp/value.hpp"

#include <cstdio>

#include "shared/util/text.hpp"

namespace openmps::snmp {

bool Value::isException() const {
  return type == ValueType::kNull || type == ValueType::kNoSuchObject ||
         type == ValueType::kNoSuchInstance || type == ValueType::kEndOfMibView;
}

std::optional<std::int64_t> Value::asInteger() const {
  switch (type) {
    case ValueType::kInteger:
    case ValueType::kCounter32:
    case ValueType::kGauge32:
    case ValueType::kTimeTicks: return number;
    case ValueType::kCounter64:
      if (counter64 > static_cast<std::uint64_t>(INT64_MAX)) return std::nullopt;
      return static_cast<std::int64_t>(counter64);
    default: return std::nullopt;
  }
}

std::optional<std::string> Value::asText() const {
  switch (type) {
    case ValueType::kOctetString:
    case ValueType::kOpaque: return util::toValidUtf8(bytes);
    case ValueType::kOid: return oid.toString();
    case ValueType::kIpAddress: {
      if (bytes.size() != 4) return std::nullopt;
      char buf[16];
      std::snprintf(buf, sizeof buf, "%u.%u.%u.%u", static_cast<unsigned char>(bytes[0]),
                    static_cast<unsigned char>(bytes[1]), static_cast<unsigned char>(bytes[2]),
                    static_cast<unsigned char>(bytes[3]));
      return std::string(buf);
    }
    case ValueType::kCounter64: return std::to_string(counter64);
    default: {
      const auto n = asInteger();
      if (!n) return std::nullopt;
      return std::to_string(*n);
    }
  }
}

const char* toString(ValueType type) {
  switch (type) {
    case ValueType::kInteger: return "INTEGER";
    case ValueType::kOctetString: return "OCTET STRING";
    case ValueType::kOid: return "OBJECT IDENTIFIER";
    case ValueType::kIpAddress: return "IpAddress";
    case ValueType::kCounter32: return "Counter32";
    case ValueType::kGauge32: return "Gauge32";
    case ValueType::kTimeTicks: return "TimeTicks";
    case ValueType::kOpaque: return "Opaque";
    case ValueType::kCounter64: return "Counter64";
    case ValueType::kNull: return "NULL";
    case ValueType::kNoSuchObject: return "noSuchObject";
    case ValueType::kNoSuchInstance: return "noSuchInstance";
    case ValueType::kEndOfMibView: return "endOfMibView";
  }
  return "?";
}

}  // namespace openmps::snmp

#include "shared/pmd/oid_names.hpp"

#include <cctype>

namespace openmps::pmd {

const std::vector<std::pair<std::string_view, std::string_view>>& knownOidNames() {
  static const std::vector<std::pair<std::string_view, std::string_view>> kNames = {
      {"sysDescr", "1.3.6.1.2.1.1.1"},
      {"sysObjectID", "1.3.6.1.2.1.1.2"},
      {"sysUpTime", "1.3.6.1.2.1.1.3"},
      {"sysContact", "1.3.6.1.2.1.1.4"},
      {"sysName", "1.3.6.1.2.1.1.5"},
      {"sysLocation", "1.3.6.1.2.1.1.6"},
      {"ifType", "1.3.6.1.2.1.2.2.1.3"},
      {"ifPhysAddress", "1.3.6.1.2.1.2.2.1.6"},
      {"hrDeviceType", "1.3.6.1.2.1.25.3.2.1.2"},
      {"hrDeviceDescr", "1.3.6.1.2.1.25.3.2.1.3"},
      {"hrDeviceStatus", "1.3.6.1.2.1.25.3.2.1.5"},
      {"hrPrinterStatus", "1.3.6.1.2.1.25.3.5.1.1"},
      {"hrPrinterDetectedErrorState", "1.3.6.1.2.1.25.3.5.1.2"},
      {"prtGeneralPrinterName", "1.3.6.1.2.1.43.5.1.1.16"},
      {"prtGeneralSerialNumber", "1.3.6.1.2.1.43.5.1.1.17"},
      {"prtInputEntry", "1.3.6.1.2.1.43.8.2.1"},
      {"prtInputType", "1.3.6.1.2.1.43.8.2.1.2"},
      {"prtOutputEntry", "1.3.6.1.2.1.43.9.2.1"},
      {"prtOutputType", "1.3.6.1.2.1.43.9.2.1.2"},
      {"prtMarkerEntry", "1.3.6.1.2.1.43.10.2.1"},
      {"prtMarkerCounterUnit", "1.3.6.1.2.1.43.10.2.1.3"},
      {"prtMarkerLifeCount", "1.3.6.1.2.1.43.10.2.1.4"},
      {"prtMarkerPowerOnCount", "1.3.6.1.2.1.43.10.2.1.5"},
      {"prtMarkerProcessColorants", "1.3.6.1.2.1.43.10.2.1.6"},
      {"prtMarkerSuppliesEntry", "1.3.6.1.2.1.43.11.1.1"},
      {"prtMarkerColorantEntry", "1.3.6.1.2.1.43.12.1.1"},
      {"prtMarkerColorantValue", "1.3.6.1.2.1.43.12.1.1.4"},
      {"prtAlertEntry", "1.3.6.1.2.1.43.18.1.1"},
      {"prtFinDeviceEntry", "1.3.6.1.2.1.43.30.1.1"},
      {"prtFinDeviceType", "1.3.6.1.2.1.43.30.1.1.2"},
      {"ppmPrinterIEEE1284DeviceId", "1.3.6.1.4.1.2699.1.2.1.2.1.1.3"},
      {"enterprises", "1.3.6.1.4.1"},
  };
  return kNames;
}

std::optional<snmp::Oid> resolveOidText(std::string_view text) {
  if (text.empty()) {
    return std::nullopt;
  }
  if (text.front() == '.' || std::isdigit(static_cast<unsigned char>(text.front())) != 0) {
    return snmp::Oid::parse(text);
  }
  const auto dot = text.find('.');
  const std::string_view name = text.substr(0, dot);
  for (const auto& [known, digits] : knownOidNames()) {
    if (known == name) {
      if (dot == std::string_view::npos) {
        return snmp::Oid::parse(digits);
      }
      std::string full(digits);
      full += text.substr(dot);
      return snmp::Oid::parse(full);
    }
  }
  return std::nullopt;
}

}  // namespace openmps::pmd

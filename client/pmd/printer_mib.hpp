#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

// Names for the numbers of RFC 3805 (Printer-MIB), RFC 2790 (Host
// Resources) and the IANA Printer MIB alert codes. Unknown numbers come back
// as "code <n>" so nothing a device says is lost.
namespace openmps::client::pmd {

std::string supplyTypeName(std::int64_t code);     // PrtMarkerSuppliesTypeTC
std::string supplyUnitName(std::int64_t code);     // PrtMarkerSuppliesSupplyUnitTC
std::string inputUnitName(std::int64_t code);      // PrtCapacityUnitTC
std::string supplyClassName(std::int64_t code);    // consumed / receptacle / other
std::string alertSeverityName(std::int64_t code);  // PrtAlertSeverityLevelTC
std::string alertGroupName(std::int64_t code);     // PrtAlertGroupTC
std::string alertCodeName(std::int64_t code);      // IANA PrtAlertCodeTC
std::string printerStatusName(std::int64_t code);  // hrPrinterStatus
std::string deviceStatusName(std::int64_t code);   // hrDeviceStatus
std::string finisherTypeName(std::int64_t code);   // FinDeviceTypeTC
// hrPrinterDetectedErrorState: bit 0 is the most significant bit of the
// first octet (RFC 2790). Names as in model::Status::errors.
std::vector<std::string> detectedErrorNames(std::string_view octets);

}  // namespace openmps::client::pmd

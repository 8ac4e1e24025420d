#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

// The data model shared by client and server: what one read of one device
// yields. Its JSON form (reading_json.hpp) is the project's public format;
// shared/README.md documents it field by field.
namespace openmps::model {

struct DeviceIdentity {
  std::string manufacturer;
  std::string model;
  std::string serial;
  std::string firmware;
  std::string mac;  // "aa:bb:cc:dd:ee:ff", lower case
  std::string hostName;
  std::string ip;
  std::string location;
  std::string contact;
  std::string sysObjectId;  // dotted, no leading dot
  std::string sysDescr;
  // What the device definition reads it as: "printer" (printers and MFPs)
  // or "scanner" (a document scanner, billed by its scan counter).
  std::string kind = "printer";

  bool operator==(const DeviceIdentity&) const = default;
};

// Counter name (see counter_names.hpp) to page count.
using Counters = std::map<std::string, std::int64_t>;

// How much we know about a supply's level. Printer-MIB sentinels map to
// kOther (-1), kUnknown (-2) and kSomeRemaining (-3); they never become a
// made-up percentage.
enum class SupplyState {
  kOk,             // level known, above the low mark
  kLow,            // level known and low, or the device says so
  kEmpty,          // level known to be zero, or the device says so
  kSomeRemaining,  // device knows some is left, not how much (-3)
  kUnknown,        // device cannot tell (-2), or nothing readable
  kOther,          // no restriction / not measured (-1)
  kFull,           // for receptacles (waste toner): full
};

struct Supply {
  int index = 0;                    // prtMarkerSuppliesIndex or vendor index
  std::string description;          // its name, without the part and serial numbers split off
  std::string type;                 // toner, ink, wasteToner, opc, developer, fuser, ...
  std::string color;                // black, cyan, magenta, yellow, ... or empty
  std::int64_t level = 0;           // raw level as read, sentinels included
  std::int64_t max = 0;             // raw capacity as read, sentinels included
  std::optional<int> levelPercent;  // 0..100 when level and max are plain numbers
  SupplyState state = SupplyState::kUnknown;
  std::string unit;  // Printer-MIB unit: impressions, sheets, percent, tenThousandthsOfInches, ...
  std::string supplyClass;  // "consumed" or "receptacle" (waste: fills up)
  std::string partNumber;   // what a dealer orders it by, where the device says
  std::string serial;       // the cartridge's own serial (its CRUM chip), where the device says

  bool operator==(const Supply&) const = default;
};

struct AlertEntry {
  int index = 0;
  std::string severity;  // critical, warning, info (Printer-MIB severity levels)
  std::string group;  // Printer-MIB alert group: input, output, marker, markerSupplies, cover, ...
  int code = 0;       // IANA PrtAlertCodeTC, or the vendor's code for vendor alerts
  std::string text;   // prtAlertDescription or our wording
  bool operator==(const AlertEntry&) const = default;
};

struct Status {
  // hrPrinterStatus: other, unknown, idle, printing, warmup
  std::string printerStatus;
  // hrDeviceStatus: unknown, running, warning, testing, down
  std::string deviceStatus;
  // hrPrinterDetectedErrorState bits by name (lowPaper, noPaper, lowToner,
  // noToner, doorOpen, jammed, offline, serviceRequested, inputTrayMissing,
  // outputTrayMissing, markerSupplyMissing, outputNearFull, outputFull,
  // inputTrayEmpty, overduePreventMaint)
  std::vector<std::string> errors;
  std::vector<AlertEntry> alerts;
  std::string vendorCode;  // vendor error/status code where the PMD reads one
  bool operator==(const Status&) const = default;
};

struct Capabilities {
  std::optional<bool> color;
  std::optional<bool> duplex;
  std::optional<bool> largeFormat;
  std::optional<int> inputTrays;
  std::optional<int> outputTrays;
  std::vector<std::string> finishers;  // stapler, puncher, folder, booklet, ...
  bool operator==(const Capabilities&) const = default;
};

// Where a reading came from.
struct Origin {
  std::string clientId;  // the enrolled client (collector) id, decimal
  std::string address;   // host[:port] the device answered on
  std::string pmd;       // id of the device definition used
  bool operator==(const Origin&) const = default;
};

// kMeter: a complete read (counters, supplies, status, identity).
// kStatus: a status poll (status and supplies); counters may be empty.
enum class ReadingKind { kMeter, kStatus };

struct Reading {
  ReadingKind kind = ReadingKind::kMeter;
  std::chrono::system_clock::time_point readAt;
  Origin origin;
  DeviceIdentity identity;
  Counters counters;
  std::vector<Supply> supplies;
  Status status;
  Capabilities capabilities;
  // Things the reader noticed and wants a human to see (a vendor total
  // that disagrees with prtMarkerLifeCount, a counter left out as implausible).
  std::vector<std::string> notes;

  bool operator==(const Reading&) const = default;
};

const char* toString(SupplyState state);
std::optional<SupplyState> supplyStateFromString(std::string_view text);
const char* toString(ReadingKind kind);
std::optional<ReadingKind> readingKindFromString(std::string_view text);

// The conditions that make a technician drive out: they are sent at once,
// not with the next batch.
bool isCriticalError(std::string_view errorName);

}  // namespace openmps::model

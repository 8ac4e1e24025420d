#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "server/meters/calendar.hpp"
#include "server/reports/i18n.hpp"

// What every report definition is given besides its rows: whose report it
// is, for which days, in which language, and when it is made.
namespace openmps::server::reports {

using TimePoint = std::chrono::system_clock::time_point;

struct ReportContext {
  std::string organisation;  // the scope's name
  std::string timeZone;      // the scope organisation's zone (generation time, period header)
  meters::LocalDate from;    // first local day
  meters::LocalDate to;      // last local day, inclusive
  Locale locale = Locale::kEn;
  TimePoint now{};
};

// One customer of the scope, with the instants of its own period (its own
// time zone and, for "last billing period", its own billing day).
struct CustomerPeriod {
  std::int64_t id = 0;
  std::string name;
  std::string timeZone = "UTC";
  int leadDays = 7;
  std::int64_t dealerId = 0;
  meters::Period period;
};

// A device as the reports show it.
struct ReportDevice {
  std::int64_t id = 0;
  std::int64_t customerId = 0;
  std::string serial;
  std::string manufacturer;
  std::string model;
  std::string location;
  std::string ip;
  std::optional<TimePoint> firstSeen;
  std::optional<TimePoint> lastSeen;  // last counter reading (or contact)
};

// "Manufacturer Model" unless the model already starts with the maker.
std::string modelName(const ReportDevice& d);

}  // namespace openmps::server::reports

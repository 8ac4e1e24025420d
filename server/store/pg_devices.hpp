#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "server/forecast/supply_forecast.hpp"
#include "server/store/device_list.hpp"

namespace pqxx {
class transaction_base;
}

// Devices as people read them (the API's device routes), inside the
// request's transaction. Every read is limited to the caller's
// organisation subtree (`scope`): a device outside it does not exist.
namespace openmps::server::store {

using TimePoint = std::chrono::system_clock::time_point;

// One row of the list; times RFC 3339 UTC ("" for never); the latest
// counters, supplies and status as ingest stored them (shared JSON form).
struct DeviceListRow {
  std::int64_t id = 0;
  std::string serial, manufacturer, model, ip, hostName, location;
  std::int64_t customerId = 0;
  std::string customerName;
  std::int64_t siteId = 0;  // 0: no site
  std::string siteName;
  std::string kind;  // printer or scanner
  std::string lastSeenAt;
  std::string statusJson, countersJson, suppliesJson;
  std::string sortKey;
};

struct DeviceDetail {
  DeviceListRow row;
  std::string mac, firmware, contact, sysObjectId, sysDescr, firstSeenAt;
  std::int64_t collectorId = 0;
  std::string collectorName;
  std::string capabilitiesJson;
  int orderLeadDays = 7;
};

struct SeriesPoint {
  std::string at;  // RFC 3339 UTC
  std::int64_t value = 0;
};

struct CounterSeries {
  std::string counter;
  std::vector<SeriesPoint> points;
};

struct SupplySeries {
  int index = 0;
  std::string description, color;
  std::vector<SeriesPoint> points;  // percent
};

struct DeviceEventRow {
  std::int64_t id = 0;
  std::string at, kind, detailJson;
};

struct SupplyHistory {
  int index = 0;
  std::string description, color, supplyClass;
  std::optional<int> percentNow;
  std::vector<forecast::LevelSample> samples;
};

class PgDevices {
 public:
  explicit PgDevices(pqxx::transaction_base& txn);

  // One page (limit + 1 rows are fetched: the extra one says there is more).
  std::vector<DeviceListRow> list(const DeviceListQuery& query, TimePoint now);
  std::optional<DeviceDetail> get(std::int64_t id, std::int64_t scope);
  // Puts a visible device on a site of its own customer (nullopt: on none);
  // false when the site is not one of the device's customer.
  bool setSite(std::int64_t id, std::optional<std::int64_t> siteId);
  // Readings between from and to; longer ranges keep the last reading of
  // each day so a year stays a few hundred points per series.
  std::vector<CounterSeries> meters(std::int64_t id, TimePoint from, TimePoint to);
  std::vector<SupplySeries> supplyLevels(std::int64_t id, TimePoint from, TimePoint to);
  // Newest first, after the event id `before` (0: from the newest).
  std::vector<DeviceEventRow> events(std::int64_t id, std::int64_t before, int limit);
  // Each supply's level history since `since`, for its forecast.
  std::vector<SupplyHistory> supplyHistories(std::int64_t id, TimePoint since);

 private:
  pqxx::transaction_base& txn_;
};

}  // namespace openmps::server::store

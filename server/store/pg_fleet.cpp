#include <pqxx/pqxx>

#include "server/store/fleet.hpp"

namespace openmps::server::store {
namespace {

using TimePoint = std::chrono::system_clock::time_point;

TimePoint fromMillis(const pqxx::field& f) {
  return TimePoint{std::chrono::milliseconds{f.as<std::int64_t>()}};
}

std::optional<TimePoint> optionalMillis(const pqxx::field& f) {
  if (f.is_null()) {
    return std::nullopt;
  }
  return fromMillis(f);
}

}  // namespace

Fleet loadFleet(const util::Secret& databaseUri, const FleetScope& scope) {
  pqxx::connection conn(databaseUri.reveal());
  pqxx::read_transaction txn(conn);
  Fleet fleet;
  fleet.scope = scope;
  fleet.generatedAt = std::chrono::system_clock::now();
  // Tenant scope: the subtree under the organisation, through its path.
  const auto rows = txn.exec_params(
      "SELECT d.id, c.name, coalesce(dl.name, ''), coalesce(d.collector_id, 0), "
      " (extract(epoch FROM d.first_seen_at) * 1000)::bigint, "
      " (extract(epoch FROM coalesce(l.last_seen_at, d.first_seen_at)) * 1000)::bigint, "
      " (extract(epoch FROM l.counters_at) * 1000)::bigint, "
      " (extract(epoch FROM l.status_at) * 1000)::bigint, "
      " coalesce((SELECT r.pmd FROM device_reads r WHERE r.device_id = d.id "
      "           ORDER BY r.read_at DESC LIMIT 1), ''), "
      " d.manufacturer, d.model, d.serial, d.firmware, d.mac, d.host_name, d.ip, d.location, "
      " d.contact, d.sys_object_id, d.sys_descr, "
      " coalesce(l.counters, '{}')::text, coalesce(l.supplies, '[]')::text, "
      " coalesce(l.status, '{}')::text, d.capabilities::text, d.kind "
      "FROM devices d JOIN organisations c ON c.id = d.customer_id "
      "LEFT JOIN organisations dl ON dl.id = c.parent_id "
      "LEFT JOIN device_latest l ON l.device_id = d.id "
      "WHERE $1 = 0 OR c.path @> ARRAY[$1::bigint] "
      "ORDER BY lower(c.name), d.serial, d.id",
      scope.organisationId);
  for (const auto& row : rows) {
    FleetDevice d;
    d.id = row[0].as<std::int64_t>();
    d.customer = row[1].as<std::string>();
    d.dealer = row[2].as<std::string>();
    d.collectorId = static_cast<std::uint64_t>(row[3].as<std::int64_t>());
    d.firstSeenAt = fromMillis(row[4]);
    d.lastSeenAt = fromMillis(row[5]);
    d.countersAt = optionalMillis(row[6]);
    d.statusAt = optionalMillis(row[7]);
    d.pmd = row[8].as<std::string>();
    auto& i = d.identity;
    i.manufacturer = row[9].as<std::string>();
    i.model = row[10].as<std::string>();
    i.serial = row[11].as<std::string>();
    i.firmware = row[12].as<std::string>();
    i.mac = row[13].as<std::string>();
    i.hostName = row[14].as<std::string>();
    i.ip = row[15].as<std::string>();
    i.location = row[16].as<std::string>();
    i.contact = row[17].as<std::string>();
    i.sysObjectId = row[18].as<std::string>();
    i.sysDescr = row[19].as<std::string>();
    d.countersJson = row[20].as<std::string>();
    d.suppliesJson = row[21].as<std::string>();
    d.statusJson = row[22].as<std::string>();
    d.capabilitiesJson = row[23].as<std::string>();
    i.kind = row[24].as<std::string>();
    fleet.devices.push_back(std::move(d));
  }
  return fleet;
}

}  // namespace openmps::server::store

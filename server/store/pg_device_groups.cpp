#include "server/store/pg_device_groups.hpp"

#include <array>

#include <pqxx/pqxx>

#include "server/store/pg_array.hpp"

namespace openmps::server::store {
namespace {

struct Statement {
  const char* name;
  std::string sql;
};

constexpr const char* kColumns =
    "g.id, g.customer_id, c.name, g.name,"
    " to_char(g.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),"
    " (SELECT count(*) FROM device_group_members m JOIN devices d ON d.id = m.device_id"
    "  WHERE m.group_id = g.id)"
    " FROM device_groups g JOIN organisations c ON c.id = g.customer_id";

// Every statement of this adapter, by name.
const std::array<Statement, 14>& statements() {
  static const std::array<Statement, 14> kStatements = {{
      {"groups_list", std::string("SELECT ") + kColumns +
                          " WHERE ($1::bigint = 0 OR g.customer_id = $1) AND g.id > $2"
                          " ORDER BY g.id LIMIT $3"},
      {"groups_get", std::string("SELECT ") + kColumns + " WHERE g.id = $1"},
      {"groups_devices",
       "SELECT m.device_id FROM device_group_members m JOIN devices d ON d.id = m.device_id"
       " WHERE m.group_id = $1 ORDER BY m.device_id"},
      {"groups_insert",
       "INSERT INTO device_groups (customer_id, name) SELECT c.id, $2 FROM organisations c"
       " WHERE c.id = $1 AND c.kind = 'customer' ON CONFLICT DO NOTHING RETURNING id"},
      {"groups_name_taken",
       "SELECT 1 FROM device_groups WHERE customer_id = $1 AND lower(name) = lower($2)"
       " AND id <> $3"},
      {"groups_rename", "UPDATE device_groups SET name = $2 WHERE id = $1"},
      {"groups_foreign_devices",
       "SELECT x FROM unnest($2::bigint[]) x WHERE NOT EXISTS"
       " (SELECT 1 FROM devices d WHERE d.id = x AND d.customer_id = $1) ORDER BY x"},
      {"groups_clear", "DELETE FROM device_group_members WHERE group_id = $1"},
      {"groups_add_devices",
       "INSERT INTO device_group_members (group_id, device_id, customer_id)"
       " SELECT $1, x, $2 FROM unnest($3::bigint[]) x ON CONFLICT DO NOTHING"},
      {"groups_restricted_users",
       "SELECT username FROM users WHERE $1 = ANY (device_group_ids) ORDER BY username"},
      {"groups_delete", "DELETE FROM device_groups WHERE id = $1"},
      {"groups_foreign_sites",
       "SELECT x FROM unnest($2::bigint[]) x WHERE NOT EXISTS (SELECT 1 FROM organisations s"
       " WHERE s.id = x AND s.kind = 'site' AND s.parent_id = $1) ORDER BY x"},
      {"groups_foreign_groups",
       "SELECT x FROM unnest($2::bigint[]) x WHERE NOT EXISTS"
       " (SELECT 1 FROM device_groups g WHERE g.id = x AND g.customer_id = $1) ORDER BY x"},
      {"groups_customer", "SELECT 1 FROM organisations WHERE id = $1 AND kind = 'customer'"},
  }};
  return kStatements;
}

std::string idArray(const std::vector<std::int64_t>& ids) {
  PgArray a;
  for (const auto id : ids) a.add(id);
  return a.str();
}

DeviceGroup groupRow(const pqxx::row& r) {
  return {r[0].as<std::int64_t>(), r[1].as<std::int64_t>(), r[2].as<std::string>(),
          r[3].as<std::string>(),  r[4].as<std::string>(),  r[5].as<std::int64_t>()};
}

}  // namespace

PgDeviceGroups::PgDeviceGroups(pqxx::transaction_base& txn) : txn_(txn) {
  for (const auto& s : statements()) txn_.conn().prepare(s.name, s.sql);
}

std::vector<DeviceGroup> PgDeviceGroups::list(std::int64_t customerId, std::int64_t afterId,
                                              int limit) {
  std::vector<DeviceGroup> out;
  for (const auto& r : txn_.exec_prepared("groups_list", customerId, afterId, limit + 1)) {
    out.push_back(groupRow(r));
  }
  return out;
}

std::optional<DeviceGroup> PgDeviceGroups::get(std::int64_t id) {
  const auto r = txn_.exec_prepared("groups_get", id);
  if (r.empty()) return std::nullopt;
  return groupRow(r[0]);
}

std::vector<std::int64_t> PgDeviceGroups::deviceIds(std::int64_t id) {
  std::vector<std::int64_t> out;
  for (const auto& r : txn_.exec_prepared("groups_devices", id)) {
    out.push_back(r[0].as<std::int64_t>());
  }
  return out;
}

bool PgDeviceGroups::isCustomer(std::int64_t id) {
  return !txn_.exec_prepared("groups_customer", id).empty();
}

std::optional<std::int64_t> PgDeviceGroups::insert(std::int64_t customerId,
                                                   const std::string& name) {
  const auto r = txn_.exec_prepared("groups_insert", customerId, name);
  if (r.empty()) return std::nullopt;
  return r[0][0].as<std::int64_t>();
}

bool PgDeviceGroups::rename(std::int64_t id, const std::string& name) {
  const auto group = get(id);
  if (!group) return false;
  if (!txn_.exec_prepared("groups_name_taken", group->customerId, name, id).empty()) return false;
  txn_.exec_prepared("groups_rename", id, name);
  return true;
}

std::vector<std::int64_t> PgDeviceGroups::foreignDevices(
    std::int64_t customerId, const std::vector<std::int64_t>& deviceIds) {
  std::vector<std::int64_t> out;
  for (const auto& r :
       txn_.exec_prepared("groups_foreign_devices", customerId, idArray(deviceIds))) {
    out.push_back(r[0].as<std::int64_t>());
  }
  return out;
}

namespace {

std::vector<std::int64_t> ids(const pqxx::result& rows) {
  std::vector<std::int64_t> out;
  for (const auto& r : rows) out.push_back(r[0].as<std::int64_t>());
  return out;
}

}  // namespace

std::vector<std::int64_t> PgDeviceGroups::foreignSites(std::int64_t customerId,
                                                       const std::vector<std::int64_t>& siteIds) {
  return ids(txn_.exec_prepared("groups_foreign_sites", customerId, idArray(siteIds)));
}

std::vector<std::int64_t> PgDeviceGroups::foreignGroups(std::int64_t customerId,
                                                        const std::vector<std::int64_t>& groupIds) {
  return ids(txn_.exec_prepared("groups_foreign_groups", customerId, idArray(groupIds)));
}

void PgDeviceGroups::replaceDevices(std::int64_t id, std::int64_t customerId,
                                    const std::vector<std::int64_t>& deviceIds) {
  txn_.exec_prepared("groups_clear", id);
  txn_.exec_prepared("groups_add_devices", id, customerId, idArray(deviceIds));
}

std::vector<std::string> PgDeviceGroups::restrictedUsers(std::int64_t id) {
  std::vector<std::string> out;
  for (const auto& r : txn_.exec_prepared("groups_restricted_users", id)) {
    out.push_back(r[0].as<std::string>());
  }
  return out;
}

void PgDeviceGroups::remove(std::int64_t id) {
  txn_.exec_prepared("groups_delete", id);
}

}  // namespace openmps::server::store

#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace pqxx {
class transaction_base;
}

// Device groups: a customer's named sets of its devices (restricted
// accounts may be limited to some), in the request's transaction. Row-level
// security decides which groups and devices the caller sees; every
// statement here also names the customer, so a group never holds another
// customer's device.
namespace openmps::server::store {

struct DeviceGroup {
  std::int64_t id = 0;
  std::int64_t customerId = 0;
  std::string customerName;
  std::string name;
  std::string createdAt;  // RFC 3339 UTC
  std::int64_t deviceCount = 0;
};

class PgDeviceGroups {
 public:
  explicit PgDeviceGroups(pqxx::transaction_base& txn);

  // Ordered by id, after `afterId`; limit + 1 rows say there is more.
  std::vector<DeviceGroup> list(std::int64_t customerId, std::int64_t afterId, int limit);
  std::optional<DeviceGroup> get(std::int64_t id);
  std::vector<std::int64_t> deviceIds(std::int64_t id);
  // Whether `id` is a customer the caller sees.
  bool isCustomer(std::int64_t id);
  // nullopt when the customer has a group of that name already.
  std::optional<std::int64_t> insert(std::int64_t customerId, const std::string& name);
  // false when the customer has another group of that name.
  bool rename(std::int64_t id, const std::string& name);
  // The ids among `deviceIds` that are not devices of the customer the
  // caller sees (empty: all are).
  std::vector<std::int64_t> foreignDevices(std::int64_t customerId,
                                           const std::vector<std::int64_t>& deviceIds);
  void replaceDevices(std::int64_t id, std::int64_t customerId,
                      const std::vector<std::int64_t>& deviceIds);
  // Of `siteIds` / `groupIds`, those that are not sites / groups of the
  // customer the caller sees (a restricted account's scope is checked so).
  std::vector<std::int64_t> foreignSites(std::int64_t customerId,
                                         const std::vector<std::int64_t>& siteIds);
  std::vector<std::int64_t> foreignGroups(std::int64_t customerId,
                                          const std::vector<std::int64_t>& groupIds);
  // Accounts restricted to the group (by user name), which keep it alive.
  std::vector<std::string> restrictedUsers(std::int64_t id);
  void remove(std::int64_t id);

 private:
  pqxx::transaction_base& txn_;
};

}  // namespace openmps::server::store

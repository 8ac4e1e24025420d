#pragma once

#include "server/api/router.hpp"
#include "server/config/server_config.hpp"
#include "shared/envelope/keys.hpp"
#include "shared/util/clock.hpp"

// The routes of the fleet (the portal's pages are built on them):
// organisation_routes.cpp  dealers, customers and sites, their settings;
// collector_routes.cpp     collectors: list, create (enrollment string), revoke;
// device_routes.cpp        devices: the list, one device, its histories, forecast;
// dashboard_routes.cpp     the figures of the dashboard;
// device_group_routes.cpp  device groups (restricted accounts' scope).
// Each reads only the caller's organisation subtree.
namespace openmps::server::api {

void registerOrganisationRoutes(Router& router, const util::Clock& clock);
void registerCollectorRoutes(Router& router, const config::ServerConfig& config,
                             const envelope::MasterKey& masterKey, const util::Clock& clock);
void registerDeviceRoutes(Router& router, const util::Clock& clock);
void registerDashboardRoutes(Router& router, const util::Clock& clock);
void registerDeviceGroupRoutes(Router& router);

}  // namespace openmps::server::api

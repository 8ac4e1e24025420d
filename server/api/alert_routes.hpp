#pragma once

#include "server/api/router.hpp"
#include "shared/envelope/keys.hpp"
#include "shared/util/clock.hpp"

// The routes of alerts, their rules and subscriptions (alert_routes.cpp).
namespace openmps::server::api {

// masterKey: webhook secrets are sealed under a key derived from it.
void registerAlertRoutes(Router& router, const envelope::MasterKey& masterKey,
                         const util::Clock& clock);

}  // namespace openmps::server::api

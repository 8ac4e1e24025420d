#pragma once

#include "server/api/router.hpp"

// The notification outbox of the caller's subtree: list it, queue a dead
// notification again (notification_routes.cpp).
namespace openmps::server::api {

void registerNotificationRoutes(Router& router);

}  // namespace openmps::server::api

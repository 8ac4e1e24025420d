#pragma once

#include "server/api/router.hpp"
#include "shared/envelope/keys.hpp"
#include "shared/util/clock.hpp"

// The notification outbox of the caller's subtree: list it, queue a dead
// notification again, queue a test message (notification_routes.cpp).
namespace openmps::server::api {

// masterKey: a test webhook's secret is sealed under a key derived from it.
void registerNotificationRoutes(Router& router, const envelope::MasterKey& masterKey,
                                const util::Clock& clock);

}  // namespace openmps::server::api

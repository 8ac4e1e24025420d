#include "server/events/event.hpp"

namespace openmps::server::events {

bool forAlerts(std::string_view kind) {
  return kind == kDeviceSwapped || kind == kCounterBackwards || kind == kCounterReset ||
         kind == kCounterJump || kind == kSupplyLevel || kind == kSupplyReplaced ||
         kind == kStatusRaised || kind == kStatusCleared || kind == kDeviceBack;
}

}  // namespace openmps::server::events

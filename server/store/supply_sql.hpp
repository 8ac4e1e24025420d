#pragma once

#include <string_view>

namespace openmps::server::store {

// The supplies a dealer orders and watches: toner, ink, drums, kits. Not
// paper trays (input and output: their level is paper, refilled by the
// customer) nor a receptacle (a waste box fills up: its level runs the
// other way). `s` is one element of device_latest.supplies. The device
// list's "low supply" filter and the alert engine's forecast sweep use it,
// so the list shows exactly the devices the alerts are about.
inline constexpr std::string_view kOrderableSupplySql =
    "coalesce(s->>'class', '') <> 'receptacle' AND coalesce(s->>'type', '') NOT IN ('input', "
    "'output')";

}  // namespace openmps::server::store

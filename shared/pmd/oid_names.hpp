#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "shared/snmp/oid.hpp"

namespace openmps::pmd {

// Standard MIB object names a definition may write instead of digits:
// "prtMarkerLifeCount.1.1" is 1.3.6.1.2.1.43.10.2.1.4.1.1. Vendor objects
// are written as numbers (their MIBs are not shipped).
std::optional<snmp::Oid> resolveOidText(std::string_view text);
const std::vector<std::pair<std::string_view, std::string_view>>& knownOidNames();

}  // namespace openmps::pmd

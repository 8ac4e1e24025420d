#pragma once

#include <span>
#include <string>
#include <string_view>

namespace openmps::model {

// The counter vocabulary (shared/README.md, The reading): extend it, never
// rename an entry.
// Anything vendor-specific is "custom.<name>" with <name> of [a-z0-9_.-].
std::span<const std::string_view> standardCounterNames();
bool isStandardCounterName(std::string_view name);
bool isValidCounterName(std::string_view name);
// Why a name is not valid, for error messages; empty when it is.
std::string counterNameProblem(std::string_view name);

}  // namespace openmps::model

#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

#include "shared/model/reading.hpp"

namespace openmps::model {

// The JSON form of a Reading (documented in shared/README.md). Printing is
// deterministic: keys sorted, absent optionals as null.
std::string readingToJson(const Reading& reading, int indent = -1);

// Parses and validates a reading from untrusted JSON. Throws
// util::JsonFieldError naming the offending field ("counters.total: ...").
Reading readingFromJson(std::string_view json);

// Limits applied when reading untrusted JSON.
inline constexpr std::size_t kMaxTextLength = 1024;
inline constexpr std::size_t kMaxCounters = 256;
inline constexpr std::size_t kMaxSupplies = 128;
inline constexpr std::size_t kMaxAlerts = 256;
inline constexpr std::size_t kMaxListItems = 64;
// Page counters are non-negative and below 2^53, so that every JSON reader
// (including JavaScript's) sees the exact number.
inline constexpr std::int64_t kMaxCounterValue = (std::int64_t{1} << 53) - 1;

}  // namespace openmps::model

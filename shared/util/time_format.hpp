#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace openmps::util {

// RFC 3339 in UTC with milliseconds: "2026-11-22T12:00:00.123Z".
std::string formatRfc3339(std::chrono::system_clock::time_point t);
// Accepts "YYYY-MM-DDTHH:MM:SS[.fff...](Z|+HH:MM|-HH:MM)" for the years
// 1970 to 2200; nullopt otherwise.
std::optional<std::chrono::system_clock::time_point> parseRfc3339(std::string_view text);

}  // namespace openmps::util

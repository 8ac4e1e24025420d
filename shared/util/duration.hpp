#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace openmps::util {

// The one duration vocabulary of configuration files, client and server:
// "90s", "5m", "3h", "1d", "2w" and sums of them ("1h30m"). Plain numbers
// are refused: "300" could mean seconds or minutes, and a wrong guess reads
// a fleet a hundred times too often.
std::optional<std::chrono::seconds> parseDuration(std::string_view text);
// The shortest form parseDuration reads back: 86400 s -> "1d", 5400 s -> "1h30m".
std::string formatDuration(std::chrono::seconds duration);

}  // namespace openmps::util

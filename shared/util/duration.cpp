#include "shared/util/duration.hpp"

#include <array>
#include <charconv>
#include <cstdint>
#include <utility>

namespace openmps::util {
namespace {

constexpr std::array<std::pair<char, std::int64_t>, 5> kUnits = {{
    {'w', 7 * 86400},
    {'d', 86400},
    {'h', 3600},
    {'m', 60},
    {'s', 1},
}};

}  // namespace

std::optional<std::chrono::seconds> parseDuration(std::string_view text) {
  if (text.empty()) return std::nullopt;
  std::int64_t total = 0;
  const char* p = text.data();
  const char* end = text.data() + text.size();
  while (p != end) {
    std::int64_t value = 0;
    const auto [next, ec] = std::from_chars(p, end, value);
    if (ec != std::errc() || next == end || value < 0) return std::nullopt;
    std::int64_t unit = 0;
    for (const auto& [suffix, seconds] : kUnits) {
      if (*next == suffix) unit = seconds;
    }
    if (unit == 0 || value > (std::int64_t{1} << 40) / unit) return std::nullopt;
    total += value * unit;
    p = next + 1;
  }
  return std::chrono::seconds{total};
}

std::string formatDuration(std::chrono::seconds duration) {
  std::int64_t left = duration.count();
  if (left <= 0) return "0s";
  std::string out;
  for (const auto& [suffix, seconds] : kUnits) {
    if (suffix == 'w') continue;  // "14d" reads better than "2w"
    if (left >= seconds) {
      out += std::to_string(left / seconds) + suffix;
      left %= seconds;
    }
  }
  return out;
}

}  // namespace openmps::util

#include "shared/model/counter_names.hpp"

#include <algorithm>
#include <array>

namespace openmps::model {
namespace {

constexpr std::array<std::string_view, 15> kStandard = {
    "total",       "mono",       "color",       "print.total", "print.mono",
    "print.color", "copy.total", "copy.mono",   "copy.color",  "fax.total",
    "scan.total",  "duplex",     "large.total", "large.mono",  "large.color"};

constexpr std::string_view kCustomPrefix = "custom.";
constexpr std::size_t kMaxNameLength = 64;

bool isCustomChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
}

}  // namespace

std::span<const std::string_view> standardCounterNames() {
  return kStandard;
}

bool isStandardCounterName(std::string_view name) {
  return std::find(kStandard.begin(), kStandard.end(), name) != kStandard.end();
}

std::string counterNameProblem(std::string_view name) {
  if (isStandardCounterName(name)) return {};
  if (name.size() > kMaxNameLength) return "counter name longer than 64 characters";
  if (!name.starts_with(kCustomPrefix)) {
    return "unknown counter '" + std::string(name) + "' (use a standard name or custom.<name>)";
  }
  const std::string_view rest = name.substr(kCustomPrefix.size());
  if (rest.empty()) return "custom counter without a name";
  if (!std::all_of(rest.begin(), rest.end(), isCustomChar)) {
    return "custom counter '" + std::string(name) + "' may only use a-z, 0-9, '_', '.', '-'";
  }
  return {};
}

bool isValidCounterName(std::string_view name) {
  return counterNameProblem(name).empty();
}

}  // namespace openmps::model

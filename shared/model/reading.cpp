#include "shared/model/reading.hpp"

#include <array>
#include <utility>

namespace openmps::model {
namespace {

constexpr std::array<std::pair<SupplyState, const char*>, 7> kSupplyStates = {{
    {SupplyState::kOk, "ok"},
    {SupplyState::kLow, "low"},
    {SupplyState::kEmpty, "empty"},
    {SupplyState::kSomeRemaining, "some_remaining"},
    {SupplyState::kUnknown, "unknown"},
    {SupplyState::kOther, "other"},
    {SupplyState::kFull, "full"},
}};

}  // namespace

const char* toString(SupplyState state) {
  for (const auto& [value, name] : kSupplyStates) {
    if (value == state) return name;
  }
  return "unknown";
}

std::optional<SupplyState> supplyStateFromString(std::string_view text) {
  for (const auto& [value, name] : kSupplyStates) {
    if (text == name) return value;
  }
  return std::nullopt;
}

const char* toString(ReadingKind kind) {
  return kind == ReadingKind::kMeter ? "meter" : "status";
}

std::optional<ReadingKind> readingKindFromString(std::string_view text) {
  if (text == "meter") return ReadingKind::kMeter;
  if (text == "status") return ReadingKind::kStatus;
  return std::nullopt;
}

bool isCriticalError(std::string_view errorName) {
  return errorName == "serviceRequested" || errorName == "jammed" || errorName == "noToner" ||
         errorName == "doorOpen" || errorName == "offline";
}

}  // namespace openmps::model

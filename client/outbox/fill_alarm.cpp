#include "client/outbox/fill_alarm.hpp"

#include <array>

namespace openmps::client::outbox {
namespace {
constexpr std::array<int, 4> kLevels{50, 80, 90, 95};
}

std::optional<int> FillAlarm::update(std::size_t stored, std::size_t max) {
  if (max == 0) return std::nullopt;
  const auto percentOf = [&](int level) {
    return stored * 100 >= max * static_cast<std::size_t>(level);
  };
  if (!percentOf(kLevels.front())) {
    armedFrom_ = 0;
    return std::nullopt;
  }
  std::optional<int> crossed;
  while (armedFrom_ < kLevels.size() && percentOf(kLevels[armedFrom_])) {
    crossed = kLevels[armedFrom_++];
  }
  return crossed;
}

}  // namespace openmps::client::outbox

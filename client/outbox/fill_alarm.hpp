#pragma once

#include <cstddef>
#include <optional>

namespace openmps::client::outbox {

// When the outbox fills because the server has not confirmed for a long
// time, say so before the cap refuses readings: once at each of 50, 80, 90
// and 95 % on the way up. Falling back below 50 % arms every level again.
// Pure.
class FillAlarm {
 public:
  // The level (in percent) just crossed upward, if any.
  std::optional<int> update(std::size_t stored, std::size_t max);

 private:
  std::size_t armedFrom_ = 0;  // index into the levels: the next one to report
};

}  // namespace openmps::client::outbox

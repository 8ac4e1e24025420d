#pragma once

#include <chrono>

namespace openmps::util {

// Everything that waits, retries or schedules takes a Clock, so tests move
// time forward instead of sleeping.
class Clock {
 public:
  using WallTime = std::chrono::system_clock::time_point;
  using MonoTime = std::chrono::steady_clock::time_point;

  virtual ~Clock() = default;
  virtual WallTime now() const = 0;
  virtual MonoTime monotonic() const = 0;
};

class SystemClock final : public Clock {
 public:
  WallTime now() const override { return std::chrono::system_clock::now(); }
  MonoTime monotonic() const override { return std::chrono::steady_clock::now(); }
};

// A clock that only moves when told to; wall and monotonic time move together.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(WallTime start = WallTime{std::chrono::seconds{1'800'000'000}})
      : wall_(start) {}
  WallTime now() const override { return wall_; }
  MonoTime monotonic() const override { return mono_; }
  void advance(std::chrono::nanoseconds by) {
    wall_ += std::chrono::duration_cast<WallTime::duration>(by);
    mono_ += by;
  }
  void setWall(WallTime t) { wall_ = t; }

 private:
  WallTime wall_;
  MonoTime mono_{};
};

}  // namespace openmps::util

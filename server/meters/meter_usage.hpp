#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "server/meters/calendar.hpp"

// Billing arithmetic for one counter of one device over one period: the
// readings at the period's bounds (actual, or interpolated and marked as
// estimates, with the reason), and the pages printed between them, never
// negative and never counted twice. server/meters/README.md states the
// rules; every choice made leaves a MeterNote that reports print.
namespace openmps::server::meters {

struct Sample {
  TimePoint at;
  std::int64_t value = 0;
  bool operator==(const Sample&) const = default;
};

struct MeterRules {
  // A reading this close to a bound is the bound's reading.
  std::chrono::seconds tolerance{std::chrono::hours{24}};
  // A reading lower than the one before is a misreading, not a reset, when
  // the counter is back at or above the earlier value within this time.
  std::chrono::seconds glitchWindow{std::chrono::hours{24 * 7}};
};

enum class BoundKind {
  kNone,          // no reading at all
  kReading,       // an actual reading within the tolerance
  kInterpolated,  // between the readings around it (estimated)
  kAcrossReset,   // the counter restarted between the readings around it: the later one (estimated)
  kFirstReading,  // the device's first reading comes after the bound
  kLastReading,   // no reading after the bound: the last one before
};

struct Bound {
  BoundKind kind = BoundKind::kNone;
  TimePoint at{};
  std::int64_t value = 0;
  bool estimated = false;
};

enum class NoteKind {
  kNoReadings,         // no reading of this counter around the period
  kStartInterpolated,  // at: reading before, until: reading after
  kEndInterpolated,    // idem
  kStartAcrossReset,   // at, until: the readings around; before/after: their values
  kEndAcrossReset,     // idem
  kFirstReading,       // at: the device's first reading (after the period start)
  kNoReadingSince,     // at: the last reading (before the period end)
  kIgnoredLowReading,  // at: when; before: the counter before; after: the low value
  kCounterRestarted,   // at: first reading after the restart; before/after: values
  kReplacedBy,         // serial: the device that took its place, at: its first reading
  kReplaces,           // serial: the device it replaced, at: that one's last reading
};

struct MeterNote {
  NoteKind kind = NoteKind::kNoReadings;
  TimePoint at{};
  TimePoint until{};
  std::int64_t before = 0;
  std::int64_t after = 0;
  std::string serial;
  bool operator==(const MeterNote&) const = default;
};

struct MeterUsage {
  Bound start;
  Bound end;
  std::int64_t usage = 0;
  bool estimated = false;
  std::vector<MeterNote> notes;
};

// Drops readings that are lower than the one before and followed, within
// rules.glitchWindow, by a reading back at or above it. `samples` sorted by
// time. Notes (kIgnoredLowReading) for those between `from` and `until`.
std::vector<Sample> withoutMisreadings(const std::vector<Sample>& samples, const MeterRules& rules,
                                       TimePoint from, TimePoint until,
                                       std::vector<MeterNote>& notes);

// The counter's value at `at`, from readings without misreadings.
Bound boundAt(const std::vector<Sample>& clean, TimePoint at, const MeterRules& rules);

// Usage over [start, end) from every reading of the counter that matters:
// those around the bounds and, where the counter is not monotonic, those in
// between (any order; duplicates allowed).
MeterUsage computeUsage(std::vector<Sample> samples, TimePoint start, TimePoint end,
                        const MeterRules& rules = {});

}  // namespace openmps::server::meters

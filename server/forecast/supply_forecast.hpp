#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

// Days-to-empty of a supply from its level history (pure). The current
// cartridge is the last segment of the history (a level that rises by
// `jumpPercent` or more, or a new cartridge serial, starts a segment); a
// robust line (Theil–Sen: the median of all pairwise slopes) over level
// against time gives when it reaches 0, with an interval from the rank
// confidence bounds of the slope. server/forecast/README.md has the rules.
namespace openmps::server::forecast {

using TimePoint = std::chrono::system_clock::time_point;

// One stored level (supply_levels): raw level and capacity with the
// Printer-MIB sentinels (-3 some remaining, -2 unknown), the percent where
// known, and the cartridge serial where the device gives one.
struct LevelSample {
  TimePoint at;
  std::int64_t level = 0;
  std::int64_t max = 0;
  std::optional<int> percent;
  std::string serial;
};

struct ForecastRules {
  int minDistinctLevels = 3;
  std::chrono::hours minSpan{24 * 7};
  int jumpPercent = 10;
  std::chrono::hours window{24 * 90};  // the fit uses the segment's last 90 days
  double confidenceZ = 1.645;          // two-sided 90 %
};

enum class ForecastState {
  kForecast,       // an empty date, an interval
  kNotEnoughData,  // fewer than 3 distinct levels or 7 days in the current cartridge
  kNotFalling,     // the level does not go down (idle device, or a receptacle)
  kEmpty,          // at 0 now
  kLevelUnknown,   // the device only says "some remaining" (or nothing)
  kNoData,
};

const char* toString(ForecastState state);

struct Forecast {
  ForecastState state = ForecastState::kNoData;
  bool coarse = false;  // levels only in steps of `stepPercent`
  int stepPercent = 0;
  int points = 0;  // points the fit used
  int distinctLevels = 0;
  std::optional<int> percentNow;          // the last known level
  std::optional<TimePoint> segmentStart;  // first reading of the current cartridge
  double slopePerDay = 0;                 // percent per day (negative when falling)
  std::optional<TimePoint> emptyAt;
  std::optional<TimePoint> emptyEarliest;
  std::optional<TimePoint> emptyLatest;  // none: could be much later (the slope bound is flat)
  std::optional<double> daysLeft;        // from `now`; negative: overdue
};

// The level in percent where the sample says it (percent, or level/max).
std::optional<int> percentOf(const LevelSample& s);
// Steps of 10, 20, 25, 33 or 50 % when every level (at least 3 distinct)
// is such a step; 0 otherwise.
int detectStep(const std::vector<LevelSample>& samples);
// For each sample (in time order), the index of its cartridge's first sample.
std::vector<std::size_t> segmentStarts(const std::vector<LevelSample>& samples,
                                       const ForecastRules& rules);
// Index of the first sample of the current cartridge.
std::size_t currentSegmentStart(const std::vector<LevelSample>& samples,
                                const ForecastRules& rules);

// `samples` in time order (sorted here if not). `now` is when the
// forecast is made (the days left count from it).
Forecast forecastSupply(std::vector<LevelSample> samples, TimePoint now,
                        const ForecastRules& rules = {});

// The day to order by: the empty date minus the customer's lead time.
TimePoint orderBy(TimePoint emptyAt, int leadDays);

// Backtesting: for every cartridge in the history that ran empty, cut the
// history when it first fell to 50 % and to 25 %, forecast from what was
// known then, and return the errors in days (forecast minus actual).
std::vector<double> backtest(const std::vector<LevelSample>& samples,
                             const ForecastRules& rules = {});

}  // namespace openmps::server::forecast

#include "server/forecast/supply_forecast.hpp"

#include <algorithm>
#include <cmath>
#include <set>

namespace openmps::server::forecast {
namespace {

constexpr double kSecondsPerDay = 86400.0;

double daysBetween(TimePoint from, TimePoint to) {
  return std::chrono::duration<double>(to - from).count() / kSecondsPerDay;
}

TimePoint plusDays(TimePoint t, double days) {
  return t + std::chrono::duration_cast<TimePoint::duration>(
                 std::chrono::duration<double>(days * kSecondsPerDay));
}

struct Point {
  double x;  // days from the last sample (<= 0)
  double y;  // percent
};

double median(std::vector<double> v) {
  const auto mid = v.size() / 2;
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(mid), v.end());
  const double upper = v[mid];
  if (v.size() % 2 == 1) {
    return upper;
  }
  return (upper + *std::max_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(mid))) / 2;
}

double interceptFor(const std::vector<Point>& points, double slope) {
  std::vector<double> b;
  b.reserve(points.size());
  for (const Point& p : points) {
    b.push_back(p.y - slope * p.x);
  }
  return median(std::move(b));
}

struct Fit {
  double slope = 0;
  double intercept = 0;  // level at x = 0 (the last sample)
  double lowSlope = 0;   // steeper bound
  double highSlope = 0;  // flatter bound
};

Fit theilSen(const std::vector<Point>& points, double z) {
  std::vector<double> slopes;
  slopes.reserve(points.size() * (points.size() - 1) / 2);
  for (std::size_t i = 0; i < points.size(); ++i) {
    for (std::size_t j = i + 1; j < points.size(); ++j) {
      const double dx = points[j].x - points[i].x;
      if (dx > 1e-9) {
        slopes.push_back((points[j].y - points[i].y) / dx);
      }
    }
  }
  Fit fit;
  if (slopes.empty()) {
    return fit;
  }
  std::sort(slopes.begin(), slopes.end());
  fit.slope = median(slopes);
  fit.intercept = interceptFor(points, fit.slope);
  // Sen (1968): the rank bounds of the slope at confidence z.
  const auto n = static_cast<double>(points.size());
  const double c = z * std::sqrt(n * (n - 1) * (2 * n + 5) / 18.0);
  const auto count = static_cast<double>(slopes.size());
  const auto lower = static_cast<std::ptrdiff_t>(std::floor((count - c) / 2));
  const auto upper = static_cast<std::ptrdiff_t>(std::ceil((count + c) / 2));
  const auto last = static_cast<std::ptrdiff_t>(slopes.size()) - 1;
  fit.lowSlope = slopes[static_cast<std::size_t>(std::clamp<std::ptrdiff_t>(lower, 0, last))];
  fit.highSlope = slopes[static_cast<std::size_t>(std::clamp<std::ptrdiff_t>(upper, 0, last))];
  return fit;
}

bool fitsStep(const std::set<int>& levels, int step) {
  for (const int l : levels) {
    const int nearest = static_cast<int>(std::lround(static_cast<double>(l) / step)) * step;
    const bool top = l == 100;
    if (!top && std::abs(l - nearest) > (step == 33 ? 1 : 0)) {
      return false;
    }
  }
  return true;
}

// Coarse devices: where the level changes (the first reading at each new
// step, and the cartridge's first reading), since the days in between say
// nothing more.
std::vector<std::size_t> stepChanges(const std::vector<LevelSample>& samples, std::size_t first) {
  std::vector<std::size_t> out;
  std::optional<int> previous;
  for (std::size_t i = first; i < samples.size(); ++i) {
    const auto p = percentOf(samples[i]);
    if (!p) {
      continue;
    }
    if (!previous || *p != *previous) {
      out.push_back(i);
    }
    previous = p;
  }
  return out;
}

std::optional<TimePoint> emptyWith(double slope, double intercept, TimePoint last) {
  if (slope >= 0) {
    return std::nullopt;
  }
  return plusDays(last, -intercept / slope);
}

void fill(Forecast& f, const std::vector<Point>& points, TimePoint last, TimePoint now,
          const ForecastRules& rules) {
  const Fit fit = theilSen(points, rules.confidenceZ);
  f.slopePerDay = fit.slope;
  if (fit.slope >= 0) {
    f.state = ForecastState::kNotFalling;
    return;
  }
  f.state = ForecastState::kForecast;
  f.emptyAt = emptyWith(fit.slope, fit.intercept, last);
  // A coarse level is known only to within a step: as many days either way.
  const double slack = f.coarse ? f.stepPercent / -fit.slope : 0.0;
  const auto earliest =
      emptyWith(fit.lowSlope, interceptFor(points, fit.lowSlope), last).value_or(*f.emptyAt);
  f.emptyEarliest = std::min(plusDays(earliest, -slack), *f.emptyAt);
  if (const auto latest = emptyWith(fit.highSlope, interceptFor(points, fit.highSlope), last)) {
    f.emptyLatest = std::max(plusDays(*latest, slack), *f.emptyAt);
  }
  f.daysLeft = daysBetween(now, *f.emptyAt);
}

}  // namespace

const char* toString(ForecastState state) {
  switch (state) {
    case ForecastState::kForecast: return "forecast";
    case ForecastState::kNotEnoughData: return "not_enough_data";
    case ForecastState::kNotFalling: return "not_falling";
    case ForecastState::kEmpty: return "empty";
    case ForecastState::kLevelUnknown: return "level_unknown";
    case ForecastState::kNoData: return "no_data";
  }
  return "no_data";
}

std::optional<int> percentOf(const LevelSample& s) {
  if (s.percent) {
    return std::clamp(*s.percent, 0, 100);
  }
  if (s.level >= 0 && s.max > 0) {
    return static_cast<int>(std::lround(
        std::min(100.0, 100.0 * static_cast<double>(s.level) / static_cast<double>(s.max))));
  }
  if (s.level == 0) {
    return 0;  // empty, whatever the capacity
  }
  return std::nullopt;
}

int detectStep(const std::vector<LevelSample>& samples) {
  std::set<int> levels;
  for (const auto& s : samples) {
    if (const auto p = percentOf(s)) {
      levels.insert(*p);
    }
  }
  if (levels.size() < 3) {
    return 0;
  }
  for (const int step : {50, 33, 25, 20, 10}) {
    if (fitsStep(levels, step)) {
      return step;
    }
  }
  return 0;
}

namespace {

// The reading after a rise falls back below `level`: the rise was a misreading.
bool spike(const std::vector<LevelSample>& samples, std::size_t i, int level) {
  for (std::size_t j = i + 1; j < samples.size(); ++j) {
    if (const auto p = percentOf(samples[j])) {
      return *p < level;
    }
  }
  return false;
}

}  // namespace

std::vector<std::size_t> segmentStarts(const std::vector<LevelSample>& samples,
                                       const ForecastRules& rules) {
  std::vector<std::size_t> starts(samples.size(), 0);
  std::size_t start = 0;
  int previous = -1;  // no level yet
  std::string serial;
  for (std::size_t i = 0; i < samples.size(); ++i) {
    const auto& s = samples[i];
    if (!s.serial.empty()) {
      if (!serial.empty() && s.serial != serial) {
        start = i;
        previous = -1;
      }
      serial = s.serial;
    }
    if (const auto p = percentOf(s)) {
      if (previous >= 0 && *p - previous >= rules.jumpPercent) {
        if (spike(samples, i, previous + rules.jumpPercent / 2)) {
          starts[i] = start;
          continue;  // one reading far too high: not a new cartridge
        }
        start = i;
      }
      previous = *p;
    }
    starts[i] = start;
  }
  return starts;
}

std::size_t currentSegmentStart(const std::vector<LevelSample>& samples,
                                const ForecastRules& rules) {
  return samples.empty() ? 0 : segmentStarts(samples, rules).back();
}

Forecast forecastSupply(std::vector<LevelSample> samples, TimePoint now,
                        const ForecastRules& rules) {
  Forecast f;
  std::stable_sort(samples.begin(), samples.end(),
                   [](const LevelSample& a, const LevelSample& b) { return a.at < b.at; });
  if (samples.empty()) {
    return f;
  }
  const LevelSample& last = samples.back();
  f.percentNow = percentOf(last);
  if (!f.percentNow) {
    f.state = ForecastState::kLevelUnknown;
    return f;
  }
  f.stepPercent = detectStep(samples);
  f.coarse = f.stepPercent > 0;
  const std::size_t first = currentSegmentStart(samples, rules);
  f.segmentStart = samples[first].at;
  if (*f.percentNow == 0) {
    f.state = ForecastState::kEmpty;
    for (std::size_t i = first; i < samples.size(); ++i) {
      if (percentOf(samples[i]) == 0) {
        f.emptyAt = samples[i].at;
        break;
      }
    }
    f.daysLeft = daysBetween(now, *f.emptyAt);
    return f;
  }
  std::vector<std::size_t> used;
  if (f.coarse) {
    used = stepChanges(samples, first);
  } else {
    for (std::size_t i = first; i < samples.size(); ++i) {
      if (percentOf(samples[i]) && last.at - samples[i].at <= rules.window) {
        used.push_back(i);
      }
    }
  }
  std::vector<Point> points;
  std::set<int> distinct;
  for (const std::size_t i : used) {
    const int p = *percentOf(samples[i]);
    points.push_back({daysBetween(last.at, samples[i].at), static_cast<double>(p)});
    distinct.insert(p);
  }
  f.points = static_cast<int>(points.size());
  f.distinctLevels = static_cast<int>(distinct.size());
  const auto span = last.at - samples[used.empty() ? first : used.front()].at;
  if (f.distinctLevels < rules.minDistinctLevels || span < rules.minSpan) {
    f.state = ForecastState::kNotEnoughData;
    return f;
  }
  fill(f, points, last.at, now, rules);
  return f;
}

TimePoint orderBy(TimePoint emptyAt, int leadDays) {
  return emptyAt - std::chrono::hours{24 * leadDays};
}

std::vector<double> backtest(const std::vector<LevelSample>& samples, const ForecastRules& rules) {
  std::vector<double> errors;
  const auto starts = segmentStarts(samples, rules);
  for (std::size_t i = 0; i < samples.size(); ++i) {
    if (percentOf(samples[i]) != 0 ||
        (i > 0 && percentOf(samples[i - 1]) == 0 && starts[i - 1] == starts[i])) {
      continue;  // not the first empty reading of a cartridge
    }
    const std::size_t segment = starts[i];
    for (const int cut : {50, 25}) {
      for (std::size_t k = segment; k < i; ++k) {
        const auto p = percentOf(samples[k]);
        if (p && *p <= cut) {
          const std::vector<LevelSample> known(
              samples.begin(), samples.begin() + static_cast<std::ptrdiff_t>(k + 1));
          const Forecast f = forecastSupply(known, samples[k].at, rules);
          if (f.state == ForecastState::kForecast) {
            errors.push_back(daysBetween(samples[i].at, *f.emptyAt));
          }
          break;
        }
      }
    }
  }
  return errors;
}

}  // namespace openmps::server::forecast

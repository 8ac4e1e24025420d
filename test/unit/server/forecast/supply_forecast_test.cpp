#include "server/forecast/supply_forecast.hpp"

#include <cmath>
#include <random>

#include <catch2/catch.hpp>

#include "shared/util/time_format.hpp"

using namespace openmps::server::forecast;
using std::chrono::hours;

namespace {

const TimePoint kT0 = *openmps::util::parseRfc3339("2026-01-01T03:00:00Z");

TimePoint day(double d) {
  return kT0 + std::chrono::duration_cast<TimePoint::duration>(
                   std::chrono::duration<double>(d * 86400.0));
}

LevelSample percent(double d, int p, std::string serial = {}) {
  return {day(d), p, 100, p, std::move(serial)};
}

double daysFrom0(TimePoint t) {
  return std::chrono::duration<double>(t - kT0).count() / 86400.0;
}

// A cartridge that falls `perDay` percent a day from `from` at day `start`,
// read daily for `days` days, rounded up to `step` like coarse devices do.
std::vector<LevelSample> falling(double start, int days, double from, double perDay, int step = 1) {
  std::vector<LevelSample> out;
  for (int i = 0; i < days; ++i) {
    const double level = from - perDay * i;
    const int shown =
        level <= 0 ? 0 : std::min(100, static_cast<int>(std::ceil(level / step)) * step);
    out.push_back(percent(start + i, shown));
  }
  return out;
}

}  // namespace

TEST_CASE("a steady fall gives its empty date, with the interval around it", "[server][forecast]") {
  const auto s = falling(0, 30, 100, 1.0);  // 100 .. 71
  const Forecast f = forecastSupply(s, day(29));
  REQUIRE(f.state == ForecastState::kForecast);
  CHECK(daysFrom0(*f.emptyAt) == Approx(100).margin(0.5));
  CHECK(*f.daysLeft == Approx(71).margin(0.5));
  CHECK(f.slopePerDay == Approx(-1.0).margin(0.01));
  CHECK(f.points == 30);
  CHECK_FALSE(f.coarse);
  CHECK(*f.emptyEarliest <= *f.emptyAt);
  CHECK(*f.emptyLatest >= *f.emptyAt);
  CHECK(daysFrom0(*f.emptyLatest) - daysFrom0(*f.emptyEarliest) < 5);
  CHECK(*f.percentNow == 71);
}

TEST_CASE("noise and outliers move the robust line little", "[server][forecast]") {
  std::mt19937 rng(7);
  std::normal_distribution<double> noise(0, 1.5);
  std::vector<LevelSample> s;
  for (int i = 0; i < 40; ++i) {
    int p = static_cast<int>(std::lround(90 - 1.5 * i + noise(rng)));
    if (i == 12) p = 3;   // one absurd reading
    if (i == 25) p = 80;  // and one far too high (not a new cartridge: it falls back)
    s.push_back(percent(i, std::clamp(p, 0, 100)));
  }
  const Forecast f = forecastSupply(s, day(39));
  REQUIRE(f.state == ForecastState::kForecast);
  CHECK(daysFrom0(*f.emptyAt) == Approx(60).margin(3));
}

TEST_CASE("a replaced cartridge starts a new fit", "[server][forecast]") {
  auto s = falling(0, 70, 100, 1.0);            // 100 .. 31, then replaced
  const auto next = falling(70, 20, 100, 2.0);  // new cartridge, twice as fast
  s.insert(s.end(), next.begin(), next.end());
  const Forecast f = forecastSupply(s, day(89));
  REQUIRE(f.state == ForecastState::kForecast);
  CHECK(daysFrom0(*f.segmentStart) == Approx(70));
  CHECK(f.slopePerDay == Approx(-2.0).margin(0.01));
  CHECK(daysFrom0(*f.emptyAt) == Approx(120).margin(0.5));
}

TEST_CASE("an early replacement and a new serial both start a new cartridge",
          "[server][forecast]") {
  auto s = falling(0, 30, 100, 2.0);  // replaced at 42 %
  const auto next = falling(30, 15, 100, 1.0);
  s.insert(s.end(), next.begin(), next.end());
  CHECK(daysFrom0(*forecastSupply(s, day(44)).segmentStart) == Approx(30));
  // Replaced at 97 % by a new cartridge (new serial), no jump in level:
  std::vector<LevelSample> t;
  for (int i = 0; i < 10; ++i) t.push_back(percent(i, 100 - i / 3, "CRA"));
  for (int i = 10; i < 30; ++i) t.push_back(percent(i, 100 - (i - 10), "CRB"));
  CHECK(daysFrom0(*forecastSupply(t, day(29)).segmentStart) == Approx(10));
}

TEST_CASE("too little to go on says so", "[server][forecast]") {
  auto s = falling(0, 40, 100, 2.0);
  const auto fresh = falling(40, 5, 100, 1.0);  // 5 days of a new cartridge
  s.insert(s.end(), fresh.begin(), fresh.end());
  const Forecast f = forecastSupply(s, day(44));
  CHECK(f.state == ForecastState::kNotEnoughData);
  CHECK(f.points == 5);
  // Three weeks with only two distinct levels:
  std::vector<LevelSample> two;
  for (int i = 0; i < 21; ++i) two.push_back(percent(i, i < 10 ? 80 : 79));
  const Forecast g = forecastSupply(two, day(20));
  CHECK(g.state == ForecastState::kNotEnoughData);
  CHECK(g.distinctLevels == 2);
  CHECK(forecastSupply({}, day(0)).state == ForecastState::kNoData);
}

TEST_CASE("coarse devices are recognised and fitted on their steps", "[server][forecast]") {
  const auto tens = falling(0, 45, 100, 1.0, 10);  // shows 100, 100, ..., 90, ...
  const Forecast f = forecastSupply(tens, day(44));
  CHECK(f.coarse);
  CHECK(f.stepPercent == 10);
  REQUIRE(f.state == ForecastState::kForecast);
  CHECK(daysFrom0(*f.emptyAt) == Approx(100).margin(10));
  CHECK(*f.emptyEarliest <= day(90));  // widened by a step
  CHECK(*f.emptyLatest >= day(110));
  std::vector<LevelSample> thirds;
  for (int i = 0; i < 60; ++i) thirds.push_back(percent(i, i < 20 ? 100 : (i < 40 ? 67 : 33)));
  const Forecast g = forecastSupply(thirds, day(59));
  CHECK(g.coarse);
  CHECK(g.stepPercent == 33);
  REQUIRE(g.state == ForecastState::kForecast);
  CHECK(daysFrom0(*g.emptyAt) == Approx(60).margin(15));
}

TEST_CASE("some remaining only, empty now, and not falling", "[server][forecast]") {
  std::vector<LevelSample> some;
  for (int i = 0; i < 20; ++i) some.push_back({day(i), -3, -2, std::nullopt, ""});
  CHECK(forecastSupply(some, day(19)).state == ForecastState::kLevelUnknown);
  auto empty = falling(0, 30, 30, 1.5);  // reaches 0 on day 20
  const Forecast e = forecastSupply(empty, day(29));
  CHECK(e.state == ForecastState::kEmpty);
  CHECK(daysFrom0(*e.emptyAt) == Approx(20));
  CHECK(*e.daysLeft == Approx(-9));
  std::vector<LevelSample> flat;
  for (int i = 0; i < 30; ++i) flat.push_back(percent(i, 60 + (i % 3)));
  CHECK(forecastSupply(flat, day(29)).state == ForecastState::kNotFalling);
  // levels from raw level and capacity (pages left)
  CHECK(percentOf({day(0), 2625, 10500, std::nullopt, ""}) == 25);
  CHECK(percentOf({day(0), 0, -2, std::nullopt, ""}) == 0);
}

TEST_CASE("the order-by date is the empty date minus the lead time", "[server][forecast]") {
  CHECK(orderBy(day(100), 7) == day(93));
  CHECK(orderBy(day(100), 0) == day(100));
}

TEST_CASE("backtesting synthetic cartridges finds small errors", "[server][forecast]") {
  std::mt19937 rng(3);
  std::normal_distribution<double> noise(0, 0.8);
  std::vector<LevelSample> s;
  double t = 0;
  for (int cartridge = 0; cartridge < 4; ++cartridge) {
    const double perDay = 1.0 + cartridge * 0.5;
    for (double level = 100;; level -= perDay, t += 1) {
      const int p = std::clamp(static_cast<int>(std::lround(level + noise(rng))), 0, 100);
      s.push_back(percent(t, level <= 0 ? 0 : std::max(p, 1)));
      if (level <= 0) {
        t += 1;
        break;
      }
    }
  }
  const auto errors = backtest(s);
  REQUIRE(errors.size() == 8);  // two cuts per cartridge
  for (const double e : errors) {
    CHECK(std::abs(e) < 4);
  }
}

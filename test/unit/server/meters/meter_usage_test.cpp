#include "server/meters/meter_usage.hpp"

#include <random>

#include <catch2/catch.hpp>

#include "shared/util/time_format.hpp"

using namespace openmps::server::meters;
using std::chrono::hours;

namespace {

TimePoint at(const char* text) {
  return *openmps::util::parseRfc3339(text);
}

// Daily readings at 03:00 UTC from `first` for `days` days, `perDay` pages a day.
std::vector<Sample> daily(const char* first, int days, std::int64_t start, std::int64_t perDay) {
  std::vector<Sample> out;
  for (int d = 0; d < days; ++d) {
    out.push_back({at(first) + hours{24 * d}, start + perDay * d});
  }
  return out;
}

bool hasNote(const MeterUsage& u, NoteKind kind) {
  for (const auto& n : u.notes) {
    if (n.kind == kind) return true;
  }
  return false;
}

const TimePoint kNov = at("2026-11-01T00:00:00Z");
const TimePoint kDec = at("2026-12-01T00:00:00Z");

}  // namespace

TEST_CASE("daily readings: the nearest reading at each bound, exact usage", "[server][meters]") {
  const auto u = computeUsage(daily("2026-10-20T03:00:00Z", 60, 10'000, 100), kNov, kDec);
  CHECK(u.start.kind == BoundKind::kReading);
  CHECK(u.start.at == at("2026-11-01T03:00:00Z"));
  CHECK(u.start.value == 11'200);
  CHECK(u.end.at == at("2026-12-01T03:00:00Z"));
  CHECK(u.usage == 3000);
  CHECK_FALSE(u.estimated);
  CHECK(u.notes.empty());
}

TEST_CASE("a gap over a bound is interpolated and marked estimated", "[server][meters]") {
  std::vector<Sample> s = {{at("2026-10-21T00:00:00Z"), 1000},
                           {at("2026-11-11T00:00:00Z"), 3100},
                           {at("2026-11-30T12:00:00Z"), 5000}};
  const auto u = computeUsage(s, kNov, kDec);
  CHECK(u.start.kind == BoundKind::kInterpolated);
  CHECK(u.start.value == 2100);  // 11 of 21 days of 2100 pages
  CHECK(u.start.at == kNov);
  CHECK(u.end.kind == BoundKind::kReading);
  CHECK(u.usage == 2900);
  CHECK(u.estimated);
  REQUIRE(hasNote(u, NoteKind::kStartInterpolated));
  CHECK(u.notes.front().at == at("2026-10-21T00:00:00Z"));
  CHECK(u.notes.front().until == at("2026-11-11T00:00:00Z"));
}

TEST_CASE("a counter reset counts from the new value, never negative", "[server][meters]") {
  std::vector<Sample> s = daily("2026-10-31T03:00:00Z", 10, 1000, 100);  // to 1900 on Nov 9
  auto after = daily("2026-11-10T03:00:00Z", 25, 5, 50);                 // restarted near 0
  s.insert(s.end(), after.begin(), after.end());
  const auto u = computeUsage(s, kNov, kDec);
  CHECK(u.start.value == 1100);
  // 800 pages before the restart, then 5 -> 5 + 50 * 21 from Nov 10 to Dec 1
  CHECK(u.usage == 800 + 50 * 21);
  CHECK_FALSE(u.estimated);
  REQUIRE(hasNote(u, NoteKind::kCounterRestarted));
  const auto& n = u.notes.back();
  CHECK(n.before == 1900);
  CHECK(n.after == 5);
  CHECK(n.at == at("2026-11-10T03:00:00Z"));
}

TEST_CASE("a single low reading is a misreading, not a reset, so nothing counts twice",
          "[server][meters]") {
  auto s = daily("2026-10-31T03:00:00Z", 35, 1000, 100);
  s[10].value -= 130;  // Nov 10 reads lower than Nov 9, Nov 11 is back above
  const auto u = computeUsage(s, kNov, kDec);
  CHECK(u.usage == 3000);
  REQUIRE(hasNote(u, NoteKind::kIgnoredLowReading));
  CHECK_FALSE(hasNote(u, NoteKind::kCounterRestarted));
  // The same low reading on the bound itself: the bound skips it, both
  // periods agree on the value.
  auto t = daily("2026-10-01T03:00:00Z", 70, 1000, 100);
  t[31].value -= 500;  // 2026-11-01T03:00
  const auto oct = computeUsage(t, at("2026-10-01T00:00:00Z"), kNov);
  const auto nov = computeUsage(t, kNov, kDec);
  CHECK(oct.end.value == nov.start.value);
  CHECK(oct.usage + nov.usage == 6100);
}

TEST_CASE("a counter that went back and stays back is a restart", "[server][meters]") {
  auto s = daily("2026-10-31T03:00:00Z", 35, 1000, 100);
  for (std::size_t i = 15; i < s.size(); ++i) s[i].value -= 1000;  // backwards for good
  const auto u = computeUsage(s, kNov, kDec);
  CHECK(u.usage ==
        1300 + 1600);  // 1100 -> 2400, fall to 1500, -> 3100; the day of the fall is not billed
  CHECK(u.usage >= 0);
  CHECK(hasNote(u, NoteKind::kCounterRestarted));
}

TEST_CASE("a reset between the readings around a bound takes the later one", "[server][meters]") {
  std::vector<Sample> s = {{at("2026-10-25T00:00:00Z"), 5000},
                           {at("2026-11-06T00:00:00Z"), 30},
                           {at("2026-11-30T20:00:00Z"), 2430}};
  const auto u = computeUsage(s, kNov, kDec);
  CHECK(u.start.kind == BoundKind::kAcrossReset);
  CHECK(u.start.value == 30);
  CHECK(u.start.estimated);
  CHECK(u.usage == 2400);
  CHECK(hasNote(u, NoteKind::kStartAcrossReset));
  const auto oct = computeUsage(s, at("2026-10-01T00:00:00Z"), kNov);
  CHECK(oct.end.value == 30);  // both periods use the same bound
  CHECK(oct.usage == 0);
}

TEST_CASE("a device first read in the period starts at its first reading", "[server][meters]") {
  const auto u = computeUsage(daily("2026-11-12T03:00:00Z", 25, 400, 80), kNov, kDec);
  CHECK(u.start.kind == BoundKind::kFirstReading);
  CHECK(u.start.value == 400);
  CHECK_FALSE(u.estimated);
  CHECK(u.usage == 80 * 19);
  CHECK(hasNote(u, NoteKind::kFirstReading));
}

TEST_CASE("no reading after the end: the last one, marked estimated", "[server][meters]") {
  const auto u = computeUsage(daily("2026-10-25T03:00:00Z", 25, 400, 80), kNov, kDec);
  CHECK(u.end.kind == BoundKind::kLastReading);
  CHECK(u.end.at == at("2026-11-18T03:00:00Z"));
  CHECK(u.estimated);
  CHECK(u.usage == 80 * 17);
  CHECK(hasNote(u, NoteKind::kNoReadingSince));
}

TEST_CASE("a device gone before the period or first read after it printed nothing in it",
          "[server][meters]") {
  const auto gone = computeUsage(daily("2026-09-01T03:00:00Z", 20, 100, 10), kNov, kDec);
  CHECK(gone.usage == 0);
  CHECK_FALSE(gone.estimated);
  const auto later = computeUsage(daily("2026-12-10T03:00:00Z", 20, 100, 10), kNov, kDec);
  CHECK(later.usage == 0);
  CHECK_FALSE(later.estimated);
  const auto none = computeUsage({}, kNov, kDec);
  CHECK(none.start.kind == BoundKind::kNone);
  CHECK(hasNote(none, NoteKind::kNoReadings));
}

TEST_CASE("short periods do not take one reading for both bounds", "[server][meters]") {
  const auto s = daily("2026-11-01T03:00:00Z", 5, 100, 10);
  const auto day = computeUsage(s, at("2026-11-02T00:00:00Z"), at("2026-11-03T00:00:00Z"));
  CHECK(day.start.at == at("2026-11-02T03:00:00Z"));
  CHECK(day.end.at == at("2026-11-03T03:00:00Z"));
  CHECK(day.usage == 10);
}

TEST_CASE("consecutive periods add up to the whole, whatever the history", "[server][meters]") {
  std::mt19937_64 rng(42);
  for (int round = 0; round < 200; ++round) {
    std::vector<Sample> s;
    std::int64_t v = static_cast<std::int64_t>(rng() % 100'000);
    TimePoint t = at("2026-01-01T00:00:00Z");
    for (int i = 0; i < 120; ++i) {
      t += hours{6 + static_cast<int>(rng() % 90)};  // irregular, with gaps
      const auto r = rng() % 100;
      if (r < 3) {
        v = static_cast<std::int64_t>(rng() % 50);  // reset
      } else if (r < 6) {
        s.push_back({t, v - static_cast<std::int64_t>(rng() % 40) - 1});  // misreading
        continue;
      }
      v += static_cast<std::int64_t>(rng() % 300);
      s.push_back({t, v});
    }
    std::int64_t sum = 0;
    const auto first = at("2026-03-01T00:00:00Z");
    TimePoint from = first;
    for (int m = 0; m < 6; ++m) {
      const TimePoint to = from + hours{24 * 30};
      const auto u = computeUsage(s, from, to);
      CHECK(u.usage >= 0);
      sum += u.usage;
      from = to;
    }
    CHECK(sum == computeUsage(s, first, from).usage);
  }
}

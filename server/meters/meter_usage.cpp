#include "server/meters/meter_usage.hpp"

#include <algorithm>
#include <cmath>
#include <optional>

namespace openmps::server::meters {
namespace {

std::chrono::nanoseconds distance(TimePoint a, TimePoint b) {
  return a > b ? a - b : b - a;
}

void sortUnique(std::vector<Sample>& samples) {
  std::sort(samples.begin(), samples.end(), [](const Sample& a, const Sample& b) {
    return a.at < b.at || (a.at == b.at && a.value < b.value);
  });
  // Two readings at the same instant: keep the higher (later in the order).
  std::vector<Sample> out;
  for (const Sample& s : samples) {
    if (!out.empty() && out.back().at == s.at) {
      out.back() = s;
    } else {
      out.push_back(s);
    }
  }
  samples.swap(out);
}

bool recovers(const std::vector<Sample>& samples, std::size_t low, std::int64_t level,
              std::chrono::seconds window) {
  for (std::size_t j = low + 1; j < samples.size(); ++j) {
    if (samples[j].at - samples[low].at > window) {
      return false;
    }
    if (samples[j].value >= level) {
      return true;
    }
  }
  return false;
}

std::int64_t interpolate(const Sample& before, const Sample& after, TimePoint at) {
  const double span = std::chrono::duration<double>(after.at - before.at).count();
  const double part = std::chrono::duration<double>(at - before.at).count();
  const double pages = static_cast<double>(after.value - before.value) * (part / span);
  return before.value + static_cast<std::int64_t>(std::floor(pages));
}

Bound startBound(const std::vector<Sample>& clean, TimePoint start, const MeterRules& rules,
                 std::vector<MeterNote>& notes) {
  Bound b = boundAt(clean, start, rules);
  const auto after =
      std::find_if(clean.begin(), clean.end(), [&](const Sample& s) { return s.at > start; });
  const auto before = after == clean.begin() ? clean.end() : after - 1;
  switch (b.kind) {
    case BoundKind::kInterpolated:
      notes.push_back(
          {NoteKind::kStartInterpolated, before->at, after->at, before->value, after->value, {}});
      break;
    case BoundKind::kAcrossReset:
      notes.push_back(
          {NoteKind::kStartAcrossReset, before->at, after->at, before->value, after->value, {}});
      break;
    case BoundKind::kFirstReading:
      notes.push_back({NoteKind::kFirstReading, b.at, {}, 0, b.value, {}});
      break;
    default: break;
  }
  return b;
}

Bound endBound(const std::vector<Sample>& clean, TimePoint end, const MeterRules& rules,
               std::vector<MeterNote>& notes) {
  Bound b = boundAt(clean, end, rules);
  const auto after =
      std::find_if(clean.begin(), clean.end(), [&](const Sample& s) { return s.at > end; });
  const auto before = after == clean.begin() ? clean.end() : after - 1;
  switch (b.kind) {
    case BoundKind::kInterpolated:
      notes.push_back(
          {NoteKind::kEndInterpolated, before->at, after->at, before->value, after->value, {}});
      break;
    case BoundKind::kAcrossReset:
      notes.push_back(
          {NoteKind::kEndAcrossReset, before->at, after->at, before->value, after->value, {}});
      break;
    case BoundKind::kLastReading:
      notes.push_back({NoteKind::kNoReadingSince, b.at, {}, b.value, 0, {}});
      break;
    default: break;
  }
  return b;
}

// Pages from `from` to `to` along the readings between them: every rise
// counts once; a fall is a restart of the counter, counted from its new
// value (the pages between the last reading before it and the first after
// are unknown, and are not billed).
std::int64_t walk(const std::vector<Sample>& clean, const Bound& from, const Bound& to,
                  std::vector<MeterNote>& notes) {
  std::int64_t usage = 0;
  std::int64_t last = from.value;
  auto step = [&](const Sample& s) {
    if (s.value >= last) {
      usage += s.value - last;
    } else {
      notes.push_back({NoteKind::kCounterRestarted, s.at, {}, last, s.value, {}});
    }
    last = s.value;
  };
  for (const Sample& s : clean) {
    if (s.at > from.at && s.at < to.at) {
      step(s);
    }
  }
  step(Sample{to.at, to.value});
  return usage;
}

}  // namespace

std::vector<Sample> withoutMisreadings(const std::vector<Sample>& samples, const MeterRules& rules,
                                       TimePoint from, TimePoint until,
                                       std::vector<MeterNote>& notes) {
  std::vector<Sample> clean;
  clean.reserve(samples.size());
  for (std::size_t i = 0; i < samples.size(); ++i) {
    const Sample& s = samples[i];
    if (!clean.empty() && s.value < clean.back().value &&
        recovers(samples, i, clean.back().value, rules.glitchWindow)) {
      if (s.at >= from && s.at <= until) {
        notes.push_back({NoteKind::kIgnoredLowReading, s.at, {}, clean.back().value, s.value, {}});
      }
      continue;
    }
    clean.push_back(s);
  }
  return clean;
}

Bound boundAt(const std::vector<Sample>& clean, TimePoint at, const MeterRules& rules) {
  if (clean.empty()) {
    return {};
  }
  const Sample* nearest = nullptr;
  for (const Sample& s : clean) {
    if (distance(s.at, at) <= rules.tolerance &&
        (nearest == nullptr || distance(s.at, at) < distance(nearest->at, at))) {
      nearest = &s;
    }
  }
  if (nearest != nullptr) {
    return {BoundKind::kReading, nearest->at, nearest->value, false};
  }
  const auto after =
      std::find_if(clean.begin(), clean.end(), [&](const Sample& s) { return s.at > at; });
  if (after == clean.begin()) {
    return {BoundKind::kFirstReading, after->at, after->value, false};
  }
  const Sample& before = *(after - 1);
  if (after == clean.end()) {
    return {BoundKind::kLastReading, before.at, before.value, false};
  }
  if (after->value >= before.value) {
    return {BoundKind::kInterpolated, at, interpolate(before, *after, at), true};
  }
  return {BoundKind::kAcrossReset, after->at, after->value, true};
}

MeterUsage computeUsage(std::vector<Sample> samples, TimePoint start, TimePoint end,
                        const MeterRules& given) {
  MeterUsage out;
  // A short period (a day) must not take one reading for both bounds.
  MeterRules rules = given;
  rules.tolerance =
      std::min(rules.tolerance, std::chrono::duration_cast<std::chrono::seconds>(end - start) / 4);
  sortUnique(samples);
  if (samples.empty()) {
    out.notes.push_back({NoteKind::kNoReadings, {}, {}, 0, 0, {}});
    return out;
  }
  std::vector<MeterNote> lows;
  const auto clean =
      withoutMisreadings(samples, rules, start - rules.tolerance, end + rules.tolerance, lows);
  out.start = startBound(clean, start, rules, out.notes);
  out.end = endBound(clean, end, rules, out.notes);
  if (out.end.kind == BoundKind::kLastReading) {
    // Nothing read since: an estimate only if the last reading is in or
    // after the period (a device gone before the period printed nothing in it).
    out.end.estimated = out.end.at > start;
  }
  if (out.end.at <= out.start.at) {
    // The device was first read after the period, or last read before it.
    out.end = out.start;
    out.end.estimated = false;
    out.usage = 0;
  } else {
    out.usage = walk(clean, out.start, out.end, out.notes);
  }
  for (const MeterNote& n : lows) {
    if (n.at > out.start.at && n.at <= out.end.at) {
      out.notes.push_back(n);
    }
  }
  out.estimated = out.start.estimated || out.end.estimated;
  return out;
}

}  // namespace openmps::server::meters

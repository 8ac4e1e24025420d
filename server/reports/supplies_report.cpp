#include "server/reports/supplies_report.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <unordered_map>

namespace openmps::server::reports {
namespace {

std::int64_t millis(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

std::string forecastNote(Locale l, const forecast::Forecast& f) {
  std::string note = text(l, std::string("forecast.") + forecast::toString(f.state));
  if (f.coarse) {
    note += "; " + format(l, "forecast.coarse", {std::to_string(f.stepPercent)});
  }
  return note;
}

Value dateIn(const std::string& tz, const std::optional<TimePoint>& t) {
  if (!t) return std::monostate{};
  return meters::localDate(tz, *t);
}

std::string stateOf(Locale l, const SupplyHistory& s) {
  if (s.levels.empty()) return {};
  const auto& last = s.levels.back();
  model::SupplyState state = model::SupplyState::kUnknown;
  if (last.level == -3) {
    state = model::SupplyState::kSomeRemaining;
  } else if (const auto p = forecast::percentOf(last)) {
    const bool receptacle = s.supplyClass == "receptacle";
    state = *p == 0    ? (receptacle ? model::SupplyState::kFull : model::SupplyState::kEmpty)
            : *p <= 10 ? model::SupplyState::kLow
                       : model::SupplyState::kOk;
  }
  return text(l, std::string("state.") + model::toString(state));
}

struct Line {
  const CustomerPeriod* customer;
  const ReportDevice* device;
  const SupplyHistory* supply;
  forecast::Forecast forecast;
  std::optional<TimePoint> orderBy;
};

std::vector<Column> columns(Locale l) {
  return {{"customer", text(l, "col.customer"), CellType::kText, 20},
          {"serial", text(l, "col.serial"), CellType::kText, 14, false, 16},
          {"model", text(l, "col.model"), CellType::kText, 20},
          {"location", text(l, "col.location"), CellType::kText, 14},
          {"supply", text(l, "col.supply"), CellType::kText, 20},
          {"color", text(l, "col.color"), CellType::kText, 8},
          {"part_number", text(l, "col.part-number"), CellType::kText, 11, false, 10},
          {"level", text(l, "col.level"), CellType::kPercent, 7},
          {"state", text(l, "col.state"), CellType::kText, 9},
          {"empty_date", text(l, "col.empty-date"), CellType::kDate, 10},
          {"empty_earliest", text(l, "col.empty-earliest"), CellType::kDate, 10},
          {"empty_latest", text(l, "col.empty-latest"), CellType::kDate, 10},
          {"order_by", text(l, "col.order-by"), CellType::kDate, 10},
          {"days_left", text(l, "col.days-left"), CellType::kInteger, 7},
          {"points", text(l, "col.points"), CellType::kInteger, 6},
          {"forecast", text(l, "col.forecast"), CellType::kText, 22, true, 20}};
}

std::vector<Column> replacementColumns(Locale l) {
  return {{"customer", text(l, "col.customer"), CellType::kText, 20},
          {"serial", text(l, "col.serial"), CellType::kText, 14, false, 16},
          {"model", text(l, "col.model"), CellType::kText, 20},
          {"supply", text(l, "col.supply"), CellType::kText, 22},
          {"installed", text(l, "col.installed"), CellType::kDate, 11},
          {"replaced", text(l, "col.replaced"), CellType::kDate, 11},
          {"level_when_replaced", text(l, "col.level-at-replacement"), CellType::kPercent, 10},
          {"pages", text(l, "col.pages"), CellType::kInteger, 10}};
}

void addCharts(ReportDocument& doc, const std::vector<Line>& lines) {
  std::vector<std::pair<int, std::string>> lowest;
  std::array<double, 5> buckets{};
  for (const auto& line : lines) {
    if (!line.forecast.percentNow || line.supply->supplyClass == "receptacle") continue;
    const int p = *line.forecast.percentNow;
    lowest.emplace_back(p, line.device->serial + " " + line.supply->color);
    buckets[p <= 10 ? 0 : p <= 25 ? 1 : p <= 50 ? 2 : p <= 75 ? 3 : 4] += 1;
  }
  std::sort(lowest.begin(), lowest.end());
  Chart low{
      text(doc.locale, "chart.lowest-supplies"), {}, {{text(doc.locale, "col.level"), {}}}, true};
  for (std::size_t i = 0; i < lowest.size() && i < 20; ++i) {
    low.categories.push_back(lowest[i].second);
    low.series[0].values.push_back(lowest[i].first);
  }
  doc.charts.push_back(std::move(low));
  doc.charts.push_back({text(doc.locale, "chart.level-distribution"),
                        {"0–10 %", "11–25 %", "26–50 %", "51–75 %", "76–100 %"},
                        {{text(doc.locale, "word.devices"), {buckets.begin(), buckets.end()}}},
                        false});
}

}  // namespace

std::vector<CartridgeSpan> replacementsIn(const SupplyHistory& s, TimePoint from, TimePoint to,
                                          const forecast::ForecastRules& rules) {
  std::vector<CartridgeSpan> out;
  const auto starts = forecast::segmentStarts(s.levels, rules);
  for (std::size_t i = 1; i < starts.size(); ++i) {
    if (starts[i] != i) continue;  // not the first reading of a cartridge
    const TimePoint at = s.levels[i].at;
    if (at < from || at >= to) continue;
    CartridgeSpan span{s.deviceId, s.index, std::nullopt, at, forecast::percentOf(s.levels[i - 1])};
    const std::size_t previous = starts[i - 1];
    if (previous > 0) {
      span.installed = s.levels[previous].at;  // the history shows it going in
    }
    out.push_back(span);
  }
  return out;
}

std::vector<std::pair<std::int64_t, TimePoint>> counterInstants(const SuppliesInput& input) {
  std::unordered_map<std::int64_t, const CustomerPeriod*> customers;
  for (const auto& c : input.customers) customers[c.id] = &c;
  std::unordered_map<std::int64_t, std::int64_t> customerOf;
  for (const auto& d : input.devices) customerOf[d.id] = d.customerId;
  std::vector<std::pair<std::int64_t, TimePoint>> out;
  for (const auto& s : input.supplies) {
    const auto* c = customers.at(customerOf.at(s.deviceId));
    for (const auto& r : replacementsIn(s, c->period.start, c->period.end)) {
      out.emplace_back(s.deviceId, r.replaced);
      if (r.installed) out.emplace_back(s.deviceId, *r.installed);
    }
  }
  return out;
}

ReportDocument buildSuppliesReport(const SuppliesInput& input, const ReportContext& c) {
  ReportDocument doc = startDocument("supplies", c);
  std::unordered_map<std::int64_t, const CustomerPeriod*> customers;
  for (const auto& cp : input.customers) customers[cp.id] = &cp;
  std::unordered_map<std::int64_t, const ReportDevice*> devices;
  for (const auto& d : input.devices) devices[d.id] = &d;
  std::vector<Line> lines;
  std::vector<std::pair<const Line*, CartridgeSpan>> replaced;
  lines.reserve(input.supplies.size());
  for (const auto& s : input.supplies) {
    const ReportDevice* d = devices.at(s.deviceId);
    const CustomerPeriod* customer = customers.at(d->customerId);
    Line line{customer, d, &s, forecast::forecastSupply(s.levels, c.now), std::nullopt};
    if (line.forecast.emptyAt) {
      line.orderBy = forecast::orderBy(*line.forecast.emptyAt, customer->leadDays);
    }
    lines.push_back(line);
  }
  std::stable_sort(lines.begin(), lines.end(), [](const Line& a, const Line& b) {
    const auto far = TimePoint::max();
    return a.orderBy.value_or(far) < b.orderBy.value_or(far);
  });
  Table main{"supplies", doc.title, columns(c.locale), {}};
  for (const auto& line : lines) {
    const auto& f = line.forecast;
    const std::string& tz = line.customer->timeZone;
    main.rows.push_back(
        {line.customer->name, line.device->serial, modelName(*line.device), line.device->location,
         line.supply->description,
         textOr(c.locale, "color." + line.supply->color, line.supply->color),
         line.supply->partNumber,
         f.percentNow ? Value{static_cast<double>(*f.percentNow)} : Value{},
         stateOf(c.locale, *line.supply), dateIn(tz, f.emptyAt), dateIn(tz, f.emptyEarliest),
         dateIn(tz, f.emptyLatest), dateIn(tz, line.orderBy),
         f.daysLeft ? Value{static_cast<std::int64_t>(std::floor(*f.daysLeft))} : Value{},
         static_cast<std::int64_t>(f.points), forecastNote(c.locale, f)});
    for (const auto& r :
         replacementsIn(*line.supply, line.customer->period.start, line.customer->period.end)) {
      replaced.emplace_back(&line, r);
    }
  }
  Table spans{
      "replacements", text(c.locale, "title.replacements"), replacementColumns(c.locale), {}};
  for (const auto& [line, r] : replaced) {
    const std::string& tz = line->customer->timeZone;
    Value pages;
    if (r.installed) {
      const auto a = input.totalAt.find({r.deviceId, millis(*r.installed)});
      const auto b = input.totalAt.find({r.deviceId, millis(r.replaced)});
      if (a != input.totalAt.end() && b != input.totalAt.end() && b->second >= a->second) {
        pages = b->second - a->second;
      }
    }
    spans.rows.push_back(
        {line->customer->name, line->device->serial, modelName(*line->device),
         line->supply->description, dateIn(tz, r.installed), meters::localDate(tz, r.replaced),
         r.levelWhenReplaced ? Value{static_cast<double>(*r.levelWhenReplaced)} : Value{}, pages});
  }
  doc.tables.push_back(std::move(main));
  doc.tables.push_back(std::move(spans));
  addCharts(doc, lines);
  return doc;
}

}  // namespace openmps::server::reports

#include "server/reports/billing_report.hpp"

#include <algorithm>
#include <array>
#include <map>
#include <unordered_map>

namespace openmps::server::reports {
namespace {

constexpr std::array<const char*, 15> kVocabulary = {
    "total",       "mono",       "color",       "print.total", "print.mono",
    "print.color", "copy.total", "copy.mono",   "copy.color",  "fax.total",
    "scan.total",  "duplex",     "large.total", "large.mono",  "large.color"};

std::string day(Locale locale, const std::string& tz, TimePoint t) {
  return formatDate(locale, meters::localDate(tz, t));
}

std::string reading(Locale locale, std::int64_t v) {
  return formatInteger(locale, v);
}

struct Replacements {
  std::unordered_map<std::int64_t, std::pair<const BillingDevice*, meters::Replacement>> byOld;
  std::unordered_map<std::int64_t, std::pair<const BillingDevice*, meters::Replacement>> byNew;
};

Replacements findSwaps(const BillingInput& input) {
  std::vector<meters::DeviceSpan> spans;
  std::unordered_map<std::int64_t, const BillingDevice*> byId;
  for (const auto& d : input.devices) {
    spans.push_back({d.id, d.customerId, d.serial, d.location, d.ip, d.firstSeen, d.lastSeen});
    byId[d.id] = &d;
  }
  Replacements out;
  for (const auto& r : meters::findReplacements(spans)) {
    out.byOld[r.oldId] = {byId[r.newId], r};
    out.byNew[r.newId] = {byId[r.oldId], r};
  }
  return out;
}

// The device left (or arrived) in this period by replacement: say so, and
// an end that is its last reading is then no estimate.
void noteSwaps(BillingLine& line, const Replacements& swaps) {
  const meters::Period& p = line.customer->period;
  if (const auto it = swaps.byOld.find(line.device->id); it != swaps.byOld.end()) {
    const auto& [successor, r] = it->second;
    if (r.newFirstRead < p.end && r.oldLastRead >= p.start - std::chrono::hours{24 * 31}) {
      line.usage.notes.push_back(
          {meters::NoteKind::kReplacedBy, r.newFirstRead, {}, 0, 0, successor->serial});
      if (line.usage.end.kind == meters::BoundKind::kLastReading) {
        line.usage.end.estimated = false;
        std::erase_if(line.usage.notes, [](const meters::MeterNote& n) {
          return n.kind == meters::NoteKind::kNoReadingSince;
        });
        line.usage.estimated = line.usage.start.estimated;
      }
    }
  }
  if (const auto it = swaps.byNew.find(line.device->id); it != swaps.byNew.end()) {
    const auto& [predecessor, r] = it->second;
    if (r.newFirstRead >= p.start && r.newFirstRead < p.end) {
      line.usage.notes.push_back(
          {meters::NoteKind::kReplaces, r.oldLastRead, {}, 0, 0, predecessor->serial});
    }
  }
}

std::string joinNotes(Locale locale, const std::string& tz,
                      const std::vector<meters::MeterNote>& notes) {
  std::string out;
  for (const auto& n : notes) {
    if (!out.empty()) out += "; ";
    out += describeNote(locale, tz, n);
  }
  return out;
}

Value boundDate(const std::string& tz, const meters::Bound& b) {
  if (b.kind == meters::BoundKind::kNone) return std::monostate{};
  return meters::localDate(tz, b.at);
}

Value boundValue(const meters::Bound& b) {
  if (b.kind == meters::BoundKind::kNone) return std::monostate{};
  return b.value;
}

std::vector<Column> billingColumns(Locale l) {
  return {{"customer", text(l, "col.customer"), CellType::kText, 22, false, 8, true},
          {"serial", text(l, "col.serial"), CellType::kText, 15, false, 16, true},
          {"model", text(l, "col.model"), CellType::kText, 22, false, 8, true},
          {"location", text(l, "col.location"), CellType::kText, 16, false, 8, true},
          {"meter", text(l, "col.meter"), CellType::kText, 12},
          {"start_date", text(l, "col.start-date"), CellType::kDate, 11},
          {"start_reading", text(l, "col.start-reading"), CellType::kInteger, 11},
          {"end_date", text(l, "col.end-date"), CellType::kDate, 11},
          {"end_reading", text(l, "col.end-reading"), CellType::kInteger, 11},
          {"usage", text(l, "col.usage"), CellType::kInteger, 9},
          {"estimated", text(l, "col.estimated"), CellType::kBoolean, 8},
          {"notes", text(l, "col.notes"), CellType::kText, 40, true, 30}};
}

void addCharts(ReportDocument& doc, const std::vector<BillingLine>& lines) {
  std::map<int, std::pair<std::string, double>> byMeter;
  std::vector<std::pair<double, std::string>> byDevice;
  for (const auto& line : lines) {
    if (line.counter.empty()) continue;
    auto& m = byMeter[counterOrder(line.counter)];
    m.first = meterName(doc.locale, line.counter);
    m.second += static_cast<double>(line.usage.usage);
    if (line.counter == "total") {
      byDevice.emplace_back(static_cast<double>(line.usage.usage), line.device->serial);
    }
  }
  Chart meters{
      text(doc.locale, "chart.usage-by-meter"), {}, {{text(doc.locale, "col.usage"), {}}}, false};
  for (const auto& [order, m] : byMeter) {
    meters.categories.push_back(m.first);
    meters.series[0].values.push_back(m.second);
  }
  doc.charts.push_back(std::move(meters));
  std::sort(byDevice.begin(), byDevice.end(), std::greater<>());
  Chart top{
      text(doc.locale, "chart.top-devices"), {}, {{text(doc.locale, "meter.total"), {}}}, false};
  for (std::size_t i = 0; i < byDevice.size() && i < 15; ++i) {
    top.categories.push_back(byDevice[i].second);
    top.series[0].values.push_back(byDevice[i].first);
  }
  doc.charts.push_back(std::move(top));
}

}  // namespace

int counterOrder(const std::string& counter) {
  for (std::size_t i = 0; i < kVocabulary.size(); ++i) {
    if (counter == kVocabulary[i]) return static_cast<int>(i);
  }
  return static_cast<int>(kVocabulary.size());
}

std::string describeNote(Locale l, const std::string& tz, const meters::MeterNote& n) {
  using meters::NoteKind;
  switch (n.kind) {
    case NoteKind::kNoReadings: return text(l, "note.no-readings");
    case NoteKind::kStartInterpolated:
    case NoteKind::kEndInterpolated:
      return format(
          l,
          n.kind == NoteKind::kStartInterpolated ? "note.start-interpolated"
                                                 : "note.end-interpolated",
          {day(l, tz, n.at), reading(l, n.before), day(l, tz, n.until), reading(l, n.after)});
    case NoteKind::kStartAcrossReset:
    case NoteKind::kEndAcrossReset:
      return format(
          l,
          n.kind == NoteKind::kStartAcrossReset ? "note.start-across-reset"
                                                : "note.end-across-reset",
          {day(l, tz, n.at), reading(l, n.before), day(l, tz, n.until), reading(l, n.after)});
    case NoteKind::kFirstReading: return format(l, "note.first-reading", {day(l, tz, n.at)});
    case NoteKind::kNoReadingSince: return format(l, "note.no-reading-since", {day(l, tz, n.at)});
    case NoteKind::kIgnoredLowReading:
      return format(l, "note.ignored-low-reading",
                    {day(l, tz, n.at), reading(l, n.after), reading(l, n.before)});
    case NoteKind::kCounterRestarted:
      return format(l, "note.counter-restarted",
                    {reading(l, n.before), reading(l, n.after), day(l, tz, n.at)});
    case NoteKind::kReplacedBy: return format(l, "note.replaced-by", {n.serial, day(l, tz, n.at)});
    case NoteKind::kReplaces: return format(l, "note.replaces", {n.serial, day(l, tz, n.at)});
  }
  return {};
}

std::vector<BillingLine> computeBilling(const BillingInput& input,
                                        const meters::MeterRules& rules) {
  std::unordered_map<std::int64_t, const CustomerPeriod*> customers;
  for (const auto& c : input.customers) customers[c.id] = &c;
  std::unordered_map<std::int64_t, const BillingDevice*> devices;
  for (const auto& d : input.devices) devices[d.id] = &d;
  std::vector<BillingLine> lines;
  std::unordered_map<std::int64_t, bool> hasCounters;
  for (const auto& c : input.counters) {
    const BillingDevice* d = devices.at(c.deviceId);
    const CustomerPeriod* customer = customers.at(d->customerId);
    BillingLine line{
        customer, d, c.counter,
        meters::computeUsage(c.samples, customer->period.start, customer->period.end, rules)};
    lines.push_back(std::move(line));
    hasCounters[d->id] = true;
  }
  for (const auto& d : input.devices) {
    if (!hasCounters.contains(d.id)) {
      BillingLine line{customers.at(d.customerId), &d, {}, {}};
      line.usage.notes.push_back({meters::NoteKind::kNoReadings, {}, {}, 0, 0, {}});
      lines.push_back(std::move(line));
    }
  }
  noteReplacements(input, lines);
  std::sort(lines.begin(), lines.end(), [](const BillingLine& a, const BillingLine& b) {
    if (a.customer->name != b.customer->name) return a.customer->name < b.customer->name;
    if (a.device->serial != b.device->serial) return a.device->serial < b.device->serial;
    if (a.device->id != b.device->id) return a.device->id < b.device->id;
    return counterOrder(a.counter) < counterOrder(b.counter);
  });
  return lines;
}

void noteReplacements(const BillingInput& input, std::vector<BillingLine>& lines) {
  const Replacements swaps = findSwaps(input);
  if (swaps.byOld.empty()) {
    return;
  }
  for (auto& line : lines) {
    noteSwaps(line, swaps);
  }
}

ReportDocument buildBillingReport(const BillingInput& input, const ReportContext& c) {
  ReportDocument doc = startDocument("billing", c);
  const auto lines = computeBilling(input);
  Table table{"billing", doc.title, billingColumns(c.locale), {}};
  table.rows.reserve(lines.size());
  for (const auto& line : lines) {
    const std::string& tz = line.customer->timeZone;
    const auto& u = line.usage;
    table.rows.push_back({line.customer->name, line.device->serial, modelName(*line.device),
                          line.device->location,
                          line.counter.empty() ? Value{} : Value{meterName(c.locale, line.counter)},
                          boundDate(tz, u.start), boundValue(u.start), boundDate(tz, u.end),
                          boundValue(u.end), line.counter.empty() ? Value{} : Value{u.usage},
                          u.estimated, joinNotes(c.locale, tz, u.notes)});
  }
  doc.tables.push_back(std::move(table));
  addCharts(doc, lines);
  return doc;
}

ReportDocument buildBillingErpReport(const BillingInput& input, const ReportContext& c,
                                     const std::map<std::string, std::string>& meterNames) {
  ReportDocument doc = startDocument("billing-erp", c);
  Table table{"billing_erp",
              doc.title,
              {{"serial", "serial", CellType::kText, 15},
               {"meter", "meter", CellType::kText, 14},
               {"reading", "reading", CellType::kInteger, 12},
               {"date", "date", CellType::kText, 11},
               {"estimated", "estimated", CellType::kText, 9}},
              {}};
  for (const auto& line : computeBilling(input)) {
    if (line.counter.empty() || line.usage.end.kind == meters::BoundKind::kNone) continue;
    std::string name = line.counter;
    if (!meterNames.empty()) {
      const auto it = meterNames.find(line.counter);
      if (it == meterNames.end()) continue;
      name = it->second;
    }
    // Machine-read: ISO date and true/false, whatever the reader's language.
    table.rows.push_back(
        {line.device->serial, name, line.usage.end.value,
         meters::formatDate(meters::localDate(line.customer->timeZone, line.usage.end.at)),
         std::string(line.usage.estimated ? "true" : "false")});
  }
  doc.tables.push_back(std::move(table));
  return doc;
}

}  // namespace openmps::server::reports

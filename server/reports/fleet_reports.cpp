#include "server/reports/fleet_reports.hpp"

#include <algorithm>
#include <cmath>
#include <unordered_map>

namespace openmps::server::reports {
namespace {

std::unordered_map<std::int64_t, const CustomerPeriod*> byId(
    const std::vector<CustomerPeriod>& cs) {
  std::unordered_map<std::int64_t, const CustomerPeriod*> out;
  for (const auto& c : cs) out[c.id] = &c;
  return out;
}

Value timeIn(const std::string& tz, const std::optional<TimePoint>& t) {
  if (!t) return std::monostate{};
  return meters::localTime(tz, *t);
}

Chart countBy(const std::string& title, const std::string& series,
              const std::map<std::string, double>& counts, std::size_t top) {
  std::vector<std::pair<double, std::string>> sorted;
  sorted.reserve(counts.size());
  for (const auto& [k, v] : counts) sorted.emplace_back(v, k);
  std::sort(sorted.begin(), sorted.end(), std::greater<>());
  Chart ch{title, {}, {{series, {}}}, false};
  for (std::size_t i = 0; i < sorted.size() && i < top; ++i) {
    ch.categories.push_back(sorted[i].second);
    ch.series[0].values.push_back(sorted[i].first);
  }
  return ch;
}

double monthFraction(const meters::Period& p) {
  const double days = std::chrono::duration<double>(p.end - p.start).count() / 86400.0;
  return days / meters::daysInMonth(p.first.year, p.first.month);
}

}  // namespace

// ---- inventory ---------------------------------------------------------------

ReportDocument buildInventoryReport(const std::vector<CustomerPeriod>& customers,
                                    const std::vector<InventoryDevice>& devices,
                                    const ReportContext& c) {
  ReportDocument doc = startDocument("inventory", c);
  const auto cs = byId(customers);
  const Locale l = c.locale;
  Table t{"inventory",
          doc.title,
          {{"customer", text(l, "col.customer"), CellType::kText, 18, false, 8, true},
           {"serial", text(l, "col.serial"), CellType::kText, 14, false, 16, true},
           {"model", text(l, "col.model"), CellType::kText, 22, false, 8, true},
           {"firmware", text(l, "col.firmware"), CellType::kText, 12},
           {"ip", text(l, "col.ip"), CellType::kText, 12, false, 15},
           {"mac", text(l, "col.mac"), CellType::kText, 14, false, 17},
           {"host_name", text(l, "col.host"), CellType::kText, 12},
           {"location", text(l, "col.location"), CellType::kText, 14, false, 8, true},
           {"collector", text(l, "col.collector"), CellType::kText, 14},
           {"first_seen", text(l, "col.first-seen"), CellType::kDateTime, 13},
           {"last_seen", text(l, "col.last-seen"), CellType::kDateTime, 13},
           {"status", text(l, "col.status"), CellType::kText, 16, true}},
          {}};
  std::map<std::string, double> models;
  for (const auto& i : devices) {
    const auto* customer = cs.at(i.device.customerId);
    const std::string status =
        i.errors.empty() ? i.printerStatus : i.printerStatus + " (" + i.errors + ")";
    t.rows.push_back({customer->name, i.device.serial, modelName(i.device), i.firmware, i.device.ip,
                      i.mac, i.hostName, i.device.location,
                      i.collectorName.empty() ? std::to_string(i.collectorId) : i.collectorName,
                      timeIn(customer->timeZone, i.device.firstSeen),
                      timeIn(customer->timeZone, i.device.lastSeen), status});
    models[modelName(i.device)] += 1;
  }
  doc.tables.push_back(std::move(t));
  doc.charts.push_back(countBy(text(l, "col.model"), text(l, "word.devices"), models, 15));
  return doc;
}

// ---- usage -----------------------------------------------------------------------

std::vector<CustomerPeriod> monthsOf(const CustomerPeriod& customer) {
  std::vector<CustomerPeriod> out;
  meters::LocalDate first = customer.period.first;
  while (first <= customer.period.last) {
    meters::LocalDate last{first.year, first.month, meters::daysInMonth(first.year, first.month)};
    last = std::min(last, customer.period.last);
    CustomerPeriod m = customer;
    m.period = meters::localPeriod(customer.timeZone, first, last);
    out.push_back(std::move(m));
    first = meters::addDays(last, 1);
  }
  return out;
}

ReportDocument buildUsageReport(const UsageInput& input, const ReportContext& c,
                                const UsageThresholds& thresholds) {
  ReportDocument doc = startDocument("usage", c);
  const Locale l = c.locale;
  std::unordered_map<std::int64_t, const ReportDevice*> devices;
  for (const auto& d : input.devices) devices[d.id] = &d;
  // (customer, month start) -> its month
  std::map<std::pair<std::int64_t, TimePoint>, const CustomerPeriod*> months;
  for (const auto& m : input.months) months[{m.id, m.period.start}] = &m;
  // device -> month start -> (total, color)
  std::map<std::int64_t,
           std::map<TimePoint, std::pair<std::optional<std::int64_t>, std::optional<std::int64_t>>>>
      pages;
  std::map<std::string, double> perMonth;
  for (const auto& counter : input.counters) {
    const ReportDevice* d = devices.at(counter.deviceId);
    const auto it = months.find({d->customerId, counter.periodStart});
    if (it == months.end()) continue;
    const meters::Period& p = it->second->period;
    const auto u = meters::computeUsage(counter.samples, p.start, p.end);
    auto& cell = pages[d->id][p.start];
    (counter.counter == "color" ? cell.second : cell.first) = u.usage;
  }
  Table t{"usage",
          doc.title,
          {{"customer", text(l, "col.customer"), CellType::kText, 18, false, 8, true},
           {"serial", text(l, "col.serial"), CellType::kText, 14, false, 16, true},
           {"model", text(l, "col.model"), CellType::kText, 22, false, 8, true},
           {"location", text(l, "col.location"), CellType::kText, 14, false, 8, true},
           {"month", text(l, "col.month"), CellType::kDate, 10},
           {"pages", text(l, "col.usage"), CellType::kInteger, 9},
           {"color_pages", text(l, "meter.color"), CellType::kInteger, 9},
           {"duty_cycle", text(l, "col.duty-cycle"), CellType::kInteger, 12},
           {"utilisation", text(l, "col.utilisation"), CellType::kPercent, 9},
           {"assessment", text(l, "col.assessment"), CellType::kText, 14}},
          {}};
  std::vector<const ReportDevice*> ordered;
  for (const auto& d : input.devices) ordered.push_back(&d);
  const auto cs = byId(input.customers);
  std::sort(ordered.begin(), ordered.end(), [&](const ReportDevice* a, const ReportDevice* b) {
    const auto& ca = cs.at(a->customerId)->name;
    const auto& cb = cs.at(b->customerId)->name;
    return ca != cb ? ca < cb : (a->serial != b->serial ? a->serial < b->serial : a->id < b->id);
  });
  for (const ReportDevice* d : ordered) {
    const auto devicePages = pages.find(d->id);
    if (devicePages == pages.end()) continue;
    const auto duty = input.dutyCycle.find(d->id);
    for (const auto& [start, cell] : devicePages->second) {
      const CustomerPeriod* month = months.at({d->customerId, start});
      const auto total = cell.first.value_or(0);
      perMonth[meters::formatDate(month->period.first).substr(0, 7)] += static_cast<double>(total);
      Value dutyValue;
      Value utilisation;
      std::string assessment = text(l, "usage.unknown-duty");
      if (duty != input.dutyCycle.end() && duty->second > 0) {
        const double capacity = static_cast<double>(duty->second) * monthFraction(month->period);
        const double percent = 100.0 * static_cast<double>(total) / capacity;
        dutyValue = duty->second;
        utilisation = percent;
        assessment = text(l, percent < thresholds.underPercent  ? "usage.under"
                             : percent > thresholds.overPercent ? "usage.over"
                                                                : "usage.ok");
      }
      t.rows.push_back({month->name, d->serial, modelName(*d), d->location, month->period.first,
                        cell.first ? Value{*cell.first} : Value{},
                        cell.second ? Value{*cell.second} : Value{}, dutyValue, utilisation,
                        assessment});
    }
  }
  doc.tables.push_back(std::move(t));
  Chart ch{text(l, "chart.pages-per-month"), {}, {{text(l, "col.usage"), {}}}, false};
  for (const auto& [month, total] : perMonth) {
    ch.categories.push_back(month);
    ch.series[0].values.push_back(total);
  }
  doc.charts.push_back(std::move(ch));
  return doc;
}

// ---- status history ----------------------------------------------------------------

ReportDocument buildStatusReport(const std::vector<CustomerPeriod>& customers,
                                 const std::vector<ReportDevice>& devices,
                                 const std::vector<StatusEpisode>& episodes,
                                 const ReportContext& c) {
  ReportDocument doc = startDocument("status", c);
  const Locale l = c.locale;
  const auto cs = byId(customers);
  std::unordered_map<std::int64_t, const ReportDevice*> byDevice;
  for (const auto& d : devices) byDevice[d.id] = &d;
  Table t{"status",
          doc.title,
          {{"customer", text(l, "col.customer"), CellType::kText, 18, false, 8, true},
           {"serial", text(l, "col.serial"), CellType::kText, 14, false, 16, true},
           {"model", text(l, "col.model"), CellType::kText, 22, false, 8, true},
           {"location", text(l, "col.location"), CellType::kText, 14, false, 8, true},
           {"condition", text(l, "col.condition"), CellType::kText, 16},
           {"from", text(l, "col.from"), CellType::kDateTime, 13},
           {"last_seen", text(l, "col.until"), CellType::kDateTime, 13},
           {"reads", text(l, "col.reads"), CellType::kInteger, 7}},
          {}};
  std::map<std::string, double> conditions;
  for (const auto& e : episodes) {
    const auto it = byDevice.find(e.deviceId);
    if (it == byDevice.end()) continue;
    const ReportDevice* d = it->second;
    const auto* customer = cs.at(d->customerId);
    const std::string condition = textOr(l, "error." + e.condition, e.condition);
    t.rows.push_back({customer->name, d->serial, modelName(*d), d->location, condition,
                      meters::localTime(customer->timeZone, e.from),
                      meters::localTime(customer->timeZone, e.lastSeen), e.reads});
    conditions[condition] += 1;
  }
  doc.tables.push_back(std::move(t));
  doc.charts.push_back(countBy(text(l, "col.condition"), text(l, "col.reads"), conditions, 12));
  return doc;
}

// ---- alert history -----------------------------------------------------------------

ReportDocument buildAlertsReport(const std::vector<CustomerPeriod>& customers,
                                 const std::vector<ReportDevice>& devices,
                                 const std::vector<AlertRow>& alerts, const ReportContext& c) {
  ReportDocument doc = startDocument("alerts", c);
  const Locale l = c.locale;
  const auto cs = byId(customers);
  std::unordered_map<std::int64_t, const ReportDevice*> byDevice;
  for (const auto& d : devices) byDevice[d.id] = &d;
  Table t{"alerts",
          doc.title,
          {{"customer", text(l, "col.customer"), CellType::kText, 18, false, 8, true},
           {"serial", text(l, "col.serial"), CellType::kText, 14, false, 16, true},
           {"model", text(l, "col.model"), CellType::kText, 20, false, 8, true},
           {"location", text(l, "col.location"), CellType::kText, 14, false, 8, true},
           {"id", text(l, "col.alert-id"), CellType::kInteger, 8},
           {"alert", text(l, "col.alert"), CellType::kText, 24, true, 16},
           {"severity", text(l, "col.severity"), CellType::kText, 9},
           {"state", text(l, "col.state"), CellType::kText, 9},
           {"since", text(l, "col.since"), CellType::kDateTime, 13},
           {"cleared", text(l, "col.cleared"), CellType::kDateTime, 13},
           {"acknowledged", text(l, "col.acknowledged"), CellType::kText, 18, true, 12},
           {"events", text(l, "col.occurrences"), CellType::kInteger, 6}},
          {}};
  std::map<std::string, double> perDevice;
  for (const auto& a : alerts) {
    const auto* customer = cs.at(a.customerId);
    const auto it = byDevice.find(a.deviceId);
    const ReportDevice* d = it == byDevice.end() ? nullptr : it->second;
    const std::string title = notify::alertTitle(toString(l), a.facts);
    std::string ack;
    if (a.acknowledged) {
      ack = formatDateTime(l, meters::localTime(customer->timeZone, *a.acknowledged)) + " " +
            a.acknowledgedBy + (a.note.empty() ? "" : ": " + a.note);
    }
    t.rows.push_back({customer->name, d ? Value{d->serial} : Value{a.collector},
                      d ? Value{modelName(*d)} : Value{}, d ? Value{d->location} : Value{},
                      a.facts.id, title,
                      textOr(l, "severity." + a.facts.severity, a.facts.severity),
                      textOr(l, "alert-state." + a.state, a.state),
                      meters::localTime(customer->timeZone, a.since),
                      timeIn(customer->timeZone, a.cleared), ack, a.events});
    perDevice[d ? d->serial : a.collector] += 1;
  }
  doc.tables.push_back(std::move(t));
  doc.charts.push_back(
      countBy(text(l, "chart.alerts-per-device"), text(l, "title.alerts"), perDevice, 15));
  return doc;
}

// ---- collector health ---------------------------------------------------------------

ReportDocument buildCollectorsReport(const std::vector<CustomerPeriod>& customers,
                                     const std::vector<CollectorHealth>& collectors,
                                     const ReportContext& c) {
  ReportDocument doc = startDocument("collectors", c);
  const Locale l = c.locale;
  const auto cs = byId(customers);
  Table t{"collectors",
          doc.title,
          {{"customer", text(l, "col.customer"), CellType::kText, 18, false, 8, true},
           {"collector_id", text(l, "col.collector-id"), CellType::kText, 17, false, 16},
           {"name", text(l, "col.name"), CellType::kText, 12},
           {"devices", text(l, "col.devices"), CellType::kInteger, 7},
           {"last_seen", text(l, "col.last-seen"), CellType::kDateTime, 13},
           {"carrier", text(l, "col.carrier"), CellType::kText, 8},
           {"peer", text(l, "col.peer"), CellType::kText, 13},
           {"batches", text(l, "col.batches"), CellType::kInteger, 8},
           {"readings", text(l, "col.readings"), CellType::kInteger, 8},
           {"missing_batches", text(l, "col.missing-batches"), CellType::kInteger, 8},
           {"missing_numbers", text(l, "col.missing-numbers"), CellType::kText, 14, true},
           {"days_without_batch", text(l, "col.days-without"), CellType::kInteger, 8},
           {"revoked", text(l, "col.revoked"), CellType::kBoolean, 7}},
          {}};
  for (const auto& h : collectors) {
    const auto* customer = cs.at(h.customerId);
    const auto& p = customer->period;
    // Days of the period the collector existed, minus those with a batch.
    const TimePoint from = h.created ? std::max(p.start, *h.created) : p.start;
    const auto days =
        from < p.end ? static_cast<std::int64_t>(
                           std::ceil(std::chrono::duration<double>(p.end - from).count() / 86400.0))
                     : 0;
    t.rows.push_back({customer->name, std::to_string(h.id), h.name, h.devices,
                      timeIn(customer->timeZone, h.lastSeen), h.lastCarrier, h.lastPeer, h.batches,
                      h.readings, h.missingBatches, h.missingNumbers,
                      std::max<std::int64_t>(0, days - h.daysWithBatch), h.revoked});
  }
  doc.tables.push_back(std::move(t));
  return doc;
}

}  // namespace openmps::server::reports

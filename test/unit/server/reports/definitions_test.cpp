#include <catch2/catch.hpp>

#include "server/reports/billing_report.hpp"
#include "server/reports/fleet_reports.hpp"
#include "server/reports/supplies_report.hpp"
#include "shared/util/time_format.hpp"

using namespace openmps::server::reports;
namespace meters = openmps::server::meters;
using std::chrono::hours;

namespace {

TimePoint at(const char* text) {
  return *openmps::util::parseRfc3339(text);
}

CustomerPeriod acme() {
  CustomerPeriod c;
  c.id = 10;
  c.name = "Acme";
  c.timeZone = "Europe/Berlin";
  c.leadDays = 7;
  c.period = meters::billingPeriod(c.timeZone, 1, 2026, 11);
  return c;
}

ReportContext context(Locale l) {
  return {"Acme", "Europe/Berlin", {2026, 11, 1}, {2026, 11, 30}, l, at("2026-12-04T10:00:00Z")};
}

std::vector<meters::Sample> daily(const char* first, int days, std::int64_t start,
                                  std::int64_t perDay) {
  std::vector<meters::Sample> out;
  for (int d = 0; d < days; ++d) out.push_back({at(first) + hours{24 * d}, start + perDay * d});
  return out;
}

ReportDevice device(std::int64_t id, const char* serial, const char* first, const char* last) {
  ReportDevice d;
  d.id = id;
  d.customerId = 10;
  d.serial = serial;
  d.manufacturer = "HP";
  d.model = "LaserJet M507";
  d.location = "Floor 2";
  d.ip = "10.0.0.5";
  d.firstSeen = at(first);
  d.lastSeen = at(last);
  return d;
}

const std::vector<Value>* rowFor(const Table& t, const std::string& serial,
                                 const std::string& meter) {
  for (const auto& r : t.rows) {
    if (std::get<std::string>(r[1]) == serial && std::holds_alternative<std::string>(r[4]) &&
        std::get<std::string>(r[4]) == meter) {
      return &r;
    }
  }
  return nullptr;
}

}  // namespace

TEST_CASE("billing: per device and meter, with replacements and restarts noted",
          "[server][reports]") {
  BillingInput in;
  in.customers = {acme()};
  in.devices = {device(1, "OLD", "2026-01-01T02:00:00Z", "2026-11-10T02:00:00Z"),
                device(2, "NEW", "2026-11-12T02:00:00Z", "2026-12-02T02:00:00Z"),
                device(3, "IDLE", "2026-01-01T02:00:00Z", "2026-12-02T02:00:00Z")};
  in.devices[2].ip = "10.0.0.9";
  in.devices[2].location = "Cellar";
  auto idle = daily("2026-10-25T02:00:00Z", 38, 5000, 10);
  for (std::size_t i = 20; i < idle.size(); ++i) idle[i].value -= 5000;  // controller replaced
  in.counters = {{1, "total", {}, daily("2026-10-20T02:00:00Z", 22, 100'000, 200)},
                 {2, "total", {}, daily("2026-11-12T02:00:00Z", 21, 30, 150)},
                 {2, "mono", {}, daily("2026-11-12T02:00:00Z", 21, 20, 100)},
                 {3, "total", {}, idle}};
  const auto doc = buildBillingReport(in, context(Locale::kEn));
  REQUIRE(doc.tables.size() == 1);
  const Table& t = doc.tables[0];
  CHECK(t.rows.size() == 4);
  const auto* old = rowFor(t, "OLD", "Total");
  REQUIRE(old != nullptr);
  CHECK(std::get<std::int64_t>((*old)[9]) == 200 * 9);  // Oct 31 .. Nov 9 (the last read)
  CHECK(std::get<bool>((*old)[10]) == false);           // gone, not estimated: replaced
  CHECK(std::get<std::string>((*old)[11]).find("replaced by NEW") != std::string::npos);
  const auto* fresh = rowFor(t, "NEW", "Total");
  REQUIRE(fresh != nullptr);
  CHECK(std::get<std::int64_t>((*fresh)[9]) == 150 * 19);
  CHECK(std::get<std::string>((*fresh)[11]).find("replaces OLD") != std::string::npos);
  CHECK(std::get<std::string>((*fresh)[11]).find("first read on 2026-11-12") != std::string::npos);
  const auto* restarted = rowFor(t, "IDLE", "Total");
  REQUIRE(restarted != nullptr);
  CHECK(std::get<std::int64_t>((*restarted)[9]) >= 0);
  CHECK(std::get<std::string>((*restarted)[11]).find("controller replaced") != std::string::npos);
  // rows by customer, serial, then meter order
  CHECK(std::get<std::string>(t.rows[0][1]) == "IDLE");
  CHECK(std::get<std::string>(t.rows[1][4]) == "Total");
  CHECK(std::get<std::string>(t.rows[2][4]) == "Black & white");
  CHECK(doc.charts.size() == 2);
  // the same in German
  const auto de = buildBillingReport(in, context(Locale::kDe));
  CHECK(de.tables[0].columns[6].header == "Anfangsstand");
  CHECK(std::get<std::string>((*rowFor(de.tables[0], "NEW", "Gesamt"))[11]).find("ersetzt OLD") !=
        std::string::npos);
}

TEST_CASE("billing ERP layout: serial, meter, reading, date; names mapped per dealer",
          "[server][reports]") {
  BillingInput in;
  in.customers = {acme()};
  in.devices = {device(1, "S1", "2026-01-01T02:00:00Z", "2026-12-02T02:00:00Z")};
  in.counters = {{1, "total", {}, daily("2026-10-20T02:00:00Z", 44, 1000, 10)},
                 {1, "mono", {}, daily("2026-10-20T02:00:00Z", 44, 800, 5)}};
  const auto all = buildBillingErpReport(in, context(Locale::kDe), {});
  REQUIRE(all.tables[0].rows.size() == 2);
  CHECK(all.tables[0].columns[0].header == "serial");  // machine layout: not translated
  const auto& r = all.tables[0].rows[0];
  CHECK(std::get<std::string>(r[1]) == "total");
  CHECK(std::get<std::int64_t>(r[2]) == 1000 + 10 * 42);  // Dec 1 02:00 UTC
  CHECK(std::get<std::string>(r[3]) == "2026-12-01");
  CHECK(std::get<std::string>(r[4]) == "false");
  const auto mapped = buildBillingErpReport(in, context(Locale::kEn), {{"mono", "BW_COUNT"}});
  REQUIRE(mapped.tables[0].rows.size() == 1);
  CHECK(std::get<std::string>(mapped.tables[0].rows[0][1]) == "BW_COUNT");
}

TEST_CASE("supplies: forecast, order-by from the lead time, replacements with pages",
          "[server][reports]") {
  SuppliesInput in;
  in.customers = {acme()};
  in.devices = {device(1, "S1", "2026-01-01T02:00:00Z", "2026-12-02T02:00:00Z")};
  SupplyHistory s;
  s.deviceId = 1;
  s.index = 1;
  s.description = "Black Cartridge";
  s.color = "black";
  s.supplyClass = "consumed";
  // 40 % on Oct 20, falling 2 % a day, replaced Nov 8, then 1 % a day.
  for (int d = 0; d < 19; ++d)
    s.levels.push_back(
        {at("2026-10-20T02:00:00Z") + hours{24 * d}, 40 - 2 * d, 100, 40 - 2 * d, ""});
  for (int d = 0; d < 25; ++d)
    s.levels.push_back({at("2026-11-08T02:00:00Z") + hours{24 * d}, 100 - d, 100, 100 - d, ""});
  in.supplies = {s};
  in.totalAt[{1, std::chrono::duration_cast<std::chrono::milliseconds>(
                     at("2026-11-08T02:00:00Z").time_since_epoch())
                     .count()}] = 9000;
  const auto instants = counterInstants(in);
  REQUIRE(instants.size() == 1);  // installed before the history: no start, no pages
  const auto doc = buildSuppliesReport(in, context(Locale::kEn));
  REQUIRE(doc.tables.size() == 2);
  const auto& row = doc.tables[0].rows.at(0);
  CHECK(std::get<double>(row[7]) == 76.0);
  CHECK(std::get<std::string>(row[8]) == "ok");
  // 76 % on Dec 2 at 1 %/day: empty Feb 16, order by Feb 9
  CHECK(std::get<meters::LocalDate>(row[9]) == meters::LocalDate{2027, 2, 16});
  CHECK(std::get<meters::LocalDate>(row[12]) == meters::LocalDate{2027, 2, 9});
  REQUIRE(doc.tables[1].rows.size() == 1);
  const auto& replaced = doc.tables[1].rows[0];
  CHECK(std::get<meters::LocalDate>(replaced[5]) == meters::LocalDate{2026, 11, 8});
  CHECK(std::get<double>(replaced[6]) == 4.0);
  CHECK(std::holds_alternative<std::monostate>(replaced[4]));
}

TEST_CASE("usage: months in the customer's zone, utilisation against the duty cycle",
          "[server][reports]") {
  CustomerPeriod c = acme();
  c.period = meters::localPeriod(c.timeZone, {2026, 9, 15}, {2026, 11, 30});
  const auto months = monthsOf(c);
  REQUIRE(months.size() == 3);
  CHECK(months[0].period.first == meters::LocalDate{2026, 9, 15});
  CHECK(months[0].period.last == meters::LocalDate{2026, 9, 30});
  CHECK(months[2].period.last == meters::LocalDate{2026, 11, 30});
  UsageInput in;
  in.customers = {c};
  in.months = months;
  in.devices = {device(1, "S1", "2026-01-01T02:00:00Z", "2026-12-02T02:00:00Z")};
  in.dutyCycle[1] = 10'000;
  for (const auto& m : months) {
    in.counters.push_back({1, "total", m.period.start, daily("2026-09-01T02:00:00Z", 100, 0, 100)});
  }
  const auto doc = buildUsageReport(in, context(Locale::kEn));
  REQUIRE(doc.tables[0].rows.size() == 3);
  const auto& nov = doc.tables[0].rows[2];
  CHECK(std::get<std::int64_t>(nov[5]) == 3000);
  CHECK(std::get<double>(nov[8]) == Approx(30.0));
  CHECK(std::get<std::string>(nov[9]) == "ok");
  const auto& sep = doc.tables[0].rows[0];
  CHECK(std::get<double>(sep[8]) == Approx(30.0).margin(0.5));  // half a month, half the capacity
}

TEST_CASE("collectors: days without a batch count only days the collector existed",
          "[server][reports]") {
  CollectorHealth h;
  h.id = 99;
  h.customerId = 10;
  h.created = at("2026-11-20T00:00:00Z");
  h.daysWithBatch = 8;
  h.batches = 8;
  h.missingBatches = 2;
  h.missingNumbers = "4-5";
  const auto doc = buildCollectorsReport({acme()}, {h}, context(Locale::kEn));
  const auto& row = doc.tables[0].rows.at(0);
  CHECK(std::get<std::int64_t>(row[11]) == 3);  // Nov 20 00:00 UTC to Dec 1 local: 11 days, 8 with
  CHECK(std::get<std::string>(row[10]) == "4-5");
}

TEST_CASE("alert history: the engine's alerts with their titles in the reader's language",
          "[server][reports]") {
  AlertRow a;
  a.customerId = 10;
  a.deviceId = 1;
  a.facts.id = 1;
  a.facts.condition = "toner";
  a.facts.stage = "low";
  a.facts.severity = "warning";
  a.facts.values = {{"supply", "Black Cartridge"}, {"level", "8"}};
  a.state = "cleared";
  a.since = at("2026-11-03T08:00:00Z");
  a.cleared = at("2026-11-05T09:30:00Z");
  a.acknowledged = at("2026-11-03T09:00:00Z");
  a.acknowledgedBy = "dana";
  a.note = "ordered";
  a.events = 3;
  const auto doc =
      buildAlertsReport({acme()}, {device(1, "S1", "2026-01-01T02:00:00Z", "2026-12-02T02:00:00Z")},
                        {a}, context(Locale::kDe));
  REQUIRE(doc.tables[0].rows.size() == 1);
  const auto& row = doc.tables[0].rows[0];
  CHECK(std::get<std::string>(row[1]) == "S1");
  CHECK(std::get<std::int64_t>(row[4]) == 1);
  CHECK(std::get<std::string>(row[5]).find("Black Cartridge") != std::string::npos);
  CHECK(std::get<std::string>(row[6]) == "Warnung");
  CHECK(std::get<std::string>(row[7]) == "behoben");
  CHECK(std::get<meters::LocalTime>(row[8]).hour == 9);  // 08:00 UTC in Berlin
  CHECK(std::get<meters::LocalTime>(row[9]).date.day == 5);
  CHECK(std::get<std::string>(row[10]).find("dana: ordered") != std::string::npos);
  CHECK(std::get<std::int64_t>(row[11]) == 3);
  CHECK(doc.tables[0].columns[5].header == "Alarm");
  REQUIRE(doc.charts.size() == 1);
  CHECK(doc.charts[0].categories == std::vector<std::string>{"S1"});
}

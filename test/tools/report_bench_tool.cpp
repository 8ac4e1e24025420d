// report_bench_tool: the figures of test/bench/test_reports_bench.py on a
// database the large-fleet generator filled. Times, each the best of
// --repeat runs in one snapshot:
//   aggregate   the billing SQL aggregate alone, rows fetched
//   report      the billing report: the same aggregate plus the devices,
//               the meter arithmetic and the document
//   csv/xlsx/pdf/json  rendering that document
//   forecast    the supply histories of every supply and a forecast each
//   backtest    the forecasts' error against when cartridges ran out
// The database URI comes from $BENCH_DATABASE_URI (never argv).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <iostream>

#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "server/forecast/supply_forecast.hpp"
#include "server/reports/billing_report.hpp"
#include "server/reports/pg_report_source.hpp"
#include "server/reports/renderers.hpp"
#include "shared/util/args.hpp"
#include "shared/util/time_format.hpp"

using namespace openmps;
using namespace openmps::server;

namespace {

double seconds(const std::function<void()>& f, int repeat) {
  double best = 1e300;
  for (int i = 0; i < repeat; ++i) {
    const auto start = std::chrono::steady_clock::now();
    f();
    best = std::min(
        best, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  return best;
}

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const auto i = static_cast<std::size_t>(std::lround(p * static_cast<double>(v.size() - 1)));
  return v[i];
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<util::OptionSpec> specs = {
      {"dealer", true, "NAME", "whose fleet"},
      {"from", true, "YYYY-MM-DD", "billing period, first day"},
      {"to", true, "YYYY-MM-DD", "billing period, last day"},
      {"now", true, "YYYY-MM-DD", "forecasts as of this day"},
      {"since", true, "YYYY-MM-DD", "backtest histories from this day"},
      {"repeat", true, "N", "best of N (default 3)"},
  };
  try {
    const std::vector<std::string> args(argv + 1, argv + argc);
    const auto parsed = util::parseArgs(args, specs);
    const char* uri = std::getenv("BENCH_DATABASE_URI");
    if (uri == nullptr) throw util::UsageError("set BENCH_DATABASE_URI");
    const int repeat = static_cast<int>(parsed.intOr("repeat", 3, 1, 20));
    const auto day = [&](const char* name) {
      const auto d = meters::parseDate(parsed.getOr(name, ""));
      if (!d) throw util::UsageError(std::string("--") + name + ": expected YYYY-MM-DD");
      return *d;
    };
    const auto now = meters::startOfDay("UTC", day("now"));
    pqxx::connection conn(uri);
    pqxx::transaction<pqxx::repeatable_read, pqxx::read_only> txn(conn);
    reports::PgReportSource source(txn);
    const auto scope = source.scopeByName("dealer", parsed.getOr("dealer", ""));
    const auto customers = source.customers(scope, {day("from"), day("to"), now});
    const reports::ReportContext context{scope.name, scope.timeZone,       day("from"),
                                         day("to"),  reports::Locale::kDe, now};
    nlohmann::json out;
    std::size_t aggregateRows = 0;
    out["aggregate"] = seconds([&] { aggregateRows = source.billingAggregate(customers); }, repeat);
    reports::ReportDocument doc;
    out["report"] = seconds(
        [&] { doc = reports::buildBillingReport(source.billing(customers), context); }, repeat);
    out["rows"] = doc.tables.front().rows.size();
    out["aggregate_rows"] = aggregateRows;
    std::size_t pdfPages = 0;
    for (const auto format : {reports::Format::kCsv, reports::Format::kXlsx, reports::Format::kPdf,
                              reports::Format::kJson}) {
      std::string bytes;
      out[reports::toString(format)] =
          seconds([&] { bytes = reports::render(doc, format); }, repeat);
      out[std::string(reports::toString(format)) + "_bytes"] = bytes.size();
      if (format == reports::Format::kPdf) {
        for (auto at = bytes.find("/Type /Page %"); at != std::string::npos;
             at = bytes.find("/Type /Page %", at + 1)) {
          ++pdfPages;
        }
      }
    }
    out["pdf_pages"] = pdfPages;

    // Forecasts for every supply of the fleet, from the database.
    std::map<std::string, int> states;
    std::size_t supplies = 0;
    out["forecast"] = seconds(
        [&] {
          states.clear();
          const auto histories =
              source.supplyHistories(customers, now - std::chrono::hours{24 * 120});
          supplies = histories.size();
          for (const auto& h : histories) {
            ++states[forecast::toString(forecast::forecastSupply(h.levels, now).state)];
          }
        },
        1);
    out["supplies"] = supplies;
    out["forecast_states"] = states;

    // Backtest over the whole history.
    std::vector<double> errors;
    const auto histories =
        source.supplyHistories(customers, meters::startOfDay("UTC", day("since")));
    out["backtest_seconds"] = seconds(
        [&] {
          errors.clear();
          for (const auto& h : histories) {
            for (const double e : forecast::backtest(h.levels)) errors.push_back(std::fabs(e));
          }
        },
        1);
    out["backtest_cases"] = errors.size();
    out["backtest_median_days"] = percentile(errors, 0.5);
    out["backtest_p90_days"] = percentile(errors, 0.9);
    txn.commit();
    std::cout << out.dump(2) << "\n";
    return 0;
  } catch (const util::UsageError& e) {
    std::fprintf(stderr, "report_bench_tool: %s\n%s", e.what(), util::formatOptions(specs).c_str());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "report_bench_tool: %s\n", e.what());
    return 1;
  }
}

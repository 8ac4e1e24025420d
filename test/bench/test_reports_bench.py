# ctest-timeout: 1800
"""Reports at fleet scale, ratios in one run on one database.

The large simulated fleet (test/lib/openmps_test/large_fleet.py: 100,000
devices, the first dealer's 10,000 with 396 days of daily reads) and, on
that dealer's 10,000 devices:

- the monthly billing report (the aggregate, the devices, the meter
  arithmetic, the document) against its bare SQL aggregate alone (target:
  within 2x);
- rendering that report as XLSX and as PDF (and CSV, JSON) against the
  aggregate's time (target: within 2x);
- forecasts for every supply of the 10,000 devices, from the database
  (target: under a minute);
- backtesting the forecasts on the whole history: cut each cartridge that
  ran empty when it first fell to 50 % and to 25 %, forecast, compare with
  when it actually ran out; the median and 90th percentile of days off.

Each time is the best of three in one database snapshot. Environment:
OPENMPS_BENCH_FLEET_DEVICES / _HISTORY (default 100000 / 10000).
"""

import datetime as dt
import json
import os
import subprocess

from openmps_test.large_fleet import build_large_fleet
from openmps_test.openmps_server import OpenMpsServer
from openmps_test.paths import built
from openmps_test.postgres import PostgresCluster

DEVICES = int(os.environ.get("OPENMPS_BENCH_FLEET_DEVICES", "100000"))
HISTORY = int(os.environ.get("OPENMPS_BENCH_FLEET_HISTORY", "10000"))


def test_reports_at_fleet_scale(tmp_path):
    end = dt.date.today()
    last = end.replace(day=1) - dt.timedelta(days=1)
    first = last.replace(day=1)
    with PostgresCluster(settings={"shared_buffers": "512MB", "work_mem": "64MB"}) as pg:
        OpenMpsServer(pg, tmp_path, start=False).migrate()
        fleet = build_large_fleet(pg, devices=DEVICES, history_devices=HISTORY,
                                  customers=max(10, DEVICES // 100), end=end)
        dealer = fleet.dealers[0]
        env = dict(os.environ, BENCH_DATABASE_URI=pg.uri)
        out = subprocess.run([str(built("test", "tools", "report_bench_tool")), "--dealer", dealer["name"],
                              "--from", first.isoformat(), "--to", last.isoformat(),
                              "--now", end.isoformat(), "--since", fleet.first_day.isoformat()],
                             env=env, capture_output=True, text=True, timeout=1500)
        assert out.returncode == 0, out.stderr
        r = json.loads(out.stdout)

    base = r["aggregate"]
    print()
    print(f"fleet: {fleet.summary['devices']} devices, {dealer['devices']} of them ({dealer['name']}) "
          f"with {fleet.summary['days']} days of history; built in {fleet.summary['seconds']['total']:.0f} s")
    print(f"billing {first} .. {last}: {r['rows']} rows (device x meter), aggregate {r['aggregate_rows']} rows")
    print(f"{'step':22} {'seconds':>8} {'vs aggregate':>13} {'size':>12}")
    print(f"{'SQL aggregate':22} {base:8.2f} {1.0:13.2f}")
    print(f"{'billing report':22} {r['report']:8.2f} {r['report'] / base:13.2f}")
    for fmt in ("csv", "xlsx", "pdf", "json"):
        extra = f" ({r['pdf_pages']} pages)" if fmt == "pdf" else ""
        print(f"{'render ' + fmt:22} {r[fmt]:8.2f} {r[fmt] / base:13.2f} {r[fmt + '_bytes']:12d}{extra}")
    print(f"forecasts: {r['supplies']} supplies in {r['forecast']:.1f} s ({r['forecast_states']})")
    print(f"backtest: {r['backtest_cases']} cases in {r['backtest_seconds']:.1f} s; days off: "
          f"median {r['backtest_median_days']:.1f}, 90th percentile {r['backtest_p90_days']:.1f}")
    assert r["rows"] > 0 and r["supplies"] > 0 and r["backtest_cases"] > 0
    assert r["report"] / base <= 2.0, "billing report within 2x of its aggregate"
    assert r["xlsx"] / base <= 2.0, "XLSX within 2x of the aggregate"
    assert r["pdf"] / base <= 2.0, "PDF within 2x of the aggregate"
    assert r["forecast"] < 60, "forecasts for every supply under a minute"

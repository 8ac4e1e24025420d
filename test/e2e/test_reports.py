# ctest-timeout: 600
"""Reports from the real database after the real client read a simulated
fleet and weeks of history came through the real ingest path:

snmpsim (the project's printers) ──SNMP──▶ openmps-client run --once ──▶ openmps-server
backfill (sealed batches with past reading times) ──────────────────────▶ openmps-server
openmps-server report NAME --customer/--dealer --format csv|xlsx|pdf|json -o FILE

Every report in every format is read back: CSV with Python's csv module,
XLSX with openpyxl (typed cells, frozen header, number formats), PDF
through pdftotext (organisation, title, period, page numbers) and pdftoppm
(the first page is drawn, not blank), JSON parsed. The billing numbers are
checked against the history that was sent: the readings at the period's
bounds in the customer's time zone, a counter restart, a gap over the
period's end (interpolated, marked estimated), a replaced device.
"""

import csv
import datetime as dt
import io
import json
import subprocess
import zoneinfo
from pathlib import Path

import openpyxl
import pytest

from openmps_test.backfill import backfill, send_histories, History, _reading
from openmps_test.client_cli import client
from openmps_test.openmps_server import Enrollment, OpenMpsServer
from openmps_test.postgres import PostgresCluster, wait_for
from openmps_test.snmpsim import Snmpsim, free_udp_port
from openmps_test.fleet_copies import fixtures

DEALER = "Reports Dealer"
ACME = "Acme Büro GmbH"
OTHER = "Other Customer"
FIRST = "127.0.9.1"
BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
REPORTS = ["billing", "billing-erp", "supplies", "inventory", "usage", "status", "alerts", "collectors"]
FORMATS = ["csv", "json", "xlsx", "pdf"]


def last_month(today: dt.date) -> tuple[dt.date, dt.date]:
    first_this = today.replace(day=1)
    last = first_this - dt.timedelta(days=1)
    return last.replace(day=1), last


def client_config(path: Path, data: Path, hosts: list[str], port: int) -> Path:
    path.write_text(
        f"data_dir: {data}\nlog_level: info\nsnmp:\n  timeout_ms: 1000\n  retries: 1\n"
        "local_ui: {enabled: false}\n"  # test_local_ui covers the UI
        "credentials:\n  - name: public\n    version: 2c\n    community: public\n"
        f"networks:\n  - name: lab\n    ranges: [\"{hosts[0]}-{hosts[-1]}\"]\n    port: {port}\n"
        "    credentials: [public]\n")
    path.chmod(0o600)
    return path


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    work = tmp_path_factory.mktemp("reports")
    files = fixtures()
    port = free_udp_port(FIRST)
    devices = Snmpsim.spread(files, first=FIRST, port=port)
    today = dt.datetime.now(dt.timezone.utc).date()
    first, last = last_month(today)
    end = dt.datetime.combine(today, dt.time(), dt.timezone.utc)
    with PostgresCluster() as pg, Snmpsim(devices=devices, community="public") as sim:
        srv = OpenMpsServer(pg, work / "server")
        with srv:
            srv.add_dealer(DEALER)
            srv.cli("org", "set", "--dealer", DEALER, "--time-zone", "Europe/Berlin", "--locale", "de",
                    "--lead-days", "10")
            srv.add_customer(ACME, DEALER)
            srv.add_customer(OTHER, DEALER)
            srv.cli("org", "set", "--customer", OTHER, "--time-zone", "UTC", "--locale", "en")
            # The real client reads the simulated printers once...
            enrollment = srv.cli("collector", "add", "--customer", ACME).stdout.strip()
            hosts = sorted(h for h, _ in sim.devices)
            config = client_config(work / "client.yaml", work / "client-data", hosts, port)
            client("enroll", enrollment, "--config", str(config))
            client("run", "--config", str(config), "--once", timeout=400)
            fleet = srv.fleet(customer=ACME)["devices"]
            assert len(fleet) == len(files)
            # ... and 75 days of their past come through ingest, with the
            # scenario devices: restart and replacement mid-month, a gap
            # over the month's end.
            history_enrollment = Enrollment.decode(
                srv.cli("collector", "add", "--customer", ACME).stdout.strip())
            middle = dt.datetime.combine(first + dt.timedelta(days=14), dt.time(), dt.timezone.utc)
            gap_at = dt.datetime.combine(last, dt.time(), dt.timezone.utc)
            histories = backfill(history_enrollment, fleet, 75, end=end, scenarios=True,
                                 middle=middle, gap_at=gap_at)
            other = Enrollment.decode(srv.cli("collector", "add", "--customer", OTHER).stdout.strip())
            foreign = History("OTHER-1")
            for d in range(40):
                at = end - dt.timedelta(days=40 - d) + dt.timedelta(hours=3)
                foreign.readings.append(_reading(
                    {"identity": {"serial": "OTHER-1", "ip": "10.5.0.1", "model": "Foreign"}},
                    at, {"total": 500 + 10 * d}, []))
            send_histories(other, [foreign])
            yield {"srv": srv, "pg": pg, "dir": work, "first": first, "last": last,
                   "histories": {h.serial: h for h in histories}, "fleet": fleet}


def report(world, name: str, fmt: str, *scope: str, period: bool = True, extra=()) -> Path:
    out = world["dir"] / f"{name}-{'-'.join(scope)}.{fmt}".replace(" ", "_")
    args = ["report", name, *scope, "--format", fmt, "-o", str(out), *extra]
    if period:
        args += ["--from", world["first"].isoformat(), "--to", world["last"].isoformat()]
    world["srv"].cli(*args)
    return out


def read_csv(path: Path) -> list[list[str]]:
    text = path.read_bytes().decode("utf-8-sig")
    assert "\r\n" in text or text.count("\n") <= 1, "CSV lines end in CRLF"
    return list(csv.reader(io.StringIO(text, newline="")))


def pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


def first_page_ink(path: Path) -> float:
    """Share of dark pixels on page 1, drawn by pdftoppm (PGM: a header, then bytes)."""
    pgm = subprocess.run(["pdftoppm", "-gray", "-r", "30", "-f", "1", "-l", "1", str(path)],
                         capture_output=True, check=True).stdout
    assert pgm[:2] == b"P5", pgm[:20]
    fields, pos = [], 2
    while len(fields) < 3:  # width, height, maximum
        while pgm[pos:pos + 1].isspace():
            pos += 1
        start = pos
        while not pgm[pos:pos + 1].isspace():
            pos += 1
        fields.append(int(pgm[start:pos]))
    pixels = pgm[pos + 1:]
    assert len(pixels) == fields[0] * fields[1]
    return sum(1 for p in pixels if p < 128) / len(pixels)


def bound_reading(h: History, local_day: dt.date) -> dict:
    """The reading nearest to local midnight of the day, as the server picks it."""
    bound = dt.datetime.combine(local_day, dt.time(), BERLIN)
    return min(h.readings, key=lambda r: abs(dt.datetime.fromisoformat(r["read_at"].replace("Z", "+00:00")) - bound))


def de_date(d: dt.date) -> str:
    return d.strftime("%d.%m.%Y")


def rows_by(rows: list[list[str]], header: list[str], serial: str, meter: str) -> list[str]:
    s, m = header.index("Seriennummer"), header.index("Zähler")
    found = [r for r in rows if r[s] == serial and r[m] == meter]
    assert len(found) == 1, (serial, meter, found)
    return found[0]


def test_billing_csv_matches_the_history_that_was_sent(world):
    rows = read_csv(report(world, "billing", "csv", "--customer", ACME))
    header = rows[0]
    assert header[:5] == ["Kunde", "Seriennummer", "Modell", "Standort", "Zähler"]  # the customer's language
    body = rows[1:]
    col = {name: header.index(name) for name in header}
    after = world["last"] + dt.timedelta(days=1)
    checked = 0
    for d in world["fleet"]:
        serial = d["identity"]["serial"]
        h = world["histories"][serial]
        start, end = bound_reading(h, world["first"]), bound_reading(h, after)
        row = rows_by(body, header, serial, "Gesamt")
        assert int(row[col["Anfangsstand"]]) == start["counters"]["total"]
        assert int(row[col["Endstand"]]) == end["counters"]["total"]
        assert int(row[col["Seiten"]]) == end["counters"]["total"] - start["counters"]["total"]
        assert row[col["Geschätzt"]] == "nein"
        assert row[col["Anfangsdatum"]] == de_date(world["first"])
        assert row[col["Kunde"]] == ACME
        checked += 1
    assert checked == len(world["fleet"]) > 0
    assert not any(r[col["Seriennummer"]] == "OTHER-1" for r in body), "another customer's device"

    # a controller replaced mid-month: counted from the new value, said why
    reset = rows_by(body, header, "SCN-RESET", "Gesamt")
    h = world["histories"]["SCN-RESET"]
    totals = [r["counters"]["total"] for r in h.readings]
    s_value, e_value = int(reset[col["Anfangsstand"]]), int(reset[col["Endstand"]])
    i, j = totals.index(s_value), totals.index(e_value)
    expected = sum(max(0, b - a) if b >= a else 0 for a, b in zip(totals[i:j], totals[i + 1:j + 1]))
    assert int(reset[col["Seiten"]]) == expected > 0
    assert "Rücksetzung oder Controllertausch" in reset[col["Hinweise"]]

    # not read over the month's end: interpolated, estimated, explained
    gap = rows_by(body, header, "SCN-GAP", "Gesamt")
    assert gap[col["Geschätzt"]] == "ja"
    assert "Ende geschätzt zwischen" in gap[col["Hinweise"]]

    # replaced by a new serial at the same address
    old = rows_by(body, header, "SCN-OLD", "Gesamt")
    new = rows_by(body, header, "SCN-NEW", "Gesamt")
    assert "ersetzt durch SCN-NEW" in old[col["Hinweise"]] and old[col["Geschätzt"]] == "nein"
    assert "ersetzt SCN-OLD" in new[col["Hinweise"]]
    assert int(old[col["Seiten"]]) >= 0 and int(new[col["Seiten"]]) > 0


def test_billing_xlsx_json_and_pdf_say_the_same(world):
    rows = read_csv(report(world, "billing", "csv", "--customer", ACME))
    wb = openpyxl.load_workbook(report(world, "billing", "xlsx", "--customer", ACME))
    ws = wb.worksheets[0]
    assert ws.freeze_panes == "A2"
    values = list(ws.iter_rows(values_only=True))
    assert list(values[0]) == rows[0]
    assert len(values) == len(rows)
    header = rows[0]
    cells = next(r for r in ws.iter_rows(min_row=2) if r[1].value == "SCN-GAP")
    assert cells[header.index("Anfangsstand")].data_type == "n"
    assert isinstance(cells[header.index("Anfangsstand")].value, int)
    assert isinstance(cells[header.index("Anfangsdatum")].value, dt.datetime)
    assert cells[header.index("Anfangsdatum")].number_format == "dd.mm.yyyy"
    assert cells[header.index("Anfangsstand")].number_format == "#,##0"
    assert cells[header.index("Geschätzt")].value is True
    assert wb.worksheets[-1]["A1"].value == "Zählerstände für die Abrechnung"

    doc = json.loads(report(world, "billing", "json", "--customer", ACME).read_text())
    table = doc["tables"][0]
    assert len(table["rows"]) == len(rows) - 1
    gap = next(r for r in table["rows"] if r["serial"] == "SCN-GAP")
    assert gap["estimated"] is True and isinstance(gap["usage"], int)
    assert doc["from"] == world["first"].isoformat() and doc["organisation"] == ACME

    pdf = report(world, "billing", "pdf", "--customer", ACME)
    text = pdf_text(pdf)
    assert ACME in text and "Zählerstände für die Abrechnung" in text
    assert f"Zeitraum: {de_date(world['first'])} – {de_date(world['last'])}" in text
    assert "Seite 1 von" in text
    for d in world["fleet"]:
        assert d["identity"]["serial"] in text
    assert "SCN-RESET" in text and "Europe/Berlin" in text
    assert first_page_ink(pdf) > 0.01  # charts and table drawn


def test_every_report_in_every_format(world):
    for name in REPORTS:
        csv_rows = read_csv(report(world, name, "csv", "--customer", ACME, period=False))
        assert len(csv_rows) >= 1 and all(csv_rows[0]), f"{name}: header {csv_rows[0]}"
        doc = json.loads(report(world, name, "json", "--customer", ACME, period=False).read_text())
        assert len(doc["tables"][0]["rows"]) == len(csv_rows) - 1, name
        wb = openpyxl.load_workbook(report(world, name, "xlsx", "--customer", ACME, period=False))
        assert wb.worksheets[0].max_row == len(csv_rows), name
        assert wb.worksheets[0].freeze_panes == "A2", name
        pdf = report(world, name, "pdf", "--customer", ACME, period=False)
        text = pdf_text(pdf)
        assert ACME in text and "Seite 1 von" in text, f"{name}: {text[:400]}"
        assert doc["title"] in text, name
        assert first_page_ink(pdf) > 0.002, name
        if name in ("inventory", "collectors", "supplies", "usage", "billing", "billing-erp"):
            assert len(csv_rows) > 1, f"{name} is empty"


def test_supplies_forecast_and_replacements(world):
    doc = json.loads(report(world, "supplies", "json", "--customer", ACME).read_text())
    supplies, replaced = doc["tables"][0]["rows"], doc["tables"][1]["rows"]
    forecast = [r for r in supplies if r["forecast"].startswith("Prognose")]
    assert forecast, supplies
    for r in forecast:
        order_by = dt.date.fromisoformat(r["order_by"])
        assert dt.date.fromisoformat(r["empty_date"]) - order_by == dt.timedelta(days=10)  # lead time
        assert r["points"] >= 3 and r["empty_earliest"] <= r["empty_date"]
    assert replaced, "the backfill replaced cartridges in the month"
    assert all(r["replaced"] >= world["first"].isoformat() for r in replaced)


def test_paper_trays_are_not_in_the_supplies_report(world):
    # A paper tray is read like a supply (level: the paper in it) but is
    # nothing a dealer orders. Its rows are written here as ingest would.
    pg = world["pg"]
    serial = pg.psql("SELECT d.serial FROM devices d JOIN organisations c ON c.id = d.customer_id"
                     f" JOIN supplies s ON s.device_id = d.id WHERE c.name = '{ACME}'"
                     " ORDER BY d.serial LIMIT 1").strip()
    device = f"(SELECT id FROM devices WHERE serial = '{serial}')"
    pg.psql(f"INSERT INTO supplies (device_id, supply_index, description, type) VALUES ({device}, 90,"
            f" 'MP tray', 'input'), ({device}, 91, 'Face-down tray', 'output');"
            " INSERT INTO supply_levels (device_id, supply_index, read_at, level, max, level_percent, state)"
            f" SELECT {device}, i, now() - interval '1 hour', 0, 100, 0, 'empty' FROM unnest(ARRAY[90, 91]) i")
    try:
        doc = json.loads(report(world, "supplies", "json", "--customer", ACME).read_text())
        listed = {(r["serial"], r["supply"]) for r in doc["tables"][0]["rows"]}
        assert (serial, "MP tray") not in listed and (serial, "Face-down tray") not in listed
        assert any(s == serial for s, _ in listed), "the device's toner is still listed"
    finally:
        pg.psql(f"DELETE FROM supply_levels WHERE device_id = {device} AND supply_index IN (90, 91);"
                f" DELETE FROM supplies WHERE device_id = {device} AND supply_index IN (90, 91)")


def test_dealer_report_covers_its_customers_and_erp_names(world):
    rows = read_csv(report(world, "billing", "csv", "--dealer", DEALER))
    serials = {r[1] for r in rows[1:]}
    assert "OTHER-1" in serials and "SCN-RESET" in serials
    world["srv"].cli("report", "meter-names", "--dealer", DEALER, "--set", "total=TOTAL_PAGES")
    erp = read_csv(report(world, "billing-erp", "csv", "--customer", ACME))
    assert erp[0] == ["serial", "meter", "reading", "date", "estimated"]
    assert {r[1] for r in erp[1:]} == {"TOTAL_PAGES"}
    assert all(dt.date.fromisoformat(r[3]) for r in erp[1:])
    audit = world["pg"].psql("SELECT action, target_id FROM audit_log WHERE action LIKE 'erp_meter_name.%'")
    assert "erp_meter_name.set|total" in audit


def test_reader_languages_and_bad_input(world):
    for locale, header in (("en", "Serial number"), ("fr", "Numéro de série"), ("it", "Numero di serie")):
        rows = read_csv(report(world, "billing", "csv", "--customer", ACME, extra=("--locale", locale)))
        assert rows[0][1] == header
    bom = report(world, "billing", "csv", "--customer", ACME, extra=("--bom",))
    assert bom.read_bytes()[:3] == b"\xef\xbb\xbf"
    srv = world["srv"]
    for args, message in (
        (["report", "billing", "--customer", "Nobody", "--format", "csv"], "no customer named 'Nobody'"),
        (["report", "nonsense", "--all", "--format", "csv"], "no report named 'nonsense'"),
        (["report", "billing", "--all", "--format", "pdf"], "pdf needs -o FILE"),
        (["report", "billing", "--all", "--from", "2026-02-30", "--to", "2026-03-01"], "--from: expected a date"),
        (["org", "set", "--customer", ACME, "--time-zone", "Mars/Base"], "not a known IANA zone"),
    ):
        out = srv.cli(*args, check=False)
        assert out.returncode != 0 and message in out.stderr, (args, out.stderr)


def test_alert_history_is_the_alert_engines_record(world):
    """The alerts the engine raised from the readings that came in (toner
    low as the backfilled cartridges ran down, the counter restart), with
    their titles in the customer's language. The engine works beside the
    report, so the report holds every alert raised before it was made and
    none that does not exist after."""
    pg = world["pg"]
    query = (f"SELECT a.id FROM alerts a JOIN organisations o ON o.id = a.customer_id "
             f"WHERE o.name = '{ACME}' AND a.raised_at IS NOT NULL")

    def raised() -> set[int]:
        return {int(x) for x in pg.psql(query).split()}

    wait_for(lambda: raised(), timeout=60)
    before = raised()
    # The report reads --to as a day in the customer's time zone: from 23:00
    # UTC on, Berlin's today is UTC's tomorrow, and an alert raised now
    # would fall after a UTC "today".
    today = dt.datetime.now(BERLIN).date()
    extra = ("--from", world["first"].isoformat(), "--to", today.isoformat())
    doc = json.loads(report(world, "alerts", "json", "--customer", ACME, period=False,
                            extra=extra).read_text())
    after = raised()
    rows = doc["tables"][0]["rows"]
    ids = {r["id"] for r in rows}
    assert before <= ids <= after, (before, ids, after)
    assert all(r["customer"] == ACME for r in rows)
    toner = [r for r in rows if r["serial"] and "Toner" in r["alert"]]
    assert toner, rows
    assert {r["severity"] for r in rows} <= {"Hinweis", "Warnung", "kritisch"}
    text = pdf_text(report(world, "alerts", "pdf", "--customer", ACME, period=False, extra=extra))
    assert "Alarmverlauf" in text and toner[0]["serial"] in text

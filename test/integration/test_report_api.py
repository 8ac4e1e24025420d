# ctest-timeout: 300
"""Reports through the REST API of the real server, every answer checked
against server/api/openapi.yaml: a report as a file in each format, in the
caller's language or the one asked for; runs made in the background and
downloaded; schedules; a dealer's ERP meter names; and nothing of another
tenant (a sibling customer, another dealer): 404 as for what does not
exist, bad parameters named."""

import csv
import datetime as dt
import io
import json

import openpyxl
import pytest

from openmps_test.api_client import ApiClient, OpenApi, openapi_document
from openmps_test.backfill import scenario_devices, send_histories
from openmps_test.openmps_server import Enrollment, OpenMpsServer, STRONG_PASSWORD
from openmps_test.postgres import PostgresCluster, wait_for

STRONG = STRONG_PASSWORD
TODAY = dt.date.today()
FROM, TO = (TODAY - dt.timedelta(days=90)).isoformat(), TODAY.isoformat()
PERIOD = f"from={FROM}&to={TO}"
DEALER, OTHER_DEALER = "Report Partner", "Rival Partner"
ACME, GLOBEX, INITECH = "Acme AG", "Globex SA", "Initech Ltd"


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    with PostgresCluster() as pg:
        srv = OpenMpsServer(pg, tmp_path_factory.mktemp("server"))
        srv.write_config("reports:\n  poll_interval: 1s\n")
        with srv:
            srv.add_dealer(DEALER)
            srv.cli("org", "set", "--dealer", DEALER, "--locale", "de", "--time-zone", "Europe/Vienna")
            srv.add_customer(ACME, DEALER)
            srv.add_customer(GLOBEX, DEALER)
            srv.add_dealer(OTHER_DEALER)
            srv.add_customer(INITECH, OTHER_DEALER)
            srv.add_user("dana", "dealer_admin", "--dealer", DEALER)
            srv.add_user("vic", "customer_viewer", "--customer", GLOBEX)
            srv.add_user("olga", "dealer_admin", "--dealer", OTHER_DEALER)
            end = dt.datetime.now(dt.timezone.utc).replace(hour=0, minute=0, second=0, microsecond=0)
            for customer in (ACME, GLOBEX):
                e = Enrollment.decode(srv.cli("collector", "add", "--customer", customer).stdout.strip())
                histories = scenario_devices(end, 60)
                for h in histories:  # serials of their own per customer
                    for r in h.readings:
                        r["identity"]["serial"] = f"{customer[:3].upper()}-{r['identity']['serial']}"
                send_histories(e, histories)
            ids = {name: int(pg.psql(f"SELECT id FROM organisations WHERE name = '{name}'"))
                   for name in (DEALER, OTHER_DEALER, ACME, GLOBEX, INITECH)}
            contract = OpenApi(openapi_document())
            clients = {}
            for i, user in enumerate(("dana", "vic", "olga")):
                c = ApiClient(srv.api_url, contract, source=f"127.0.0.{40 + i}")
                assert c.sign_in(user, STRONG).status == 200
                clients[user] = c
            yield {"srv": srv, "pg": pg, "ids": ids, **clients}
            for c in clients.values():
                c.close()


def csv_rows(body: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))


def test_a_report_in_every_format_for_an_organisation_of_the_subtree(world):
    dana, ids = world["dana"], world["ids"]
    assert {r["name"] for r in dana.get("/api/v1/reports").json["items"]} >= {"billing", "supplies"}
    q = f"organisation_id={ids[ACME]}&{PERIOD}"
    r = dana.get(f"/api/v1/reports/billing?{q}&format=csv")
    assert r.status == 200 and r.header("content-type").startswith("text/csv")
    assert f'attachment; filename="billing-acme-ag-{FROM}-{TO}.csv"' == r.header("content-disposition")
    rows = csv_rows(r.body)
    assert rows[0][1] == "Serial number"  # the reader's language (dana's: English)
    assert {row[1] for row in rows[1:]} >= {"ACM-SCN-RESET", "ACM-SCN-GAP"}
    assert not any(row[1].startswith("GLO-") for row in rows[1:])
    r = dana.get(f"/api/v1/reports/billing?{q}&format=xlsx&locale=fr")
    wb = openpyxl.load_workbook(io.BytesIO(r.body))
    assert wb.worksheets[0]["B1"].value == "Numéro de série"
    r = dana.get(f"/api/v1/reports/inventory?organisation_id={ids[ACME]}&format=pdf")
    assert r.status == 200 and r.body[:5] == b"%PDF-"
    doc = dana.get(f"/api/v1/reports/supplies?organisation_id={ids[DEALER]}&format=json").json
    assert doc["organisation"] == DEALER and doc["report"] == "supplies"
    bom = dana.get(f"/api/v1/reports/collectors?{q}&format=csv&bom=true")
    assert bom.body[:3] == b"\xef\xbb\xbf"


def test_nothing_of_another_tenant(world):
    ids, vic, olga = world["ids"], world["vic"], world["olga"]
    # a customer viewer: its own customer only
    assert vic.get("/api/v1/reports/billing?format=csv").status == 200
    own = csv_rows(vic.get(f"/api/v1/reports/billing?format=csv&{PERIOD}").body)
    assert own[1:] and all(row[1].startswith("GLO-") for row in own[1:])
    for who, foreign in ((vic, ids[ACME]), (vic, ids[DEALER]), (olga, ids[ACME]), (olga, ids[DEALER])):
        r = who.get(f"/api/v1/reports/billing?organisation_id={foreign}&format=csv")
        assert r.status == 404, r.body
        assert r.json["invalid_params"][0]["name"] == "organisation_id"
    assert olga.get(f"/api/v1/dealers/{ids[DEALER]}/meter-names").status == 404
    assert vic.get(f"/api/v1/dealers/{ids[DEALER]}/meter-names").status == 403  # role
    run = world["dana"].post("/api/v1/report-runs", {"report": "inventory", "organisation_id": ids[ACME],
                                                      "format": "csv"}).json
    for who in (vic, olga):
        assert who.get(f"/api/v1/report-runs/{run['id']}").status == 404
        assert who.get(f"/api/v1/report-runs/{run['id']}/file").status == 404
        assert all(r["id"] != run["id"] for r in who.get("/api/v1/report-runs").json["items"])
    sched = world["dana"].post("/api/v1/report-schedules", {
        "report": "billing", "organisation_id": ids[ACME], "frequency": "monthly", "day": 1,
        "recipients": ["ap@acme.example"]}).json
    assert olga.delete(f"/api/v1/report-schedules/{sched['id']}").status == 404
    assert vic.delete(f"/api/v1/report-schedules/{sched['id']}").status == 403
    assert all(s["id"] != sched["id"] for s in vic.get("/api/v1/report-schedules").json["items"])


def test_runs_are_made_in_the_background_and_kept_for_download(world):
    dana, ids, pg = world["dana"], world["ids"], world["pg"]
    r = dana.post("/api/v1/report-runs", {"report": "billing", "organisation_id": ids[ACME],
                                          "format": "json", "locale": "it",
                                          "from": FROM, "to": TO})
    assert r.status == 202 and r.json["status"] == "pending"
    run_id = r.json["id"]
    done = wait_for(lambda: (lambda j: j if j["status"] == "done" else None)(
        dana.get(f"/api/v1/report-runs/{run_id}").json), timeout=60)
    assert done["has_file"] and done["rows"] > 0 and done["expires_at"]
    file = dana.get(f"/api/v1/report-runs/{run_id}/file")
    doc = json.loads(file.body)
    assert doc["tables"][0]["columns"][1]["header"] == "Numero di serie"
    listed = dana.get(f"/api/v1/report-runs?organisation_id={ids[ACME]}&limit=1")
    assert listed.json["items"][0]["id"] >= run_id and listed.json["next_after"]
    assert "report_run.create" in pg.psql("SELECT action FROM audit_log")


def test_schedules_and_meter_names(world):
    dana, ids = world["dana"], world["ids"]
    created = dana.post("/api/v1/report-schedules", {
        "report": "supplies", "organisation_id": ids[GLOBEX], "format": "pdf", "frequency": "weekly",
        "day": 1, "hour": 7, "recipients": ["it@globex.example"], "keep_days": 30})
    assert created.status == 201
    s = created.json
    assert (s["frequency"], s["day"], s["hour"], s["keep_days"]) == ("weekly", 1, 7, 30)
    assert s["next_run_at"] > dt.datetime.now(dt.timezone.utc).isoformat()[:19]
    assert any(x["id"] == s["id"] for x in dana.get("/api/v1/report-schedules").json["items"])
    assert dana.delete(f"/api/v1/report-schedules/{s['id']}").status == 204
    assert dana.delete(f"/api/v1/report-schedules/{s['id']}").status == 404
    alerts = dana.post("/api/v1/report-schedules", {
        "report": "alerts", "organisation_id": ids[GLOBEX], "frequency": "monthly", "day": 1,
        "recipients": ["it@globex.example"]})
    assert alerts.status == 201 and alerts.json["report"] == "alerts"
    assert dana.delete(f"/api/v1/report-schedules/{alerts.json['id']}").status == 204
    names = dana.request("PUT", f"/api/v1/dealers/{ids[DEALER]}/meter-names", {"names": {"total": "GESAMT", "mono": "SW"}})
    assert names.status == 200 and names.json["names"] == {"total": "GESAMT", "mono": "SW"}
    names = dana.request("PUT", f"/api/v1/dealers/{ids[DEALER]}/meter-names", {"names": {"total": "GESAMT"}})
    assert dana.get(f"/api/v1/dealers/{ids[DEALER]}/meter-names").json["names"] == {"total": "GESAMT"}
    erp = csv_rows(dana.get(f"/api/v1/reports/billing-erp?organisation_id={ids[ACME]}&format=csv"
                            f"&{PERIOD}").body)
    assert erp[0] == ["serial", "meter", "reading", "date", "estimated"]
    assert {row[1] for row in erp[1:]} == {"GESAMT"}


def test_a_schedule_is_changed_in_place_and_audited(world):
    dana, olga, vic, ids, pg = world["dana"], world["olga"], world["vic"], world["ids"], world["pg"]
    s = dana.post("/api/v1/report-schedules", {
        "report": "supplies", "organisation_id": ids[ACME], "format": "pdf", "frequency": "monthly",
        "day": 1, "hour": 6, "recipients": ["it@acme.example"]}).json
    changed = dana.patch(f"/api/v1/report-schedules/{s['id']}", {
        "frequency": "weekly", "day": 3, "hour": 9, "format": "xlsx",
        "recipients": ["it@acme.example", "ap@acme.example"]})
    assert changed.status == 200, changed.body
    c = changed.json
    assert (c["id"], c["report"], c["organisation_id"]) == (s["id"], "supplies", ids[ACME])
    assert (c["frequency"], c["day"], c["hour"], c["format"]) == ("weekly", 3, 9, "xlsx")
    assert c["recipients"] == ["it@acme.example", "ap@acme.example"]
    # Weekly on Wednesday at 09:00 Vienna time (the dealer's zone, which Acme inherits).
    next_run = dt.datetime.fromisoformat(c["next_run_at"].replace("Z", "+00:00"))
    assert next_run.isoweekday() == 3 and next_run != dt.datetime.fromisoformat(s["next_run_at"].replace("Z", "+00:00"))
    listed = [x for x in dana.get("/api/v1/report-schedules").json["items"] if x["id"] == s["id"]]
    assert listed == [c]
    bad = dana.patch(f"/api/v1/report-schedules/{s['id']}", {"recipients": ["not an address"]})
    assert bad.status == 422 and bad.json["invalid_params"][0]["name"] == "recipients"
    assert dana.patch(f"/api/v1/report-schedules/{s['id']}", {"frequency": "weekly", "day": 8}).status == 422
    assert olga.patch(f"/api/v1/report-schedules/{s['id']}", {"hour": 1}).status == 404
    assert vic.patch(f"/api/v1/report-schedules/{s['id']}", {"hour": 1}).status == 403
    assert [x for x in dana.get("/api/v1/report-schedules").json["items"] if x["id"] == s["id"]] == [c]
    audit = pg.psql(f"SELECT before::text || ' -> ' || after::text FROM audit_log "
                    f"WHERE action = 'report_schedule.update' AND target_id = '{s['id']}'")
    assert '"hour": 6' in audit and '"hour": 9' in audit and audit.strip().count("\n") == 0, audit
    assert dana.delete(f"/api/v1/report-schedules/{s['id']}").status == 204


def test_bad_parameters_are_named(world):
    dana, ids = world["dana"], world["ids"]
    for query, name in (("format=doc", "format"), ("from=2026-01-01", "to"), ("from=2026-13-01&to=2026-12-31", "from"),
                        ("locale=es", "locale"), ("from=2026-02-01&to=2026-01-01", "to"),
                        ("organisation_id=abc", "organisation_id")):
        r = dana.get(f"/api/v1/reports/billing?{query}")
        assert r.status == 400, (query, r.body)
        assert r.json["invalid_params"][0]["name"] == name, (query, r.json)
    assert dana.get("/api/v1/reports/nonsense").status == 404
    for body, name in (({"report": "billing", "format": "doc"}, "format"),
                       ({"report": "nope"}, "report"),
                       ({"report": "billing", "from": "2026-01-01"}, "to")):
        r = dana.post("/api/v1/report-runs", body)
        assert r.status == 422 and r.json["invalid_params"][0]["name"] == name, (body, r.json)
    r = dana.post("/api/v1/report-schedules", {"report": "billing", "frequency": "weekly", "day": 9,
                                               "recipients": []})
    assert r.status == 422
    r = dana.post("/api/v1/report-schedules", {"report": "billing", "frequency": "monthly",
                                               "recipients": ["not an address"]})
    assert r.status == 422 and "not an e-mail address" in r.json["detail"]
    r = dana.request("PUT", f"/api/v1/dealers/{ids[DEALER]}/meter-names", {"names": {"bogus name": "X"}})
    assert r.status == 422


def test_a_run_for_a_person_is_made_in_that_persons_scope(world):
    """As the API's database role with the person's organisation path; a
    person disabled since gets no report, and says so."""
    srv, pg, ids = world["srv"], world["pg"], world["ids"]
    srv.add_user("carl", "customer_admin", "--customer", ACME)
    carl = pg.psql("SELECT id FROM users WHERE username = 'carl'").strip()
    mine = pg.psql(f"INSERT INTO report_runs (organisation_id, requested_by, report, format, due_at) "
                   f"VALUES ({ids[ACME]}, {carl}, 'inventory', 'csv', now()) RETURNING id").split()[0]
    wait_for(lambda: pg.psql(f"SELECT status FROM report_runs WHERE id = {mine}").strip() == "done", timeout=60)
    # Carl's scope is Acme: a run for the dealer in his name sees nothing above it.
    wider = pg.psql(f"INSERT INTO report_runs (organisation_id, requested_by, report, format, due_at) "
                    f"VALUES ({ids[DEALER]}, {carl}, 'inventory', 'csv', now()) RETURNING id").split()[0]
    wait_for(lambda: pg.psql(f"SELECT attempts FROM report_runs WHERE id = {wider}").strip() != "0",
             timeout=60)
    assert "no organisation" in pg.psql(f"SELECT last_error FROM report_runs WHERE id = {wider}")
    srv.cli("user", "disable", "carl")
    gone = pg.psql(f"INSERT INTO report_runs (organisation_id, requested_by, report, format, due_at) "
                   f"VALUES ({ids[ACME]}, {carl}, 'inventory', 'csv', now()) RETURNING id").split()[0]
    wait_for(lambda: pg.psql(f"SELECT attempts FROM report_runs WHERE id = {gone}").strip() != "0",
             timeout=60)
    assert "disabled" in pg.psql(f"SELECT last_error FROM report_runs WHERE id = {gone}")


def test_duty_cycles_as_the_command_line_sets_them(world):
    srv, pg, dana = world["srv"], world["pg"], world["dana"]
    srv.add_user("rita", "root_admin", "--root")
    rita = ApiClient(srv.api_url, source="127.0.0.48")
    assert rita.sign_in("rita", STRONG).status == 200
    srv.cli("report", "duty-cycle", "--model", "HP LaserJet M404", "--pages", "4000")
    r = rita.post("/api/v1/duty-cycles", {"model": "Kyocera TASKalfa 2553ci", "monthly_pages": 20000})
    assert r.status == 200
    assert {"model": "HP LaserJet M404", "monthly_pages": 4000} in r.json["items"]
    assert {"model": "Kyocera TASKalfa 2553ci", "monthly_pages": 20000} in r.json["items"]
    assert "Kyocera TASKalfa 2553ci" in srv.cli("report", "duty-cycle").stdout  # the same table
    assert int(pg.psql("SELECT count(*) FROM audit_log WHERE action = 'duty_cycle.set' "
                       "AND target_id = 'Kyocera TASKalfa 2553ci'")) == 1
    # Everyone reads the list; only the root admin changes it.
    assert dana.get("/api/v1/duty-cycles").json == r.json
    assert dana.post("/api/v1/duty-cycles", {"model": "X", "monthly_pages": 1}).status == 403
    r = rita.post("/api/v1/duty-cycles", {"model": "Kyocera TASKalfa 2553ci", "monthly_pages": -1})
    assert r.status == 422 and r.json["invalid_params"][0]["name"] == "monthly_pages"
    r = rita.post("/api/v1/duty-cycles", {"model": "Kyocera TASKalfa 2553ci", "monthly_pages": 0})
    assert r.status == 200 and all(i["model"] != "Kyocera TASKalfa 2553ci" for i in r.json["items"])
    rita.close()

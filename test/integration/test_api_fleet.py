"""The fleet operations of the REST API (organisations, collectors, devices
with their histories and forecasts, the dashboard) against the real server
and PostgreSQL, every answer checked against server/api/openapi.yaml:
who sees what (a dealer its customers, a customer only itself, never a
sibling or another dealer's), search, filters, sort and keyset pages that
neither skip nor repeat, the enrollment string of a new collector, and the
dashboard's figures agreeing with the lists behind them."""

from __future__ import annotations

import datetime as dt
from urllib.parse import quote

import pytest

from openmps_test.api_client import ApiClient, OpenApi, openapi_document
from openmps_test.openmps_server import Enrollment, OpenMpsServer, make_reading, make_supply
from openmps_test.openmps_server import STRONG_PASSWORD
from openmps_test.postgres import PostgresCluster

STRONG = STRONG_PASSWORD
NOW = dt.datetime.now(dt.timezone.utc)


@pytest.fixture(scope="module")
def fleet(tmp_path_factory):
    with PostgresCluster() as pg, OpenMpsServer(pg, tmp_path_factory.mktemp("server")) as srv:
        srv.add_dealer("Print Partner")
        srv.add_customer("Acme", "Print Partner")
        srv.add_customer("Globex", "Print Partner")
        srv.add_dealer("Other Dealer")
        srv.add_customer("Initech", "Other Dealer")
        srv.add_user("dana", "dealer_admin", "--dealer", "Print Partner")
        srv.add_user("carla", "customer_admin", "--customer", "Acme")
        srv.add_user("vic", "customer_viewer", "--customer", "Acme")
        acme = srv.add_collector("Acme")
        # 30 Acme devices: the first 3 jammed, out of toner or warning;
        # device 4 silent for 3 days; 40 days of history for device 0.
        # ACM-005 also has an empty paper tray and a waste box with little
        # in it: neither is a supply to order, so the device is not "low".
        tray = {**make_supply(2, "", 0), "description": "MP tray", "type": "input", "state": "empty",
                "class": "other"}
        waste = {**make_supply(3, "", 3), "description": "Waste toner box", "type": "wasteToner",
                 "class": "receptacle"}
        readings = []
        for i in range(30):
            errors = ["jammed"] if i == 0 else ["lowPaper"] if i == 1 else []
            level = 5 if i == 2 else 80
            at = NOW - dt.timedelta(days=3) if i == 4 else NOW - dt.timedelta(minutes=i)
            readings.append(make_reading(f"ACM-{i:03d}", counters={"total": 1000 + i, "mono": 900},
                                         supplies=[make_supply(1, "black", level)] + (
                                             [tray, waste] if i == 5 else []), read_at=at,
                                         ip=f"10.1.0.{i}", errors=errors,
                                         model="LaserJet M40" if i % 2 else "Aficio MP"))
        acme.submit(readings)
        history = [make_reading("ACM-000", counters={"total": 100 + d * 10},
                                supplies=[make_supply(1, "black", 100 - d * 2)],
                                read_at=NOW - dt.timedelta(days=40 - d, hours=1), model="Aficio MP")
                   for d in range(40)]
        acme.submit(history)
        scanner = make_reading("GLX-SCAN", counters={"scan.total": 42})
        scanner["identity"]["kind"] = "scanner"
        srv.add_collector("Globex").submit([make_reading("GLX-001", counters={"total": 5}), scanner])
        srv.add_collector("Initech").submit([make_reading("INI-001", counters={"total": 7})])
        # What the alert engine's sweeps leave (their own tests are theirs):
        # ACM-003's black toner runs out before the lead time; a critical
        # alert is open on ACM-000 and one on Globex.
        pg.psql("INSERT INTO alerts (customer_id, device_id, condition, subject, severity, state, since,"
                " raised_at) SELECT customer_id, id, c.condition, '1', c.severity, 'open', now(), now()"
                " FROM devices, (VALUES ('ACM-003', 'runs_out', 'warning'), ('ACM-000', 'jam', 'critical'),"
                " ('GLX-001', 'jam', 'critical')) AS c(serial, condition, severity)"
                " WHERE devices.serial = c.serial")
        yield {"server": srv, "pg": pg}


@pytest.fixture(scope="module")
def contract():
    return OpenApi(openapi_document())


_source = iter(range(30, 250))


def signed_in(fleet, contract, name) -> ApiClient:
    api = ApiClient(fleet["server"].api_url, contract, source=f"127.0.1.{next(_source)}")
    assert api.sign_in(name, STRONG).json["stage"] == "complete"
    return api


def serials(page) -> list[str]:
    return [d["serial"] for d in page.json["items"]]


def all_pages(api, path) -> list[dict]:
    items, after, pages = [], None, 0
    while True:
        r = api.get(path + (f"&after={quote(after)}" if after else ""))
        assert r.status == 200, r.json
        items += r.json["items"]
        pages += 1
        after = r.json["next_after"]
        if not after:
            return items


def org_id(fleet, name) -> int:
    return int(fleet["pg"].psql(f"SELECT id FROM organisations WHERE name = '{name}'").strip())


def device_id(fleet, serial) -> int:
    return int(fleet["pg"].psql(f"SELECT id FROM devices WHERE serial = '{serial}'").strip())


def test_each_caller_sees_its_subtree_only(fleet, contract):
    dealer = signed_in(fleet, contract, "dana")
    customer = signed_in(fleet, contract, "carla")
    mine = {d["serial"] for d in all_pages(dealer, "/api/v1/devices?limit=7")}
    assert "GLX-001" in mine and "ACM-029" in mine and "INI-001" not in mine
    theirs = {d["serial"] for d in all_pages(customer, "/api/v1/devices?limit=500")}
    assert theirs == {f"ACM-{i:03d}" for i in range(30)}
    foreign = device_id(fleet, "GLX-001")
    for path in (f"/api/v1/devices/{foreign}", f"/api/v1/devices/{foreign}/meters",
                 f"/api/v1/devices/{foreign}/supply-levels", f"/api/v1/devices/{foreign}/events",
                 f"/api/v1/devices/{foreign}/forecast", f"/api/v1/organisations/{org_id(fleet, 'Globex')}"):
        assert customer.get(path).status == 404, path
    assert customer.get(f"/api/v1/devices?customer_id={org_id(fleet, 'Globex')}").json["items"] == []
    assert dealer.get(f"/api/v1/organisations/{org_id(fleet, 'Initech')}").status == 404
    names = {o["name"] for o in dealer.get("/api/v1/organisations?kind=customer").json["items"]}
    assert names == {"Acme", "Globex"}


def test_sorted_by_last_seen_each_caller_sees_what_every_other_sort_shows(fleet, contract):
    # Sorted by last seen, the list walks only the caller's own dealer's or
    # customer's rows of device_latest (the tenant columns of migration
    # 0019): a wrong tenant there would hide devices or show none.
    srv = fleet["server"]
    srv.add_user("sally", "root_admin", "--root")
    srv.add_user("tess", "dealer_technician", "--dealer", "Print Partner")
    srv.add_user("ivan", "customer_admin", "--customer", "Initech")
    for name in ("sally", "dana", "tess", "carla", "vic", "ivan"):
        api = signed_in(fleet, contract, name)
        by_serial = [d["serial"] for d in all_pages(api, "/api/v1/devices?limit=500")]
        assert by_serial, name
        for sort in ("last_seen", "-last_seen"):
            listed = [d["serial"] for d in all_pages(api, f"/api/v1/devices?sort={sort}&limit=11")]
            assert sorted(listed) == sorted(by_serial), (name, sort)
    dealer = signed_in(fleet, contract, "dana")
    globex, initech = org_id(fleet, "Globex"), org_id(fleet, "Initech")
    assert set(serials(dealer.get(f"/api/v1/devices?sort=last_seen&customer_id={globex}"))) == {
        "GLX-001", "GLX-SCAN"}
    assert dealer.get(f"/api/v1/devices?sort=last_seen&customer_id={initech}").json["items"] == []
    other = org_id(fleet, "Other Dealer")
    assert dealer.get(f"/api/v1/devices?sort=-last_seen&dealer_id={other}").json["items"] == []


def test_devices_of_one_dealer_as_fleet_dealer_lists_them(fleet, contract):
    fleet["server"].add_user("rooty", "root_admin", "--root")
    root = signed_in(fleet, contract, "rooty")
    partner, other = org_id(fleet, "Print Partner"), org_id(fleet, "Other Dealer")
    assert serials(root.get(f"/api/v1/devices?dealer_id={other}")) == ["INI-001"]
    for sort in ("serial", "-customer", "last_seen"):
        mine = {d["serial"] for d in all_pages(root, f"/api/v1/devices?dealer_id={partner}&limit=9&sort={sort}")}
        assert mine == {f"ACM-{i:03d}" for i in range(30)} | {"GLX-001", "GLX-SCAN"}, sort
    dealer = signed_in(fleet, contract, "dana")
    assert dealer.get(f"/api/v1/devices?dealer_id={other}").json["items"] == []
    assert dealer.get("/api/v1/devices?dealer_id=x").status == 400


def test_keyset_pages_neither_skip_nor_repeat_in_any_sort(fleet, contract):
    api = signed_in(fleet, contract, "carla")
    for sort in ("serial", "-serial", "model", "-ip", "last_seen", "-last_seen", "location"):
        items = all_pages(api, f"/api/v1/devices?sort={sort}&limit=4")
        assert len(items) == 30 and len({d["id"] for d in items}) == 30, sort
    by_serial = [d["serial"] for d in all_pages(api, "/api/v1/devices?sort=-serial&limit=8")]
    assert by_serial == sorted(by_serial, reverse=True)
    # Addresses in the order a person reads them: 10.1.0.2 before 10.1.0.10.
    by_address = [d["ip"] for d in all_pages(api, "/api/v1/devices?sort=ip&limit=7")]
    assert by_address == [f"10.1.0.{i}" for i in range(30)]
    down = [d["ip"] for d in all_pages(api, "/api/v1/devices?sort=-ip&limit=7")]
    assert down == by_address[::-1]


def test_search_and_filters(fleet, contract):
    api = signed_in(fleet, contract, "dana")
    assert serials(api.get("/api/v1/devices?q=acm-00")) == [f"ACM-00{i}" for i in range(10)]
    assert serials(api.get("/api/v1/devices?q=10.1.0.17")) == ["ACM-017"]
    assert "ACM-001" in serials(api.get("/api/v1/devices?q=laserjet&limit=100"))
    assert serials(api.get("/api/v1/devices?q=%25")) == []  # % is a character, not a wildcard
    assert serials(api.get("/api/v1/devices?status=error")) == ["ACM-000"]
    assert serials(api.get("/api/v1/devices?status=warning")) == ["ACM-001"]
    assert serials(api.get("/api/v1/devices?supply=low")) == ["ACM-002"]
    assert serials(api.get("/api/v1/devices?supply=order")) == ["ACM-003"]
    assert serials(api.get("/api/v1/devices?reporting=silent")) == ["ACM-004"]
    bad = api.get("/api/v1/devices?status=broken")
    assert bad.status == 400 and bad.json["invalid_params"][0]["name"] == "status"
    assert api.get("/api/v1/devices?after=not-a-cursor").status == 400
    assert api.get("/api/v1/devices?sort=password").status == 400


def test_devices_filter_by_kind(fleet, contract):
    dealer = signed_in(fleet, contract, "dana")
    scanners = dealer.get("/api/v1/devices?kind=scanner").json["items"]
    assert [(d["serial"], d["kind"]) for d in scanners] == [("GLX-SCAN", "scanner")]
    printers = all_pages(dealer, "/api/v1/devices?kind=printer&limit=7")
    assert {d["kind"] for d in printers} == {"printer"}
    assert {d["serial"] for d in printers} == {f"ACM-{i:03d}" for i in range(30)} | {"GLX-001"}
    assert len(all_pages(dealer, "/api/v1/devices?limit=100")) == len(printers) + 1
    customer = signed_in(fleet, contract, "carla")
    assert customer.get("/api/v1/devices?kind=scanner").json["items"] == []
    bad = dealer.get("/api/v1/devices?kind=toaster")
    assert bad.status == 400 and bad.json["invalid_params"][0]["name"] == "kind"


def test_a_device_its_history_events_and_forecast(fleet, contract):
    api = signed_in(fleet, contract, "vic")
    did = device_id(fleet, "ACM-000")
    d = api.get(f"/api/v1/devices/{did}").json
    assert d["serial"] == "ACM-000" and d["status"]["errors"] == ["jammed"]
    assert d["customer"]["name"] == "Acme" and d["collector"] is not None
    meters = api.get(f"/api/v1/devices/{did}/meters?from={quote((NOW - dt.timedelta(days=60)).isoformat())}").json
    total = next(s for s in meters["series"] if s["counter"] == "total")
    assert len(total["points"]) >= 40
    levels = api.get(f"/api/v1/devices/{did}/supply-levels").json["series"][0]["points"]
    assert len(levels) >= 40 and levels[0][1] > levels[-2][1]
    assert api.get(f"/api/v1/devices/{did}/meters?from=yesterday").status == 400
    forecast = api.get(f"/api/v1/devices/{did}/forecast").json
    black = forecast["items"][0]
    assert black["state"] in ("forecast", "empty", "not_falling", "not_enough_data")
    events = api.get(f"/api/v1/devices/{did}/events").json["items"]
    assert any(e["kind"] == "new_device" for e in events) or events == []


def test_a_collector_created_through_the_api_enrolls(fleet, contract, pg=None):
    api = signed_in(fleet, contract, "carla")
    acme = org_id(fleet, "Acme")
    r = api.post("/api/v1/collectors", {"customer_id": acme, "name": "Branch"})
    assert r.status == 201, r.json
    enrollment = Enrollment.decode(r.json["enrollment"])
    assert enrollment.client_id == r.json["collector"]["id"]
    assert r.json["collector"]["state"] == "silent"  # it has never reported
    assert enrollment.fingerprint == fleet["server"].peer_fingerprint()
    # The key works: the server takes a batch sealed with it.
    from openmps_test.openmps_server import Client
    answer = Client(fleet["server"], enrollment).submit([make_reading("ACM-NEW")])
    assert answer
    listed = api.get(f"/api/v1/collectors?customer_id={acme}").json["items"]
    branch = next(c for c in listed if c["name"] == "Branch")
    assert branch["last_seen_at"] is not None and branch["devices"] == 1
    assert branch["state"] == "active"
    silent = {c["id"] for c in api.get(f"/api/v1/collectors?customer_id={acme}&state=silent").json["items"]}
    assert branch["id"] not in silent
    assert api.post("/api/v1/collectors", {"customer_id": org_id(fleet, "Globex")}).status == 422
    revoked = api.post(f"/api/v1/collectors/{branch['id']}/revocation")
    assert revoked.status == 200 and revoked.json["revoked_at"] and revoked.json["state"] == "revoked"
    audit = fleet["pg"].psql("SELECT string_agg(action, ',') FROM audit_log WHERE target_type = 'collector'")
    assert "collector.create" in audit and "collector.revoke" in audit
    assert r.json["enrollment"] not in fleet["pg"].psql("SELECT coalesce(string_agg(after::text, ''), '') FROM audit_log")
    viewer = signed_in(fleet, contract, "vic")
    assert viewer.get("/api/v1/collectors").status == 403


def test_organisations_are_created_and_changed_by_admins(fleet, contract):
    dealer = signed_in(fleet, contract, "dana")
    r = dealer.post("/api/v1/organisations", {"kind": "customer", "name": "Umbrella",
                                               "parent_id": org_id(fleet, "Print Partner")})
    assert r.status == 201, r.json
    assert dealer.post("/api/v1/organisations", {"kind": "dealer", "name": "X"}).status == 403
    assert dealer.post("/api/v1/organisations", {"kind": "customer", "name": "Umbrella",
                                                  "parent_id": org_id(fleet, "Print Partner")}).status == 409
    assert dealer.post("/api/v1/organisations", {"kind": "customer", "name": "Y",
                                                  "parent_id": org_id(fleet, "Other Dealer")}).status == 422
    one = dealer.get(f"/api/v1/organisations/{r.json['id']}")
    changed = dealer.patch(f"/api/v1/organisations/{r.json['id']}",
                           {"time_zone": "Europe/Zurich", "billing_day": 15, "locale": "de"},
                           headers={"If-Match": one.header("etag")})
    assert changed.status == 200 and changed.json["time_zone"] == "Europe/Zurich"
    stale = dealer.patch(f"/api/v1/organisations/{r.json['id']}", {"billing_day": 2},
                         headers={"If-Match": one.header("etag")})
    assert stale.status == 412
    bad = dealer.patch(f"/api/v1/organisations/{r.json['id']}", {"time_zone": "Mars/Base"})
    assert bad.status == 422 and bad.json["invalid_params"][0]["name"] == "time_zone"
    customer = signed_in(fleet, contract, "carla")
    assert customer.patch(f"/api/v1/organisations/{org_id(fleet, 'Acme')}", {"billing_day": 3}).status == 403


def test_the_dashboard_agrees_with_its_lists(fleet, contract):
    api = signed_in(fleet, contract, "dana")
    d = api.get("/api/v1/dashboard").json
    acme = next(c for c in d["customers"] if c["name"] == "Acme")
    cid = acme["id"]
    for figure, query in (("errors", "status=error"), ("warnings", "status=warning"),
                          ("not_reporting", "reporting=silent"), ("supplies_to_order", "supply=order"),
                          ("devices", "")):
        listed = all_pages(api, f"/api/v1/devices?customer_id={cid}&limit=500&{query}")
        assert acme[figure] == len(listed), figure
    silent = all_pages(api, f"/api/v1/collectors?customer_id={cid}&state=silent&limit=500")
    assert acme["silent_collectors"] == len(silent)
    counted = dict(line.split("|") for line in fleet["pg"].psql(
        f"SELECT severity, count(*) FROM alerts WHERE customer_id = {cid} AND state = 'open'"
        " GROUP BY severity").split())
    assert acme["open_alerts"] == {s: int(counted.get(s, 0)) for s in ("critical", "warning", "info")}
    assert acme["open_alerts"]["critical"] >= 1 and acme["supplies_to_order"] == 1
    assert d["totals"]["open_alerts"]["critical"] == sum(c["open_alerts"]["critical"] for c in d["customers"])
    assert d["customers"][0]["name"] == "Acme"  # the one with a stopped device comes first
    assert d["totals"]["devices"] == sum(c["devices"] for c in d["customers"])
    assert d["totals"]["customers"] >= 2
    own = signed_in(fleet, contract, "carla").get("/api/v1/dashboard").json
    assert [c["name"] for c in own["customers"]] == ["Acme"]


def test_alerts_filter_by_severity(fleet, contract):
    api = signed_in(fleet, contract, "dana")
    critical = api.get("/api/v1/alerts?state=open&severity=critical&limit=500").json["items"]
    assert critical and {a["severity"] for a in critical} == {"critical"}
    assert {a["device"]["serial"] for a in critical} >= {"ACM-000", "GLX-001"}
    assert api.get("/api/v1/alerts?severity=loud").status == 400


def cursor(key: str, device: int) -> str:
    import base64
    return base64.urlsafe_b64encode(f"{device}:{key}".encode()).decode().rstrip("=")


def test_last_seen_pages_keep_the_order_with_ties_and_devices_never_read(fleet, contract):
    pg = fleet["pg"]
    acme = org_id(fleet, "Acme")
    # Three devices nobody has read yet (no reading: only their first
    # sighting), all at the very time ACM-010 was last seen: ties within
    # them and with a device that was read, broken by id.
    pg.psql(f"INSERT INTO devices (customer_id, serial, first_seen_at) SELECT {acme}, s, l.last_seen_at"
            " FROM device_latest l, unnest(ARRAY['ACM-NEW-1', 'ACM-NEW-2', 'ACM-NEW-3']) AS s"
            f" WHERE l.device_id = {device_id(fleet, 'ACM-010')}")
    try:
        never = {f"ACM-NEW-{i}" for i in (1, 2, 3)}
        # The order as the key was defined before it was one column: the
        # latest reading, else the first sighting; then the id.
        expected = pg.psql("SELECT d.serial FROM devices d LEFT JOIN device_latest l"
                           " ON l.device_id = d.id AND l.status_at IS NOT NULL"
                           f" WHERE d.customer_id = {acme}"
                           " ORDER BY coalesce(l.last_seen_at, d.first_seen_at), d.id").split()
        assert never < set(expected) and len(expected) >= 33
        api = signed_in(fleet, contract, "carla")
        for limit in (1, 4, 7):
            up = all_pages(api, f"/api/v1/devices?sort=last_seen&limit={limit}")
            assert [d["serial"] for d in up] == expected, limit
            down = all_pages(api, f"/api/v1/devices?sort=-last_seen&limit={limit}")
            assert [d["serial"] for d in down] == expected[::-1], limit
        shown = {d["serial"]: d for d in up}
        assert all(shown[s]["last_seen_at"] is None for s in never), [shown[s] for s in never]
        assert shown["ACM-010"]["last_seen_at"] is not None
        # Not read yet: no condition, so neither fine nor stopped.
        fine = {d["serial"] for d in all_pages(api, "/api/v1/devices?status=ok&limit=100")}
        assert "ACM-005" in fine and not fine & never
        # A cursor that is not a time in this sort is the caller's mistake.
        for bad in (cursor("Aficio MP", 5), cursor("2026-13-01T00:00:00.000000", 5)):
            r = api.get(f"/api/v1/devices?sort=last_seen&after={bad}")
            assert r.status == 400 and r.json["invalid_params"][0]["name"] == "after", r.json
    finally:
        pg.psql("DELETE FROM device_latest WHERE device_id IN (SELECT id FROM devices"
                " WHERE serial LIKE 'ACM-NEW-_'); DELETE FROM devices WHERE serial LIKE 'ACM-NEW-_'")

"""Sites, device groups and the restricted accounts they make possible,
against the real server and PostgreSQL, every answer checked against
server/api/openapi.yaml: sites are organisations under a customer (names
unique per customer), a device is put on a site of its own customer only, a
group holds devices of its own customer only, and an account restricted to
a site or a group sees exactly those devices (and their histories and
alerts) and nothing else of its customer. Every change is audited."""

from __future__ import annotations

import pytest

from openmps_test.api_client import ApiClient, OpenApi, openapi_document
from openmps_test.openmps_server import OpenMpsServer, make_reading, STRONG_PASSWORD
from openmps_test.postgres import PostgresCluster

STRONG = STRONG_PASSWORD


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    with PostgresCluster() as pg, OpenMpsServer(pg, tmp_path_factory.mktemp("server")) as srv:
        srv.add_dealer("Print Partner")
        srv.add_customer("Acme", "Print Partner")
        srv.add_customer("Globex", "Print Partner")
        srv.add_user("dana", "dealer_admin", "--dealer", "Print Partner")
        srv.add_user("carla", "customer_admin", "--customer", "Acme")
        srv.add_user("vic", "customer_viewer", "--customer", "Acme")
        srv.add_collector("Acme").submit(
            [make_reading(f"ACM-{i}", counters={"total": 100 + i}) for i in range(6)])
        srv.add_collector("Globex").submit([make_reading("GLX-1", counters={"total": 5})])
        ids = dict(line.split("|") for line in pg.psql(
            "SELECT serial, id FROM devices UNION ALL SELECT name, id FROM organisations"
            " WHERE kind <> 'root'").splitlines())
        # An open alert on ACM-0 and one on ACM-5.
        pg.psql("INSERT INTO alerts (customer_id, device_id, condition, subject, severity, state,"
                " since, raised_at) SELECT customer_id, id, 'jam', '', 'critical', 'open', now(),"
                " now() FROM devices WHERE serial IN ('ACM-0', 'ACM-5')")
        contract = OpenApi(openapi_document())
        sources = iter(range(10, 250))

        def client(name: str) -> ApiClient:
            api = ApiClient(srv.api_url, contract, source=f"127.0.3.{next(sources)}")
            assert api.sign_in(name, STRONG).json["stage"] == "complete", name
            return api

        yield {"srv": srv, "pg": pg, "ids": {k: int(v) for k, v in ids.items()}, "client": client}


def test_sites_are_organisations_under_a_customer(world):
    ids, dana, carla = world["ids"], world["client"]("dana"), world["client"]("carla")
    head = dana.post("/api/v1/organisations",
                     {"kind": "site", "name": "Head office", "parent_id": ids["Acme"]})
    assert head.status == 201, head.json
    assert head.json["kind"] == "site" and head.json["parent_id"] == ids["Acme"]
    assert head.json["path"][-2:] == [ids["Acme"], head.json["id"]]
    # Names are unique per customer, not across customers.
    assert dana.post("/api/v1/organisations", {"kind": "site", "name": "head OFFICE",
                                               "parent_id": ids["Acme"]}).status == 409
    other = dana.post("/api/v1/organisations",
                      {"kind": "site", "name": "Head office", "parent_id": ids["Globex"]})
    assert other.status == 201
    # A site goes under a customer only.
    bad = dana.post("/api/v1/organisations",
                    {"kind": "site", "name": "X", "parent_id": ids["Print Partner"]})
    assert bad.status == 422 and bad.json["invalid_params"][0]["name"] == "parent_id"
    # A customer admin adds and renames its sites, and nothing else.
    floor = carla.post("/api/v1/organisations",
                       {"kind": "site", "name": "Floor 2", "parent_id": ids["Acme"]})
    assert floor.status == 201
    assert carla.patch(f"/api/v1/organisations/{floor.json['id']}",
                       {"name": "Second floor"}).json["name"] == "Second floor"
    assert carla.post("/api/v1/organisations", {"kind": "customer", "name": "Mine",
                                                "parent_id": ids["Print Partner"]}).status == 403
    assert carla.patch(f"/api/v1/organisations/{ids['Acme']}", {"locale": "de"}).status == 403
    assert carla.post("/api/v1/organisations", {"kind": "site", "name": "Theirs",
                                                "parent_id": ids["Globex"]}).status == 422
    assert carla.get(f"/api/v1/organisations/{other.json['id']}").status == 404
    names = {o["name"] for o in carla.get("/api/v1/organisations?kind=site").json["items"]}
    assert names == {"Head office", "Second floor"}
    world["sites"] = {"head": head.json["id"], "floor": floor.json["id"],
                      "globex": other.json["id"]}


def test_devices_go_on_a_site_of_their_own_customer(world):
    ids, sites, carla = world["ids"], world["sites"], world["client"]("carla")
    for serial in ("ACM-0", "ACM-1"):
        r = carla.patch(f"/api/v1/devices/{ids[serial]}", {"site_id": sites["head"]})
        assert r.status == 200 and r.json["site"] == {"id": sites["head"], "name": "Head office"}
    bad = carla.patch(f"/api/v1/devices/{ids['ACM-2']}", {"site_id": sites["globex"]})
    assert bad.status == 422 and bad.json["invalid_params"][0]["name"] == "site_id"
    assert carla.patch(f"/api/v1/devices/{ids['ACM-2']}", {"site_id": sites["floor"]}).status == 200
    assert carla.patch(f"/api/v1/devices/{ids['ACM-2']}", {"site_id": None}).json["site"] is None
    assert carla.patch(f"/api/v1/devices/{ids['GLX-1']}", {"site_id": sites["globex"]}).status == 404
    listed = carla.get(f"/api/v1/devices?site_id={sites['head']}").json["items"]
    assert sorted(d["serial"] for d in listed) == ["ACM-0", "ACM-1"]
    viewer = world["client"]("vic")
    assert viewer.patch(f"/api/v1/devices/{ids['ACM-0']}", {"site_id": None}).status == 403


def test_device_groups_hold_their_customers_devices(world):
    ids, carla, dana = world["ids"], world["client"]("carla"), world["client"]("dana")
    g = carla.post("/api/v1/device-groups", {"customer_id": ids["Acme"], "name": "Color printers",
                                             "device_ids": [ids["ACM-3"], ids["ACM-4"]]})
    assert g.status == 201, g.json
    assert g.json["device_ids"] == sorted([ids["ACM-3"], ids["ACM-4"]])
    assert g.json["device_count"] == 2
    bad = carla.patch(f"/api/v1/device-groups/{g.json['id']}", {"device_ids": [ids["GLX-1"]]})
    assert bad.status == 422 and bad.json["invalid_params"][0]["name"] == "device_ids"
    assert carla.post("/api/v1/device-groups",
                      {"customer_id": ids["Globex"], "name": "Theirs"}).status == 422
    assert carla.post("/api/v1/device-groups",
                      {"customer_id": ids["Acme"], "name": "color PRINTERS"}).status == 409
    glx = dana.post("/api/v1/device-groups", {"customer_id": ids["Globex"], "name": "All",
                                              "device_ids": [ids["GLX-1"]]})
    assert glx.status == 201
    assert carla.get(f"/api/v1/device-groups/{glx.json['id']}").status == 404
    assert {x["name"] for x in carla.get("/api/v1/device-groups").json["items"]} == {"Color printers"}
    listed = carla.get(f"/api/v1/devices?group_id={g.json['id']}").json["items"]
    assert sorted(d["serial"] for d in listed) == ["ACM-3", "ACM-4"]
    world["group"] = g.json["id"]


def restricted(world, name, **scope):
    carla = world["client"]("carla")
    body = {"username": name, "organisation_id": world["ids"]["Acme"], "role": "customer_viewer",
            "password": STRONG, **scope}
    r = carla.post("/api/v1/users", body)
    assert r.status == 201, r.json
    return world["client"](name)


def visible_serials(api) -> list[str]:
    return sorted(d["serial"] for d in api.get("/api/v1/devices?limit=500").json["items"])


def test_an_account_restricted_to_a_site_sees_that_sites_devices_only(world):
    ids, sites = world["ids"], world["sites"]
    api = restricted(world, "site-viewer", site_ids=[sites["head"]])
    assert visible_serials(api) == ["ACM-0", "ACM-1"]
    for path in (f"/api/v1/devices/{ids['ACM-2']}", f"/api/v1/devices/{ids['ACM-2']}/meters",
                 f"/api/v1/devices/{ids['ACM-2']}/events", f"/api/v1/device-groups/{world['group']}",
                 f"/api/v1/organisations/{sites['floor']}"):
        assert api.get(path).status == 404, path
    assert api.get(f"/api/v1/devices/{ids['ACM-0']}/meters").status == 200
    orgs = {o["name"] for o in api.get("/api/v1/organisations").json["items"]}
    assert orgs == {"Acme", "Head office"}
    alerts = api.get("/api/v1/alerts").json["items"]
    assert [a["device"]["serial"] for a in alerts] == ["ACM-0"]
    assert api.get("/api/v1/device-groups").json["items"] == []


def test_a_restricted_account_is_not_offered_what_it_is_refused(world):
    # Reports cover whole organisations: refused to a restricted account, and
    # so missing from the operations /me lists (the portal shows no control
    # for an operation missing there).
    api = restricted(world, "report-viewer", site_ids=[world["sites"]["head"]])
    operations = set(api.get("/api/v1/me").json["operations"])
    assert {"listDevices", "listAlerts"} <= operations
    for op, path in (("listReports", "/api/v1/reports"), ("listReportRuns", "/api/v1/report-runs"),
                     ("listReportSchedules", "/api/v1/report-schedules"),
                     ("getReport", "/api/v1/reports/inventory?format=json")):
        assert op not in operations
        assert api.get(path).status == 403, path
    assert "createReportRun" not in operations and "downloadReportRun" not in operations


def test_an_account_restricted_to_a_group_sees_its_devices_only(world):
    api = restricted(world, "group-viewer", device_group_ids=[world["group"]])
    assert visible_serials(api) == ["ACM-3", "ACM-4"]
    assert [g["id"] for g in api.get("/api/v1/device-groups").json["items"]] == [world["group"]]
    assert api.get("/api/v1/alerts").json["items"] == []
    assert api.get(f"/api/v1/devices/{world['ids']['ACM-5']}").status == 404


def test_a_restriction_names_sites_and_groups_of_the_accounts_customer(world):
    carla = world["client"]("carla")
    base = {"organisation_id": world["ids"]["Acme"], "role": "customer_viewer", "password": STRONG}
    r = carla.post("/api/v1/users", {**base, "username": "x1", "site_ids": [world["sites"]["globex"]]})
    assert r.status == 422 and r.json["invalid_params"][0]["name"] == "site_ids"
    r = carla.post("/api/v1/users", {**base, "username": "x2", "site_ids": [world["ids"]["Acme"]]})
    assert r.status == 422
    r = carla.post("/api/v1/users", {**base, "username": "x3", "device_group_ids": [999999]})
    assert r.status == 422 and r.json["invalid_params"][0]["name"] == "device_group_ids"


def test_a_site_or_group_in_use_stays_and_removal_is_audited(world):
    ids, sites, carla, pg = world["ids"], world["sites"], world["client"]("carla"), world["pg"]
    assert carla.delete(f"/api/v1/organisations/{sites['head']}").status == 409
    assert carla.delete(f"/api/v1/device-groups/{world['group']}").status == 409
    assert carla.delete(f"/api/v1/organisations/{ids['Acme']}").status in (403, 409)
    assert carla.delete(f"/api/v1/organisations/{sites['floor']}").status == 204
    assert carla.get(f"/api/v1/organisations/{sites['floor']}").status == 404
    actions = pg.psql("SELECT action FROM audit_log WHERE action LIKE 'organisation.%'"
                      " OR action LIKE 'device%' ORDER BY id").split()
    for action in ("organisation.create", "organisation.update", "organisation.delete",
                   "device.update", "device_group.create"):
        assert action in actions, action

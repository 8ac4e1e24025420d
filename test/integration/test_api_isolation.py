# ctest-timeout: 300
"""Tenant isolation of every REST API operation, generated from
server/api/openapi.yaml, against the real server and PostgreSQL.

Every operation of the contract has an entry in CASES (requests naming an
object of a foreign tenant) or in OWN_ACCOUNT (operations on the caller's
own session or account, which name no object); an operation without one
fails test_every_operation_has_a_case, so a new operation cannot slip by.

Each role (root_admin, dealer_admin, dealer_technician, customer_admin,
customer_viewer, accounts restricted to one site or one device group, and API tokens of a
dealer admin and of a customer admin) runs every case
against every tenant foreign to it (a sibling customer, another dealer and
its customer, the dealer above, the root, and for the restricted account
the other site and the customer's devices on no site). Expected:

- an object of a foreign tenant in the path: 403 or 404;
- a foreign organisation named in a request body: 403, 404 or 422, and
  nothing stored;
- a list (with or without a filter naming the foreign tenant): any declared
  answer, without any of the foreign tenant's objects;
- and never foreign data: every foreign object's name carries a marker
  (`mk<tenant>`) no response body may contain, and a fingerprint of every
  table is the same after the role's run as before it.

The root admin has no foreign tenant; it runs the same reading cases as a
positive control: it gets 200 and sees each object, so the cases name real
objects. Every answer is checked against openapi.yaml by the ApiClient."""

from __future__ import annotations

import string
from dataclasses import dataclass, field
from typing import Callable

import pytest

from openmps_test.api_client import ApiClient, OpenApi, openapi_document
from openmps_test.openmps_server import OpenMpsServer, make_reading, STRONG_PASSWORD
from openmps_test.postgres import PostgresCluster, wait_for
from openmps_test.table_prints import table_prints

STRONG = STRONG_PASSWORD

# Tenants: organisation name, kind, parent, admin user (role), customer devices.
TENANTS = {
    "root": {"admin": ("adm-mkroot", "root_admin")},
    "da": {"name": "Dealer mkda", "kind": "dealer", "admin": ("adm-mkda", "dealer_admin")},
    "db": {"name": "Dealer mkdb", "kind": "dealer", "admin": ("adm-mkdb", "dealer_admin")},
    "ca1": {"name": "Customer mkca1", "kind": "customer", "parent": "da",
            "admin": ("adm-mkca1", "customer_admin")},
    "ca2": {"name": "Customer mkca2", "kind": "customer", "parent": "da",
            "admin": ("adm-mkca2", "customer_admin")},
    "cb1": {"name": "Customer mkcb1", "kind": "customer", "parent": "db",
            "admin": ("adm-mkcb1", "customer_admin")},
}

# The callers, one per role; all but root_admin belong to dealer "da" or its
# customer "ca1"; the restricted account sees site "sa1" of "ca1" only.
CALLERS = {
    "root_admin": "adm-mkroot",
    "dealer_admin": "adm-mkda",
    "dealer_technician": "tech-mkda",
    "customer_admin": "adm-mkca1",
    "customer_viewer": "view-mkca1",
    "restricted": "restr-mkca1",
    "restricted_to_group": "group-mkca1",
    # Integrations: API tokens of the dealer and of the customer (a token:
    # tenant's admin made it for its own organisation and role).
    "dealer_admin_token": "token:da",
    "customer_admin_token": "token:ca1",
}
_DEALER_FOREIGN = ("root", "db", "cb1")
_CUSTOMER_FOREIGN = ("root", "da", "ca2", "db", "cb1")
FOREIGN = {
    "root_admin": (),
    "dealer_admin": _DEALER_FOREIGN,
    "dealer_technician": _DEALER_FOREIGN,
    "customer_admin": _CUSTOMER_FOREIGN,
    "customer_viewer": _CUSTOMER_FOREIGN,
    # sa2: the other site of its customer; nosite: its customer's devices on no site.
    "restricted": _CUSTOMER_FOREIGN + ("sa2", "nosite"),
    "restricted_to_group": _CUSTOMER_FOREIGN + ("sa2", "nosite"),
    "dealer_admin_token": _DEALER_FOREIGN,
    "customer_admin_token": _CUSTOMER_FOREIGN,
}
ALL_TENANTS = ("root", "da", "ca1", "ca2", "db", "cb1", "sa2", "nosite")

# Tables whose rows change by themselves or by the caller's own requests
# (sessions, sign-in bookkeeping, the audit log of reads) are not compared.
UNCOMPARED = {"sessions", "audit_log", "sign_in_failures", "sign_in_locks", "schema_migrations",
              "users"}


# -- the cases -------------------------------------------------------------------------------

@dataclass
class Case:
    """One request. `path` and `body` are formatted with the foreign tenant's
    objects ({org}, {user}, {token}, {device}, {collector}, {group}, {alert},
    {run}, {schedule}, {subscription}, {notification}, {dealer}); a tenant lacking one is
    skipped. expect: "path" (403/404), "body" (403/404/422), "list" (no
    foreign object in the answer; `kind` names the list's objects)."""
    method: str
    path: str
    expect: str
    body: dict | Callable | None = None
    kind: str | None = None
    headers: dict = field(default_factory=dict)
    # The positive control: the root admin's answer lists the tenant's own object.
    shows_own: bool = False


def path(method: str, p: str, body=None, **kw) -> Case:
    return Case(method, p, "path", body, **kw)


def in_body(method: str, p: str, body) -> Case:
    return Case(method, p, "body", body)


def listing(p: str, kind: str | None = None) -> Case:
    return Case("GET", p, "list", kind=kind)


def filtered(p: str, kind: str) -> Case:
    """A list filtered by the tenant's object: the tenant's own object is in it."""
    return Case("GET", p, "list", kind=kind, shows_own=True)


ANY_MATCH = {"If-Match": '"0-stale"'}


def _new_org(objs: dict) -> dict:
    kind = {"root": "dealer", "dealer": "customer"}.get(objs["kind"], "site")
    return {"kind": kind, "name": "new-org", "parent_id": objs["org"]}


CASES: dict[str, list[Case]] = {
    "getAuthMethods": [listing("/api/v1/auth/methods")],
    "getMe": [listing("/api/v1/me")],
    "updateMe": [Case("PATCH", "/api/v1/me", "list", {})],
    "listUsers": [listing("/api/v1/users?limit=200", "user"),
                  filtered("/api/v1/users?limit=200&organisation_id={org}", "user")],
    "createUser": [in_body("POST", "/api/v1/users",
                           {"username": "new-user", "organisation_id": "{org}",
                            "role": "customer_viewer", "password": STRONG})],
    "getUser": [path("GET", "/api/v1/users/{user}")],
    "updateUser": [path("PATCH", "/api/v1/users/{user}", {"display_name": "x"}),
                   path("PATCH", "/api/v1/users/{user}", {"disabled": True}, headers=ANY_MATCH)],
    "resetUserPassword": [path("POST", "/api/v1/users/{user}/password-reset", {})],
    "resetUserTotp": [path("POST", "/api/v1/users/{user}/totp-reset")],
    "listApiTokens": [listing("/api/v1/api-tokens?limit=200", "token")],
    "createApiToken": [in_body("POST", "/api/v1/api-tokens",
                               {"name": "new-token", "organisation_id": "{org}",
                                "role": "customer_viewer"})],
    "revokeApiToken": [path("DELETE", "/api/v1/api-tokens/{token}")],
    "listOrganisations": [listing("/api/v1/organisations?limit=200", "org"),
                          listing("/api/v1/organisations?limit=200&parent_id={org}", "org")],
    "createOrganisation": [in_body("POST", "/api/v1/organisations", _new_org)],
    "getOrganisation": [path("GET", "/api/v1/organisations/{org}")],
    "updateOrganisation": [path("PATCH", "/api/v1/organisations/{org}", {"name": "x"}),
                           path("PATCH", "/api/v1/organisations/{org}", {"locale": "de"},
                                headers=ANY_MATCH)],
    "deleteOrganisation": [path("DELETE", "/api/v1/organisations/{org}")],
    "listDeviceGroups": [listing("/api/v1/device-groups?limit=200", "group"),
                         filtered("/api/v1/device-groups?limit=200&customer_id={org}", "group")],
    "createDeviceGroup": [in_body("POST", "/api/v1/device-groups",
                                  {"customer_id": "{org}", "name": "new-group"})],
    "getDeviceGroup": [path("GET", "/api/v1/device-groups/{group}")],
    "updateDeviceGroup": [path("PATCH", "/api/v1/device-groups/{group}", {"name": "x"})],
    "deleteDeviceGroup": [path("DELETE", "/api/v1/device-groups/{group}")],
    "listCollectors": [listing("/api/v1/collectors?limit=200", "collector"),
                       filtered("/api/v1/collectors?limit=200&customer_id={org}", "collector")],
    "createCollector": [in_body("POST", "/api/v1/collectors", {"customer_id": "{org}"})],
    "revokeCollector": [path("POST", "/api/v1/collectors/{collector}/revocation")],
    "listDevices": [listing("/api/v1/devices?limit=200", "device"),
                    filtered("/api/v1/devices?limit=200&customer_id={org}", "device"),
                    listing("/api/v1/devices?limit=200&dealer_id={dealer}", "device"),
                    listing("/api/v1/devices?limit=200&site_id={org}", "device"),
                    filtered("/api/v1/devices?limit=200&group_id={group}", "device")],
    "getDevice": [path("GET", "/api/v1/devices/{device}")],
    "updateDevice": [path("PATCH", "/api/v1/devices/{device}", {"site_id": None})],
    "getDeviceMeters": [path("GET", "/api/v1/devices/{device}/meters")],
    "getDeviceSupplyLevels": [path("GET", "/api/v1/devices/{device}/supply-levels")],
    "listDeviceEvents": [path("GET", "/api/v1/devices/{device}/events")],
    "getDeviceForecast": [path("GET", "/api/v1/devices/{device}/forecast")],
    "getDashboard": [listing("/api/v1/dashboard")],
    "listReports": [listing("/api/v1/reports")],
    "getReport": [path("GET", "/api/v1/reports/inventory?organisation_id={org}&format=json")],
    "listReportRuns": [listing("/api/v1/report-runs?limit=200", "run"),
                       filtered("/api/v1/report-runs?limit=200&organisation_id={org}", "run")],
    "createReportRun": [in_body("POST", "/api/v1/report-runs",
                                {"report": "inventory", "organisation_id": "{org}",
                                 "format": "csv"})],
    "getReportRun": [path("GET", "/api/v1/report-runs/{run}")],
    "downloadReportRun": [path("GET", "/api/v1/report-runs/{run}/file")],
    "listReportSchedules": [listing("/api/v1/report-schedules", "schedule"),
                            filtered("/api/v1/report-schedules?organisation_id={org}", "schedule")],
    "createReportSchedule": [in_body("POST", "/api/v1/report-schedules",
                                     {"report": "inventory", "organisation_id": "{org}",
                                      "format": "csv", "frequency": "monthly", "day": 1,
                                      "hour": 6, "recipients": ["new@example.com"]})],
    "updateReportSchedule": [path("PATCH", "/api/v1/report-schedules/{schedule}", {"hour": 9})],
    "deleteReportSchedule": [path("DELETE", "/api/v1/report-schedules/{schedule}")],
    "getMeterNames": [path("GET", "/api/v1/dealers/{dealer}/meter-names")],
    "putMeterNames": [path("PUT", "/api/v1/dealers/{dealer}/meter-names",
                           {"names": {"total": "x"}})],
    # The server's one list of duty cycles: no tenant's object; only the root admin sets it.
    "listDutyCycles": [listing("/api/v1/duty-cycles")],
    "setDutyCycle": [path("POST", "/api/v1/duty-cycles", {"model": "new-model", "monthly_pages": 1})],
    "listAuditLog": [listing("/api/v1/audit-log?limit=200"),
                     listing("/api/v1/audit-log?limit=200&organisation_id={org}")],
    "listAlerts": [listing("/api/v1/alerts?limit=200&state=all", "alert"),
                   filtered("/api/v1/alerts?limit=200&state=all&customer_id={org}", "alert"),
                   filtered("/api/v1/alerts?limit=200&state=all&device_id={device}", "alert")],
    "getAlert": [path("GET", "/api/v1/alerts/{alert}")],
    "acknowledgeAlert": [path("POST", "/api/v1/alerts/{alert}/acknowledgement", {"note": "x"})],
    "getOrganisationAlertRules": [path("GET", "/api/v1/organisations/{org}/alert-rules")],
    "putOrganisationAlertRules": [path("PUT", "/api/v1/organisations/{org}/alert-rules",
                                       {"settings": {"toner": {"low": 33}}})],
    "getDeviceAlertRules": [path("GET", "/api/v1/devices/{device}/alert-rules")],
    "putDeviceAlertRules": [path("PUT", "/api/v1/devices/{device}/alert-rules",
                                 {"settings": {"jam": {"enabled": False}}})],
    "listAlertSubscriptions": [
        listing("/api/v1/alert-subscriptions", "subscription"),
        filtered("/api/v1/alert-subscriptions?organisation_id={org}", "subscription")],
    "createAlertSubscription": [in_body("POST", "/api/v1/alert-subscriptions",
                                        {"organisation_id": "{org}", "channel": "email",
                                         "address": "new@example.com"})],
    "updateAlertSubscription": [path("PATCH", "/api/v1/alert-subscriptions/{subscription}",
                                     {"min_severity": "critical"})],
    "deleteAlertSubscription": [path("DELETE", "/api/v1/alert-subscriptions/{subscription}")],
    "testAlertSubscription": [path("POST", "/api/v1/alert-subscriptions/{subscription}/test")],
    "listNotifications": [
        listing("/api/v1/notifications?limit=200", "notification"),
        filtered("/api/v1/notifications?limit=200&organisation_id={org}", "notification")],
    "retryNotification": [path("POST", "/api/v1/notifications/{notification}/retry")],
    "sendTestNotification": [in_body("POST", "/api/v1/notifications/test",
                                     {"organisation_id": "{org}", "channel": "email",
                                      "address": "new@example.com"})],
}

# Operations on the caller's own session or account: they name no object, so
# no foreign tenant can be named (their own tests are test_api_auth*).
OWN_ACCOUNT = {
    "signIn": "starts a session for the credentials given",
    "signOut": "ends the caller's own session",
    "submitSecondFactor": "completes the caller's own sign-in",
    "changeMyPassword": "changes the caller's own password",
    "startTotpEnrolment": "the caller's own second factor",
    "confirmTotp": "the caller's own second factor",
    "removeTotp": "the caller's own second factor",
    "renewRecoveryCodes": "the caller's own recovery codes",
    "startOidcSignIn": "starts a sign-in at the configured provider",
    "finishOidcSignIn": "finishes a sign-in at the configured provider",
}


def test_every_operation_has_a_case():
    ops = {op["operationId"] for item in openapi_document()["paths"].values()
           for m, op in item.items() if m in ("get", "post", "put", "patch", "delete")}
    missing = sorted(ops - set(CASES) - set(OWN_ACCOUNT))
    assert not missing, f"operations without an isolation case in {__file__}: {missing}"
    stale = sorted((set(CASES) | set(OWN_ACCOUNT)) - ops)
    assert not stale, f"cases for operations that are not in openapi.yaml: {stale}"
    assert not set(CASES) & set(OWN_ACCOUNT)


# -- the world -------------------------------------------------------------------------------


def created(r, what):
    assert r.status in (200, 201, 202), f"{what}: {r.status} {r.body[:300]!r}"
    body = r.json
    if "id" not in body:  # {"subscription": {...}, "secret": ...} and the like
        body = next(v for v in body.values() if isinstance(v, dict) and "id" in v)
    return body["id"]


class TokenClient(ApiClient):
    """An integration: every request carries its API token, no cookie."""

    def __init__(self, base_url, contract, token: str, **kw):
        super().__init__(base_url, contract, **kw)
        self.token = token

    def request(self, method, path, body=None, *, headers=None, **kw):
        return super().request(method, path, body,
                               headers={"Authorization": f"Bearer {self.token}", **(headers or {})},
                               **kw)


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    with PostgresCluster() as pg:
        srv = OpenMpsServer(pg, tmp_path_factory.mktemp("server"), limits={
            "peer_rate_per_minute": 100000, "peer_rate_burst": 10000})
        # No alert or notification work of the server's own during the run:
        # the fingerprint compares tables before and after each role.
        srv.write_config("alerts:\n  poll_interval: 1h\n  sweep_interval: 1h\n")
        with srv:
            yield build_world(srv, pg)


def build_world(srv, pg) -> dict:
    for key, t in TENANTS.items():
        if t.get("kind") == "dealer":
            srv.add_dealer(t["name"])
    for key, t in TENANTS.items():
        if t.get("kind") == "customer":
            srv.add_customer(t["name"], TENANTS[t["parent"]]["name"])
    for key, t in TENANTS.items():
        user, role = t["admin"]
        where = ("--root",) if key == "root" else (f"--{t['kind']}", t["name"])
        srv.add_user(user, role, *where)
    srv.add_user("tech-mkda", "dealer_technician", "--dealer", TENANTS["da"]["name"])
    srv.add_user("view-mkca1", "customer_viewer", "--customer", TENANTS["ca1"]["name"])
    serials = {"ca1": ["SN-mksa1", "SN-mksa2", "SN-mknosite"], "ca2": ["SN-mkca2"],
               "cb1": ["SN-mkcb1"]}
    for key, devices in serials.items():
        srv.add_collector(TENANTS[key]["name"]).submit(
            [make_reading(s, counters={"total": 100}) for s in devices])
    ids = dict(line.split("|") for line in pg.psql(
        "SELECT serial, id FROM devices UNION ALL SELECT name, id FROM organisations "
        "UNION ALL SELECT 'root', id FROM organisations WHERE kind = 'root' "
        "UNION ALL SELECT username, id FROM users").splitlines())
    ids = {k: int(v) for k, v in ids.items()}
    collectors = dict(line.split("|") for line in pg.psql(
        "SELECT o.name, c.id FROM collectors c JOIN organisations o ON o.id = c.customer_id"
    ).splitlines())

    contract = OpenApi(openapi_document())
    sources = iter(range(10, 250))

    def client(name: str) -> ApiClient:
        api = ApiClient(srv.api_url, contract, source=f"127.0.7.{next(sources)}")
        r = api.sign_in(name, STRONG)
        assert r.status == 200 and r.json["stage"] == "complete", (name, r.body)
        return api

    admins = {key: client(t["admin"][0]) for key, t in TENANTS.items()}
    secrets: dict[str, str] = {}
    objs: dict[str, dict] = {}
    for key, t in TENANTS.items():
        org = ids["root"] if key == "root" else ids[t["name"]]
        o = {"org": org, "kind": t.get("kind", "root"), "user": ids[t["admin"][0]]}
        if o["kind"] == "dealer":
            o["dealer"] = org
        objs[key] = o
    # The sites of ca1 and their devices; every object made by its own tenant's admin.
    ca1 = admins["ca1"]
    site = {s: created(ca1.post("/api/v1/organisations", {"kind": "site", "name": f"Site mk{s}",
                                                          "parent_id": objs["ca1"]["org"]}), s)
            for s in ("sa1", "sa2")}
    for s in ("sa1", "sa2"):
        assert ca1.patch(f"/api/v1/devices/{ids['SN-mk' + s]}", {"site_id": site[s]}).status == 200
    objs["sa2"] = {"org": site["sa2"], "kind": "site", "device": ids["SN-mksa2"],
                   "group": created(ca1.post("/api/v1/device-groups", {
                       "customer_id": objs["ca1"]["org"], "name": "Group mksa2",
                       "device_ids": [ids["SN-mksa2"]]}), "group sa2")}
    objs["nosite"] = {"kind": "none", "device": ids["SN-mknosite"]}
    r = ca1.post("/api/v1/users", {"username": "restr-mkca1", "organisation_id": objs["ca1"]["org"],
                                   "role": "customer_viewer", "password": STRONG,
                                   "site_ids": [site["sa1"]]})
    assert r.status == 201, r.body
    own_group = created(ca1.post("/api/v1/device-groups", {
        "customer_id": objs["ca1"]["org"], "name": "Group mksa1",
        "device_ids": [ids["SN-mksa1"]]}), "group sa1")
    r = ca1.post("/api/v1/users", {"username": "group-mkca1", "organisation_id": objs["ca1"]["org"],
                                   "role": "customer_viewer", "password": STRONG,
                                   "device_group_ids": [own_group]})
    assert r.status == 201, r.body
    for key in ("ca2", "cb1"):
        objs[key]["device"] = ids[f"SN-mk{key}"]
        objs[key]["collector"] = int(collectors[TENANTS[key]["name"]])
        objs[key]["group"] = created(admins[key].post("/api/v1/device-groups", {
            "customer_id": objs[key]["org"], "name": f"Group mk{key}",
            "device_ids": [objs[key]["device"]]}), f"group {key}")
    for key, api in admins.items():
        o = objs[key]
        role = TENANTS[key]["admin"][1]
        r = api.post("/api/v1/api-tokens", {"name": f"Token mk{key}", "role": role})
        assert r.status == 201, r.body
        o["token"] = r.json["api_token"]["id"]
        secrets[key] = r.json["token"]
        o["subscription"] = created(api.post("/api/v1/alert-subscriptions", {
            "organisation_id": o["org"], "channel": "email",
            "address": f"sub-mk{key}@example.com"}), f"subscription {key}")
        if key != "root":
            o["run"] = created(api.post("/api/v1/report-runs", {
                "report": "inventory", "organisation_id": o["org"], "format": "csv"}), f"run {key}")
            o["schedule"] = created(api.post("/api/v1/report-schedules", {
                "report": "inventory", "organisation_id": o["org"], "format": "csv",
                "frequency": "monthly", "day": 1, "hour": 6,
                "recipients": [f"sched-mk{key}@example.com"]}), f"schedule {key}")
    # One open alert per device (the alert engine is idle: see the fixture).
    pg.psql("INSERT INTO alerts (customer_id, device_id, condition, subject, severity, state,"
            " since, raised_at) SELECT customer_id, id, 'jam', '', 'critical', 'open', now(),"
            " now() FROM devices")
    for key in ("sa2", "nosite", "ca2", "cb1"):
        objs[key]["alert"] = int(pg.psql(
            f"SELECT id FROM alerts WHERE device_id = {objs[key]['device']}"))
    # One dead notification per organisation (no notify.smtp: the server
    # sends nothing, and a dead one is never touched by its workers).
    for key, o in objs.items():
        if "org" in o:
            o["notification"] = int(pg.psql(
                "INSERT INTO notifications (organisation_id, kind, channel, recipient, subject,"
                f" state, attempts, last_error) VALUES ({o['org']}, 'report', 'email',"
                f" 'notice-mk{key}@example.com', 'Notice mk{key}', 'dead', 8, 'refused')"
                " RETURNING id").split()[0])
    # Report runs finish before the roles run (the fingerprint must hold still).
    wait_for(lambda: pg.psql("SELECT count(*) FROM report_runs WHERE status = 'pending'"
                             ).strip() == "0", timeout=120)
    callers = {role: (admins["root"] if role == "root_admin" else
                      TokenClient(srv.api_url, contract, secrets[name[6:]],
                                  source=f"127.0.7.{next(sources)}")
                      if name.startswith("token:") else client(name))
               for role, name in CALLERS.items()}
    return {"srv": srv, "pg": pg, "objs": objs, "callers": callers, "admins": admins}


# -- running the cases -----------------------------------------------------------------------

def fingerprint(pg) -> dict[str, str]:
    return table_prints(pg, UNCOMPARED)


def fill(value, objs: dict):
    if callable(value):
        return value(objs)
    if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
        return objs[value[1:-1]]
    if isinstance(value, dict):
        return {k: fill(v, objs) for k, v in value.items()}
    return value


def needs(case: Case) -> set[str]:
    names = {f for _, f, _, _ in string.Formatter().parse(case.path) if f}
    if isinstance(case.body, dict):
        names |= {v[1:-1] for v in case.body.values()
                  if isinstance(v, str) and v.startswith("{") and v.endswith("}")}
    if callable(case.body):
        names.add("org")
    return names


def send(api: ApiClient, case: Case, objs: dict):
    p = case.path.format(**objs) if objs else case.path
    return p, api.request(case.method, p, fill(case.body, objs) if objs else case.body,
                          headers=case.headers)


def ids_in(body) -> set[int]:
    """The ids of a list answer's items."""
    items = body.get("items", []) if isinstance(body, dict) else []
    return {i.get("id") for i in items if isinstance(i, dict)}


# The kinds of object a list case names (`kind`), which are also the keys of
# a tenant's objects.
KINDS = ("user", "token", "org", "group", "collector", "device", "run", "schedule", "alert",
         "subscription", "notification")


def check_role(world, role: str) -> list[str]:
    api, objs = world["callers"][role], world["objs"]
    foreign = FOREIGN[role]
    markers = [f"mk{t}" for t in foreign]
    foreign_ids = {kind: {objs[t][kind] for t in foreign if kind in objs[t]} for kind in KINDS}
    failures: list[str] = []
    sent = [0]
    exercised: set[str] = set()

    def leaks(r, kind) -> str:
        text = r.body.decode(errors="replace").lower()
        found = [m for m in markers if m in text]
        if kind and r.status == 200 and isinstance(r.json, dict):
            found += [f"{kind} id {i}" for i in ids_in(r.json) & foreign_ids[kind]]
        return ", ".join(found)

    for op, cases in CASES.items():
        for case in cases:
            wanted = needs(case)
            targets = [t for t in foreign if wanted <= set(objs[t])] if wanted else [None]
            for t in targets:
                p, r = send(api, case, objs[t] if t else {})
                where = f"{role} {op} {case.method} {p} (tenant {t})"
                leak = leaks(r, case.kind)
                sent[0] += 1
                exercised.add(op)
                if r.status == 401:
                    failures.append(f"{where}: 401, the caller's session is gone: {r.body[:200]!r}")
                elif leak:
                    failures.append(f"{where}: {r.status} shows foreign data: {leak}")
                elif case.expect == "path" and r.status not in (403, 404):
                    failures.append(f"{where}: {r.status}, expected 403 or 404: {r.body[:200]!r}")
                elif case.expect == "body" and r.status not in (403, 404, 422):
                    failures.append(f"{where}: {r.status}, expected 403, 404 or 422: "
                                    f"{r.body[:200]!r}")
    print(f"{role}: {sent[0]} requests against {len(foreign)} foreign tenants")
    failures += [f"{role} {op}: no foreign tenant has the objects its cases name"
                 for op in sorted(set(CASES) - exercised)]
    return failures


def check_positive_control(world) -> list[str]:
    """The root admin reaches every object the reading cases name, and the
    filtered lists show the tenant's own object: the cases name real objects,
    so a refusal in check_role is the scope's doing."""
    api, objs = world["callers"]["root_admin"], world["objs"]
    failures = []
    for op, cases in CASES.items():
        for case in cases:
            wanted = needs(case)
            if case.method != "GET" or not wanted:
                continue
            for t in ALL_TENANTS:
                if not wanted <= set(objs[t]) or (t, op) in NOT_SHOWN:
                    continue
                p, r = send(api, case, objs[t])
                own = objs[t].get(case.kind or "")
                if r.status != 200:
                    failures.append(f"root_admin {op} {p}: {r.status} {r.body[:200]!r}")
                elif case.shows_own and own is not None and not (
                        objs[t]["kind"] == "site" and "{org}" in case.path) \
                        and own not in ids_in(r.json):
                    failures.append(f"root_admin {op} {p}: {case.kind} {own} of {t} not listed")
    return failures


# The root organisation itself is no object of the API (it is everyone's
# ancestor, not a dealer or customer).
NOT_SHOWN = {("root", "getOrganisation")}


def test_the_root_admin_reaches_every_object_the_cases_name(world):
    failures = check_positive_control(world)
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("role", [r for r in CALLERS if r != "root_admin"])
def test_no_role_reaches_a_foreign_tenant(world, role):
    # Each caller reaches its own part (a refusal below is no broken sign-in).
    own = world["callers"][role].get("/api/v1/devices?limit=200")
    assert own.status == 200 and "SN-mksa1" in {d["serial"] for d in own.json["items"]}, own.body
    before = fingerprint(world["pg"])
    failures = check_role(world, role)
    after = fingerprint(world["pg"])
    changed = sorted(t for t in before if before[t] != after.get(t))
    if changed:
        failures.append(f"{role}: tables changed by requests that should all be refused: {changed}")
    assert not failures, f"{len(failures)} failures:\n" + "\n".join(failures)

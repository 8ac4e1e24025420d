# ctest-timeout: 300
"""Bad input on every route of the REST API, generated from
server/api/openapi.yaml, against the real server and PostgreSQL.

For every operation: ids in the path that are no ids (words, fractions,
negative, too large for 64 bits, path traversal); query parameters of the
wrong type or outside their enumeration; and for every operation with a
request body: broken JSON, a body that is no object, the wrong content
type, an unknown member, each member with the wrong type and each string
member far too long, and a body over the listener's size limit. Every
answer must be a 4xx application/problem+json whose status matches, naming
the member or parameter that was wrong where there is one; and nothing may
be stored (a fingerprint of every table is the same after the module as
before it). Every answer is also checked against openapi.yaml."""

from __future__ import annotations


import pytest

from openmps_test.api_client import (ApiClient, ContractError, OpenApi, Response,
                                     openapi_document)
from openmps_test.openmps_server import OpenMpsServer, make_reading, STRONG_PASSWORD
from openmps_test.postgres import PostgresCluster, wait_for
from openmps_test.table_prints import table_prints

STRONG = STRONG_PASSWORD
CONTRACT = openapi_document()
METHODS = ("get", "post", "put", "patch", "delete")
# Sessions and sign-in bookkeeping change with every request of the caller.
UNCOMPARED = {"sessions", "sign_in_failures", "sign_in_locks", "users"}
# Operations that only start or finish a sign-in at an OpenID provider (none
# configured here): they take no JSON and answer by redirect.
NO_INPUT = {"startOidcSignIn"}
BAD_IDS = ("abc", "1.5", "-1", "0x10", "99999999999999999999", "1%20OR%201=1",
           "..%2F..%2Fetc%2Fpasswd", "%2e%2e", "1;DROP")


def operations():
    for template, item in CONTRACT["paths"].items():
        for method, op in item.items():
            if method in METHODS:
                yield method.upper(), template, op


def resolve(obj):
    while isinstance(obj, dict) and "$ref" in obj:
        node = CONTRACT
        for part in obj["$ref"][2:].split("/"):
            node = node[part]
        obj = node
    return obj


def body_schema(op) -> dict | None:
    rb = op.get("requestBody")
    if not rb:
        return None
    content = resolve(rb).get("content", {})
    schema = content.get("application/json", {}).get("schema")
    return resolve(schema) if schema else None


def query_params(op) -> list[dict]:
    params = [resolve(p) for p in op.get("parameters", [])]
    return [p for p in params if p.get("in") == "query"]


def types_of(schema: dict) -> set[str]:
    schema = resolve(schema)
    t = schema.get("type")
    if t is None and "enum" in schema:
        return {type(schema["enum"][0]).__name__.replace("str", "string")}
    return set(t) if isinstance(t, list) else {t} if t else set()


def wrong_value(schema: dict):
    """A value of a type the member does not allow."""
    types = types_of(schema)
    for value, t in (("not-a-number", {"integer", "number"}), (12345, {"string"}),
                     ("yes", {"boolean"}), ("not-a-list", {"array"}), ([1], {"object"})):
        if types and types <= t | {"null"}:
            return value
    if "integer" in types or "number" in types:
        return {"nested": True}
    return None


def named(r, name: str) -> bool:
    body = r.json or {}
    names = [p.get("name", "") for p in body.get("invalid_params", [])]
    return any(n == name or n.startswith(name + ".") or n.startswith(name + "[")
               for n in names) or name in body.get("detail", "")


def problem(r, where: str) -> list[str]:
    """The answer must be a 4xx problem+json with the status in its body, as
    the contract declares for the operation."""
    if r.contract_error:
        return [f"{where}: {r.contract_error}"]
    ctype = (r.header("content-type") or "").split(";")[0]
    if not 400 <= r.status < 500:
        return [f"{where}: {r.status}, expected a 4xx: {r.body[:200]!r}"]
    if ctype != "application/problem+json":
        return [f"{where}: {r.status} as {ctype!r}, expected application/problem+json"]
    body = r.json
    if body.get("status") != r.status or not body.get("detail"):
        return [f"{where}: problem without status or detail: {r.body[:200]!r}"]
    return []


class CheckingClient(ApiClient):
    """Reports a breach of the contract with the answer instead of raising, so
    one run lists every route that breaks it."""

    def request(self, method, path, body=None, **kw):
        self.check = False
        r = super().request(method, path, body, **kw)
        r.contract_error = None
        try:
            self.contract.check(method, path.split("?")[0], r)
        except ContractError as e:
            r.contract_error = str(e).splitlines()[0]
        return r


# -- the world -------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def world(tmp_path_factory):
    with PostgresCluster() as pg:
        srv = OpenMpsServer(pg, tmp_path_factory.mktemp("server"), limits={
            "peer_rate_per_minute": 100000, "peer_rate_burst": 10000})
        srv.write_config("alerts:\n  poll_interval: 1h\n  sweep_interval: 1h\n")
        with srv:
            srv.add_dealer("Bad Input Dealer")
            srv.add_customer("Bad Input Customer", "Bad Input Dealer")
            pw = srv.dir / "pw"
            pw.write_text(STRONG)
            srv.cli("user", "add", "root-bad", "--role", "root_admin", "--root",
                    "--password-file", str(pw))
            srv.cli("user", "add", "other-bad", "--role", "customer_viewer", "--customer",
                    "Bad Input Customer", "--password-file", str(pw))
            srv.add_collector("Bad Input Customer").submit(
                [make_reading("BAD-1", counters={"total": 10})])
            api = CheckingClient(srv.api_url, OpenApi(CONTRACT), source="127.0.8.10")
            assert api.sign_in("root-bad", STRONG).json["stage"] == "complete"
            ids = objects(srv, pg, api)
            wait_for(lambda: pg.psql("SELECT count(*) FROM report_runs WHERE status = 'pending'"
                                     ).strip() == "0", timeout=120)
            before = fingerprint(pg)
            yield {"srv": srv, "pg": pg, "api": api, "ids": ids}
            api.close()
            after = fingerprint(pg)
            changed = sorted(t for t in before if before[t] != after.get(t))
            assert not changed, f"bad input changed tables: {changed}"


def objects(srv, pg, api) -> dict[str, int | str]:
    """One real object for every kind of id a path names, so that a request
    with a bad body reaches the body's checks."""
    q = lambda sql: int(pg.psql(sql).strip().splitlines()[0])  # noqa: E731
    customer = q("SELECT id FROM organisations WHERE kind = 'customer'")
    device = q("SELECT id FROM devices")
    group = api.post("/api/v1/device-groups", {"customer_id": customer, "name": "g"}).json["id"]
    token = api.post("/api/v1/api-tokens", {"name": "t", "role": "root_admin"}).json
    sub = api.post("/api/v1/alert-subscriptions", {"organisation_id": customer, "channel": "email",
                                                   "address": "a@example.com"}).json
    run = api.post("/api/v1/report-runs", {"report": "inventory", "organisation_id": customer,
                                           "format": "csv"}).json
    sched = api.post("/api/v1/report-schedules", {
        "report": "inventory", "organisation_id": customer, "format": "csv",
        "frequency": "monthly", "day": 1, "hour": 6, "recipients": ["a@example.com"]}).json
    pg.psql("INSERT INTO alerts (customer_id, device_id, condition, subject, severity, state,"
            " since, raised_at) SELECT customer_id, id, 'jam', '', 'critical', 'open', now(),"
            " now() FROM devices")

    notification = q("INSERT INTO notifications (organisation_id, kind, channel, recipient, state)"
                     f" VALUES ({customer}, 'report', 'email', 'a@example.com', 'dead') RETURNING id")

    def first_id(doc):
        return doc["id"] if "id" in doc else next(
            v["id"] for v in doc.values() if isinstance(v, dict) and "id" in v)
    return {
        "/users/": q("SELECT id FROM users WHERE username = 'other-bad'"), "/organisations/": customer, "/devices/": device,
        "/device-groups/": group, "/collectors/": q("SELECT id FROM collectors"),
        "/api-tokens/": first_id(token), "/alert-subscriptions/": first_id(sub),
        "/report-runs/": first_id(run), "/report-schedules/": first_id(sched),
        "/dealers/": q("SELECT id FROM organisations WHERE kind = 'dealer'"),
        "/alerts/": q("SELECT id FROM alerts"), "/reports/": "inventory",
        "/notifications/": notification,
        "customer": customer, "dealer": q("SELECT id FROM organisations WHERE kind = 'dealer'"),
    }


def fingerprint(pg) -> dict[str, str]:
    return table_prints(pg, UNCOMPARED)


def real_path(template: str, ids: dict) -> str:
    """The template with a real object's id for its one parameter."""
    if "{" not in template:
        return template
    head, rest = template.split("{", 1)
    kind = "/" + head.rstrip("/").rsplit("/", 1)[-1] + "/"
    return head + str(ids[kind]) + rest.split("}", 1)[1]


# A valid value per member name where "x" or 1 would be refused for its meaning
# before the member under test is read.
VALID = {"password": STRONG, "new_password": STRONG + "2", "current_password": STRONG,
         "organisation_id": "customer", "customer_id": "customer", "parent_id": "customer",
         "email": "a@example.com", "address": "a@example.com", "url": "https://example.com/h",
         "recipients": ["a@example.com"], "username": "newuser", "name": "new name",
         "kind": "site", "role": "customer_viewer", "report": "inventory", "format": "csv",
         "frequency": "monthly", "day": 1, "hour": 6, "code": "123456", "note": "n",
         "settings": {}, "names": {}, "channel": "email", "site_id": None}


def base_body(schema: dict, ids: dict) -> dict:
    """The required members, and the organisation a member may name, valid."""
    body = {}
    props = schema.get("properties", {})
    for name in list(schema.get("required", [])) + [
            n for n in ("organisation_id", "customer_id") if n in props]:
        prop = resolve(schema.get("properties", {}).get(name, {}))
        value = VALID.get(name)
        if value in ("customer", "dealer"):
            value = ids[value]
        elif value is None and name not in VALID:
            types = types_of(prop)
            value = (prop.get("enum") or [None])[0] or (
                "x" if "string" in types else 1 if "integer" in types else
                [] if "array" in types else {} if "object" in types else True)
        body[name] = value
    return body


# -- the checks ------------------------------------------------------------------------------

def check_path_ids(api, method, template) -> list[str]:
    failures = []
    for bad in BAD_IDS:
        head, rest = template.split("{", 1)
        p = head + bad + rest.split("}", 1)[1]
        r = api.request(method, p, {} if method in ("POST", "PUT", "PATCH") else None)
        where = f"{method} {p}"
        failures += problem(r, where)
        if r.status not in (400, 404):
            failures.append(f"{where}: {r.status}, expected 400 or 404")
    return failures


def check_query(api, method, template, op, ids) -> list[str]:
    failures = []
    base = real_path(template, ids)
    for param in query_params(op):
        schema = resolve(param.get("schema", {}))
        name = param["name"]
        bads = []
        if "integer" in types_of(schema):
            bads += ["abc", "1.5", "99999999999999999999"]
            if "maximum" in schema:
                bads.append(str(schema["maximum"] + 1))
        if "enum" in schema:
            bads.append("zz-no-such-value")
        if schema.get("format") in ("date-time", "date"):
            bads.append("not-a-date")
        for bad in bads:
            p = f"{base}?{name}={bad}"
            r = api.request(method, p)
            where = f"{method} {p}"
            found = problem(r, where)
            if not found and r.status != 400:
                found.append(f"{where}: {r.status}, expected 400")
            if not found and not named(r, name):
                found.append(f"{where}: 400 does not name {name!r}: {r.body[:200]!r}")
            failures += found
    return failures


def check_body(api, method, template, op, ids) -> list[str]:
    schema = body_schema(op)
    if schema is None:
        return []  # the operation reads no body
    p = real_path(template, ids)
    failures = []
    headers = {}
    if any(resolve(x).get("name") == "If-Match" for x in op.get("parameters", [])):
        headers["If-Match"] = api.request("GET", p).header("etag")

    def expect(r, what, statuses, name=None):
        where = f"{method} {p} ({what})"
        found = problem(r, where)
        if not found and r.status not in statuses:
            found.append(f"{where}: {r.status}, expected {statuses}: {r.body[:200]!r}")
        if not found and name and not named(r, name):
            found.append(f"{where}: {r.status} does not name {name!r}: {r.body[:200]!r}")
        failures.extend(found)

    def send(body=None, **kw):
        return api.request(method, p, body, headers=headers, **kw)

    expect(send(raw=b'{"name": "x",'), "broken JSON", (400,))
    expect(send(raw=b"\xff\xfe{}"), "not UTF-8", (400,))
    expect(send(raw=b"[1, 2]"), "no object", (400, 422))
    expect(send(raw=b'"text"'), "a string", (400, 422))
    expect(send(raw=b"{}", content_type="text/plain"), "text/plain", (415,))
    base = base_body(schema, ids)
    expect(send({**base, "zz_unknown": 1}), "unknown member", (400, 422), "zz_unknown")
    for name, prop in schema.get("properties", {}).items():
        wrong = wrong_value(prop)
        if wrong is not None:
            expect(send({**base, name: wrong}), f"{name} of the wrong type", (400, 422), name)
        if "string" in types_of(prop) and "enum" not in resolve(prop):
            expect(send({**base, name: "x" * 100_000}), f"{name} too long", (400, 413, 422),
                   name)
    return failures


def test_every_operation_refuses_bad_ids_and_queries(world):
    api, ids = world["api"], world["ids"]
    failures = []
    for method, template, op in operations():
        if op["operationId"] in NO_INPUT:
            continue
        if "{" in template:
            failures += check_path_ids(api, method, template)
        failures += check_query(api, method, template, op, ids)
    assert not failures, f"{len(failures)} failures:\n" + "\n".join(failures)


def test_every_body_is_read_strictly(world):
    api, ids = world["api"], world["ids"]
    failures = []
    for method, template, op in operations():
        if method in ("POST", "PUT", "PATCH") and op["operationId"] not in NO_INPUT:
            failures += check_body(api, method, template, op, ids)
    assert not failures, f"{len(failures)} failures:\n" + "\n".join(failures)


def test_a_body_over_the_limit_is_refused_before_it_is_read(world):
    """The listener's limit (portal.max_body_bytes, 1 MiB by default) holds for
    every route: the server answers 413 from the Content-Length alone, before
    any of the body arrives."""
    api = world["api"]
    failures = []
    for method, template, op in operations():
        if method not in ("POST", "PUT", "PATCH"):
            continue
        p = real_path(template, world["ids"])
        api.close()
        conn = api._connection()
        conn.putrequest(method, p)
        conn.putheader("Content-Type", "application/json")
        conn.putheader("Content-Length", str(2 << 20))
        conn.putheader("Cookie", "; ".join(f"{k}={v}" for k, v in api.cookies.items()))
        conn.putheader("X-CSRF-Token", api.csrf)
        conn.endheaders()
        resp = conn.getresponse()
        r = Response(resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read())
        api.close()
        r.contract_error = None
        try:
            api.contract.check(method, p, r)
        except ContractError as e:
            r.contract_error = str(e).splitlines()[0]
        failures += problem(r, f"{method} {p} (2 MiB announced)")
        if r.status != 413:
            failures.append(f"{method} {p}: {r.status}, expected 413")
    assert not failures, "\n".join(failures)

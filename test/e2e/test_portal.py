# ctest-timeout: 600
"""The portal in headless Chromium (playwright-core driving /usr/bin/chromium)
against the real server, PostgreSQL and the real client:

    snmpsim printers ──▶ openmps-client (enrolled with the string the dealer
    copied from the portal) ──▶ openmps-server ──▶ PostgreSQL ──▶ /api/v1 ──▶ portal

One server and one database for the module; each browser scenario is a
script in web/portal/e2e run by Node (`node run.mjs NAME`), reading the
context this module writes (addresses, users, what to expect) and keeping
what it learns (TOTP secrets, the enrollment string) in a state file.
Screenshots (every main page in each language, and on a tablet) go to
<build>/test-artifacts/portal/screenshots.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from openmps_test.client_cli import client
from openmps_test.openmps_server import OpenMpsServer, make_reading, make_supply
from openmps_test.paths import built, source_dir
from openmps_test.postgres import PostgresCluster
from openmps_test.snmpsim import Snmpsim, free_udp_port

DEALER = "Print Partner"
CUSTOMER = "Acme"
SIBLING = "Globex"           # another customer of the same dealer
OTHER_DEALER = "Other Dealer"
OTHER_CUSTOMER = "Initech"
FIRST = "127.0.21.1"
HISTORY_DAYS = 40
PRINTERS = ["hp_color_mfp.snmprec", "kyocera_mono.snmprec", "brother_mono.snmprec"]

# Every role signs in with a second factor (the product requires it of root
# and dealer admins; here of all, so each role's TOTP enrolment and sign-in
# is exercised); hashing is cheap for tests.
PORTAL_AUTH = """auth:
  password:
    hash_memory_kib: 1024
    hash_iterations: 1
  totp_required: [root_admin, dealer_admin, dealer_technician, customer_admin, customer_viewer]
"""

USERS = {
    "root": ("rita", "root_admin", ["--root"]),
    "dealer": ("dana", "dealer_admin", ["--dealer", DEALER]),
    "technician": ("tom", "dealer_technician", ["--dealer", DEALER]),
    "customer": ("carla", "customer_admin", ["--customer", CUSTOMER]),
    "viewer": ("vic", "customer_viewer", ["--customer", CUSTOMER]),
}

WEB = source_dir() / "web"
NODE = shutil.which("node") or "/usr/bin/node"


def artifacts_dir() -> Path:
    path = Path(os.environ["OPENMPS_BUILD_DIR"]) / "test-artifacts" / "portal"
    path.mkdir(parents=True, exist_ok=True)
    return path


def write_client_config(path: Path, data_dir: Path, first: str, count: int, port: int) -> Path:
    a, b, c, d = (int(x) for x in first.split("."))
    last = f"{a}.{b}.{c}.{d + count - 1}"
    path.write_text(
        f"data_dir: {data_dir}\nlog_level: info\n"
        "local_ui: {enabled: false}\n"  # test_local_ui covers the UI
        "snmp:\n  timeout_ms: 1000\n  retries: 1\n"
        "credentials:\n  - name: public\n    version: 2c\n    community: public\n"
        f"networks:\n  - name: lab\n    ranges: [\"{first}-{last}\"]\n    port: {port}\n"
        "    credentials: [public]\n")
    path.chmod(0o600)
    return path


def probe(host: str, port: int) -> dict:
    out = client("probe", f"{host}:{port}", "--community", "public", "--json", "--timeout-ms", "2000")
    return json.loads(out.stdout)


def history(reading: dict, days: int, now: dt.datetime) -> list[dict]:
    """Daily readings before `now` with the identity the client reads: counters
    growing by a steady daily volume, toner falling and replaced once."""
    ident = reading["identity"]
    total_now = reading["counters"].get("total", 50_000)
    out = []
    for back in range(days, 0, -1):
        at = now - dt.timedelta(days=back)
        total = max(0, total_now - back * 120)
        counters = {k: max(0, v - back * 120 * (v / total_now if total_now else 0))
                    for k, v in reading["counters"].items()}
        counters = {k: int(v) for k, v in counters.items()}
        counters["total"] = total
        supplies = []
        for s in reading["supplies"]:
            if s.get("level_percent") is None or s.get("type") == "input":
                continue
            level = (s["level_percent"] + back * 2) % 100 or 100
            supplies.append(make_supply(s["index"], s.get("color") or "black", level))
        r = make_reading(ident["serial"], counters=counters, supplies=supplies, read_at=at,
                         ip=ident.get("ip", ""), mac=ident.get("mac", ""), model=ident["model"],
                         firmware=ident.get("firmware", ""))
        r["identity"]["manufacturer"] = ident["manufacturer"]
        out.append(r)
    return out


@pytest.fixture(scope="module")
def portal(tmp_path_factory):
    work = tmp_path_factory.mktemp("portal")
    files = [source_dir() / "test" / "fixtures" / "printers" / name for name in PRINTERS]
    port = free_udp_port(FIRST)
    devices = Snmpsim.spread(files, first=FIRST, port=port)
    with PostgresCluster() as pg, Snmpsim(devices=devices, community="public") as sim:
        srv = OpenMpsServer(pg, work / "server", auth=PORTAL_AUTH)
        with srv:
            srv.add_dealer(DEALER)
            srv.add_customer(CUSTOMER, DEALER)
            srv.add_customer(SIBLING, DEALER)
            srv.add_dealer(OTHER_DEALER)
            srv.add_customer(OTHER_CUSTOMER, OTHER_DEALER)
            users = {}
            for who, (name, role, where) in USERS.items():
                secret = work / f"{name}.pw"
                password = f"Zq7!tundra-{role[:4]}-Oboe"
                secret.write_text(password)
                srv.cli("user", "add", name, "--role", role, *where, "--password-file", str(secret))
                users[who] = {"username": name, "password": password, "role": role}

            # What the printers report now, and their past: daily readings
            # over an earlier collector of the same customer.
            now = dt.datetime.now(dt.timezone.utc)
            reads = [probe(host, p) for host, p in sim.endpoints]
            past = srv.add_collector(CUSTOMER)
            for r in reads:
                past.submit(history(r, HISTORY_DAYS, now))
            # The other customers' devices, which Acme's admin must never see.
            foreign = []
            for customer, serial in ((SIBLING, "GLX-0001"), (OTHER_CUSTOMER, "INI-0001")):
                c = srv.add_collector(customer)
                c.submit([make_reading(serial, counters={"total": 777}, model="Foreign 9000")])
                foreign.append(serial)
            ids = pg.psql(f"SELECT d.id, o.id FROM devices d JOIN organisations o ON o.id = d.customer_id "
                          f"WHERE d.serial = '{foreign[0]}'").split("|")
            own = pg.psql(f"SELECT d.id, d.customer_id FROM devices d "
                          f"WHERE d.serial = '{reads[0]['identity']['serial']}'").split("|")
            device_page, customer_page = f"/devices/{int(own[0])}", f"/customers/{int(own[1])}"

            context = {
                "base_url": srv.api_url,
                "artifacts": str(artifacts_dir()),
                "state_file": str(work / "e2e-state.json"),
                "users": users,
                "customer": CUSTOMER,
                "serial": reads[0]["identity"]["serial"],
                "history_days": HISTORY_DAYS,
                "device_page": device_page,
                "customer_page": customer_page,
                "placement": {"site": "Head office", "group": "Second floor"},
                "foreign": {"serials": foreign, "device_id": int(ids[0]), "customer_id": int(ids[1]),
                            "customer_name": SIBLING},
                "main_pages": ["/dashboard", "/devices", device_page, "/alerts", "/reports", "/customers",
                               customer_page, "/groups", "/collectors", "/users", "/account"],
                "main_pages_of": {
                    "dealer": ["/dashboard", "/devices", device_page, "/alerts", "/alerts/rules",
                               "/alerts/notifications", "/reports",
                               "/customers", customer_page, "/groups", "/collectors", "/users", "/tokens", "/audit",
                               "/account"],
                    "customer": ["/dashboard", "/devices", device_page, "/alerts", "/alerts/notifications",
                                 "/reports", "/groups",
                                 "/collectors", "/users", "/account"],
                },
                "expect_nav": {
                    "root": {"visible": ["Dashboard", "Devices", "Customers", "Users", "Audit log"], "hidden": []},
                    "dealer": {"visible": ["Dashboard", "Devices", "Customers", "Users", "Collectors"], "hidden": []},
                    "technician": {"visible": ["Devices"], "hidden": ["Users", "API tokens"]},
                    "customer": {"visible": ["Devices", "Users"], "hidden": ["Customers"]},
                    "viewer": {"visible": ["Devices"], "hidden": ["Users", "Customers", "API tokens", "Audit log"]},
                },
            }
            context_file = work / "e2e-context.json"
            context_file.write_text(json.dumps(context, indent=2))
            yield {"server": srv, "context": context, "context_file": context_file, "work": work,
                   "sim": sim, "port": port, "pg": pg}


def scenario(portal, name: str) -> str:
    """Runs web/portal/e2e/NAME.mjs in headless Chromium; its output on failure."""
    env = {**os.environ, "OPENMPS_E2E_CONTEXT": str(portal["context_file"]), "HOME": str(portal["work"])}
    out = subprocess.run([NODE, "portal/e2e/run.mjs", name], cwd=WEB, env=env, capture_output=True,
                         text=True, timeout=300)
    print(out.stdout)  # step timings; pytest shows them with -s or on failure
    assert out.returncode == 0, f"scenario {name} failed:\n{out.stdout}\n{out.stderr}\n" \
                                f"server log:\n{portal['server'].log()[-3000:]}"
    return out.stdout


def state(portal) -> dict:
    return json.loads(Path(portal["context"]["state_file"]).read_text())


def test_each_role_signs_in_and_sees_its_pages(portal):
    scenario(portal, "roles")
    for who in USERS:
        assert state(portal).get(f"totp_{who}"), f"{who} enrolled TOTP and signed in with a code"


def test_an_admin_resets_a_password_and_the_person_chooses_a_new_one(portal):
    scenario(portal, "account")
    pg = portal["pg"]
    assert pg.psql("SELECT count(*) FROM audit_log WHERE action = 'user.password_reset' "
                   "AND actor = 'dana'").strip() == "1"
    assert pg.psql("SELECT count(*) FROM audit_log WHERE action = 'user.password_change' "
                   "AND actor = 'vic'").strip() == "1"


def test_a_collector_created_in_the_portal_enrolls_a_real_client(portal):
    scenario(portal, "collector")
    enrollment = state(portal)["enrollment"]
    config = write_client_config(portal["work"] / "client.yaml", portal["work"] / "client-data",
                                 FIRST, len(PRINTERS), portal["port"])
    out = client("enroll", enrollment, "--config", str(config))
    assert "enrolled as client" in out.stdout
    run = client("run", "--config", str(config), "--once", timeout=300)
    assert "outbox: 0 readings left" in run.stderr, run.stderr
    seen = portal["pg"].psql("SELECT count(*) FROM collectors WHERE name = 'Head office' "
                             "AND last_seen_at IS NOT NULL")
    assert seen.strip() == "1"


def test_find_a_device_and_open_its_charts(portal):
    scenario(portal, "devices")


def test_acknowledge_an_alert_with_a_note(portal):
    scenario(portal, "alerts")
    note = state(portal)["acknowledged_note"]
    pg = portal["pg"]
    assert pg.psql(f"SELECT count(*) FROM alerts WHERE ack_note = '{note}' AND acknowledged_by = 'dana'").strip() == "1"
    actions = pg.psql("SELECT string_agg(action, ',') FROM audit_log")
    assert "alert.acknowledge" in actions
    for action in ("alert_subscription.create", "alert_subscription.update", "alert_subscription.delete"):
        assert action in actions, action
    assert pg.psql("SELECT count(*) FROM alert_subscriptions WHERE address = 'service@example.com'").strip() == "0"


def test_download_reports_and_check_their_contents(portal):
    scenario(portal, "reports")
    import openpyxl
    book = openpyxl.load_workbook(state(portal)["billing_xlsx"], read_only=True)
    cells = [str(c) for row in book.active.iter_rows(values_only=True) for c in row if c is not None]
    assert portal["context"]["serial"] in cells, cells[:40]
    assert not set(portal["context"]["foreign"]["serials"]) & set(cells)
    pg = portal["pg"]
    changed = pg.psql("SELECT after->>'frequency', after->>'day', after->>'hour' FROM audit_log "
                      "WHERE action = 'report_schedule.update' AND actor = 'carla'")
    assert changed.strip() == "weekly|3|9", changed
    assert pg.psql("SELECT count(*) FROM report_schedules").strip() == "0"


def test_a_customer_admin_cannot_reach_another_customer(portal):
    scenario(portal, "isolation")


def test_sites_and_groups_place_a_device(portal):
    scenario(portal, "placement")
    pg = portal["pg"]
    serial = portal["context"]["serial"]
    placed = pg.psql(f"SELECT s.name, g.name FROM devices d JOIN organisations s ON s.id = d.site_id "
                     f"JOIN device_group_members m ON m.device_id = d.id JOIN device_groups g ON g.id = m.group_id "
                     f"WHERE d.serial = '{serial}'")
    assert placed.strip() == "Head office|Second floor", placed


def test_switch_language_with_screenshots(portal):
    scenario(portal, "languages")
    shots = list((artifacts_dir() / "screenshots").glob("*.png"))
    for locale in ("en", "de", "fr", "it"):
        assert any(p.name.startswith(f"{locale}-devices") for p in shots), locale


def test_every_main_page_passes_axe(portal):
    scenario(portal, "accessibility")

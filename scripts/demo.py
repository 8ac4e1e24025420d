"""The demo behind scripts/demo: a whole OpenMPS on loopback.

PostgreSQL (private cluster) → openmps-server (XML-RPC over TLS and HTTPS
/RPC2) → a dealer, a customer and an enrolled collector → simulated
printers and a document scanner (the project's own recordings in
test/fixtures/printers and test/fixtures/scanners, served by snmpsim on
127.0.1.x; their counters grow and their toner falls) →
openmps-client run. Prints the fleet the server stored, then keeps running
until Ctrl-C; everything it started stops and its files are removed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from openmps_test.backfill import backfill
from openmps_test.notify_sinks import SmtpSink
from openmps_test.openmps_server import Enrollment, OpenMpsServer
from openmps_test.local_ui import setup_code
from openmps_test.postgres import PostgresCluster, free_port, wait_for
from openmps_test.snmpsim import Snmpsim, free_udp_port

ROOT = Path(__file__).resolve().parent.parent
BUILD = Path(os.environ["OPENMPS_BUILD_DIR"])
CLIENT = BUILD / "client" / "openmps-client"
SERVER = BUILD / "server" / "openmps-server"
FIXTURES = ROOT / "test" / "fixtures" / "printers"
SCANNERS = ROOT / "test" / "fixtures" / "scanners"
DEALER, CUSTOMER = "Demo Dealer", "Acme Offices"
DEALER_ADMIN, CUSTOMER_ADMIN = "dealer@demo.example", "admin@acme.example"
SERVICE_DESK = "service@demo.example"
# Argon2id at the product's default cost; no role is made to enrol TOTP in
# the demo (a user can turn it on in the portal).
DEMO_AUTH = """auth:
  totp_required: []
"""
# The sweeps look every minute instead of every few hours, so that silent
# printers and supplies to order show up while one looks.
DEMO_ALERTS = """alerts:
  silence_interval: 1m
  meter_interval: 1m
  forecast_interval: 1m
"""


def say(text: str) -> None:
    print(f"demo: {text}", flush=True)


def local_ui_port() -> int:
    """The local UI's usual port, or a free one when something else has it."""
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", 52005))
            return 52005
        except OSError:
            return free_port()


def client_config(workdir: Path, first: str, last: str, port: int, ui_port: int) -> Path:
    path = workdir / "client.yaml"
    path.write_text(f"""\
# The demo client: one network of simulated printers on loopback.
data_dir: {workdir / 'client-data'}
local_ui: {{port: {ui_port}}}
log_level: info
snmp: {{timeout_ms: 1500, retries: 1, concurrency: 64}}
intervals: {{discovery: 1h, meter: 3h, status: 1m}}
credentials:
  - {{name: public, version: 2c, community: public}}
networks:
  - name: demo printers
    ranges: [{first}-{last}]
    port: {port}
    credentials: [public]
carrier: {{send_interval: 1m}}
""")
    path.chmod(0o600)
    return path


def demo_password() -> str:
    """20 random characters with every class the password policy counts."""
    return secrets.token_urlsafe(15)[:17] + "-7a"


def add_people(server: OpenMpsServer) -> dict[str, str]:
    """A dealer admin and a customer admin with generated passwords."""
    people = {}
    for name, role, where in ((DEALER_ADMIN, "dealer_admin", ("--dealer", DEALER)),
                              (CUSTOMER_ADMIN, "customer_admin", ("--customer", CUSTOMER))):
        password = demo_password()
        subprocess.run([SERVER, "user", "add", name, "--role", role, *where, "--password-file",
                        "-", "--config", server.config], input=password + "\n", text=True,
                       check=True, capture_output=True)
        people[name] = password
    return people


def wait_for_fleet(server: OpenMpsServer, devices: int, client: subprocess.Popen,
                   timeout: float) -> dict:
    deadline = time.monotonic() + timeout
    fleet: dict = {}
    while time.monotonic() < deadline:
        if client.poll() is not None:
            raise SystemExit(f"demo: openmps-client run stopped (exit {client.returncode})")
        fleet = server.fleet(customer=CUSTOMER)
        if len(fleet.get("devices", [])) >= devices:
            return fleet
        time.sleep(1)
    raise SystemExit(f"demo: after {timeout:.0f} s the server holds "
                     f"{len(fleet.get('devices', []))} of {devices} devices")


# Pages a month the demo's models are built for (the makers' duty cycles),
# so the usage report can say which devices are under- or over-used.
DUTY_CYCLES = {"Brother": 50_000, "HP": 50_000, "ECOSYS": 150_000, "RICOH": 150_000}


def backfill_history(server: OpenMpsServer, fleet: dict, work: Path) -> Path:
    """Six weeks of past readings for the printers, through the real ingest
    path (sealed batches with past reading times, from a collector of their
    own), plus devices whose billing needs explaining (a counter restart and
    a replacement mid-month, a week without readings over last month's
    end); then last month's billing report as XLSX and PDF."""
    today = time.gmtime()
    end = dt.datetime(today.tm_year, today.tm_mon, today.tm_mday, tzinfo=dt.timezone.utc)
    last = end.date().replace(day=1) - dt.timedelta(days=1)
    first = last.replace(day=1)
    history = Enrollment.decode(server.cli("collector", "add", "--customer", CUSTOMER).stdout.strip())
    days = (end.date() - first).days + 10
    # Printers only: a scanner's history is its scan counter, not needed here.
    printers = [d for d in fleet["devices"] if d["identity"].get("kind") != "scanner"]
    histories = backfill(history, printers, days, end=end, scenarios=True,
                         middle=dt.datetime.combine(first + dt.timedelta(days=14), dt.time(),
                                                    dt.timezone.utc),
                         gap_at=dt.datetime.combine(last, dt.time(), dt.timezone.utc))
    say(f"{sum(len(h.readings) for h in histories)} past readings of {len(histories)} devices "
        f"({days} days) sent through ingest")
    for device in printers:
        model = device["identity"].get("model", "")
        pages = next((p for k, p in DUTY_CYCLES.items() if k.lower() in model.lower()), None)
        if pages:
            server.cli("report", "duty-cycle", "--model", model, "--pages", str(pages))
    reports = work / "reports"
    reports.mkdir()
    for fmt in ("xlsx", "pdf"):
        server.cli("report", "billing", "--customer", CUSTOMER, "--from", first.isoformat(),
                   "--to", last.isoformat(), "--format", fmt, "-o", str(reports / f"billing.{fmt}"))
    return reports


def show_alerts(server: OpenMpsServer, pg: PostgresCluster, mail: SmtpSink) -> None:
    """The alerts the history and the live readings raised, and their mails."""
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        raised = int(pg.psql("SELECT count(*) FROM alerts WHERE state = 'open'").strip() or 0)
        if raised and len(mail.messages) >= 1:
            break
        time.sleep(1)
    say("open alerts (openmps-server alert list):")
    subprocess.run([SERVER, "alert", "list", "--dealer", DEALER, "--config", server.config],
                   check=False)
    say(f"{len(mail.messages)} mails to {SERVICE_DESK}, kept in {mail.maildir / 'new'}:")
    for m in mail.messages[:10]:
        print(f"    {m['Subject']}")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--once", action="store_true", help="stop after printing the fleet")
    args = parser.parse_args()
    printers = sorted(FIXTURES.glob("*.snmprec"))
    scanners = sorted(SCANNERS.glob("*.snmprec"))
    if not printers:
        raise SystemExit(f"demo: no simulated printers in {FIXTURES}")

    with tempfile.TemporaryDirectory(prefix="openmps-demo-") as tmp:
        work = Path(tmp)
        work.chmod(0o755)
        say("starting a private PostgreSQL")
        with PostgresCluster() as pg, SmtpSink() as mail:
            say("starting openmps-server (migrate, run) and a mail server for its alerts")
            notify = "notify:\n  smtp:\n" + mail.config() + DEMO_ALERTS
            with OpenMpsServer(pg, work / "server", auth=DEMO_AUTH + notify) as server:
                server.add_dealer(DEALER)
                server.add_customer(CUSTOMER, DEALER)
                server.cli("alert", "subscribe", "--dealer", DEALER, "--email", SERVICE_DESK,
                           "--locale", "en")
                people = add_people(server)
                enrollment = server.cli("collector", "add", "--customer", CUSTOMER).stdout.strip()
                port = free_udp_port("127.0.1.1")
                devices = Snmpsim.spread(printers + scanners, first="127.0.1.1", port=port)
                hosts = sorted(h for h, _ in devices)
                say(f"simulating {len(printers)} printers and {len(scanners)} scanner(s) on "
                    f"{hosts[0]}..{hosts[-1]} port {port}")
                with Snmpsim(devices=devices, community="public"):
                    ui_port = local_ui_port()
                    config = client_config(work, hosts[0], hosts[-1], port, ui_port)
                    subprocess.run([CLIENT, "enroll", enrollment, "--config", config], check=True)
                    say("starting openmps-client run")
                    log = open(work / "client.log", "ab")
                    client = subprocess.Popen([CLIENT, "run", "--config", config],
                                              stdout=log, stderr=subprocess.STDOUT)
                    try:
                        fleet = wait_for_fleet(server, len(devices), client, timeout=180)
                        print()
                        subprocess.run([SERVER, "fleet", "--customer", CUSTOMER,
                                        "--config", server.config], check=False)
                        print()
                        kinds = [d["identity"].get("kind") for d in fleet["devices"]]
                        say(f"{len(fleet['devices'])} devices stored for '{CUSTOMER}' "
                            f"({kinds.count('scanner')} of them scanners, billed by their "
                            "scan counter).")
                        reports = backfill_history(server, fleet, work)
                        say(f"last month's billing meters (estimates marked, with the reason): "
                            f"{reports / 'billing.xlsx'} and {reports / 'billing.pdf'}")
                        show_alerts(server, pg, mail)
                        say(f"portal and API: {server.api_url}/ (a self-signed certificate: "
                            "let the browser accept it); sign in as")
                        print(f"    dealer admin    {DEALER_ADMIN:24} password {people[DEALER_ADMIN]}")
                        print(f"    customer admin  {CUSTOMER_ADMIN:24} password "
                              f"{people[CUSTOMER_ADMIN]}")
                        print("    (the passwords are shown only here; the API's description "
                              f"is at {server.api_url}/api/v1/openapi.json)")
                        code = wait_for(lambda: setup_code(work / "client.log"), timeout=10)
                        say(f"the client's local UI (customer IT, this machine only): "
                            f"http://127.0.0.1:{ui_port}/ ; set its password with the "
                            f"one-time setup code {code} (the client logs it at its first start)")
                        if args.once:
                            return 0
                        say("look around (in another terminal):")
                        print(f"    {SERVER} fleet --json --config {server.config}")
                        print(f"    {CLIENT} status --config {config}")
                        print(f"    {CLIENT} probe {hosts[0]}:{port} --community public")
                        print(f"    tail -f {work / 'client.log'} {server.log_path}")
                        say("alerts:")
                        print(f"    {SERVER} alert list --dealer '{DEALER}' --config {server.config}")
                        print(f"    {SERVER} alert rules --customer '{CUSTOMER}' --set toner.low=30 "
                              f"--config {server.config}")
                        print(f"    ls {mail.maildir / 'new'}   # the mails to {SERVICE_DESK}")
                        say("reports (openmps-server report list names them all):")
                        cfg = f"--config {server.config}"
                        print(f"    {SERVER} report billing --customer '{CUSTOMER}' --format pdf "
                              f"-o billing.pdf {cfg}")
                        print(f"    {SERVER} report supplies --customer '{CUSTOMER}' --format csv {cfg}"
                              "   # forecasts and order-by dates")
                        print(f"    {SERVER} report usage --dealer '{DEALER}' --format xlsx -o usage.xlsx {cfg}")
                        print(f"    {SERVER} report schedule add billing --customer '{CUSTOMER}' "
                              f"--monthly 1 --format pdf --mail-to ap@acme.example {cfg}")
                        customer_id = pg.psql(
                            f"SELECT id FROM organisations WHERE name = '{CUSTOMER}'").strip()
                        print(f"    {server.api_url}/api/v1/reports/billing?organisation_id="
                              f"{customer_id}&format=xlsx   (signed in: the portal's session "
                              "or an API token; the portal's Reports page makes and schedules them)")
                        say("running; press Ctrl-C to stop everything and remove its files")
                        while True:
                            time.sleep(3600)
                    finally:
                        client.send_signal(signal.SIGTERM)
                        try:
                            client.wait(30)
                        except subprocess.TimeoutExpired:
                            client.kill()
                        log.close()
        say("stopped")
    return 0


def supervise() -> int:
    """Runs main() in its own session, so that Ctrl-C in the terminal reaches
    only this process (not PostgreSQL, the server or the simulator), which
    then asks main() to stop everything in order."""
    child = os.fork()
    if child == 0:
        os.setsid()

        def stop(_signum, _frame):
            raise KeyboardInterrupt

        signal.signal(signal.SIGTERM, stop)
        try:
            code = main()
        except KeyboardInterrupt:
            code = 0
        except SystemExit as e:
            print(e, file=sys.stderr)
            code = 1
        sys.stdout.flush()
        os._exit(code)
    stopping = False
    while True:
        try:
            _, status = os.waitpid(child, 0)
            return os.waitstatus_to_exitcode(status)
        except KeyboardInterrupt:
            if not stopping:
                print("\ndemo: stopping ...", flush=True)
                os.kill(child, signal.SIGTERM)
                stopping = True


if __name__ == "__main__":
    sys.exit(supervise())

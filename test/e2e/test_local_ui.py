# ctest-timeout: 400
"""The client's local UI in headless Chromium (playwright-core driving
/usr/bin/chromium), against the real client, simulated printers, the real
server and PostgreSQL: customer IT sets the client up in the browser
(web/local-ui/e2e/setup.mjs has the steps) and the readings it shows as
sent are in the server's database exactly once. Screenshots go to
<build>/test-artifacts/local-ui/screenshots."""

from __future__ import annotations

import http.client
import json
import os
import shutil
import signal
import subprocess
from pathlib import Path

from openmps_test.client_cli import client
from openmps_test.local_ui import setup_code
from openmps_test.openmps_server import Enrollment, OpenMpsServer
from openmps_test.paths import client_binary, source_dir
from openmps_test.postgres import PostgresCluster, free_port, wait_for
from openmps_test.snmpsim import Snmpsim, free_udp_port

PRINTER = "127.0.15.1"
PLACEHOLDER = "127.0.15.200"   # the range the configuration starts with: no printer there
NODE = shutil.which("node") or "/usr/bin/node"
PASSWORD = "Kestrel-harbour-42"


def artifacts_dir() -> Path:
    path = Path(os.environ["OPENMPS_BUILD_DIR"]) / "test-artifacts" / "local-ui"
    path.mkdir(parents=True, exist_ok=True)
    return path


def host_refused(port: int) -> int:
    """The status of a request whose Host header names a foreign site (a
    rebound DNS name pointing a web page at the local UI)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", "/api/session", headers={"Host": f"evil.example:{port}"})
        return conn.getresponse().status
    finally:
        conn.close()


def foreign_peer_refused(port: int) -> int:
    """The status of a request from another address than the one the UI
    listens on (127.0.0.1): another machine, as far as the UI can tell."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10,
                                      source_address=("127.0.15.99", 0))
    try:
        conn.request("GET", "/api/session", headers={"Host": f"127.0.0.1:{port}"})
        return conn.getresponse().status
    finally:
        conn.close()


def test_customer_it_sets_up_the_client_in_the_browser(tmp_path):
    udp = free_udp_port(PRINTER)
    fixture = source_dir() / "test" / "fixtures" / "printers" / "kyocera_mono.snmprec"
    with PostgresCluster() as pg, \
            Snmpsim(devices={(PRINTER, udp): fixture}, community="public"), \
            OpenMpsServer(pg, tmp_path / "server", web=False) as srv:
        serial = json.loads(client("probe", f"{PRINTER}:{udp}", "--community", "public",
                                   "--json").stdout)["identity"]["serial"]
        assert serial
        srv.add_dealer("Browser Dealer")
        srv.add_customer("Browser Customer", "Browser Dealer")
        enrollment = srv.cli("collector", "add", "--customer", "Browser Customer").stdout.strip()
        ui_port = free_port()
        config = tmp_path / "client.yaml"
        config.write_text(
            f"data_dir: {tmp_path / 'data'}\n"
            f"local_ui: {{port: {ui_port}}}\n"
            "snmp: {timeout_ms: 1000, retries: 1}\n"
            "credentials: [{name: public, version: 2c, community: public}]\n"
            f"networks: [{{name: office, ranges: [\"{PLACEHOLDER}\"], port: {udp}}}]\n"
            "carrier: {send_interval: 0s}\n")
        config.chmod(0o600)
        log_path = tmp_path / "client.log"
        log = open(log_path, "wb")
        proc = subprocess.Popen([str(client_binary()), "run", "--config", str(config)],
                                stdout=log, stderr=subprocess.STDOUT)
        try:
            code = wait_for(lambda: setup_code(log_path), timeout=30, interval=0.1)
            assert code, log_path.read_text()
            assert host_refused(ui_port) == 421
            assert foreign_peer_refused(ui_port) == 403
            context = {
                "base_url": f"http://127.0.0.1:{ui_port}",
                "setup_code": code,
                "password": PASSWORD,
                "range": PRINTER,
                "enrollment": enrollment,
                "printer": f"{PRINTER}:{udp}",
                "serial": serial,
                "artifacts": str(artifacts_dir()),
            }
            context_file = tmp_path / "context.json"
            context_file.write_text(json.dumps(context))
            env = {**os.environ, "OPENMPS_E2E_CONTEXT": str(context_file), "HOME": str(tmp_path)}
            out = subprocess.run([NODE, "local-ui/e2e/setup.mjs"], cwd=source_dir() / "web",
                                 env=env, capture_output=True, text=True, timeout=330)
            print(out.stdout)
            assert out.returncode == 0, \
                f"{out.stdout}\n{out.stderr}\nclient log:\n{log_path.read_text()[-3000:]}"
        finally:
            proc.send_signal(signal.SIGTERM)
            try:
                exit_code = proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
                exit_code = proc.wait()
            log.close()
        assert exit_code == 0, log_path.read_text()[-3000:]
        client_id = Enrollment.decode(enrollment).client_id
        status = json.loads(client("status", "--config", str(config), "--json").stdout)
        stored = int(pg.psql(f"SELECT count(*) FROM device_reads WHERE collector_id = {client_id}"))
        assert stored == status["outbox"]["confirmed_items"] > 0, (stored, status["outbox"])
        text = config.read_text()
        assert PRINTER in text and PLACEHOLDER not in text
        assert "send_interval: 1m" in text, text
        assert PASSWORD not in log_path.read_text()

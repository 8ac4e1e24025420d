# ctest-timeout: 300
"""A client installed before the dealer sent its enrollment string, set up
the way customer IT does it: the daemon starts with no network and no
enrollment (its local UI is how they set it up), they sign in with the
setup code from the log, add the office's range and paste the enrollment
string without editing a file or restarting, and every reading reaches the
server exactly once. A mistake in a range is refused with its field named
and leaves the file as it was."""

import json
import signal
import subprocess
from pathlib import Path

from openmps_test.client_cli import client
from openmps_test.local_ui import LocalUi, setup_code
from openmps_test.openmps_server import Enrollment, OpenMpsServer
from openmps_test.paths import client_binary, source_dir
from openmps_test.postgres import PostgresCluster, free_port, wait_for
from openmps_test.proc import ignored_signals
from openmps_test.snmpsim import Snmpsim, free_udp_port

PRINTER = "127.0.14.1"


def outbox(config: Path) -> dict:
    """The outbox figures of `status --json` (exit 1 while not enrolled)."""
    out = client("status", "--config", str(config), "--json", check=False)
    return json.loads(out.stdout)["outbox"] if out.stdout.strip() else {}


def test_customer_it_sets_up_an_unenrolled_client_in_the_local_ui(tmp_path):
    port = free_udp_port(PRINTER)
    fixture = source_dir() / "test" / "fixtures" / "printers" / "hp_color_mfp.snmprec"
    with PostgresCluster() as pg, \
            Snmpsim(devices={(PRINTER, port): fixture}, community="public"), \
            OpenMpsServer(pg, tmp_path / "server", web=False) as srv:
        srv.add_dealer("Early Dealer")
        srv.add_customer("Early Customer", "Early Dealer")
        ui_port = free_port()
        config = tmp_path / "client.yaml"
        config.write_text(
            f"data_dir: {tmp_path / 'data'}\n"
            f"local_ui: {{port: {ui_port}}}\n"
            "snmp: {timeout_ms: 1000, retries: 1}\n"
            "carrier: {send_interval: 0s}\n")
        config.chmod(0o600)
        log_path = tmp_path / "client.log"
        log = open(log_path, "wb")
        proc = subprocess.Popen([str(client_binary()), "run", "--config", str(config)],
                                stdout=log, stderr=subprocess.STDOUT)
        try:
            code = wait_for(lambda: setup_code(log_path), timeout=30, interval=0.1)
            assert code, log_path.read_text()
            # A browser hanging up mid-answer costs a connection, not the
            # daemon (Python started it with SIGPIPE at its fatal default).
            assert signal.SIGPIPE in ignored_signals(proc.pid)
            ui = LocalUi(ui_port)
            ui.set_up(code, "Printers-2026!")
            assert ui.get("/status")["enrolled"] is False

            # A range with host bits set: refused by the loader, file untouched.
            before = config.read_text()
            status, problem = ui.call("PATCH", "/api/settings", {"networks": [
                {"name": "office", "ranges": ["127.0.14.1/24"], "exclude": []}]})
            assert status == 400, problem
            assert problem["invalid_params"][0]["name"] == "networks[0].ranges[0]", problem
            assert config.read_text() == before

            status, settings = ui.call("PATCH", "/api/settings", {
                "networks": [{"name": "office", "ranges": [PRINTER], "exclude": [],
                              "port": port}]})
            assert status == 200, settings
            assert settings["networks"][0]["ranges"] == [PRINTER]
            assert PRINTER in config.read_text()
            # Found and read, into the outbox: nothing is sent before enrollment.
            assert wait_for(lambda: outbox(config).get("committed_items", 0) >= 1,
                            timeout=90, interval=0.3), log_path.read_text()
            taken = outbox(config)["committed_items"]
            assert outbox(config)["confirmed_items"] == 0

            enrollment = srv.cli("collector", "add", "--customer", "Early Customer").stdout.strip()
            status, body = ui.call("POST", "/api/enrollment", {"enrollment": "omps1:garbage"})
            assert status == 400 and body["invalid_params"][0]["name"] == "enrollment", body
            status, body = ui.call("POST", "/api/enrollment", {"enrollment": enrollment})
            assert status == 200 and body["enrolled"] is True, body
            client_id = Enrollment.decode(enrollment).client_id
            assert body["collector_id"] == str(client_id)
            # Sent without a restart: every reading taken before enrollment too.
            assert wait_for(lambda: outbox(config).get("confirmed_items", 0) >= taken,
                            timeout=90, interval=0.3), log_path.read_text()
        finally:
            proc.send_signal(signal.SIGTERM)
            try:
                code = proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
                code = proc.wait()
            log.close()
        assert code == 0, log_path.read_text()
        after = outbox(config)
        stored = int(pg.psql(f"SELECT count(*) FROM device_reads WHERE collector_id = {client_id}"))
        # Exactly once: every reading the client confirmed, none twice.
        assert stored == after["confirmed_items"], (stored, after)
        assert (tmp_path / "data" / "enrollment.json").exists()
        text = log_path.read_text()
        assert "settings changed in the local UI: networks" in text
        assert "Printers-2026!" not in text

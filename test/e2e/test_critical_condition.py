# ctest-timeout: 300
"""A new critical condition goes to the server at once, end to end: the
real daemon reads a simulated printer, the readings wait in the outbox for
company (send_interval 1 h), the printer jams (an SNMP SET into the
simulator), and the status poll that sees it sends at once: the jam
reaches PostgreSQL after the next status poll (one minute here), not after
the hour that ordinary readings wait. With the defaults (status polls every
5 minutes) the same path keeps the promised 10 minutes. The test waits for
the outcome with a deadline far below that hour; how long it took is
printed, not judged, so a loaded machine cannot fail it.
"""

import json
import os
import re
import signal
import subprocess
import time

from openmps_test.client_cli import client
from openmps_test.openmps_server import Enrollment, OpenMpsServer
from openmps_test.paths import client_binary, source_dir
from openmps_test.postgres import PostgresCluster, wait_for
from openmps_test.snmpsim import Snmpsim, free_udp_port

PRINTER = "127.0.13.1"
ERROR_STATE = "1.3.6.1.2.1.25.3.5.1.2.1"  # hrPrinterDetectedErrorState
STATUS_INTERVAL = 60  # seconds: the shortest the configuration allows
SEND_INTERVAL = 3600  # seconds: how long ordinary readings wait for company


def jammable_printer(folder):
    """The Kyocera fixture with a writable error state (snmpsim writecache)."""
    text = (source_dir() / "test" / "fixtures" / "printers" / "kyocera_mono.snmprec").read_text()
    text, n = re.subn(rf"^{re.escape(ERROR_STATE)}\|4x\|[0-9a-f]*$",
                      f"{ERROR_STATE}|4:writecache|hexvalue=0000", text, flags=re.M)
    assert n == 1, "the fixture has no hrPrinterDetectedErrorState"
    path = folder / "jammable.snmprec"
    path.write_text(text)
    return path


def committed(config) -> int:
    """Readings the daemon committed to its outbox (0 before it made it)."""
    out = client("status", "--config", str(config), "--json", check=False)
    return json.loads(out.stdout)["outbox"]["committed_items"] if out.returncode == 0 else 0


def batches(pg, client_id):
    return int(pg.psql(f"SELECT count(*) FROM ingest_batches WHERE collector_id = {client_id}"))


def jams_stored(pg, client_id):
    return int(pg.psql(
        "SELECT count(*) FROM status_history s JOIN device_reads r "
        "ON r.device_id = s.device_id AND r.read_at = s.read_at "
        f"WHERE r.collector_id = {client_id} AND 'jammed' = ANY (s.errors)"))


def test_a_jam_reaches_the_server_at_once_while_ordinary_readings_wait(tmp_path):
    port = free_udp_port(PRINTER)
    printer = jammable_printer(tmp_path)
    with PostgresCluster() as pg, \
            Snmpsim(devices={(PRINTER, port): printer}, community="public"), \
            OpenMpsServer(pg, tmp_path / "server", web=False) as srv:
        srv.add_dealer("Jam Dealer")
        srv.add_customer("Jam Customer", "Jam Dealer")
        enrollment = srv.cli("collector", "add", "--customer", "Jam Customer").stdout.strip()
        config = tmp_path / "client.yaml"
        config.write_text(
            f"data_dir: {tmp_path / 'data'}\n"
            "local_ui: {enabled: false}\n"  # test_local_ui covers the UI
            "log_level: info\n"
            "snmp: {timeout_ms: 1000, retries: 1}\n"
            f"intervals: {{status: {STATUS_INTERVAL}s}}\n"
            "credentials: [{name: public, version: 2c, community: public}]\n"
            f"networks: [{{name: office, ranges: [\"{PRINTER}\"], port: {port}, "
            "credentials: [public]}]\n"
            f"carrier: {{send_interval: {SEND_INTERVAL}s}}\n")
        config.chmod(0o600)
        client("enroll", enrollment, "--config", str(config))
        client_id = Enrollment.decode(enrollment).client_id
        log_path = tmp_path / "client.log"
        log = open(log_path, "wb")
        proc = subprocess.Popen([str(client_binary()), "run", "--config", str(config)],
                                stdout=log, stderr=subprocess.STDOUT)
        try:
            wait_for(lambda: committed(config) >= 1, timeout=60, interval=0.2)
            # The meter reading waits for company: nothing went to the server.
            assert batches(pg, client_id) == 0, log_path.read_text()

            subprocess.run(["snmpset", "-v2c", "-c", "public", "-r", "1", "-t", "2",
                            f"{PRINTER}:{port}", ERROR_STATE, "x", "0400"],
                           check=True, capture_output=True, timeout=30,
                           env={**os.environ, "MIBS": ""})
            jammed_at = time.monotonic()
            wait_for(lambda: jams_stored(pg, client_id) >= 1, timeout=200,
                     interval=0.5)
            took = time.monotonic() - jammed_at
        finally:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            log.close()
        text = log_path.read_text()
        assert "queued for sending at once" in text, text
        print(f"\njam stored {took:.1f} s after it happened (status interval {STATUS_INTERVAL} s)")

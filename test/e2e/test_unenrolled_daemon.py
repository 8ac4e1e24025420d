# ctest-timeout: 240
"""A client installed before the dealer sent its enrollment string: the
daemon starts anyway (its local UI is how customer IT enrolls it), reads
the printers into the outbox and sends nothing; once enrolled, every
reading taken before reaches the server exactly once."""

import json
import signal
import subprocess
from pathlib import Path

from openmps_test.client_cli import client
from openmps_test.openmps_server import Enrollment, OpenMpsServer
from openmps_test.paths import client_binary, source_dir
from openmps_test.postgres import PostgresCluster, free_port, wait_for
from openmps_test.snmpsim import Snmpsim, free_udp_port

PRINTER = "127.0.14.1"


def outbox(config: Path) -> dict:
    """The outbox figures of `status --json` (exit 1 while not enrolled)."""
    out = client("status", "--config", str(config), "--json", check=False)
    return json.loads(out.stdout)["outbox"] if out.stdout.strip() else {}


class Daemon:
    """`openmps-client run` with its log in a file; stops on SIGTERM."""

    def __init__(self, config: Path, log_path: Path):
        self.log_path = log_path
        self.log = open(log_path, "ab")
        self.proc = subprocess.Popen([str(client_binary()), "run", "--config", str(config)],
                                     stdout=self.log, stderr=subprocess.STDOUT)

    def stop(self) -> int:
        self.proc.send_signal(signal.SIGTERM)
        try:
            code = self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            code = self.proc.wait()
        self.log.close()
        return code


def test_an_unenrolled_daemon_reads_and_sends_once_enrolled(tmp_path):
    port = free_udp_port(PRINTER)
    fixture = source_dir() / "test" / "fixtures" / "printers" / "hp_color_mfp.snmprec"
    with PostgresCluster() as pg, \
            Snmpsim(devices={(PRINTER, port): fixture}, community="public"), \
            OpenMpsServer(pg, tmp_path / "server", web=False) as srv:
        srv.add_dealer("Early Dealer")
        srv.add_customer("Early Customer", "Early Dealer")
        config = tmp_path / "client.yaml"
        config.write_text(
            f"data_dir: {tmp_path / 'data'}\n"
            f"local_ui: {{port: {free_port()}}}\n"
            "snmp: {timeout_ms: 1000, retries: 1}\n"
            "credentials: [{name: public, version: 2c, community: public}]\n"
            f"networks: [{{name: office, ranges: [\"{PRINTER}\"], port: {port}}}]\n"
            "carrier: {send_interval: 0s}\n")
        config.chmod(0o600)
        log_path = tmp_path / "client.log"

        daemon = Daemon(config, log_path)
        try:
            assert wait_for(lambda: outbox(config).get("committed_items", 0) >= 1, timeout=90,
                            interval=0.3), log_path.read_text()
        finally:
            code = daemon.stop()
        assert code == 0, log_path.read_text()
        before = outbox(config)
        assert before["confirmed_items"] == 0 and before["pending_batches"] == 0, before
        assert "not enrolled: readings wait in the outbox" in log_path.read_text()

        enrollment = srv.cli("collector", "add", "--customer", "Early Customer").stdout.strip()
        client("enroll", enrollment, "--config", str(config))
        client_id = Enrollment.decode(enrollment).client_id
        daemon = Daemon(config, log_path)
        try:
            assert wait_for(lambda: outbox(config).get("confirmed_items", 0)
                            >= before["committed_items"], timeout=90, interval=0.3), \
                log_path.read_text()
        finally:
            assert daemon.stop() == 0, log_path.read_text()
        after = outbox(config)
        stored = int(pg.psql(f"SELECT count(*) FROM device_reads WHERE collector_id = {client_id}"))
        # Exactly once: every reading the client confirmed, none twice.
        assert stored == after["confirmed_items"], (stored, after)
        serials = pg.psql("SELECT string_agg(DISTINCT serial, ',') FROM devices").strip()
        assert serials, "the printer read before enrollment is not on the server"

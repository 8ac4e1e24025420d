# ctest-timeout: 240
"""The daemon reads the printers of the first network while a long sweep of
another network is still running: a /22 of silent addresses takes minutes,
and status polls and critical conditions must not wait for it."""

import json
import os
import signal
import subprocess
from pathlib import Path

from openmps_test.client_cli import client
from openmps_test.openmps_server import Enrollment
from openmps_test.paths import client_binary, source_dir
from openmps_test.postgres import free_port, wait_for
from openmps_test.snmpsim import Snmpsim, free_udp_port

PRINTER = "127.0.11.1"


def status(config: Path) -> dict | None:
    """The daemon's status, or None before it has created its database."""
    out = client("status", "--config", str(config), "--json", timeout=30, check=False)
    return json.loads(out.stdout) if out.returncode == 0 else None


def test_printers_are_read_while_a_later_network_is_still_swept(tmp_path):
    fixture = source_dir() / "test" / "fixtures" / "printers" / "hp_color_mfp.snmprec"
    port = free_udp_port(PRINTER)
    with Snmpsim(devices={(PRINTER, port): fixture}, community="public"):
        config = tmp_path / "client.yaml"
        config.write_text(
            f"data_dir: {tmp_path / 'data'}\n"
            "local_ui: {enabled: false}\n"  # test_local_ui covers the UI
            "log_level: info\n"
            "snmp:\n"
            "  timeout_ms: 1000\n"
            "  retries: 1\n"
            "  concurrency: 4\n"   # 1024 silent addresses x 2 s / 4: about 8 minutes
            "intervals:\n"
            "  status: 1m\n"
            "credentials:\n"
            "  - name: public\n"
            "    version: 2c\n"
            "    community: public\n"
            "networks:\n"
            "  - name: printers\n"
            f"    ranges: [\"{PRINTER}\"]\n"
            f"    port: {port}\n"
            "    credentials: [public]\n"
            "  - name: silent\n"
            "    ranges: [\"127.0.12.0/22\"]\n"
            f"    port: {port}\n"
            "    credentials: [public]\n")
        config.chmod(0o600)
        # Sends fail (nobody listens there): the readings wait in the outbox.
        client("enroll", Enrollment.encode(77, os.urandom(32), [f"xmlrpcs://127.0.0.1:{free_port()}"],
                                           "ab" * 32), "--config", str(config), timeout=30)
        log = open(tmp_path / "client.log", "wb")
        proc = subprocess.Popen([str(client_binary()), "run", "--config", str(config)],
                                stdout=log, stderr=subprocess.STDOUT)
        try:
            def read_once():
                s = status(config)
                return s if s and s["outbox"]["committed_items"] >= 1 else None
            s = wait_for(read_once, timeout=90, interval=0.5)
            assert s, (tmp_path / "client.log").read_text()
            assert [d["address"] for d in s["device_list"]] == [PRINTER]
            # ... and the sweep of the silent network has not finished yet.
            assert s["last_sweep"] is None, s
            assert "sweep of network 'silent'" not in (tmp_path / "client.log").read_text()
        finally:
            proc.send_signal(signal.SIGTERM)
            try:
                code = proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
                code = proc.wait()
            log.close()
        assert code == 0, (tmp_path / "client.log").read_text()

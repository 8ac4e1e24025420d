# ctest-timeout: 300
"""Alerts end to end with the real binaries: three simulated printers
(snmpsim, writable toner level and error state), the real client
(`openmps-client run --once`, one round of reads and sends each time), the
real server with PostgreSQL, an SMTP server that wants STARTTLS and AUTH,
and an HTTPS webhook receiver that checks signatures. The dealer reads
Italian and subscribes an address and a webhook.

Round 1 reads the healthy fleet. Then printer A's toner falls to 15 % and
A and B jam (SNMP SETs), round 2 reads that. A's jam is cleared, printer C
stops answering (its simulator stops), and round 3 reads what is left. Time
between the rounds is decided by the readings' own timestamps: B's hold-down
(3 s, set for that device) has passed in round 3, A's (the default 15
minutes) has not, and C's silence (5 s, set for that device) is measured
against the collector's newest reading. Exactly three alerts follow, each
with one mail and one webhook call: A's toner, B's jam, C's silence.
"""

import json
import os
import re
import subprocess
import time

from openmps_test.client_cli import client
from openmps_test.fleet_copies import printer_copies
from openmps_test.notify_sinks import SmtpSink, WebhookReceiver
from openmps_test.openmps_server import Enrollment, OpenMpsServer
from openmps_test.paths import client_binary, source_dir
from openmps_test.postgres import PostgresCluster, wait_for
from openmps_test.snmpsim import Snmpsim, free_udp_port

A, B, C = "127.0.21.1", "127.0.21.2", "127.0.21.3"
TONER = "1.3.6.1.2.1.43.11.1.1.9.1.1"        # prtMarkerSuppliesLevel of the black toner
ERROR_STATE = "1.3.6.1.2.1.25.3.5.1.2.1"     # hrPrinterDetectedErrorState
JAMMED, CLEAR = "0400", "0000"
DEALER, CUSTOMER = "Assistenza Stampa", "Ufficio Roma"


def writable(path):
    """The recording with a toner level and an error state SNMP SETs can change."""
    text = path.read_text()
    text, n = re.subn(rf"^{re.escape(TONER)}\|[^\n]*$", f"{TONER}|2:writecache|value=80", text,
                      flags=re.M)
    assert n == 1, "no toner level in the recording"
    text, n = re.subn(rf"^{re.escape(ERROR_STATE)}\|[^\n]*$",
                      f"{ERROR_STATE}|4:writecache|hexvalue={CLEAR}", text, flags=re.M)
    assert n == 1, "no error state in the recording"
    path.write_text(text)
    return path


def snmpset(host, port, oid, kind, value):
    subprocess.run(["snmpset", "-v2c", "-c", "public", "-r", "1", "-t", "2", f"{host}:{port}",
                    oid, kind, value], check=True, capture_output=True, timeout=30,
                   env={**os.environ, "MIBS": ""})


def test_toner_jams_and_silence_end_to_end(tmp_path):
    port = free_udp_port(A)
    kyocera = source_dir() / "test" / "fixtures" / "printers" / "kyocera_mono.snmprec"
    files = [writable(p) for p in printer_copies([kyocera], 3, tmp_path)]
    # One simulator each: snmpsim's write cache is shared by every endpoint
    # of a process, so a SET would change the other printers too.
    with PostgresCluster() as pg, SmtpSink() as sink, WebhookReceiver() as hooks, \
            Snmpsim(devices={(A, port): files[0]}, community="public"), \
            Snmpsim(devices={(B, port): files[1]}, community="public"), \
            Snmpsim(devices={(C, port): files[2]}, community="public") as sim_c:
        srv = OpenMpsServer(pg, tmp_path / "server", web=False, start=False)
        srv.write_config("notify:\n  smtp:\n" + sink.config() +
                         f"  webhooks:\n    ca_file: {hooks.ca_file}\n  poll_interval: 1s\n"
                         "alerts:\n  sweep_interval: 1s\n  silence_interval: 1s\n"
                         "  poll_interval: 1s\n")
        srv.migrate()
        srv.add_dealer(DEALER)
        srv.cli("org", "set", "--dealer", DEALER, "--locale", "it")
        srv.add_customer(CUSTOMER, DEALER)
        srv.cli("alert", "subscribe", "--dealer", DEALER, "--email", "tecnici@assistenza.example")
        srv.cli("alert", "subscribe", "--dealer", DEALER, "--webhook", hooks.url,
                "--secret-file", str(hooks.secret_file))
        enrollment = srv.cli("collector", "add", "--customer", CUSTOMER).stdout.strip()
        srv.start()
        try:
            config = tmp_path / "client.yaml"
            config.write_text(
                f"data_dir: {tmp_path / 'data'}\n"
                "local_ui: {enabled: false}\n"  # test_local_ui covers the UI
                "log_level: info\n"
                "snmp: {timeout_ms: 1000, retries: 1}\n"
                "credentials: [{name: public, version: 2c, community: public}]\n"
                f"networks: [{{name: office, ranges: [\"{A}-{C}\"], port: {port}, "
                "credentials: [public]}]\n")
            config.chmod(0o600)
            client("enroll", enrollment, "--config", str(config))
            client_id = Enrollment.decode(enrollment).client_id

            def round_():
                out = subprocess.run([str(client_binary()), "run", "--config", str(config), "--once"],
                                     capture_output=True, text=True, timeout=120)
                assert out.returncode == 0, out.stderr

            round_()
            serials = dict(row.split("|") for row in pg.psql(
                f"SELECT ip, serial FROM devices WHERE collector_id = {client_id}").split())
            assert sorted(serials) == [A, B, C], serials
            ids = dict(row.split("|") for row in pg.psql(
                f"SELECT ip, id FROM devices WHERE collector_id = {client_id}").split())
            srv.cli("alert", "rules", "--device", ids[B], "--set", "jam.hold_down=3s")
            srv.cli("alert", "rules", "--device", ids[C], "--set", "device_silent.warning_after=5s",
                    "--set", "device_silent.critical_after=1h")

            snmpset(A, port, TONER, "i", "15")
            snmpset(A, port, ERROR_STATE, "x", JAMMED)
            snmpset(B, port, ERROR_STATE, "x", JAMMED)
            round_()
            snmpset(A, port, ERROR_STATE, "x", CLEAR)
            sim_c.stop()
            # The readings of the next round are at least this much later: B's
            # hold-down and C's allowed silence (in readings' time) are over.
            time.sleep(6)
            round_()

            def mail(serial, words):
                return [m for m in sink.messages if serial in m["Subject"] and words in m["Subject"]]

            wait_for(lambda: mail(serials[A], "in esaurimento (15 %)") and
                     mail(serials[B], "Inceppamento carta") and
                     mail(serials[C], "Il dispositivo non risponde"), timeout=60)
            wait_for(lambda: pg.psql("SELECT count(*) FROM event_queue").strip() == "0" and
                     pg.psql("SELECT count(*) FROM notifications WHERE state = 'queued'").strip() == "0",
                     timeout=60)
            alerts = sorted(pg.psql(
                "SELECT d.ip, a.condition, a.state FROM alerts a JOIN devices d ON d.id = a.device_id "
                f"WHERE d.collector_id = {client_id}").split())
            assert alerts == sorted([f"{A}|toner|open", f"{A}|jam|cancelled", f"{B}|jam|open",
                                     f"{C}|device_silent|open"]), alerts
            assert len(sink.messages) == 3, [m["Subject"] for m in sink.messages]
            for m in sink.messages:
                assert m["To"] == "tecnici@assistenza.example"
                assert m["Subject"].startswith("[OpenMPS] Avviso: ")
                attached = json.loads(next(m.iter_attachments()).get_content())
                assert attached["customer"]["name"] == CUSTOMER
            calls = [json.loads(c["body"]) for c in hooks.calls]
            assert sorted((c["alert"]["device"]["serial"], c["alert"]["condition"]) for c in calls) == \
                sorted([(serials[A], "toner"), (serials[B], "jam"), (serials[C], "device_silent")])
            assert all(c["valid"] for c in hooks.calls)
            assert {c["event"] for c in calls} == {"alert.raised"}
            print("\n" + "\n".join(m["Subject"] for m in sink.messages))
        finally:
            srv.stop()

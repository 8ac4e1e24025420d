# ctest-timeout: 600
"""The real client over the e-mail carrier:

snmpsim (the project's own simulated printers) ──SNMP──▶ openmps-client run --once
    ──SMTP (STARTTLS, AUTH)──▶ aiosmtpd ──▶ Maildir ──▶ Dovecot ──IMAPS──▶
    openmps-server run (mailbox poller) ──▶ PostgreSQL

The enrollment carries only a mailto: address, so e-mail is the one route.
The client's outbox empties once the SMTP server accepted every batch; the
server must then store every device the client read, each batch once.
"""

import json

import pytest

from openmps_test.mail import MailServers
from openmps_test.client_cli import client
from openmps_test.openmps_server import OpenMpsServer
from openmps_test.batch_mail import mailbox_config, smtp_password_file
from openmps_test.postgres import PostgresCluster, wait_for
from openmps_test.snmpsim import Snmpsim, free_udp_port
from openmps_test.paths import source_dir

CUSTOMER = "Mail Fleet"
FIRST = "127.0.4.1"


def last_address(first: str, count: int) -> str:
    a, b, c, d = (int(x) for x in first.split("."))
    n = (a << 24 | b << 16 | c << 8 | d) + count - 1
    return ".".join(str(n >> s & 255) for s in (24, 16, 8, 0))


def test_client_run_once_by_mail_stores_every_device(tmp_path):
    files = sorted((source_dir() / "test" / "fixtures" / "printers").glob("*.snmprec"))
    if not files:
        pytest.skip("no simulated printers in test/fixtures/printers")
    port = free_udp_port(FIRST)
    devices = Snmpsim.spread(files, first=FIRST, port=port)
    with MailServers() as mail, PostgresCluster() as pg, \
            Snmpsim(devices=devices, community="public") as sim:
        secret = smtp_password_file(mail, tmp_path)
        srv = OpenMpsServer(pg, tmp_path / "server", web=False)
        srv.write_config(extra=f"public_addresses: [\"mailto:{mail.address}\"]\n" +
                         mailbox_config(mail, tmp_path))
        with srv:
            srv.add_dealer("Mail Dealer")
            srv.add_customer(CUSTOMER, "Mail Dealer")
            enrollment = srv.cli("collector", "add", "--customer", CUSTOMER).stdout.strip()
            config = tmp_path / "client.yaml"
            config.write_text(
                f"data_dir: {tmp_path / 'client-data'}\n"
                "local_ui: {enabled: false}\n"  # test_local_ui covers the UI
                "snmp:\n  timeout_ms: 1000\n  retries: 1\n"
                "credentials:\n  - name: public\n    version: 2c\n    community: public\n"
                "networks:\n  - name: lab\n"
                f"    ranges: [\"{FIRST}-{last_address(FIRST, len(files))}\"]\n"
                f"    port: {port}\n"
                "carrier:\n  connect_timeout: 5s\n  request_timeout: 30s\n"
                "  max_batch_items: 3\n"
                "  smtp:\n"
                f"    server: {mail.host}\n"
                f"    port: {mail.smtp_port}\n"
                "    tls: starttls\n"
                f"    user: {mail.user}\n"
                f"    password_file: {secret}\n"
                "    from: printers@customer.example\n"
                f"    ca_file: {mail.cert_file}\n")
            client("enroll", enrollment, "--config", str(config))
            run = client("run", "--config", str(config), "--once", timeout=400)
            assert "outbox: 0 readings left" in run.stderr, run.stderr
            assert mail.password not in run.stderr

            status = json.loads(client("status", "--config", str(config), "--json").stdout)
            known = status["devices"]
            assert known > 0, f"no printer discovered:\n{run.stderr}"
            batches = len(mail.accepted)
            assert batches >= 1

            client_id = status.get("client_id")

            def stored():
                return int(pg.psql("SELECT count(*) FROM ingest_batches WHERE carrier = 'mail'")
                           .strip())
            wait_for(lambda: stored() == batches, timeout=60, interval=0.3)
            wait_for(lambda: mail.folder_count("INBOX") == 0, timeout=60, interval=0.3)
            assert mail.folder_count("Quarantine") == 0, srv.log()[-3000:]
            fleet = srv.fleet(customer=CUSTOMER)
            assert fleet["count"] == known, (fleet, known)
            if client_id is not None:
                seqs = pg.psql("SELECT batch_seq FROM ingest_batches WHERE collector_id = "
                               f"{client_id} ORDER BY batch_seq").split()
                assert [int(s) for s in seqs] == list(range(1, batches + 1))

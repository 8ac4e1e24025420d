"""Batch mails for the e-mail tests: sealed and mailed by
test/tools/smtp_send_tool (the client's real SMTP carrier), and what the
server stored of them."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from openmps_test.mail import MailServers
from openmps_test.openmps_server import OpenMpsServer
from openmps_test.paths import built
from openmps_test.postgres import PostgresCluster


def mailbox_config(mail, folder: Path, protocol: str = "imaps") -> str:
    """The server's `mailbox:` section for the test mail servers (MailServers),
    polling every second over IMAPS or POP3S, the password in a file."""
    password_file = folder / "mailbox.password"
    password_file.write_text(mail.password + "\n")
    password_file.chmod(0o600)
    port = {"imaps": mail.imaps_port, "pop3s": mail.pop3s_port}[protocol]
    lines = ["mailbox:", f"  url: {protocol}://{mail.host}:{port}", f"  user: {mail.user}",
             f"  password_file: {password_file}", f"  ca_file: {mail.cert_file}",
             "  poll_interval: 1s"]
    if protocol == "imaps":
        lines += ["  folder: INBOX", "  quarantine_folder: Quarantine"]
    return "\n".join(lines) + "\n"


def mail_test_fixtures(protocol: str, customer: str, dealer: str):
    """The fixtures of an e-mail test module: `mail` (the test mail servers),
    `pg`, `server` (openmps-server polling them over `protocol`, with the
    dealer and customer made; it must outlive the module's tests and never
    log the mailbox password) and `password_file` (the client's SMTP
    password). Use: mail, pg, server, password_file = mail_test_fixtures(...)."""

    @pytest.fixture(scope="module")
    def mail():
        with MailServers() as servers:
            yield servers

    @pytest.fixture(scope="module")
    def pg():
        with PostgresCluster() as cluster:
            yield cluster

    @pytest.fixture(scope="module")
    def server(pg, mail, tmp_path_factory):
        work = tmp_path_factory.mktemp("server")
        srv = OpenMpsServer(pg, work, web=False)
        srv.write_config(extra=mailbox_config(mail, work, protocol))
        with srv:
            srv.add_dealer(dealer)
            srv.add_customer(customer, dealer)
            yield srv
            assert srv.proc is not None and srv.proc.poll() is None, \
                f"the server died during the mail tests:\n{srv.log()}"
        assert mail.password not in srv.log(), "the mailbox password reached the log"

    @pytest.fixture
    def password_file(mail, tmp_path):
        return smtp_password_file(mail, tmp_path)

    return mail, pg, server, password_file


def smtp_password_file(mail, folder: Path) -> Path:
    """The SMTP password for the client side, in a file as the client reads it."""
    path = folder / "smtp.password"
    path.write_text(mail.password)
    path.chmod(0o600)
    return path


def send(mail, password_file, enrollment, seq, *, tls="starttls", items=2, prefix=None,
         total=1000, extra=(), password=None, ca=True, write_mail=None):
    port = mail.smtp_port if tls == "starttls" else mail.smtps_port
    pw = password_file
    if password is not None:
        pw = password_file.parent / "other.password"
        pw.write_text(password)
    cmd = [str(built("test", "tools", "smtp_send_tool")), "--enrollment", enrollment, "--server", mail.host, "--port", str(port),
           "--tls", tls, "--user", mail.user, "--password-file", str(pw),
           "--from", "printers@customer.example", "--to", mail.address,
           "--batch-seq", str(seq), "--items", str(items),
           "--first-item-seq", str((seq - 1) * 1000 + 1), "--total", str(total),
           "--serial-prefix", prefix or f"M{seq}-", *extra]
    if ca:
        cmd += ["--ca-file", str(mail.cert_file)]
    if write_mail:
        cmd += ["--write-mail", str(write_mail)]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=60)


def sent_ok(result):
    assert result.returncode == 0, f"{result.stdout}\n{result.stderr}"
    assert result.stdout.startswith("sent "), result.stdout


def stored_batches(pg, client_id):
    out = pg.psql(f"SELECT batch_seq FROM ingest_batches WHERE collector_id = {client_id} "
                  "ORDER BY batch_seq")
    return [int(x) for x in out.split()]


def count(pg, sql):
    return int(pg.psql(sql).strip())


def readings(pg, prefix):
    return count(pg, "SELECT count(*) FROM meter_readings m JOIN devices d ON d.id = m.device_id "
                     f"WHERE d.serial LIKE '{prefix}%'")


def accepted_mail(mail, client_id, seq) -> bytes:
    for m in reversed(mail.accepted):
        if (f"X-OpenMPS-Client: {client_id}\r\n".encode() in m["data"]
                and f"X-OpenMPS-Batch: {seq}\r\n".encode() in m["data"]):
            return m["data"]
    raise AssertionError(f"no mail for {client_id}/{seq} reached the SMTP server")

# ctest-timeout: 300
"""A scheduled report delivered by e-mail through a real SMTP server (STARTTLS
and AUTH), exactly once, also when the server restarts in the middle:

1. killed while it makes the report (the test holds a lock the report's
   query waits on, sees the wait in pg_stat_activity, kills the server,
   lets go, starts it again);
2. killed while the SMTP server holds its answer to the mail (the sink's
   hold(): the sender waits for the 250 when the test kills it).

Each time the customer gets one mail with the PDF attached, in its
language, and the file is kept for download.
"""

import signal
import subprocess

import pytest

from openmps_test.backfill import scenario_devices, send_histories
from openmps_test.notify_sinks import SmtpSink
from openmps_test.openmps_server import Enrollment, OpenMpsServer
from openmps_test.postgres import PostgresCluster, wait_for
import datetime as dt

DEALER = "Delivery Dealer"
CUSTOMER = "Lieferkunde GmbH"
TO = "buchhaltung@kunde.example"


def settings(sink: SmtpSink) -> str:
    return ("notify:\n  smtp:\n" + sink.config() +
            "  max_attempts: 5\n  retry_first: 1s\n  retry_max: 2s\n  poll_interval: 1s\n"
            "reports:\n  poll_interval: 1s\n  retry_attempts: 3\n  retry_pause: 1s\n")


@pytest.fixture(scope="module")
def rig(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("delivery")
    with PostgresCluster() as pg, SmtpSink() as sink:
        srv = OpenMpsServer(pg, tmp / "server", start=False)
        srv.write_config(settings(sink))
        with srv:
            srv.add_dealer(DEALER)
            srv.add_customer(CUSTOMER, DEALER)
            srv.cli("org", "set", "--customer", CUSTOMER, "--time-zone", "Europe/Berlin", "--locale", "de")
            srv.start()
            end = dt.datetime.now(dt.timezone.utc).replace(hour=0, minute=0, second=0, microsecond=0)
            enrollment = Enrollment.decode(srv.cli("collector", "add", "--customer", CUSTOMER).stdout.strip())
            send_histories(enrollment, scenario_devices(end, 70))
            yield pg, sink, srv, tmp


def kill(srv: OpenMpsServer) -> None:
    srv.proc.send_signal(signal.SIGKILL)
    srv.proc.wait(30)
    srv.proc = None
    srv._log.close()


def due_schedule(pg, srv: OpenMpsServer, report: str) -> str:
    out = srv.cli("report", "schedule", "add", report, "--customer", CUSTOMER, "--monthly", "1",
                  "--format", "pdf", "--mail-to", TO)
    schedule = out.stdout.split()[2]
    # Its previous occurrence, the only one due now (an hour back could reach
    # past this month's run time, and then two runs would be made).
    pg.psql(f"UPDATE report_schedules SET next_run_at = next_run_at - interval '1 month' "
            f"WHERE id = {schedule}")
    return schedule


def mails_for(sink: SmtpSink, report_title: str) -> list:
    return [m for m in sink.messages if report_title in str(m["Subject"])]


def check_mail(mail, title: str, tmp) -> None:
    assert mail["X-Test-Rcpt-To"] == TO
    assert mail["Message-ID"]
    assert CUSTOMER in str(mail["Subject"])
    (pdf,) = [p for p in mail.iter_attachments() if p.get_content_type() == "application/pdf"]
    path = tmp / pdf.get_filename()
    path.write_bytes(pdf.get_content())
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert CUSTOMER in text and title in text and "Seite 1 von" in text
    body = mail.get_body(preferencelist=("plain",)).get_content()
    assert "Im Anhang" in body and pdf.get_filename() in body


def test_killed_while_making_the_report_delivers_once_after_restart(rig):
    pg, sink, srv, tmp = rig
    blocker = subprocess.Popen(["psql", "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1"], stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=pg.libpq_env)
    try:
        blocker.stdin.write("BEGIN;\nLOCK TABLE devices IN ACCESS EXCLUSIVE MODE;\nSELECT 'locked';\n")
        blocker.stdin.flush()
        assert blocker.stdout.readline().strip() == "locked"
        schedule = due_schedule(pg, srv, "billing")
        wait_for(lambda: pg.psql("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                                 "AND query LIKE '%devices%'").strip() != "0", timeout=60)
        kill(srv)
    finally:
        blocker.stdin.write("COMMIT;\n")
        blocker.stdin.close()
        blocker.wait(timeout=30)
    assert pg.psql(f"SELECT status, attempts FROM report_runs WHERE schedule_id = {schedule}").strip() == "pending|0"
    assert pg.psql("SELECT count(*) FROM notifications").strip() == "0"
    srv.start()
    title = "Zählerstände für die Abrechnung"
    wait_for(lambda: mails_for(sink, title), timeout=90)
    (mail,) = mails_for(sink, title)
    check_mail(mail, title, tmp)
    assert pg.psql(f"SELECT status, attempts FROM report_runs WHERE schedule_id = {schedule}").strip() == "done|1"


def test_killed_while_the_smtp_server_holds_the_answer_delivers_once_after_restart(rig):
    pg, sink, srv, tmp = rig
    title = "Verbrauchsmaterial und Prognosen"
    sink.hold()
    try:
        schedule = due_schedule(pg, srv, "supplies")
        sink.wait_holding(timeout=90)
        kill(srv)  # the sender waits for the 250 it will never read
    finally:
        sink.release()
    assert not mails_for(sink, title), "a mail whose sender vanished before the 250 is not delivered"
    assert pg.psql(f"SELECT status FROM report_runs WHERE schedule_id = {schedule}").strip() == "done"
    srv.start()
    wait_for(lambda: mails_for(sink, title), timeout=90)
    (mail,) = mails_for(sink, title)
    check_mail(mail, title, tmp)
    run = pg.psql(f"SELECT id FROM report_runs WHERE schedule_id = {schedule}").strip()
    out = srv.cli("report", "download", run, "-o", str(tmp / "kept.pdf"))
    assert (tmp / "kept.pdf").read_bytes()[:5] == b"%PDF-", out.stderr

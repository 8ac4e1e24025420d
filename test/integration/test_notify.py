# ctest-timeout: 300
"""The notification outbox with the real server, PostgreSQL, an SMTP server
that wants STARTTLS and AUTH, and an HTTPS webhook receiver that checks
signatures:

- `alert test-notify` sends a test mail in the language asked for and a
  signed webhook, through the outbox;
- rows written into the outbox by another feature (an e-mail with an
  attachment stored inline and one stored as a reference with no loader)
  are sent by the running server's workers, or retried and given up;
- mails share SMTP sessions (six mails, at most one session per delivery
  worker), and a session the SMTP server closed while idle is replaced
  before a mail goes out on it (each mail sent at its first attempt);
- a failing webhook is retried with backoff and dead after the last
  attempt; `notify retry` queues it again;
- the server killed (SIGKILL) while the SMTP server holds its answer: after
  a restart the mail arrives exactly once; killed while a webhook
  receiver holds its answer: the retry carries the same delivery id;
- two servers on one database send each of 40 notifications exactly once.
"""

import email.policy
import json
import signal

import pytest

from openmps_test.notify_sinks import SmtpSink, WebhookReceiver
from openmps_test.openmps_server import OpenMpsServer
from openmps_test.postgres import PostgresCluster, wait_for

DEALER = "Notify Dealer"


def notify_section(sink: SmtpSink, hooks: WebhookReceiver) -> str:
    return ("notify:\n  smtp:\n" + sink.config() +
            f"  webhooks:\n    ca_file: {hooks.ca_file}\n    timeout: 10s\n"
            "  max_attempts: 3\n  retry_first: 1s\n  retry_max: 2s\n  poll_interval: 1s\n")


@pytest.fixture(scope="module")
def rig(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("notify")
    with PostgresCluster() as pg, SmtpSink() as sink, WebhookReceiver() as hooks:
        srv = OpenMpsServer(pg, tmp / "a", web=False, start=False)
        srv.write_config(notify_section(sink, hooks))
        srv.migrate()
        srv.add_dealer(DEALER)
        pg.psql(f"UPDATE organisations SET locale = 'fr' WHERE name = '{DEALER}'")
        yield pg, sink, hooks, srv
        srv.stop()


def dealer_id(pg) -> int:
    return int(pg.psql(f"SELECT id FROM organisations WHERE name = '{DEALER}'"))


def queue_mail(pg, to: str, subject: str = "Report", attachment_sql: str = "") -> int:
    # Due only once its attachment is there, as a feature writes both in one
    # transaction: a running server's worker may claim it in between.
    nid = int(pg.psql(
        "INSERT INTO notifications (organisation_id, kind, channel, recipient, locale, subject, "
        f"body, next_attempt_at) VALUES ({dealer_id(pg)}, 'report', 'email', '{to}', 'de', "
        f"'{subject}', 'Bericht anbei.', now() + interval '1 day') RETURNING id").split()[0])
    if attachment_sql:
        pg.psql(attachment_sql.format(id=nid))
    pg.psql(f"UPDATE notifications SET next_attempt_at = now() WHERE id = {nid}; "
            "NOTIFY openmps_outbox")
    return nid


def state(pg, nid: int) -> tuple[str, int]:
    s, attempts = pg.psql(f"SELECT state, attempts FROM notifications WHERE id = {nid}").split("|")
    return s, int(attempts)


def kill(srv: OpenMpsServer) -> None:
    srv.proc.send_signal(signal.SIGKILL)
    srv.proc.wait(30)
    srv.proc = None
    srv._log.close()


def test_test_notify_mail_in_the_language_asked_for(rig):
    pg, sink, hooks, srv = rig
    out = srv.cli("alert", "test-notify", "--to", "dealer@example.com", "--dealer", DEALER,
                  "--locale", "de")
    assert "sent to dealer@example.com" in out.stdout
    msg = wait_for(lambda: next((m for m in sink.messages if m["X-OpenMPS-Kind"] == "test"), None))
    assert msg["Subject"] == f"[OpenMPS] Testbenachrichtigung für {DEALER}"
    assert msg["To"] == "dealer@example.com"
    assert msg["Auto-Submitted"] == "auto-generated"
    assert msg["Message-ID"].startswith("<omps-") and msg["Message-ID"].endswith("@example.com>")
    assert "Testbenachrichtigung von OpenMPS" in msg.get_content()
    listed = json.loads(srv.cli("notify", "list", "--json").stdout)
    assert listed[0]["state"] == "sent" and listed[0]["message_id"] in msg["Message-ID"]
    # Without --locale: the organisation's language.
    srv.cli("alert", "test-notify", "--to", "dealer@example.com", "--dealer", DEALER)
    assert any(m["Subject"] == f"[OpenMPS] Notification de test pour {DEALER}" for m in sink.messages)


def test_test_notify_webhook_is_signed(rig):
    pg, sink, hooks, srv = rig
    before = len(hooks.calls)
    srv.cli("alert", "test-notify", "--webhook", hooks.url, "--secret-file", str(hooks.secret_file),
            "--dealer", DEALER)
    call = hooks.calls[before]
    assert call["valid"], call["headers"]
    assert call["headers"]["x-openmps-event"] == "test"
    assert json.loads(call["body"])["organisation"] == DEALER
    # A wrong secret is refused by the receiver: the attempt fails.
    wrong = srv.dir / "wrong-secret"
    wrong.write_text("not the secret\n")
    wrong.chmod(0o600)
    out = srv.cli("alert", "test-notify", "--webhook", hooks.url, "--secret-file", str(wrong),
                  "--dealer", DEALER, "--wait", "5s", check=False)
    assert out.returncode == 1 and "HTTP 401" in out.stderr


def test_running_server_sends_what_others_queue(rig):
    pg, sink, hooks, srv = rig
    srv.start()
    try:
        inline = queue_mail(pg, "ap@example.com", attachment_sql=(
            "INSERT INTO notification_attachments (notification_id, position, file_name, "
            "content_type, content) VALUES ({id}, 0, 'abrechnung.csv', 'text/csv', "
            "convert_to('Seriennummer;Zähler\n', 'UTF8'))"))
        wait_for(lambda: state(pg, inline)[0] == "sent", timeout=30)
        mid = pg.psql(f"SELECT message_id FROM notifications WHERE id = {inline}").strip()
        msg = next(m for m in sink.messages if mid in m["Message-ID"])
        parts = list(msg.iter_attachments())
        assert [p.get_filename() for p in parts] == ["abrechnung.csv"]
        assert parts[0].get_payload(decode=True) == "Seriennummer;Zähler\n".encode()
        assert msg.get_body(("plain",)).get_content().strip() == "Bericht anbei."

        # A reference nothing can load: retried (max_attempts 3), then dead.
        ref = queue_mail(pg, "ap@example.com", attachment_sql=(
            "INSERT INTO notification_attachments (notification_id, position, file_name, "
            "content_type, source, source_id) VALUES ({id}, 0, 'r.pdf', 'application/pdf', "
            "'report_file', 7)"))
        wait_for(lambda: state(pg, ref) == ("dead", 3), timeout=60)
        err = pg.psql(f"SELECT last_error FROM notifications WHERE id = {ref}")
        assert "nothing loads source 'report_file'" in err
    finally:
        srv.stop()


def test_mails_share_a_session_and_a_closed_session_costs_no_attempt(rig):
    pg, sink, hooks, srv = rig
    srv.start()
    try:
        before = sink.connections
        first = [queue_mail(pg, f"s{i}@example.com", subject=f"Sitzung {i}") for i in range(6)]
        wait_for(lambda: all(state(pg, n) == ("sent", 1) for n in first), timeout=30)
        assert sink.connections - before <= 2  # two delivery workers
        sink.drop_connections()  # the SMTP server gives up on idle sessions
        dropped = sink.connections
        later = [queue_mail(pg, f"t{i}@example.com", subject=f"Neu {i}") for i in range(3)]
        wait_for(lambda: all(state(pg, n) == ("sent", 1) for n in later), timeout=30)
        assert sink.connections > dropped
    finally:
        srv.stop()
    for nid in first + later:
        mid = pg.psql(f"SELECT message_id FROM notifications WHERE id = {nid}").strip()
        assert sum(mid in m["Message-ID"] for m in sink.messages) == 1, nid


def test_failing_webhook_is_retried_then_dead_then_retried_by_hand(rig):
    pg, sink, hooks, srv = rig
    srv.start()
    try:
        hooks.fail_next = 3
        before = len(hooks.calls)
        # The running server may take the notification before the command
        # does; the command waits (up to its default minute) for the first
        # attempt, whoever makes it.
        out = srv.cli("alert", "test-notify", "--webhook", hooks.url, "--secret-file",
                      str(hooks.secret_file), "--dealer", DEALER, check=False)
        assert out.returncode == 1 and "HTTP 503" in out.stderr
        nid = int(pg.psql("SELECT max(id) FROM notifications WHERE channel = 'webhook'"))
        wait_for(lambda: state(pg, nid) == ("dead", 3), timeout=60)
        assert len(hooks.calls) - before == 3
        ids = {c["headers"]["x-openmps-delivery"] for c in hooks.calls[before:]}
        assert len(ids) == 1  # every attempt is the same delivery
        # Backoff: the attempts are at least retry_first apart.
        times = [c["at"] for c in hooks.calls[before:]]
        assert times[1] - times[0] >= 0.9
        assert "dead" in srv.cli("notify", "list", "--state", "dead").stdout
        srv.cli("notify", "retry", str(nid))
        wait_for(lambda: state(pg, nid) == ("sent", 1), timeout=30)
        assert ids.pop() in hooks.delivered
    finally:
        srv.stop()


def test_killed_while_the_smtp_server_holds_its_answer_the_mail_arrives_once(rig):
    pg, sink, hooks, srv = rig
    srv.start()
    sink.hold()
    nid = queue_mail(pg, "kill@example.com", subject="Nach dem Absturz")
    try:
        sink.wait_holding()
        kill(srv)  # the server dies waiting for the 250
    finally:
        sink.release()
    assert state(pg, nid) == ("queued", 0)  # the claim died with its transaction
    srv.start()
    try:
        wait_for(lambda: state(pg, nid)[0] == "sent", timeout=30)
    finally:
        srv.stop()
    mid = pg.psql(f"SELECT message_id FROM notifications WHERE id = {nid}").strip()
    assert sum(mid in m["Message-ID"] for m in sink.messages) == 1


def test_killed_while_a_webhook_holds_its_answer_the_retry_has_the_same_delivery_id(rig):
    pg, sink, hooks, srv = rig
    sealed = pg.psql("SELECT encode(webhook_secret, 'hex') FROM notifications "
                     "WHERE channel = 'webhook' AND state = 'sent' LIMIT 1").strip()
    srv.start()
    hooks.hold()
    nid = int(pg.psql(
        "INSERT INTO notifications (organisation_id, kind, channel, recipient, body, webhook_secret) "
        f"VALUES ({dealer_id(pg)}, 'alert.raised', 'webhook', '{hooks.url}', '{{\"n\":1}}', "
        f"decode('{sealed}', 'hex')) RETURNING id").split()[0])
    pg.psql("NOTIFY openmps_outbox")
    try:
        assert hooks.held.wait(30)
        kill(srv)
    finally:
        hooks.release()
    mid = pg.psql(f"SELECT message_id FROM notifications WHERE id = {nid}").strip()
    wait_for(lambda: mid in hooks.delivered, timeout=60)  # the receiver took the first call
    srv.start()
    try:
        wait_for(lambda: state(pg, nid)[0] == "sent", timeout=30)
    finally:
        srv.stop()
    # The retry after the crash is recognisable: same delivery id.
    assert hooks.duplicates.count(mid) == 1
    assert len(hooks.delivered) == len(set(hooks.delivered))


def test_two_servers_send_each_notification_once(rig, tmp_path):
    pg, sink, hooks, srv = rig
    other = OpenMpsServer(pg, tmp_path / "b", web=False, start=False)
    other.write_config(notify_section(sink, hooks))
    for name in ("master.key", "server.crt", "server.key"):  # one deployment, one master key
        (other.dir / name).write_bytes((srv.dir / name).read_bytes())
        (other.dir / name).chmod(0o600)
    org = dealer_id(pg)
    ids = [int(x) for x in pg.psql(
        "INSERT INTO notifications (organisation_id, kind, channel, recipient, subject, body) "
        f"SELECT {org}, 'report', 'email', 'many' || g || '@example.com', 'Nr ' || g, 'x' "
        "FROM generate_series(1, 40) g RETURNING id").split()]
    srv.start()
    other.start()
    try:
        wait_for(lambda: int(pg.psql("SELECT count(*) FROM notifications WHERE id = ANY('{%s}') "
                                     "AND state = 'sent'" % ",".join(map(str, ids)))) == 40,
                 timeout=60)
    finally:
        other.stop()
        srv.stop()
    mids = pg.psql("SELECT message_id FROM notifications WHERE id = ANY('{%s}')"
                   % ",".join(map(str, ids))).split()
    got = [m["Message-ID"] for m in sink.messages]
    for mid in mids:
        assert sum(mid in g for g in got) == 1, mid
    both = ("sent notification" in srv.log()) and ("sent notification" in other.log())
    print(f"\nboth servers sent some: {both}")

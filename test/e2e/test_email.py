# ctest-timeout: 400
"""The e-mail carrier end to end, with real servers on loopback:

client SMTP carrier ──SMTP (STARTTLS or implicit TLS, AUTH)──▶ aiosmtpd
    ──▶ Maildir ──▶ Dovecot ──IMAPS──▶ openmps-server run (mailbox poller)
    ──▶ ingest ──▶ PostgreSQL

Batches are sealed and mailed by test/tools/smtp_send_tool, which drives
the client's real SMTP carrier (client/carrier/smtp_carrier.cpp), so each
test can pick the exact mail it needs: a batch number, a mail delivered
twice, a tampered attachment, a key of another client, plain spam.
"""

import email
import email.policy
import os
from email.message import EmailMessage

import pytest

from openmps_test.batch_mail import (accepted_mail, mail_test_fixtures, readings, send, sent_ok,
                                     stored_batches)
from openmps_test.openmps_server import make_reading
from openmps_test.postgres import wait_for

CUSTOMER = "Mail Customer"


mail, pg, server, password_file = mail_test_fixtures("imaps", CUSTOMER, "Mail Dealer")


def inbox_empty(mail):
    return mail.folder_count("INBOX") == 0


def quarantined(mail):
    return mail.folder_count("Quarantine")


def wait_quarantine(mail, expected, srv):
    try:
        wait_for(lambda: quarantined(mail) == expected and inbox_empty(mail), timeout=60,
                 interval=0.2)
    except TimeoutError:
        pytest.fail(f"expected {expected} mails in quarantine, have {quarantined(mail)}, "
                    f"inbox {mail.folder_count('INBOX')}\n{srv.log()[-4000:]}")


def test_batches_travel_by_mail_into_postgres(server, pg, mail, password_file):
    client = server.add_collector(CUSTOMER)
    before = len(mail.accepted)
    sent_ok(send(mail, password_file, client.enrollment.text, 1, tls="starttls", items=3,
                 prefix="SN.e2e-", total=1000))
    sent_ok(send(mail, password_file, client.enrollment.text, 2, tls="implicit", items=3,
                 prefix="SN.e2e-", total=1500))
    assert len(mail.accepted) == before + 2
    # What went over SMTP names the client and batch and nothing of the fleet.
    # (The serials hold a '.', which neither base64 nor a MIME boundary
    # has, so a random boundary cannot contain them.)
    raw = accepted_mail(mail, client.client_id, 1)
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    assert msg["Subject"] == f"OpenMPS batch {client.client_id}/1"
    assert b"SN.e2e-" not in raw and b"Mail Test Printer" not in raw

    wait_for(lambda: stored_batches(pg, client.client_id) == [1, 2], timeout=60, interval=0.2)
    wait_for(lambda: inbox_empty(mail), timeout=60, interval=0.2)
    assert pg.psql("SELECT DISTINCT carrier FROM ingest_batches WHERE collector_id = "
                   f"{client.client_id}").split() == ["mail"]
    # 3 devices x 2 counters x 2 batches, each exactly once.
    assert readings(pg, "SN.e2e-") == 12
    fleet = server.fleet(customer=CUSTOMER)
    devices = {d["identity"]["serial"]: d for d in fleet_devices(fleet)}
    for i in range(3):
        assert devices[f"SN.e2e-{i}"]["counters"]["total"] == 1500 + i


def fleet_devices(fleet):
    if isinstance(fleet, dict):
        for key in ("devices", "fleet"):
            if key in fleet:
                return fleet[key]
    return fleet


def test_a_mail_delivered_twice_is_stored_once(server, pg, mail, password_file):
    client = server.add_collector(CUSTOMER)
    sent_ok(send(mail, password_file, client.enrollment.text, 1, prefix="TWICE-"))
    raw = accepted_mail(mail, client.client_id, 1)
    # The same mail arrives twice more (a relay retrying after a lost
    # acknowledgement does exactly this), once while the first is still
    # in the inbox and once after it was processed.
    mail.deliver_to_maildir(raw)
    wait_for(lambda: stored_batches(pg, client.client_id) == [1], timeout=60, interval=0.2)
    wait_for(lambda: inbox_empty(mail), timeout=60, interval=0.2)
    mail.deliver_to_maildir(raw)
    wait_for(lambda: inbox_empty(mail), timeout=60, interval=0.2)
    assert stored_batches(pg, client.client_id) == [1]
    assert readings(pg, "TWICE-") == 4
    assert server.log().count(f"client {client.client_id} batch 1 was already stored") >= 1


def test_tampered_mail_is_quarantined_and_the_genuine_one_still_stored(server, pg, mail,
                                                                       password_file, tmp_path):
    client = server.add_collector(CUSTOMER)
    q = quarantined(mail)
    genuine = tmp_path / "genuine.eml"
    result = send(mail, password_file, client.enrollment.text, 1, prefix="TAMPER-",
                  write_mail=genuine)
    assert result.returncode == 0, result.stderr
    msg = email.message_from_bytes(genuine.read_bytes(), policy=email.policy.default)
    attachment = next(p for p in msg.iter_attachments() if p.get_filename().endswith(".omps"))
    sealed = bytearray(attachment.get_content())
    sealed[80] ^= 0x01  # inside the ciphertext, after the 60-byte clear header
    attachment.set_content(bytes(sealed), maintype="application", subtype="octet-stream",
                           filename=attachment.get_filename())
    mail.send(msg.as_bytes(policy=email.policy.SMTP))
    wait_quarantine(mail, q + 1, server)
    assert stored_batches(pg, client.client_id) == []
    assert "fault 112" in server.log()  # tampered

    # The batch number was not burnt: the genuine mail is stored.
    mail.send(genuine.read_bytes())
    wait_for(lambda: stored_batches(pg, client.client_id) == [1], timeout=60, interval=0.2)
    assert readings(pg, "TAMPER-") == 4


def test_mail_sealed_for_another_client_is_quarantined(server, pg, mail, password_file):
    victim = server.add_collector(CUSTOMER)
    other = server.add_collector(CUSTOMER)
    q = quarantined(mail)
    sent_ok(send(mail, password_file, victim.enrollment.text, 1, prefix="FOREIGN-",
                 extra=("--key-from", other.enrollment.text)))
    wait_quarantine(mail, q + 1, server)
    assert stored_batches(pg, victim.client_id) == []
    assert stored_batches(pg, other.client_id) == []
    assert "fault 111" in server.log()  # wrong key
    assert readings(pg, "FOREIGN-") == 0


def test_spam_and_broken_mail_are_quarantined_and_do_not_block(server, pg, mail, password_file):
    client = server.add_collector(CUSTOMER)
    q = quarantined(mail)
    spam = EmailMessage()
    spam["From"] = "offers@spam.example"
    spam["To"] = mail.address
    spam["Subject"] = "Cheap toner, 90% off"
    spam.set_content("Click here.")
    mail.send(bytes(spam))
    # Claims to be ours, but carries no envelope.
    fake = EmailMessage()
    fake["From"] = "x@example.org"
    fake["To"] = mail.address
    fake["Subject"] = "OpenMPS batch 1/1"
    fake["X-OpenMPS-Envelope"] = "1"
    fake.set_content("no attachment here")
    mail.send(bytes(fake))
    # Binary garbage straight into the mailbox.
    mail.deliver_to_maildir(os.urandom(3000))
    sent_ok(send(mail, password_file, client.enrollment.text, 1, prefix="AFTERSPAM-"))
    wait_quarantine(mail, q + 3, server)
    wait_for(lambda: stored_batches(pg, client.client_id) == [1], timeout=60, interval=0.2)
    log = server.log()
    assert "not an OpenMPS mail" in log
    assert "malformed" in log


def test_missing_batches_are_reported(server, pg, mail, password_file):
    client = server.add_collector(CUSTOMER)
    for seq in (1, 2, 5):
        sent_ok(send(mail, password_file, client.enrollment.text, seq, prefix=f"GAP{seq}-"))
    wait_for(lambda: stored_batches(pg, client.client_id) == [1, 2, 5], timeout=60,
             interval=0.2)
    wait_for(lambda: f"client {client.client_id}: batches missing (never received): 3-4"
             in server.log(), timeout=60, interval=0.2)
    gaps = pg.psql("SELECT first_missing, last_missing FROM collector_batch_gaps "
                   f"WHERE collector_id = {client.client_id}").split()
    assert gaps == ["3|4"] or gaps == ["3", "4"], gaps
    sent_ok(send(mail, password_file, client.enrollment.text, 3, prefix="GAP3-"))
    sent_ok(send(mail, password_file, client.enrollment.text, 4, prefix="GAP4-"))
    wait_for(lambda: f"client {client.client_id}: no missing batches up to 5" in server.log(),
             timeout=60, interval=0.2)


def test_a_batch_that_came_by_xmlrpc_is_no_gap_in_the_mail(server, pg, mail, password_file):
    # A client whose enrollment lists XML-RPC first and mail as a fallback
    # sends most batches directly; only the mailed ones pass the poller.
    client = server.add_collector(CUSTOMER)
    sent_ok(send(mail, password_file, client.enrollment.text, 1, prefix="MIX1-"))
    wait_for(lambda: stored_batches(pg, client.client_id) == [1], timeout=60, interval=0.2)
    client.next_item = 2001  # beyond the item numbers the mailed batches use
    _, direct = client.seal([make_reading("MIX2-0")], batch_seq=2)
    assert server.submit(direct)["status"] == "stored"
    sent_ok(send(mail, password_file, client.enrollment.text, 3, prefix="MIX3-"))
    wait_for(lambda: stored_batches(pg, client.client_id) == [1, 2, 3], timeout=60, interval=0.2)
    # The round that stored batch 3 reports gaps before its summary line.
    stored3 = f"client {client.client_id} batch 3 stored"

    def round_ended():
        log = server.log()
        return stored3 in log and "mailbox: poll: " in log[log.index(stored3):]
    wait_for(round_ended, timeout=60, interval=0.2)
    log = server.log()
    assert f"client {client.client_id}: batches missing" not in log, log[-3000:]


def test_smtp_failures_are_retryable_and_never_count_as_sent(server, pg, mail, password_file):
    client = server.add_collector(CUSTOMER)
    before = len(mail.accepted)
    wrong = send(mail, password_file, client.enrollment.text, 1, password="not-the-password")
    assert wrong.returncode == 2 and wrong.stdout.startswith("retryable "), wrong.stdout
    untrusted = send(mail, password_file, client.enrollment.text, 1, ca=False)
    assert untrusted.returncode == 2, untrusted.stdout
    mail.reject_next = 1
    busy = send(mail, password_file, client.enrollment.text, 1)
    assert busy.returncode == 2 and "451" in busy.stdout, busy.stdout
    assert len(mail.accepted) == before
    # The wrong password never reaches the output either.
    assert "not-the-password" not in wrong.stdout + wrong.stderr
    sent_ok(send(mail, password_file, client.enrollment.text, 1, prefix="RETRY-"))
    wait_for(lambda: stored_batches(pg, client.client_id) == [1], timeout=60, interval=0.2)

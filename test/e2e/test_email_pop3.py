# ctest-timeout: 300
"""The e-mail carrier with the server collecting over POP3 (pop3s://):
client SMTP carrier ──▶ aiosmtpd ──▶ Maildir ──▶ Dovecot ──POP3S──▶
openmps-server run ──▶ PostgreSQL.

POP3 deletes only at the end of a session (QUIT) and has no folders, so
what differs from IMAP is tested here: a stored mail is gone from the
mailbox after its round, a repeat is acknowledged and deleted, and mail
that is set aside (spam, garbage, tampered) stays in the mailbox, never
blocks the mail behind it and is not examined again at every poll.
"""

import email
import email.policy
import os
from email.message import EmailMessage

from openmps_test.batch_mail import (accepted_mail, mail_test_fixtures, readings, send, sent_ok,
                                     stored_batches)
from openmps_test.postgres import wait_for

CUSTOMER = "Pop Customer"
KEPT = "POP3 has no folders: the mail with UIDL"


mail, pg, server, password_file = mail_test_fixtures("pop3s", CUSTOMER, "Pop Dealer")


def in_mailbox(mail) -> int:
    return mail.folder_count("INBOX")


def test_batches_are_stored_and_their_mails_deleted(server, pg, mail, password_file):
    client = server.add_collector(CUSTOMER)
    sent_ok(send(mail, password_file, client.enrollment.text, 1, prefix="POP1-"))
    sent_ok(send(mail, password_file, client.enrollment.text, 2, prefix="POP2-", tls="implicit"))
    wait_for(lambda: stored_batches(pg, client.client_id) == [1, 2], timeout=60, interval=0.2)
    # Deleted at the round's QUIT, not left for the next round to find.
    wait_for(lambda: in_mailbox(mail) == 0, timeout=60, interval=0.2)
    assert readings(pg, "POP1-") == 4 and readings(pg, "POP2-") == 4
    assert pg.psql("SELECT DISTINCT carrier FROM ingest_batches "
                   f"WHERE collector_id = {client.client_id}").split() == ["mail"]
    assert f"polling pop3s://{mail.host}:{mail.pop3s_port}" in server.log()


def test_a_mail_delivered_twice_is_stored_once(server, pg, mail, password_file):
    client = server.add_collector(CUSTOMER)
    sent_ok(send(mail, password_file, client.enrollment.text, 1, prefix="POPTWICE-"))
    raw = accepted_mail(mail, client.client_id, 1)
    mail.deliver_to_maildir(raw)
    wait_for(lambda: stored_batches(pg, client.client_id) == [1], timeout=60, interval=0.2)
    wait_for(lambda: in_mailbox(mail) == 0, timeout=60, interval=0.2)
    mail.deliver_to_maildir(raw)
    wait_for(lambda: in_mailbox(mail) == 0, timeout=60, interval=0.2)
    assert stored_batches(pg, client.client_id) == [1]
    assert readings(pg, "POPTWICE-") == 4
    assert server.log().count(f"client {client.client_id} batch 1 was already stored") >= 1


def test_mail_set_aside_stays_in_the_mailbox_and_blocks_nothing(server, pg, mail,
                                                                password_file, tmp_path):
    client = server.add_collector(CUSTOMER)
    kept_before = server.log().count(KEPT)
    spam = EmailMessage()
    spam["From"] = "offers@spam.example"
    spam["To"] = mail.address
    spam["Subject"] = "Cheap toner"
    spam.set_content("Click here.")
    mail.send(bytes(spam))
    mail.deliver_to_maildir(os.urandom(2000))
    genuine = tmp_path / "genuine.eml"
    assert send(mail, password_file, client.enrollment.text, 1, prefix="POPKEEP-",
                write_mail=genuine).returncode == 0
    msg = email.message_from_bytes(genuine.read_bytes(), policy=email.policy.default)
    attachment = next(p for p in msg.iter_attachments() if p.get_filename().endswith(".omps"))
    sealed = bytearray(attachment.get_content())
    sealed[80] ^= 0x01  # inside the ciphertext
    attachment.set_content(bytes(sealed), maintype="application", subtype="octet-stream",
                           filename=attachment.get_filename())
    mail.send(msg.as_bytes(policy=email.policy.SMTP))
    mail.send(genuine.read_bytes())  # behind the three bad ones

    wait_for(lambda: stored_batches(pg, client.client_id) == [1], timeout=60, interval=0.2)
    wait_for(lambda: server.log().count(KEPT) == kept_before + 3, timeout=60, interval=0.2)
    log = server.log()
    assert "not an OpenMPS mail" in log and "fault 112" in log
    wait_for(lambda: in_mailbox(mail) == 3, timeout=60, interval=0.2)

    # Later rounds skip them: batch 2 is stored, the three are not examined
    # again (one "stays in the mailbox" line each, not one per poll).
    sent_ok(send(mail, password_file, client.enrollment.text, 2, prefix="POPKEEP2-"))
    wait_for(lambda: stored_batches(pg, client.client_id) == [1, 2], timeout=60, interval=0.2)
    wait_for(lambda: in_mailbox(mail) == 3, timeout=60, interval=0.2)
    assert server.log().count(KEPT) == kept_before + 3

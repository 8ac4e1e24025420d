"""Real mail servers on loopback for the e-mail carrier tests.

MailServers starts, on free 127.0.0.1 ports and without privileges:

- an SMTP server (aiosmtpd) that accepts mail only after AUTH over TLS,
  once with STARTTLS (``smtp_port``) and once with implicit TLS
  (``smtps_port``), and delivers every accepted message into a Maildir;
- Dovecot serving that same Maildir over IMAP and POP3 with implicit TLS
  (``imaps_port``, ``pop3s_port``), users from a passwd-file.

A self-signed certificate for 127.0.0.1/localhost is made with openssl at
start (``cert_file`` doubles as the CA file clients must trust). Everything
lives in one temporary folder that stop() removes; the ``mail_servers``
pytest fixture stops the servers also when the test fails.

Used as root (CI) and as an ordinary user alike: Dovecot runs its mail
processes as whoever owns the Maildir, which is whoever runs the test.
"""

from __future__ import annotations

import ctypes
import imaplib
import logging
import os
import pwd
import shutil
import signal
import smtplib
import socket
import ssl
import subprocess
import tempfile
import time
import warnings
from pathlib import Path

import pytest

from openmps_test.postgres import free_port

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"

# aiosmtpd warns about its own deprecated attribute on every AUTH.
logging.getLogger("mail.log").setLevel(logging.ERROR)


def _die_with_parent():
    """Runs in the child before exec: if the test process dies (even by
    SIGKILL), the kernel sends the server SIGTERM, so nothing lingers."""
    libc = ctypes.CDLL(None, use_errno=True)
    pr_set_pdeathsig = 1
    libc.prctl(pr_set_pdeathsig, signal.SIGTERM)


def _wait_for_port(host: str, port: int, deadline: float, what: str, log: Path | None = None):
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    detail = log.read_text(errors="replace")[-3000:] if log and log.exists() else ""
    raise RuntimeError(f"{what} did not listen on {host}:{port}\n{detail}")


def make_certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 and localhost (its own CA)."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
         "-addext", "basicConstraints=critical,CA:TRUE",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True)
    os.chmod(key, 0o600)
    return cert, key


class _MaildirHandler:
    """aiosmtpd handler: every accepted message goes into the Maildir."""

    def __init__(self, servers: "MailServers"):
        self.servers = servers

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd API)
        if self.servers.reject_next:
            self.servers.reject_next -= 1
            return "451 4.3.0 temporarily refusing mail (test)"
        content = envelope.original_content or envelope.content
        self.servers.deliver_to_maildir(content)
        self.servers.accepted.append(
            {"from": envelope.mail_from, "to": list(envelope.rcpt_tos), "data": content})
        return "250 2.0.0 OK: queued"


class MailServers:
    def __init__(self, user: str = "openmps", password: str = "mail-secret-1"):
        self.host = "127.0.0.1"
        self.user = user
        self.password = password
        self.address = f"{user}@localhost"
        self.accepted: list[dict] = []
        self.reject_next = 0  # answer the next N DATA commands with a 4xx
        self.dir = Path(tempfile.mkdtemp(prefix="openmps-mail-"))
        self.home = self.dir / "home" / user
        self.maildir_path = self.home / "Maildir"
        self._controllers = []
        self._dovecot: subprocess.Popen | None = None
        self.smtp_port = self.smtps_port = self.imaps_port = self.pop3s_port = 0
        self._deliveries = 0
        # Dovecot will not run mail processes as root: as root, the mailbox
        # belongs to nobody; otherwise to whoever runs the test.
        if os.getuid() == 0:
            nobody = pwd.getpwnam("nobody")
            self.mail_uid, self.mail_gid = nobody.pw_uid, nobody.pw_gid
        else:
            self.mail_uid, self.mail_gid = os.getuid(), os.getgid()

    # ---- lifecycle -------------------------------------------------------
    def start(self) -> "MailServers":
        try:
            self.cert_file, self.key_file = make_certificate(self.dir)
            for sub in ("tmp", "new", "cur"):
                (self.maildir_path / sub).mkdir(parents=True, exist_ok=True)
            for path in (self.home, self.maildir_path, *(self.maildir_path / s
                                                          for s in ("tmp", "new", "cur"))):
                os.chown(path, self.mail_uid, self.mail_gid)
            self._start_smtp()
            self._start_dovecot()
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self):
        for controller in self._controllers:
            try:
                controller.stop()
            except Exception:  # already stopped or never started
                pass
        self._controllers = []
        if self._dovecot is not None:
            if self._dovecot.poll() is None:
                self._dovecot.send_signal(signal.SIGTERM)
                try:
                    self._dovecot.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    self._dovecot.kill()
                    self._dovecot.wait()
            self._dovecot = None
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    # ---- SMTP ------------------------------------------------------------
    def _authenticate(self, server, session, envelope, mechanism, auth_data):
        from aiosmtpd.smtp import AuthResult, LoginPassword
        ok = (isinstance(auth_data, LoginPassword)
              and auth_data.login.decode(errors="replace") == self.user
              and auth_data.password.decode(errors="replace") == self.password)
        return AuthResult(success=ok)

    def _server_tls_context(self) -> ssl.SSLContext:
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(self.cert_file, self.key_file)
        return ctx

    def _start_smtp(self):
        from aiosmtpd.controller import Controller
        handler = _MaildirHandler(self)
        common = dict(auth_required=True, authenticator=self._authenticate,
                      server_hostname="localhost", data_size_limit=8 << 20,
                      ready_timeout=60.0)
        self.smtp_port = free_port()
        starttls = Controller(handler, hostname=self.host, port=self.smtp_port,
                              tls_context=self._server_tls_context(), require_starttls=True,
                              auth_require_tls=True, **common)
        starttls.start()
        self._controllers.append(starttls)
        self.smtps_port = free_port()
        with warnings.catch_warnings():
            # "AUTH without requiring TLS": this connection is TLS throughout.
            warnings.simplefilter("ignore", UserWarning)
            implicit = Controller(handler, hostname=self.host, port=self.smtps_port,
                                  ssl_context=self._server_tls_context(),
                                  # aiosmtpd only counts STARTTLS as TLS; this whole
                                  # connection is TLS, so AUTH may be offered at once.
                                  auth_require_tls=False, **common)
            implicit.start()
        self._controllers.append(implicit)

    def deliver_to_maildir(self, content: bytes) -> str:
        """What a local delivery agent does: write into tmp/, then rename
        into new/, so Dovecot never sees half a message."""
        self._deliveries += 1
        name = f"{time.time_ns()}.P{os.getpid()}Q{self._deliveries}.openmps-test"
        tmp = self.maildir_path / "tmp" / name
        with open(tmp, "wb") as f:
            f.write(content.replace(b"\r\n", b"\n"))
            f.flush()
            os.fsync(f.fileno())
        os.chown(tmp, self.mail_uid, self.mail_gid)
        os.rename(tmp, self.maildir_path / "new" / name)
        return name

    def send(self, raw: bytes, sender: str | None = None, recipient: str | None = None):
        """Sends a raw message through the real SMTP server (STARTTLS + AUTH),
        as any other mail user agent would."""
        ctx = ssl.create_default_context(cafile=str(self.cert_file))
        with smtplib.SMTP(self.host, self.smtp_port, timeout=10) as smtp:
            smtp.starttls(context=ctx)
            smtp.login(self.user, self.password)
            smtp.sendmail(sender or "someone@example.org", [recipient or self.address], raw)

    # ---- Dovecot ---------------------------------------------------------
    def _start_dovecot(self):
        self.imaps_port = free_port()
        self.pop3s_port = free_port()
        uid, gid = self.mail_uid, self.mail_gid
        me = pwd.getpwuid(os.getuid()).pw_name
        if os.getuid() == 0:
            # Dovecot's own unprivileged users, created by its package.
            login_user, internal_user = "dovenull", "dovecot"
        else:
            login_user = internal_user = me
        run_dir = self.dir / "run"
        state_dir = self.dir / "state"
        run_dir.mkdir()
        state_dir.mkdir()
        passwd = self.dir / "passwd"
        passwd.write_text(f"{self.user}:{{PLAIN}}{self.password}\n")
        os.chmod(passwd, 0o644)
        self.dovecot_log = self.dir / "dovecot.log"
        conf = self.dir / "dovecot.conf"
        conf.write_text(f"""
protocols = imap pop3
listen = {self.host}
base_dir = {run_dir}
state_dir = {state_dir}
log_path = {self.dovecot_log}
info_log_path = {self.dovecot_log}
default_login_user = {login_user}
default_internal_user = {internal_user}
first_valid_uid = {uid}
last_valid_uid = {uid}
first_valid_gid = {gid}
ssl = required
ssl_cert = <{self.cert_file}
ssl_key = <{self.key_file}
ssl_min_protocol = TLSv1.2
auth_mechanisms = plain login
disable_plaintext_auth = yes
mail_location = maildir:~/Maildir
mail_uid = {uid}
mail_gid = {gid}
pop3_uidl_format = %08Xu%08Xv
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {passwd}
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={self.dir}/home/%u
}}
namespace inbox {{
  inbox = yes
  separator = /
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    port = 0
  }}
  inet_listener imaps {{
    port = {self.imaps_port}
    ssl = yes
  }}
}}
service pop3-login {{
  chroot =
  inet_listener pop3 {{
    port = 0
  }}
  inet_listener pop3s {{
    port = {self.pop3s_port}
    ssl = yes
  }}
}}
service anvil {{
  chroot =
}}
service stats {{
  unix_listener stats-reader {{
    mode = 0666
  }}
  unix_listener stats-writer {{
    mode = 0666
  }}
}}
""")
        # The whole tree must be reachable by Dovecot's unprivileged helpers.
        for path in (self.dir, self.dir / "home"):
            os.chmod(path, 0o755)
        self._dovecot = subprocess.Popen(
            [DOVECOT, "-F", "-c", str(conf)], stdout=subprocess.DEVNULL,
            stderr=open(self.dir / "dovecot.stderr", "wb"), start_new_session=True,
            preexec_fn=_die_with_parent)
        deadline = time.monotonic() + 60
        for port in (self.imaps_port, self.pop3s_port):
            if self._dovecot.poll() is not None:
                break
            _wait_for_port(self.host, port, deadline, "dovecot", self.dovecot_log)
        if self._dovecot.poll() is not None:
            err = (self.dir / "dovecot.stderr").read_text(errors="replace")
            raise RuntimeError(f"dovecot exited with {self._dovecot.returncode}: {err}")

    # ---- what tests look at ----------------------------------------------
    def tls_client_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.cert_file))

    def imap(self) -> imaplib.IMAP4_SSL:
        conn = imaplib.IMAP4_SSL(self.host, self.imaps_port, ssl_context=self.tls_client_context())
        conn.login(self.user, self.password)
        return conn

    def folder_count(self, folder: str = "INBOX") -> int:
        conn = self.imap()
        try:
            typ, data = conn.select(f'"{folder}"', readonly=True)
            if typ != "OK":
                return 0
            return int(data[0])
        finally:
            conn.logout()

    def folder_messages(self, folder: str = "INBOX") -> list[bytes]:
        conn = self.imap()
        try:
            typ, _ = conn.select(f'"{folder}"', readonly=True)
            if typ != "OK":
                return []
            typ, data = conn.uid("SEARCH", None, "ALL")
            out = []
            for uid in data[0].split():
                typ, parts = conn.uid("FETCH", uid, "(BODY.PEEK[])")
                out.append(parts[0][1])
            return out
        finally:
            conn.logout()

    def config(self) -> dict:
        """Everything a client or server configuration needs."""
        return {
            "host": self.host, "smtp_port": self.smtp_port, "smtps_port": self.smtps_port,
            "imaps_port": self.imaps_port, "pop3s_port": self.pop3s_port,
            "user": self.user, "password": self.password, "address": self.address,
            "ca_file": str(self.cert_file),
        }


@pytest.fixture
def mail_servers():
    servers = MailServers()
    servers.start()
    try:
        yield servers
    finally:
        servers.stop()

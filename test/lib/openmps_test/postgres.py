"""A private PostgreSQL 15 cluster for tests.

Starts a throw-away cluster (initdb in a temporary folder, a free port on
127.0.0.1, its socket in the same folder), creates a login role and a
database owned by it, and yields a connection URI. PostgreSQL refuses to run
as root, so when the tests run as root the server runs as the `postgres`
user through runuser; otherwise it runs as ourselves. The cluster stops and
its folder is removed when the fixture ends, also when the test failed.

Use it as a pytest fixture:

    from openmps_test.postgres import postgres  # noqa: F401  (fixture)

    def test_something(postgres):
        uri = postgres.uri                    # postgresql://openmps:...@127.0.0.1:PORT/openmps
        postgres.psql("SELECT 1")             # runs SQL as the database owner, returns stdout

or as a context manager outside pytest:

    with PostgresCluster() as pg:
        ...
"""

from __future__ import annotations

import contextlib
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

PG_BIN_CANDIDATES = ("/usr/lib/postgresql/15/bin",)

# Settings for a test cluster: data is thrown away, so durability is not
# worth its fsyncs. Benchmarks that compare against COPY use the same cluster
# for both sides, so the comparison stays fair.
FAST_SETTINGS = {
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_connections": "200",
    "shared_buffers": "128MB",
}

# Crash tests: what PostgreSQL acknowledged must survive a crash, so the
# durability settings are PostgreSQL's defaults again. Such a cluster lives
# in memory when the machine has room there (crashes of the process keep
# the kernel's copy; fsync then costs nothing, instead of seconds at every
# crash recovery).
DURABLE_SETTINGS = {"fsync": "on", "synchronous_commit": "on", "full_page_writes": "on"}
MEMORY_DIR = Path("/dev/shm")
MEMORY_NEEDED = 1 << 30


def _base_dir(settings: dict) -> str | None:
    if settings.get("fsync") != "on" or not MEMORY_DIR.is_dir():
        return None
    st = os.statvfs(MEMORY_DIR)
    return str(MEMORY_DIR) if st.f_bavail * st.f_frsize >= MEMORY_NEEDED else None


def find_pg_bin() -> Path:
    env = os.environ.get("OPENMPS_PG_BIN")
    candidates = [env] if env else []
    candidates += list(PG_BIN_CANDIDATES)
    for c in candidates:
        if c and (Path(c) / "initdb").exists():
            return Path(c)
    found = shutil.which("initdb")
    if found:
        return Path(found).parent
    raise RuntimeError("PostgreSQL 15 binaries (initdb, pg_ctl) not found; run scripts/setup")


def free_port(host: str = "127.0.0.1") -> int:
    with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


class PostgresCluster:
    """One private cluster with one role and one database."""

    def __init__(self, user: str = "openmps", database: str = "openmps", settings: dict | None = None):
        self.user = user
        self.database = database
        self.password = secrets.token_hex(16)
        self.settings = dict(FAST_SETTINGS)
        if settings:
            self.settings.update(settings)
        self.bin = find_pg_bin()
        self.host = "127.0.0.1"
        self.port = 0
        self.dir: Path | None = None
        self._started = False
        self._as_root = os.geteuid() == 0

    # -- URIs -------------------------------------------------------------
    @property
    def uri(self) -> str:
        return f"postgresql://{self.user}:{self.password}@{self.host}:{self.port}/{self.database}"

    @property
    def libpq_env(self) -> dict:
        """Environment for psql/libpq clients connecting as the owner role."""
        env = dict(os.environ)
        env.update(PGHOST=self.host, PGPORT=str(self.port), PGUSER=self.user,
                   PGPASSWORD=self.password, PGDATABASE=self.database)
        return env

    # -- running commands as the cluster's OS user --------------------------
    def _cmd(self, argv: list[str]) -> list[str]:
        if self._as_root:
            return ["runuser", "-u", "postgres", "--"] + argv
        return argv

    def _run(self, argv: list[str], **kw) -> subprocess.CompletedProcess:
        return subprocess.run(self._cmd(argv), check=True, capture_output=True, text=True,
                              cwd=self.dir, **kw)

    def _own(self, path: Path, mode: int) -> None:
        path.mkdir(mode=mode, exist_ok=True)
        os.chmod(path, mode)
        if self._as_root:
            pw = pwd.getpwnam("postgres")
            os.chown(path, pw.pw_uid, pw.pw_gid)

    # -- lifecycle ----------------------------------------------------------
    def start(self) -> "PostgresCluster":
        self.dir = Path(tempfile.mkdtemp(prefix="openmps-pg-", dir=_base_dir(self.settings)))
        os.chmod(self.dir, 0o755)  # the postgres user must reach its folders
        data = self.dir / "data"
        self.sock = self.dir / "sock"
        self._own(data, 0o700)
        self._own(self.sock, 0o775)
        superpw = self.dir / "sock" / "superpw"
        superpw.write_text(secrets.token_hex(16) + "\n")
        if self._as_root:
            pw = pwd.getpwnam("postgres")
            os.chown(superpw, pw.pw_uid, pw.pw_gid)
        os.chmod(superpw, 0o600)
        superuser = "postgres" if self._as_root else pwd.getpwuid(os.geteuid()).pw_name
        self._superuser = superuser
        self._run([str(self.bin / "initdb"), "-D", str(data), "-U", superuser, "-E", "UTF8",
                   "--locale=C.UTF-8", "--auth-local=peer", "--auth-host=scram-sha-256",
                   f"--pwfile={superpw}", "--no-sync"])
        superpw.unlink()
        options = " ".join(f"-c {k}={v}" for k, v in self.settings.items())
        last_error = ""
        for _ in range(5):  # the free port may be taken between probe and bind
            self.port = free_port(self.host)
            try:
                self._run([str(self.bin / "pg_ctl"), "-D", str(data), "-l",
                           str(self.sock / "postgres.log"), "-w", "-t", "60", "-o",
                           f"-c listen_addresses={self.host} -p {self.port} -k {self.sock} {options}",
                           "start"])
                self._started = True
                break
            except subprocess.CalledProcessError as e:
                last_error = (e.stdout or "") + (e.stderr or "") + self.log_tail()
        if not self._started:
            self.stop()
            raise RuntimeError(f"PostgreSQL did not start: {last_error}")
        # CREATEROLE: `openmps-server migrate` makes the API's own role
        # (<user>_api, NOBYPASSRLS) that each API request switches to.
        self.superuser_psql(f"CREATE ROLE {self.user} LOGIN CREATEROLE PASSWORD '{self.password}'")
        self.superuser_psql(f"CREATE DATABASE {self.database} OWNER {self.user}")
        return self

    def pause(self) -> None:
        """Stops the server but keeps the cluster (fault tests); resume() restarts it."""
        self._run([str(self.bin / "pg_ctl"), "-D", str(self.dir / "data"), "-m", "fast", "-w",
                   "-t", "30", "stop"])
        self._started = False

    def crash(self) -> None:
        """Stops the server the way a crash does (immediate shutdown: no
        checkpoint, crash recovery at the next start); resume() restarts it."""
        self._run([str(self.bin / "pg_ctl"), "-D", str(self.dir / "data"), "-m", "immediate", "-w",
                   "-t", "60", "stop"])
        self._started = False

    def resume(self) -> None:
        options = " ".join(f"-c {k}={v}" for k, v in self.settings.items())
        self._run([str(self.bin / "pg_ctl"), "-D", str(self.dir / "data"), "-l",
                   str(self.sock / "postgres.log"), "-w", "-t", "60", "-o",
                   f"-c listen_addresses={self.host} -p {self.port} -k {self.sock} {options}",
                   "start"])
        self._started = True

    def log_tail(self, lines: int = 40) -> str:
        if not self.dir:
            return ""
        log = self.dir / "sock" / "postgres.log"
        try:
            return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def superuser_psql(self, sql: str, database: str = "postgres") -> str:
        """Runs SQL as the cluster's superuser over the private socket."""
        out = self._run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", str(self.sock),
                         "-p", str(self.port), "-U", self._superuser, "-d", database,
                         "-At", "-c", sql])
        return out.stdout

    def psql(self, sql: str) -> str:
        """Runs SQL as the database owner over TCP; returns unaligned tuples-only output."""
        out = subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-At", "-c", sql],
                             env=self.libpq_env, check=True, capture_output=True, text=True)
        return out.stdout

    def stop(self) -> None:
        if self.dir is None:
            return
        if self._started:
            with contextlib.suppress(subprocess.CalledProcessError):
                self._run([str(self.bin / "pg_ctl"), "-D", str(self.dir / "data"), "-m",
                           "immediate", "-w", "-t", "30", "stop"])
            self._started = False
        shutil.rmtree(self.dir, ignore_errors=True)
        self.dir = None

    def __enter__(self) -> "PostgresCluster":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


@pytest.fixture
def postgres():
    """A fresh private cluster per test: role+database `openmps`, URI in .uri."""
    with PostgresCluster() as pg:
        yield pg


@pytest.fixture(scope="module")
def postgres_module():
    """One private cluster shared by the tests of a module."""
    with PostgresCluster() as pg:
        yield pg


def wait_for(predicate, timeout: float = 60.0, interval: float = 0.05):
    """Polls predicate until it returns a truthy value or timeout passes."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError("condition not met in time")
        time.sleep(interval)

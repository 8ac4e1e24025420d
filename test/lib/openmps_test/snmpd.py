"""A private net-snmp ``snmpd`` with SNMPv3 users on a free loopback port.

    users = [V3User("alice", "SHA-256", "authpass123", "AES", "privpass123"),
             V3User("bob", "SHA", "authpass456")]              # auth, no priv
    with Snmpd(users, contexts=["ctx1"]) as agent:
        agent.host, agent.port                                 # 127.0.0.1, free port
        agent.community                                        # v1/v2c read community

``V3User(name, auth, auth_password, priv=None, priv_password=None)``: auth is
one of MD5, SHA (SHA-1), SHA-224, SHA-256, SHA-384, SHA-512 or None (noAuthNoPriv);
priv is DES, AES (AES-128), AES-192, AES-256 or None. Each user may read
everything in every context, at its own security level.

Contexts: the agent's own data lives in the default context "". Each name in
``contexts`` is a context that serves the agent's system group (through a
proxy back to the agent itself); ``proxies={"printer": (host, port,
community)}`` makes a context that forwards the whole tree to another agent,
for example an snmpsim recording, so a simulated printer can be read over v3.
A request for any other context gets unknownContext.

``sys_descr`` / ``sys_name`` / ``sys_location`` set those objects so tests can
check values. The agent runs as the current user (root or not) with its
configuration and persistent state in a private temp folder; ``__enter__``
returns once it answers a v2c GET, ``__exit__`` stops it and cleans up.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from openmps_test.snmpsim import free_udp_port, snmp_get

SNMPD = "/usr/sbin/snmpd"


@dataclass
class V3User:
    name: str
    auth: str | None = None
    auth_password: str | None = None
    priv: str | None = None
    priv_password: str | None = None

    @property
    def level(self) -> str:
        if self.auth is None:
            return "noauth"
        return "priv" if self.priv else "auth"

    def create_line(self) -> str:
        line = f"createUser {self.name}"
        if self.auth:
            line += f' {self.auth} "{self.auth_password}"'
            if self.priv:
                line += f' {self.priv} "{self.priv_password}"'
        return line


class Snmpd:
    """A running snmpd; see the module docstring."""

    def __init__(self, users: list[V3User] | None = None, *, host: str = "127.0.0.1",
                 port: int | None = None, community: str = "public",
                 contexts: list[str] | None = None,
                 proxies: dict[str, tuple[str, int, str]] | None = None,
                 sys_descr: str = "OpenMPS test agent", sys_name: str = "openmps-test",
                 sys_location: str = "test lab", start_timeout: float = 20.0,
                 extra_config: list[str] | None = None):
        self.users = list(users or [])
        self.host = host
        self.port = port or free_udp_port(host)
        self.community = community
        self.contexts = list(contexts or [])
        self.proxies = dict(proxies or {})
        self.sys_descr, self.sys_name, self.sys_location = sys_descr, sys_name, sys_location
        self.start_timeout = start_timeout
        self.extra_config = list(extra_config or [])
        self.proc: subprocess.Popen | None = None
        self.tmp: Path | None = None

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"

    def __enter__(self) -> "Snmpd":
        try:
            self._start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def _start(self) -> None:
        self.tmp = Path(tempfile.mkdtemp(prefix="openmps-snmpd-"))
        conf = self.tmp / "conf"
        persist = self.tmp / "persist"
        conf.mkdir()
        persist.mkdir(mode=0o700)
        lines = [
            f"agentAddress udp:{self.host}:{self.port}",
            f"rocommunity {self.community} 127.0.0.0/8",
            "master no",
            f"sysDescr {self.sys_descr}",
            f"sysName {self.sys_name}",
            f"sysLocation {self.sys_location}",
            # Quiet and fast: no disk, process or load checks in a test agent.
            "dontLogTCPWrappersConnects yes",
        ]
        for user in self.users:
            lines.append(f"rouser {user.name} {user.level}")
        for ctx in self.contexts:
            lines.append(f"proxy -Cn {ctx} -v 2c -c {self.community} {self.host}:{self.port} "
                         ".1.3.6.1.2.1.1")
        for ctx, (host, port, community) in self.proxies.items():
            lines.append(f"proxy -Cn {ctx} -v 2c -c {community} {host}:{port} .1.3")
        lines += self.extra_config
        (conf / "snmpd.conf").write_text("\n".join(lines) + "\n")
        (conf / "snmp.conf").write_text("mibs :\n")
        (persist / "snmpd.conf").write_text(
            "".join(user.create_line() + "\n" for user in self.users))
        env = dict(os.environ, SNMPCONFPATH=f"{conf}:{persist}", SNMP_PERSISTENT_DIR=str(persist),
                   MIBS="", MIBDIRS="")
        self.log_path = self.tmp / "snmpd.log"
        self.proc = subprocess.Popen(
            [SNMPD, "-f", "-Lf", str(self.log_path), "-p", str(self.tmp / "snmpd.pid")],
            env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                break
            if snmp_get(self.host, self.port, self.community, timeout=0.3) is not None:
                return
        raise RuntimeError(f"snmpd did not answer on {self.address} (exit {self.proc.poll()}); "
                           f"its log:\n{self.log()}")

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-4000:]
        except (OSError, AttributeError):
            return ""

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None
        if self.tmp is not None:
            shutil.rmtree(self.tmp, ignore_errors=True)
            self.tmp = None

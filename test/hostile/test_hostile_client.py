# ctest-timeout: 300
"""The client against a hostile server and a hostile printer: the real
daemon (`run --once`) reads a simulated printer whose strings carry
newlines, terminal escapes, NUL and bytes that are not UTF-8, and sends to
a server on a plain xmlrpc:// route that answers with unclosed nesting,
deep arrays, entity expansion or a DOCTYPE. The client never crashes, keeps
the batch for the next attempt, writes no forged or raw line to its log,
and `status --json` stays valid JSON in valid UTF-8."""

import http.server
import json
import os
import re
import threading

import pytest

from openmps_test.client_cli import client
from openmps_test.openmps_server import Enrollment
from openmps_test.paths import source_dir
from openmps_test.postgres import free_port
from openmps_test.snmpsim import Snmpsim, free_udp_port

PRINTER = "127.0.67.1"
# Windows-1252 (0xC4 is Ä) with a control character: the serial as status --json lists it.
HOSTILE_SERIAL = b"OMPS\xc4KY\x1b0002"
HOSTILE_TEXT = b"Floor 2\n<3>FORGED client line\x1b[31m\x00\xff\xfe end"
# A line of the log that the device's text began (after the priority prefix
# every line has).
FORGED_LINE = re.compile(rb"(?m)^\s*(<\d>)?\s*FORGED")

ANSWERS = {
    "unclosed nesting": b"<?xml version='1.0'?><methodResponse>" + b"<a>" * 300_000,
    # Under the answer's size limit: the pre-scan refuses it, not the limit.
    "deep arrays": (b"<?xml version='1.0'?><methodResponse><params><param>" +
                    b"<value><array><data>" * 20_000 + b"</data></array></value>" * 20_000 +
                    b"</param></params></methodResponse>"),
    "entity expansion": (
        b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY l0 "lol">' +
        b"".join(b'<!ENTITY l%d "%s">' % (i, b"&l%d;" % (i - 1) * 10) for i in range(1, 10)) +
        b"]><methodResponse><params><param><value>&l9;</value></param></params>"
        b"</methodResponse>"),
}


class HostileServer(http.server.ThreadingHTTPServer):
    """Answers every POST with the same hostile body; counts the requests."""

    def __init__(self, body: bytes):
        self.body = body
        self.requests = 0

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(handler):  # noqa: N805
                handler.rfile.read(int(handler.headers.get("Content-Length", "0")))
                self.requests += 1
                handler.send_response(200)
                handler.send_header("Content-Type", "text/xml")
                handler.send_header("Content-Length", str(len(self.body)))
                handler.end_headers()
                handler.wfile.write(self.body)

            def log_message(handler, *args):  # noqa: N805
                pass

        super().__init__(("127.0.0.1", free_port()), Handler)
        self.thread = threading.Thread(target=self.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.shutdown()
        self.server_close()


def oid_key(line: str) -> list[int]:
    return [int(part) for part in line.split("|", 1)[0].split(".") if part.isdigit()]


def hostile_printer(folder):
    """The Kyocera fixture with a location and a name no printer should send."""
    text = (source_dir() / "test" / "fixtures" / "printers" / "kyocera_mono.snmprec").read_text()
    for oid, value in (("1.3.6.1.2.1.1.6.0", HOSTILE_TEXT), ("1.3.6.1.2.1.1.5.0", HOSTILE_TEXT),
                       ("1.3.6.1.4.1.1347.43.5.1.1.28.1", HOSTILE_SERIAL),
                       ("1.3.6.1.2.1.43.5.1.1.17.1", HOSTILE_SERIAL)):
        line = f"{oid}|4x|{value.hex()}"
        text, n = re.subn(rf"^{re.escape(oid)}\|4\|.*$", line, text, flags=re.M)
        if n == 0:  # snmpsim wants its lines in OID order
            text = "\n".join(sorted(text.splitlines() + [line], key=oid_key)) + "\n"
    path = folder / "hostile.snmprec"
    path.write_text(text)
    return path


@pytest.fixture(scope="module")
def printer(tmp_path_factory):
    folder = tmp_path_factory.mktemp("printer")
    port = free_udp_port(PRINTER)
    with Snmpsim(devices={(PRINTER, port): hostile_printer(folder)}, community="public"):
        yield port


def configure(tmp_path, port: int, route: str):
    config = tmp_path / "client.yaml"
    config.write_text(
        f"data_dir: {tmp_path / 'data'}\n"
        "local_ui: {enabled: false}\n"  # test_local_ui covers the UI
        "log_level: debug\n"
        "snmp: {timeout_ms: 1000, retries: 1}\n"
        "credentials: [{name: public, version: 2c, community: public}]\n"
        f"networks: [{{name: office, ranges: [\"{PRINTER}\"], port: {port}, "
        "credentials: [public]}]\n"
        "carrier: {send_interval: 0s, connect_timeout: 10s, request_timeout: 60s}\n")
    config.chmod(0o600)
    enrollment = Enrollment.encode(4242, os.urandom(32), [route], "ab" * 32)
    client("enroll", enrollment, "--config", str(config))
    return config


def status(config) -> dict:
    out = client("status", "--config", str(config), "--json")
    out.stdout.encode("utf-8")  # text mode decoded it: valid UTF-8
    return json.loads(out.stdout)


@pytest.mark.parametrize("attack", list(ANSWERS))
def test_a_hostile_answer_never_crashes_the_client(tmp_path, printer, attack):
    with HostileServer(ANSWERS[attack]) as hostile:
        config = configure(tmp_path, printer, f"xmlrpc://127.0.0.1:{hostile.server_address[1]}")
        for _ in range(2):  # the batch stays pending: the retry meets the same answer
            run = client("run", "--once", "--config", str(config), check=False, timeout=120)
            assert run.returncode >= 0, f"killed by signal {-run.returncode}:\n{run.stderr}"
        assert hostile.requests >= 2
        log = (run.stdout + run.stderr)
    state = status(config)
    assert state["outbox"]["committed_items"] >= 1, state  # kept for the next attempt
    assert not FORGED_LINE.search(log.encode()), log


def test_device_strings_reach_log_and_status_escaped(tmp_path, printer):
    with HostileServer(ANSWERS["deep arrays"]) as hostile:
        config = configure(tmp_path, printer, f"xmlrpc://127.0.0.1:{hostile.server_address[1]}")
        run = client("run", "--once", "--config", str(config), check=False, timeout=120,
                     text=False)
    raw = run.stdout + run.stderr
    assert not FORGED_LINE.search(raw), raw
    for byte in (b"\x00", b"\x1b", b"\xff", b"\xfe"):
        assert byte not in raw, f"raw {byte!r} in the client log"
    (device,) = status(config)["device_list"]  # valid JSON in valid UTF-8
    assert device["serial"] == "OMPS\u00c4KY0002", device
    probe = client("probe", f"{PRINTER}:{printer}", "--json", "--community", "public",
                   text=False)
    probe.stdout.decode("utf-8")  # raises on invalid UTF-8
    for byte in (b"\x00", b"\x1b", b"\xff", b"\xfe"):
        assert byte not in probe.stdout, f"raw {byte!r} printed by probe"
    reading = json.loads(probe.stdout)
    location = reading["identity"]["location"]
    assert "FORGED client line" in location and not any(c in location for c in "\x00\x1b\n\r")

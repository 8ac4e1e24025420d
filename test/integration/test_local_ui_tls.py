# ctest-timeout: 120
"""The local UI on an address other people can reach: customer IT lets it
listen there (allow_remote) only with a certificate, and then it speaks
HTTPS alone. Over a real TLS socket on 127.x: the setup code is logged with
the https address, the page and API answer over TLS, the session cookie is
Secure, and a plain-HTTP request gets no answer. Without TLS, allow_remote
on loopback keeps the Host check (DNS rebinding)."""

import http.client
import subprocess

import pytest

from openmps_test.local_ui import LocalUi, setup_code
from openmps_test.mail import make_certificate
from openmps_test.paths import client_binary
from openmps_test.postgres import free_port, wait_for

ADDRESS = "127.0.33.7"


def start_client(tmp_path, local_ui: str) -> tuple[subprocess.Popen, object]:
    config = tmp_path / "client.yaml"
    config.write_text(f"data_dir: {tmp_path / 'data'}\nlocal_ui: {local_ui}\n")
    config.chmod(0o600)
    log_path = tmp_path / "client.log"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen([str(client_binary()), "run", "--config", str(config)],
                                stdout=log, stderr=subprocess.STDOUT)
    return proc, log_path


def test_remote_local_ui_speaks_only_tls_with_secure_cookies(tmp_path):
    cert, key = make_certificate(tmp_path)
    port = free_port(ADDRESS)
    proc, log_path = start_client(
        tmp_path, f"{{listen: {ADDRESS}, port: {port}, allow_remote: true,"
                  f" tls: {{cert: {cert}, key: {key}}}}}")
    try:
        code = wait_for(lambda: setup_code(log_path), timeout=30, interval=0.1)
        assert code, log_path.read_text()
        assert f"open https://{ADDRESS}:{port} " in log_path.read_text()

        ui = LocalUi(port, host=ADDRESS, tls=True)
        status, page = ui.call("GET", "/")
        assert status == 200 and "<html" in page.lower(), page
        ui.set_up(code, "Printers-2026!")
        assert "; Secure" in ui.last_set_cookie, ui.last_set_cookie
        assert "SameSite=Strict" in ui.last_set_cookie, ui.last_set_cookie
        assert ui.get("/status")["enrolled"] is False

        plain = http.client.HTTPConnection(ADDRESS, port, timeout=30)
        with pytest.raises((http.client.HTTPException, OSError)):
            plain.request("GET", "/api/session", headers={"Host": f"{ADDRESS}:{port}"})
            plain.getresponse().read()
        plain.close()
    finally:
        proc.terminate()
        assert proc.wait(timeout=30) == 0, log_path.read_text()


def test_allow_remote_without_tls_keeps_the_host_check(tmp_path):
    port = free_port()
    proc, log_path = start_client(
        tmp_path, f"{{listen: 127.0.0.1, port: {port}, allow_remote: true}}")
    try:
        assert wait_for(lambda: setup_code(log_path), timeout=30, interval=0.1), \
            log_path.read_text()
        ui = LocalUi(port)
        assert ui.call("GET", "/api/session")[0] == 200
        status, body = ui.call("GET", "/api/session", headers={"Host": "evil.example"})
        assert status == 421, body
    finally:
        proc.terminate()
        assert proc.wait(timeout=30) == 0, log_path.read_text()

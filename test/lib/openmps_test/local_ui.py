"""The client's local UI API (client/local_ui/api.md) from a test, over plain
HTTP on loopback (or HTTPS, certificate not checked): the one-time setup code from the client's log, a session
cookie and the CSRF token like the page keeps them."""

import http.client
import json
import re
import ssl
from pathlib import Path

SETUP_CODE = re.compile(r"one-time setup code ([A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4})")


def setup_code(log_path: Path) -> str | None:
    """The setup code the client logged at start, or None (not yet)."""
    found = SETUP_CODE.search(log_path.read_text(errors="replace"))
    return found.group(1) if found else None


class LocalUi:
    def __init__(self, port: int, host: str = "127.0.0.1", tls: bool = False):
        self.host, self.port, self.tls = host, port, tls
        self.cookie = ""
        self.csrf = ""
        self.last_set_cookie = ""

    def call(self, method: str, path: str, body=None,
             headers: dict | None = None) -> tuple[int, dict | str]:
        """(status, parsed JSON or text) of one request to /api/... or a file."""
        if self.tls:
            conn = http.client.HTTPSConnection(self.host, self.port, timeout=30,
                                               context=ssl._create_unverified_context())
        else:
            conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
        try:
            h = {"Host": f"{self.host}:{self.port}"}
            if self.cookie:
                h["Cookie"] = self.cookie
            if self.csrf:
                h["X-CSRF-Token"] = self.csrf
            data = None
            if body is not None:
                data = json.dumps(body).encode()
                h["Content-Type"] = "application/json"
            h.update(headers or {})
            conn.request(method, path, body=data, headers=h)
            r = conn.getresponse()
            raw = r.read()
            cookie = r.getheader("Set-Cookie")
            self.last_set_cookie = cookie or ""
            if cookie:
                self.cookie = cookie.split(";", 1)[0]
            kind = r.getheader("Content-Type") or ""
            parsed = json.loads(raw) if "json" in kind and raw else raw.decode(errors="replace")
            if isinstance(parsed, dict) and parsed.get("csrf_token"):
                self.csrf = parsed["csrf_token"]
            return r.status, parsed
        finally:
            conn.close()

    def set_up(self, code: str, password: str) -> None:
        status, body = self.call("POST", "/api/setup", {"setup_code": code, "password": password})
        assert status == 200, body

    def get(self, path: str):
        status, body = self.call("GET", "/api" + path)
        assert status == 200, (path, status, body)
        return body

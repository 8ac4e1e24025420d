"""A client of openmps-server's REST API for tests, which checks every
answer against the contract, server/api/openapi.yaml: the operation must
exist for the method and path, the status must be one it declares, and a
JSON body must validate against the declared schema (JSON Schema 2020-12
with python3-jsonschema). A test therefore cannot pass on an answer the
contract does not describe.

    api = ApiClient(server.api_url, openapi_document())
    r = api.post("/api/v1/session", {"username": "anna", "password": "..."})
    assert r.status == 200 and r.json["stage"] == "complete"
    api.get("/api/v1/me").json["username"]

The client keeps cookies like a browser would (also Secure ones: the
connection is TLS) and sends the session's CSRF token on state-changing
requests once it has seen one (`csrf=False` leaves it out; tests of the
CSRF check). One keep-alive connection per client.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import re
import ssl
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path

import jsonschema
import yaml

from openmps_test.paths import source_dir


def openapi_document() -> dict:
    return yaml.safe_load((source_dir() / "server" / "api" / "openapi.yaml").read_text())


@dataclass
class Response:
    status: int
    headers: dict
    body: bytes
    set_cookies: list = field(default_factory=list)

    @property
    def json(self):
        return json.loads(self.body) if self.body else None

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


class ContractError(AssertionError):
    pass


class OpenApi:
    """The operations of the document, matched by method and path."""

    def __init__(self, doc: dict):
        self.doc = doc
        self.ops = []
        for template, item in doc.get("paths", {}).items():
            pattern = "^" + re.sub(r"\{[^/]+\}", "[^/]+", re.escape(template).replace(r"\{", "{")
                                   .replace(r"\}", "}")) + "$"
            for method, op in item.items():
                if method in ("get", "post", "put", "patch", "delete"):
                    self.ops.append((method.upper(), re.compile(pattern), template, op))
        self.resolver = jsonschema.RefResolver.from_schema(doc)

    def operation(self, method: str, path: str) -> tuple[str, dict]:
        for m, pattern, template, op in self.ops:
            if m == method and pattern.match(path):
                return template, op
        raise ContractError(f"{method} {path}: no such operation in openapi.yaml")

    def resolve(self, obj: dict) -> dict:
        while isinstance(obj, dict) and "$ref" in obj:
            _, obj = self.resolver.resolve(obj["$ref"])
        return obj

    def check(self, method: str, path: str, response: Response) -> None:
        template, op = self.operation(method, path)
        responses = op.get("responses", {})
        declared = responses.get(str(response.status)) or responses.get("default")
        if declared is None:
            raise ContractError(f"{method} {template}: status {response.status} is not declared "
                                f"(declared: {sorted(responses)}); body: {response.body[:300]!r}")
        declared = self.resolve(declared)
        content = declared.get("content", {})
        ctype = (response.header("content-type") or "").split(";")[0].strip()
        if not content:
            return
        if ctype not in content:
            raise ContractError(f"{method} {template} {response.status}: content type {ctype!r} "
                                f"is not declared ({sorted(content)})")
        schema = content[ctype].get("schema")
        if schema is None:
            return
        try:
            jsonschema.Draft202012Validator(schema, resolver=self.resolver).validate(response.json)
        except jsonschema.ValidationError as e:
            raise ContractError(f"{method} {template} {response.status}: the body does not match "
                                f"the contract: {e.message} at {list(e.absolute_path)}\n"
                                f"body: {response.body[:500]!r}") from None


class ApiClient:
    def __init__(self, base_url: str, contract: dict | OpenApi | None = None, *,
                 check: bool = True, source: str | None = None):
        m = re.match(r"https://([^:/]+):(\d+)", base_url)
        self.host, self.port = m.group(1), int(m.group(2))
        self.contract = contract if isinstance(contract, OpenApi) else OpenApi(contract or
                                                                               openapi_document())
        self.check = check
        # The address requests come from (any of 127.0.0.0/8): lockouts are
        # per source address, so tests keep theirs apart.
        self.source = source
        self.cookies: dict[str, str] = {}
        self.csrf: str | None = None
        self._conn: http.client.HTTPSConnection | None = None

    def _connection(self) -> http.client.HTTPSConnection:
        if self._conn is None:
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
            self._conn = http.client.HTTPSConnection(
                self.host, self.port, timeout=60, context=ctx,
                source_address=(self.source, 0) if self.source else None)
        return self._conn

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def request(self, method: str, path: str, body=None, *, headers: dict | None = None,
                csrf: bool = True, raw: bytes | None = None, content_type: str = "application/json",
                cookies: bool = True) -> Response:
        h = {"Accept": "application/json"}
        data = raw
        if body is not None:
            data = json.dumps(body).encode()
        if data is not None:
            h["Content-Type"] = content_type
        if cookies and self.cookies:
            h["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if csrf and self.csrf and method not in ("GET", "HEAD"):
            h["X-CSRF-Token"] = self.csrf
        h.update(headers or {})
        for attempt in range(2):
            conn = self._connection()
            try:
                conn.request(method, path, body=data, headers=h)
                resp = conn.getresponse()
                payload = resp.read()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.close()  # the server ended an idle keep-alive connection
                if attempt:
                    raise
        set_cookies = resp.headers.get_all("Set-Cookie") or []
        response = Response(resp.status, {k.lower(): v for k, v in resp.getheaders()}, payload,
                            set_cookies)
        if resp.getheader("Connection", "").lower() == "close":
            self.close()
        self._remember(response)
        if self.check:
            self.contract.check(method, path.split("?")[0], response)
        return response

    def _remember(self, response: Response) -> None:
        for header in response.set_cookies:
            cookie = SimpleCookie()
            cookie.load(header)
            for name, morsel in cookie.items():
                if morsel["max-age"] == "0" or morsel.value == "":
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        body = None
        with contextlib.suppress(ValueError):
            body = response.json
        if isinstance(body, dict) and "csrf_token" in body and body["csrf_token"]:
            self.csrf = body["csrf_token"]

    def get(self, path: str, **kw) -> Response:
        return self.request("GET", path, **kw)

    def post(self, path: str, body=None, **kw) -> Response:
        return self.request("POST", path, body, **kw)

    def patch(self, path: str, body=None, **kw) -> Response:
        return self.request("PATCH", path, body, **kw)

    def delete(self, path: str, **kw) -> Response:
        return self.request("DELETE", path, **kw)

    # -- signing in ---------------------------------------------------------
    def sign_in(self, username: str, password: str, totp_secret: str | None = None) -> Response:
        """Signs in; with a TOTP secret (base32) also through the second factor."""
        r = self.post("/api/v1/session", {"username": username, "password": password})
        if r.status == 200 and r.json["stage"] == "second_factor" and totp_secret:
            import pyotp
            r = self.post("/api/v1/session/second-factor", {"code": pyotp.TOTP(totp_secret).now()})
        return r

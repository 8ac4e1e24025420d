"""An OpenID Connect provider on loopback, over TLS, for the sign-in tests.

Serves what openmps-server uses of a provider (Keycloak, Azure AD, ...):
the discovery document, the JWKS, an authorization endpoint and a token
endpoint for the authorization code flow with PKCE. Keys, ID tokens and the
PKCE check come from Debian's python3-authlib (authlib.jose,
authlib.oauth2.rfc7636); the HTTP side is the standard library's.

There is no login page: the authorization endpoint signs in whoever the
test put in ``provider.user`` and redirects straight back, as a provider
does for a browser that is signed in already. Tests can make the provider
misbehave (``provider.tamper``): sign with a key it does not publish, issue
for another audience, send an expired token, or change the nonce.

    with OidcProvider(client_id="openmps", client_secret="s3cret") as provider:
        provider.issuer        # https://127.0.0.1:PORT
        provider.ca_file       # the certificate to trust
"""

from __future__ import annotations

import base64
import json
import secrets
import ssl
import tempfile
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from authlib.jose import JsonWebKey, jwt
from authlib.oauth2.rfc7636 import create_s256_code_challenge

from openmps_test.mail import make_certificate


class OidcProvider:
    def __init__(self, client_id: str, client_secret: str, redirect_uri: str = ""):
        self.client_id = client_id
        self.client_secret = client_secret
        self.redirect_uri = redirect_uri  # set before sign-ins when not known yet
        self.key = JsonWebKey.generate_key("RSA", 2048, is_private=True, options={"kid": "k1"})
        self.stranger_key = JsonWebKey.generate_key("RSA", 2048, is_private=True,
                                                    options={"kid": "k1"})
        self.user = {"sub": "subject-1", "email": "anna@example.com", "email_verified": True,
                     "name": "Anna Example"}
        self.tamper: str | None = None  # wrong_key, wrong_audience, expired, wrong_nonce
        self.codes: dict[str, dict] = {}
        self.token_requests: list[dict] = []
        self.dir = Path(tempfile.mkdtemp(prefix="openmps-oidc-"))
        self.ca_file, self.key_file = make_certificate(self.dir)
        self._server: ThreadingHTTPServer | None = None

    @property
    def issuer(self) -> str:
        return f"https://127.0.0.1:{self._server.server_address[1]}"

    def start(self) -> "OidcProvider":
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def do_GET(self):  # noqa: N802 (http.server API)
                provider._get(self)

            def do_POST(self):  # noqa: N802
                provider._post(self)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(self.ca_file, self.key_file)
        self._server.socket = ctx.wrap_socket(self._server.socket, server_side=True)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> "OidcProvider":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # -- endpoints ------------------------------------------------------------
    def _json(self, h, status: int, doc: dict) -> None:
        body = json.dumps(doc).encode()
        h.send_response(status)
        h.send_header("Content-Type", "application/json")
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        h.wfile.write(body)

    def _get(self, h) -> None:
        url = urllib.parse.urlsplit(h.path)
        if url.path == "/.well-known/openid-configuration":
            self._json(h, 200, {
                "issuer": self.issuer,
                "authorization_endpoint": self.issuer + "/authorize",
                "token_endpoint": self.issuer + "/token",
                "jwks_uri": self.issuer + "/jwks",
                "response_types_supported": ["code"],
                "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "code_challenge_methods_supported": ["S256"],
            })
        elif url.path == "/jwks":
            self._json(h, 200, {"keys": [self.key.as_dict(is_private=False, use="sig",
                                                           alg="RS256")]})
        elif url.path == "/authorize":
            self._authorize(h, dict(urllib.parse.parse_qsl(url.query)))
        else:
            self._json(h, 404, {"error": "not_found"})

    def _authorize(self, h, q: dict) -> None:
        problems = []
        if q.get("response_type") != "code":
            problems.append("response_type")
        if q.get("client_id") != self.client_id:
            problems.append("client_id")
        if self.redirect_uri and q.get("redirect_uri") != self.redirect_uri:
            problems.append("redirect_uri")
        if q.get("code_challenge_method") != "S256" or not q.get("code_challenge"):
            problems.append("pkce")
        if "openid" not in q.get("scope", "").split():
            problems.append("scope")
        if problems:
            self._json(h, 400, {"error": "invalid_request", "fields": problems})
            return
        code = secrets.token_urlsafe(24)
        self.codes[code] = {"challenge": q["code_challenge"], "nonce": q.get("nonce", ""),
                            "redirect_uri": q["redirect_uri"], "user": dict(self.user)}
        location = q["redirect_uri"] + "?" + urllib.parse.urlencode(
            {"code": code, "state": q.get("state", "")})
        h.send_response(302)
        h.send_header("Location", location)
        h.send_header("Content-Length", "0")
        h.end_headers()

    def _post(self, h) -> None:
        if urllib.parse.urlsplit(h.path).path != "/token":
            self._json(h, 404, {"error": "not_found"})
            return
        length = int(h.headers.get("Content-Length", "0"))
        form = dict(urllib.parse.parse_qsl(h.rfile.read(length).decode()))
        self.token_requests.append(form)
        auth = h.headers.get("Authorization", "")
        expected = "Basic " + base64.b64encode(
            f"{urllib.parse.quote(self.client_id, safe='')}:"
            f"{urllib.parse.quote(self.client_secret, safe='')}".encode()).decode()
        if auth != expected:
            self._json(h, 401, {"error": "invalid_client"})
            return
        grant = self.codes.pop(form.get("code", ""), None)
        if (grant is None or form.get("grant_type") != "authorization_code"
                or form.get("redirect_uri") != grant["redirect_uri"]):
            self._json(h, 400, {"error": "invalid_grant"})
            return
        if create_s256_code_challenge(form.get("code_verifier", "")) != grant["challenge"]:
            self._json(h, 400, {"error": "invalid_grant", "error_description": "PKCE"})
            return
        self._json(h, 200, {"access_token": secrets.token_urlsafe(16), "token_type": "Bearer",
                            "expires_in": 300, "id_token": self._id_token(grant)})

    def _id_token(self, grant: dict) -> str:
        now = int(time.time())
        claims = {"iss": self.issuer, "aud": self.client_id, "iat": now, "exp": now + 300,
                  "nonce": grant["nonce"], **grant["user"]}
        key = self.key
        if self.tamper == "wrong_key":
            key = self.stranger_key
        elif self.tamper == "wrong_audience":
            claims["aud"] = "another-client"
        elif self.tamper == "expired":
            claims["iat"], claims["exp"] = now - 900, now - 600
        elif self.tamper == "wrong_nonce":
            claims["nonce"] = "not-the-nonce"
        token = jwt.encode({"alg": "RS256", "kid": "k1"}, claims, key)
        return token.decode() if isinstance(token, bytes) else token

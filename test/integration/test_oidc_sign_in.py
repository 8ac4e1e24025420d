# ctest-timeout: 180
"""Single sign-on with OpenID Connect against a real provider on loopback
over TLS (openmps_test.oidc_provider: authlib keys, ID tokens and PKCE):
the browser's round trip through /api/v1/auth/oidc/start, the provider and
the callback, users created in the configured organisation or matched by
e-mail inside it, and every way the answer can be untrustworthy: a foreign
signature, another audience, an expired token, a changed nonce, another
browser, a replayed answer, an unverified address, a disabled user."""

import json
import ssl
import urllib.parse
import urllib.request

import pytest

from openmps_test.api_client import ApiClient
from openmps_test.oidc_provider import OidcProvider
from openmps_test.openmps_server import OpenMpsServer, TEST_AUTH, STRONG_PASSWORD
from openmps_test.postgres import PostgresCluster, free_port

STRONG = STRONG_PASSWORD


@pytest.fixture(scope="module")
def pg():
    with PostgresCluster() as cluster:
        yield cluster


@pytest.fixture(scope="module")
def provider():
    with OidcProvider(client_id="openmps", client_secret="s3cret/+&") as p:
        yield p


@pytest.fixture(scope="module")
def server(pg, provider, tmp_path_factory):
    work = tmp_path_factory.mktemp("server")
    (work / "oidc-secret").write_text(provider.client_secret + "\n")
    srv = OpenMpsServer(pg, work, start=False)
    redirect = f"{srv.api_url}/api/v1/auth/oidc/callback"
    provider.redirect_uri = redirect
    srv.auth = TEST_AUTH + f"""  oidc:
    issuer: {provider.issuer}
    client_id: openmps
    client_secret_file: oidc-secret
    redirect_uri: {redirect}
    organisation: Print Partner
    default_role: dealer_technician
    ca_file: {provider.ca_file}
    button_label: Partner ID
"""
    srv.write_config()
    with srv:
        srv.add_dealer("Print Partner")
        srv.add_dealer("Other Dealer")
        srv.start()
        yield srv


_addresses = iter(range(10, 250))


def browser(server) -> ApiClient:
    return ApiClient(server.api_url, source=f"127.0.1.{next(_addresses)}")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def provider_redirect(provider, url: str) -> str:
    """The provider's answer to the browser: where it sends it back."""
    ctx = ssl.create_default_context(cafile=str(provider.ca_file))
    opener = urllib.request.build_opener(urllib.request.HTTPSHandler(context=ctx), _NoRedirect)
    try:
        opener.open(url)
    except urllib.error.HTTPError as e:
        assert e.code == 302, e.read()
        return e.headers["Location"]
    raise AssertionError("the provider did not redirect")


def sso(server, provider, api: ApiClient | None = None, callback_client: ApiClient | None = None):
    """One sign-on; returns (the client that got the callback, its answer)."""
    api = api or browser(server)
    start = api.get("/api/v1/auth/oidc/start")
    assert start.status == 302
    back = provider_redirect(provider, start.header("location"))
    assert back.startswith(server.api_url + "/api/v1/auth/oidc/callback?")
    target = back[len(server.api_url):]
    client = callback_client or api
    return client, client.get(target)


def sql(pg, query: str) -> str:
    return pg.psql(query).strip()


def test_the_portal_learns_about_single_sign_on(server):
    methods = browser(server).get("/api/v1/auth/methods").json
    assert methods == {"password": True, "oidc": {"enabled": True, "label": "Partner ID",
                                                  "start": "/api/v1/auth/oidc/start"}}


def test_the_authorization_request_uses_pkce_state_and_nonce(server, provider):
    start = browser(server).get("/api/v1/auth/oidc/start")
    [binding] = [c for c in start.set_cookies if c.startswith("omps_oidc=")]
    assert "SameSite=Lax" in binding and "HttpOnly" in binding and "Secure" in binding
    q = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(start.header("location")).query))
    assert q["code_challenge_method"] == "S256" and len(q["code_challenge"]) == 43
    assert q["state"] and q["nonce"] and q["state"] != q["nonce"]
    assert q["scope"] == "openid email profile" and q["client_id"] == "openmps"


def test_a_new_person_is_created_in_the_organisation(server, provider, pg):
    provider.user = {"sub": "s-anna", "email": "anna@example.com", "email_verified": True,
                     "name": "Anna Example"}
    api, r = sso(server, provider)
    assert r.status == 302 and r.header("location") == "/"
    assert "omps_oidc" not in api.cookies and "omps_session" in api.cookies
    me = api.get("/api/v1/me").json
    assert (me["username"], me["role"], me["organisation"]["name"], me["display_name"]) == \
        ("anna@example.com", "dealer_technician", "Print Partner", "Anna Example")
    assert me["has_password"] is False
    verifier = provider.token_requests[-1]["code_verifier"]
    assert len(verifier) >= 43
    # The same person again: the same user, through the linked identity.
    api2, r2 = sso(server, provider)
    assert api2.get("/api/v1/me").json["id"] == me["id"]
    assert sql(pg, "SELECT count(*) FROM users WHERE username = 'anna@example.com'") == "1"
    actor = sql(pg, "SELECT actor FROM audit_log WHERE action = 'user.create' ORDER BY id DESC "
                    "LIMIT 1")
    assert actor == f"oidc:{provider.issuer}"


def test_an_existing_user_is_matched_by_e_mail(server, provider, pg):
    pw = server.dir / "pw"
    pw.write_text(STRONG)
    server.cli("user", "add", "bert@example.com", "--role", "dealer_admin", "--dealer",
               "Print Partner", "--password-file", str(pw))
    provider.user = {"sub": "s-bert", "email": "Bert@Example.com", "email_verified": True}
    api, r = sso(server, provider)
    me = api.get("/api/v1/me").json
    assert (me["username"], me["role"]) == ("bert@example.com", "dealer_admin")
    assert sql(pg, "SELECT count(*) FROM oidc_identities WHERE subject = 's-bert'") == "1"


def refused(server, provider, pg, **kw) -> None:
    before = int(sql(pg, "SELECT count(*) FROM sessions"))
    api, r = sso(server, provider, **kw)
    assert r.status == 302 and r.header("location") == "/?sign_in_error=sso"
    assert "omps_session" not in api.cookies
    assert api.get("/api/v1/me").status == 401
    assert int(sql(pg, "SELECT count(*) FROM sessions")) == before


@pytest.mark.parametrize("tamper,why", [
    ("wrong_key", "signature does not verify"),
    ("wrong_audience", "id_token.aud"),
    ("expired", "expired"),
    ("wrong_nonce", "nonce"),
])
def test_an_untrustworthy_token_signs_nobody_in(server, provider, pg, tamper, why):
    provider.user = {"sub": "s-carl", "email": "carl@example.com", "email_verified": True}
    provider.tamper = tamper
    try:
        refused(server, provider, pg)
    finally:
        provider.tamper = None
    detail = sql(pg, "SELECT detail FROM audit_log WHERE action = 'session.sign_in_failed' "
                     "ORDER BY id DESC LIMIT 1")
    assert why in detail
    assert sql(pg, "SELECT count(*) FROM users WHERE username = 'carl@example.com'") == "0"


def test_the_answer_belongs_to_the_browser_that_asked_once(server, provider, pg):
    provider.user = {"sub": "s-dora", "email": "dora@example.com", "email_verified": True}
    refused(server, provider, pg, callback_client=browser(server))  # another browser
    api = browser(server)
    start = api.get("/api/v1/auth/oidc/start")
    back = provider_redirect(provider, start.header("location"))[len(server.api_url):]
    assert api.get(back).header("location") == "/"
    replay = browser(server)
    replay.cookies.update(api.cookies)
    replay.cookies.pop("omps_session", None)
    assert replay.get(back).header("location") == "/?sign_in_error=sso"


def test_an_unverified_address_and_a_disabled_user_are_refused(server, provider, pg):
    provider.user = {"sub": "s-eve", "email": "eve@example.com", "email_verified": False}
    refused(server, provider, pg)
    provider.user = {"sub": "s-anna", "email": "anna@example.com", "email_verified": True}
    server.cli("user", "disable", "anna@example.com")
    refused(server, provider, pg)
    server.cli("user", "enable", "anna@example.com")
    api, r = sso(server, provider)
    assert r.header("location") == "/"

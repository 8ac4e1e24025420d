# ctest-timeout: 300
"""Signing in to the real openmps-server over HTTPS, with PostgreSQL: cookie
flags, the password policy, lockout per account and per source address and
its end, idle logout, CSRF, session fixation, TOTP against python3-pyotp as
the independent authenticator, recovery codes, required TOTP and required
password change, users and API tokens of the caller's subtree, idle
accounts, and the audit log. Every answer is checked against
server/api/openapi.yaml (openmps_test.api_client).

Time-based rules (lock expiry, idle logout, 180 idle days) are moved by
setting the stored times back, the one clock the test controls; their
arithmetic is unit-tested with a manual clock."""

import json
import subprocess
import time

import pyotp
import pytest

from openmps_test.api_client import ApiClient, OpenApi, openapi_document
from openmps_test.openmps_server import OpenMpsServer, STRONG_PASSWORD
from openmps_test.postgres import PostgresCluster

STRONG = STRONG_PASSWORD
# Cheap Argon2id for speed; TOTP required for customer admins, so that
# enrolment at sign-in is tested, not for the dealer admin the tests use.
AUTH = """auth:
  password:
    hash_memory_kib: 1024
    hash_iterations: 1
  totp_required: [customer_admin]
"""


@pytest.fixture(scope="module")
def pg():
    with PostgresCluster() as cluster:
        yield cluster


@pytest.fixture(scope="module")
def server(pg, tmp_path_factory):
    with OpenMpsServer(pg, tmp_path_factory.mktemp("server"), auth=AUTH) as srv:
        srv.add_dealer("Print Partner")
        srv.add_customer("Acme", "Print Partner")
        srv.add_customer("Globex", "Print Partner")
        srv.add_dealer("Other Dealer")
        srv.add_customer("Initech", "Other Dealer")
        srv.add_user("dana", "dealer_admin", "--dealer", "Print Partner")
        srv.add_user("olga", "dealer_admin", "--dealer", "Other Dealer")
        yield srv


@pytest.fixture(scope="module")
def contract():
    return OpenApi(openapi_document())


_addresses = iter(range(10, 250))


def client(server, contract) -> ApiClient:
    """A client from a loopback address of its own (lockouts are per address)."""
    return ApiClient(server.api_url, contract, source=f"127.0.0.{next(_addresses)}")


def sql(pg, query: str) -> str:
    return pg.psql(query).strip()


def actions(pg, username: str) -> list[str]:
    return sql(pg, "SELECT string_agg(action, ',' ORDER BY id) FROM audit_log WHERE target_id = "
                   f"(SELECT id::text FROM users WHERE username = '{username}')").split(",")


def org_id(pg, name: str) -> int:
    return int(sql(pg, f"SELECT id FROM organisations WHERE name = '{name}'"))


def test_the_description_is_served_and_is_the_file(server, contract):
    raw = ApiClient(server.api_url, contract, check=False).get("/api/v1/openapi.json")
    assert raw.status == 200
    assert raw.json == openapi_document()


def test_sign_in_sets_a_strict_cookie_and_answers_me(server, contract, pg):
    api = client(server, contract)
    assert api.get("/api/v1/me").status == 401
    r = api.post("/api/v1/session", {"username": "Dana", "password": STRONG})
    assert r.status == 200 and r.json["stage"] == "complete"
    [cookie] = r.set_cookies
    assert cookie.startswith("omps_session=")
    flags = [f.strip() for f in cookie.split(";")[1:]]
    assert set(flags) == {"HttpOnly", "Secure", "SameSite=Strict", "Path=/"}
    me = api.get("/api/v1/me").json
    assert (me["username"], me["role"], me["kind"]) == ("dana", "dealer_admin", "user")
    assert me["csrf_token"] == r.json["csrf_token"]
    assert {"listUsers", "createApiToken", "getMe"} <= set(me["operations"])
    session_id = cookie.split(";")[0].split("=", 1)[1]
    assert session_id not in pg.psql("SELECT encode(id_hash, 'escape') FROM sessions")
    assert "session.sign_in" in actions(pg, "dana")


def test_wrong_password_and_unknown_user_answer_alike(server, contract):
    api = client(server, contract)
    wrong = api.post("/api/v1/session", {"username": "dana", "password": STRONG + "x"})
    unknown = api.post("/api/v1/session", {"username": "nobody", "password": STRONG})
    assert wrong.status == unknown.status == 401
    assert wrong.json["detail"] == unknown.json["detail"] == "wrong user name or password"


def test_five_failures_lock_the_account_until_the_lock_ends(server, contract, pg):
    server.add_user("lena", "dealer_technician", "--dealer", "Print Partner")
    for i in range(4):
        attacker = client(server, contract)  # from four addresses: the account counts
        assert attacker.post("/api/v1/session", {"username": "lena", "password": f"guess{i}"}) \
            .status == 401
    r = client(server, contract).post("/api/v1/session", {"username": "lena", "password": "x"})
    assert r.status == 429 and 800 <= int(r.header("retry-after")) <= 900
    owner = client(server, contract)
    assert owner.post("/api/v1/session", {"username": "lena", "password": STRONG}).status == 429
    assert "session.locked" in actions(pg, "lena")
    # The lock's end, moved to now.
    pg.psql("UPDATE sign_in_locks SET locked_until = now() - interval '1 second' "
            "WHERE key = 'lena'")
    assert owner.post("/api/v1/session", {"username": "lena", "password": STRONG}).status == 200


def test_failures_from_one_address_lock_the_address(server, contract):
    # The default allows 30 per address (an office behind one NAT), each
    # account 5: thirty names tried once each from one address.
    api = client(server, contract)
    for i in range(29):
        assert api.post("/api/v1/session", {"username": f"someone{i}", "password": "x"}) \
            .status == 401
    assert api.post("/api/v1/session", {"username": "someone9", "password": "x"}).status == 429
    assert api.post("/api/v1/session", {"username": "dana", "password": STRONG}).status == 429
    assert client(server, contract).post(
        "/api/v1/session", {"username": "dana", "password": STRONG}).status == 200


def test_state_changes_need_the_csrf_header(server, contract):
    api = client(server, contract)
    api.sign_in("dana", STRONG)
    body = {"display_name": "Dana D."}
    missing = api.patch("/api/v1/me", body, csrf=False)
    assert missing.status == 403 and "X-CSRF-Token" in missing.json["detail"]
    forged = api.patch("/api/v1/me", body, csrf=False, headers={"X-CSRF-Token": "forged"})
    assert forged.status == 403
    assert api.patch("/api/v1/me", body).status == 200


def test_a_planted_session_id_is_never_promoted(server, contract, pg):
    api = client(server, contract)
    api.cookies["omps_session"] = "A" * 43  # an id an attacker chose
    r = api.sign_in("dana", STRONG)
    assert api.cookies["omps_session"] != "A" * 43
    # A real session sent along with a sign-in ends; the new one is new.
    old = api.cookies["omps_session"]
    thief = client(server, contract)
    thief.cookies["omps_session"] = old
    assert thief.get("/api/v1/me").status == 200
    api.sign_in("dana", STRONG)
    assert api.cookies["omps_session"] != old
    assert thief.get("/api/v1/me").status == 401
    assert r.status == 200


def test_an_idle_session_ends(server, contract, pg):
    api = client(server, contract)
    api.sign_in("dana", STRONG)
    assert api.get("/api/v1/me").status == 200
    pg.psql("UPDATE sessions SET last_seen_at = now() - interval '31 minutes', "
            "created_at = now() - interval '1 hour' WHERE user_id = "
            "(SELECT id FROM users WHERE username = 'dana')")
    r = api.get("/api/v1/me")
    assert r.status == 401 and "expired" in r.json["detail"]


def test_sign_out_ends_the_session(server, contract):
    api = client(server, contract)
    api.sign_in("dana", STRONG)
    session = api.cookies["omps_session"]
    assert api.delete("/api/v1/session").status == 204
    assert "omps_session" not in api.cookies
    api.cookies["omps_session"] = session
    assert api.get("/api/v1/me").status == 401


def test_totp_enrolment_sign_in_and_replay(server, contract, pg):
    server.add_user("tom", "dealer_technician", "--dealer", "Print Partner")
    api = client(server, contract)
    api.sign_in("tom", STRONG)
    enrolment = api.post("/api/v1/me/totp/enrolment").json
    assert enrolment["qr_svg"].startswith("<svg") and "otpauth://totp/OpenMPS:tom" in \
        enrolment["otpauth_uri"]
    totp = pyotp.TOTP(enrolment["secret"])
    assert api.post("/api/v1/me/totp/confirmation", {"code": "000000"}).status == 401
    confirmed = api.post("/api/v1/me/totp/confirmation", {"code": totp.now()})
    assert confirmed.status == 200
    codes = confirmed.json["recovery_codes"]
    assert enrolment["secret"] not in pg.psql("SELECT encode(totp_secret, 'escape') FROM users")
    # The next sign-in asks for the second factor; pyotp's code completes it.
    other = client(server, contract)
    first = other.post("/api/v1/session", {"username": "tom", "password": STRONG})
    assert first.json["stage"] == "second_factor"
    assert set(other.get("/api/v1/me").json["operations"]) <= {
        "signOut", "submitSecondFactor", "getMe", "changeMyPassword", "startTotpEnrolment",
        "confirmTotp"}
    assert other.get("/api/v1/users").status == 403  # nothing else before the code
    pending_cookie = other.cookies["omps_session"]
    # The confirmation used this step's code; the next step's is accepted
    # (one step of drift), whichever step the server is in by now.
    code = totp.at(time.time() + 30)
    done = other.post("/api/v1/session/second-factor", {"code": code})
    assert done.status == 200 and done.json["stage"] == "complete"
    assert other.cookies["omps_session"] != pending_cookie  # a new id at each step
    # The same code does not work twice (replay within its window).
    third = client(server, contract)
    third.post("/api/v1/session", {"username": "tom", "password": STRONG})
    assert third.post("/api/v1/session/second-factor", {"code": code}).status == 401
    # A recovery code works once.
    assert third.post("/api/v1/session/second-factor", {"code": codes[0].upper()}).status == 200
    fourth = client(server, contract)
    fourth.post("/api/v1/session", {"username": "tom", "password": STRONG})
    assert fourth.post("/api/v1/session/second-factor", {"code": codes[0]}).status == 401
    assert "user.recovery_code_used" in actions(pg, "tom")


def test_a_role_that_requires_totp_enrols_at_sign_in(server, contract):
    server.add_user("cora", "customer_admin", "--customer", "Acme")
    api = client(server, contract)
    r = api.post("/api/v1/session", {"username": "cora", "password": STRONG})
    assert r.json["stage"] == "totp_enrolment"
    blocked = api.get("/api/v1/users")
    assert blocked.status == 403 and blocked.json["type"].endswith("sign-in-incomplete")
    assert api.get("/api/v1/me").json["totp_required"] is True
    secret = api.post("/api/v1/me/totp/enrolment").json["secret"]
    done = api.post("/api/v1/me/totp/confirmation", {"code": pyotp.TOTP(secret).now()})
    assert done.json["stage"] == "complete" and len(done.json["recovery_codes"]) == 10
    assert api.get("/api/v1/users").status == 200


def test_a_one_time_password_must_be_changed_first(server, contract, pg):
    dealer = client(server, contract)
    dealer.sign_in("dana", STRONG)
    made = dealer.post("/api/v1/users", {"username": "tim", "organisation_id":
                                         org_id(pg, "Print Partner"),
                                         "role": "dealer_technician"})
    assert made.status == 201
    one_time = made.json["one_time_password"]
    api = client(server, contract)
    assert api.post("/api/v1/session", {"username": "tim", "password": one_time}) \
        .json["stage"] == "password_change"
    assert api.patch("/api/v1/me", {"locale": "de"}).status == 403
    weak = api.post("/api/v1/me/password", {"current_password": one_time,
                                            "new_password": "Password1!"})
    assert weak.status == 422 and weak.json["invalid_params"][0]["name"] == "new_password"
    ok = api.post("/api/v1/me/password", {"current_password": one_time, "new_password": STRONG})
    assert ok.status == 200 and ok.json["stage"] == "complete"
    assert api.patch("/api/v1/me", {"locale": "de"}).json["locale"] == "de"


def test_users_of_the_subtree_only(server, contract, pg):
    dealer = client(server, contract)
    dealer.sign_in("dana", STRONG)
    acme = org_id(pg, "Acme")
    site = dealer.post("/api/v1/organisations", {"kind": "site", "name": "Head office",
                                                 "parent_id": acme}).json["id"]
    made = dealer.post("/api/v1/users", {"username": "vic", "organisation_id": acme,
                                         "role": "customer_viewer", "password": STRONG,
                                         "site_ids": [site]})
    assert made.status == 201 and made.json["user"]["restricted"] is True
    assert "one_time_password" not in made.json
    vic = made.json["user"]["id"]
    names = {u["username"] for u in dealer.get("/api/v1/users?limit=500").json["items"]}
    assert {"dana", "vic"} <= names and "olga" not in names
    # Another dealer's admin sees none of it and cannot reach it.
    other = client(server, contract)
    other.sign_in("olga", STRONG)
    assert other.get(f"/api/v1/users/{vic}").status == 404
    assert {u["username"] for u in other.get("/api/v1/users").json["items"]} == {"olga"}
    assert other.post("/api/v1/users", {"username": "x1", "organisation_id": acme,
                                        "role": "customer_viewer"}).status == 404
    # Roles above one's own, or that do not fit, are refused.
    assert dealer.post("/api/v1/users", {"username": "x2", "organisation_id": acme,
                                         "role": "dealer_admin"}).status == 422
    assert dealer.post("/api/v1/users", {"username": "x3", "organisation_id": 1,
                                         "role": "root_admin"}).status == 404
    # Bad input names the field.
    bad = dealer.post("/api/v1/users", {"username": "x4", "organisation_id": "one",
                                        "role": "customer_viewer"})
    assert bad.status == 422 and bad.json["invalid_params"][0]["name"] == "organisation_id"
    unknown = dealer.post("/api/v1/users", {"username": "x5", "organisation_id": acme,
                                            "role": "customer_viewer", "admin": True})
    assert unknown.status == 422 and unknown.json["invalid_params"][0]["name"] == "admin"
    assert dealer.post("/api/v1/users", raw=b"{not json").status == 400
    assert dealer.get("/api/v1/users/..%2F..%2Fetc").status == 404
    assert sql(pg, "SELECT count(*) FROM users WHERE username LIKE 'x_'") == "0"


def test_changes_need_the_etag_and_disabling_ends_sessions(server, contract, pg):
    server.add_user("gus", "customer_viewer", "--customer", "Globex")
    gus = client(server, contract)
    gus.sign_in("gus", STRONG)
    dealer = client(server, contract)
    dealer.sign_in("dana", STRONG)
    uid = int(sql(pg, "SELECT id FROM users WHERE username = 'gus'"))
    got = dealer.get(f"/api/v1/users/{uid}")
    etag = got.header("etag")
    assert dealer.patch(f"/api/v1/users/{uid}", {"disabled": True}).status == 428
    assert dealer.patch(f"/api/v1/users/{uid}", {"disabled": True},
                        headers={"If-Match": 'W/"stale"'}).status == 412
    r = dealer.patch(f"/api/v1/users/{uid}", {"disabled": True}, headers={"If-Match": etag})
    assert r.status == 200 and r.json["disabled"] is True
    assert gus.get("/api/v1/me").status == 401
    assert client(server, contract).post(
        "/api/v1/session", {"username": "gus", "password": STRONG}).status == 403
    assert "user.disable" in actions(pg, "gus")
    entry = json.loads(sql(pg, "SELECT row_to_json(a) FROM audit_log a WHERE action = "
                               "'user.disable' ORDER BY id DESC LIMIT 1"))
    assert entry["actor"] == "dana" and entry["peer"].startswith("127.0.0.")
    assert entry["before"] == {"disabled": False} or entry["before"]["disabled"] is False


def test_api_tokens_are_shown_once_scoped_and_revocable(server, contract, pg):
    dealer = client(server, contract)
    dealer.sign_in("dana", STRONG)
    made = dealer.post("/api/v1/api-tokens", {"name": "ERP export", "role": "customer_viewer",
                                              "organisation_id": org_id(pg, "Acme")})
    assert made.status == 201
    token = made.json["token"]
    assert token not in pg.psql("SELECT encode(token_hash, 'hex') || hint FROM api_tokens")
    listed = dealer.get("/api/v1/api-tokens").json["items"]
    assert "token" not in listed[0] and listed[0]["hint"] == token[:12]
    bot = ApiClient(server.api_url, contract, source="127.0.0.250")
    me = bot.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status == 200 and me.json["kind"] == "api_token"
    assert me.json["organisation"]["name"] == "Acme"
    assert "getMe" in me.json["operations"] and "listUsers" not in me.json["operations"]
    # A token needs no CSRF header, cannot manage users, cannot make tokens.
    assert bot.patch("/api/v1/me", {"locale": "fr"},
                     headers={"Authorization": f"Bearer {token}"}).status == 403
    assert bot.get("/api/v1/users", headers={"Authorization": f"Bearer {token}"}).status == 403
    assert dealer.post("/api/v1/api-tokens", {"name": "too high", "role": "root_admin",
                                              "organisation_id": 1}).status == 404
    token_id = made.json["api_token"]["id"]
    assert dealer.delete(f"/api/v1/api-tokens/{token_id}").status == 204
    assert bot.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status == 401
    expiring = dealer.post("/api/v1/api-tokens", {"name": "short", "role": "dealer_technician",
                                                  "expires_at": "2000-01-01T00:00:00Z"})
    assert expiring.status == 422 and expiring.json["invalid_params"][0]["name"] == "expires_at"


def test_users_idle_for_180_days_are_disabled(server, contract, pg):
    server.add_user("ida", "dealer_technician", "--dealer", "Print Partner")
    pg.psql("UPDATE users SET created_at = now() - interval '181 days', last_sign_in_at = "
            "now() - interval '181 days' WHERE username = 'ida'")
    r = client(server, contract).post("/api/v1/session", {"username": "ida", "password": STRONG})
    assert r.status == 403
    assert sql(pg, "SELECT disabled_reason FROM users WHERE username = 'ida'") == "idle"
    assert "user.disable" in actions(pg, "ida")
    server.cli("user", "enable", "ida")
    assert client(server, contract).post(
        "/api/v1/session", {"username": "ida", "password": STRONG}).status == 200


def test_the_audit_log_reads_newest_first_inside_the_subtree(server, contract, pg):
    dealer = client(server, contract)
    dealer.sign_in("dana", STRONG)
    page = dealer.get("/api/v1/audit-log?limit=5").json
    ids = [e["id"] for e in page["items"]]
    assert ids == sorted(ids, reverse=True) and len(ids) == 5 and page["next_after"]
    older = dealer.get(f"/api/v1/audit-log?limit=5&after={page['next_after']}").json["items"]
    assert older[0]["id"] < ids[-1]
    sign_ins = dealer.get("/api/v1/audit-log?action=session.sign_in&actor=dana&limit=500")
    entries = sign_ins.json["items"]
    assert entries and all(e["action"].startswith("session.sign_in") for e in entries)
    assert all(e["actor"] == {"kind": "user", "id": entries[0]["actor"]["id"], "name": "dana"}
               for e in entries)
    # Nothing of the other dealer's organisation, nor of the root's.
    everything = dealer.get("/api/v1/audit-log?limit=500").json["items"]
    organisations = {e["organisation"]["name"] for e in everything}
    assert organisations <= {"Print Partner", "Acme", "Globex"}
    other = client(server, contract)
    other.sign_in("olga", STRONG)
    assert {e["organisation"]["name"]
            for e in other.get("/api/v1/audit-log?limit=500").json["items"]} == {"Other Dealer"}
    assert dealer.get("/api/v1/audit-log?from=yesterday").status == 400


def test_sign_ins_failures_and_lockouts_are_audited_never_with_secrets(server, pg):
    counts = dict(line.split("|") for line in pg.psql(
        "SELECT action, count(*) FROM audit_log GROUP BY action").split())
    for action in ("session.sign_in", "session.sign_in_failed", "session.locked", "user.create",
                   "user.totp_enable", "user.password_change", "api_token.create",
                   "api_token.revoke", "session.sign_out"):
        assert int(counts.get(action, 0)) >= 1, action
    everything = pg.psql("SELECT row_to_json(a) FROM audit_log a")
    assert STRONG not in everything
    with pytest.raises(subprocess.CalledProcessError):
        pg.psql("DELETE FROM audit_log WHERE action = 'session.sign_in_failed'")

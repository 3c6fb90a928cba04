"""Server-side sessions, account management and the login and code limits (issue 13,
item 8), on SQLite and PostgreSQL."""

import os
import re
import threading
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from conftest import WEB_PASSWORD, csrf_of, https_client, run_cli, web_setup
from proactief.accounts.throttle import Throttle
from proactief.accounts.users import change_password, set_active
from proactief.web import create_app

NEW_PASSWORD = "molen-tulp-fiets-88"


@pytest.fixture
def web(engine: Engine) -> dict[str, Any]:
    return web_setup(engine, b"s" * 32)


def _login(c: TestClient, name: str, password: str = WEB_PASSWORD, **headers: str) -> Any:
    token = csrf_of(c.get("/login", headers=headers).text)
    return c.post(
        "/login",
        data={"gebruikersnaam": name, "wachtwoord": password, "csrf_token": token},
        headers=headers,
    )


def _copy(c: TestClient, app: Any) -> TestClient:
    """Another browser with the same session cookie (a stolen or copied cookie)."""
    thief = https_client(app)
    thief.cookies.set("proactief_sessie", c.cookies["proactief_sessie"])
    return thief


def test_logout_ends_the_session_on_the_server(web: dict[str, Any]) -> None:
    c = https_client(web["app"])
    assert _login(c, "teamleider").status_code == 303
    copy = _copy(c, web["app"])
    assert copy.get("/werkvoorraad").status_code == 200
    token = csrf_of(c.get("/werkvoorraad").text)
    assert c.post("/uitloggen", data={"csrf_token": token}).status_code == 303
    # the cookie as it was before logging out no longer opens anything
    after = copy.get("/werkvoorraad")
    assert after.status_code == 303 and after.headers["location"].startswith("/login")


def test_a_password_change_or_disabling_ends_every_session(web: dict[str, Any]) -> None:
    first, second = https_client(web["app"]), https_client(web["app"])
    _login(first, "contactmedewerker")
    _login(second, "teamleider")
    with web["engine"].begin() as conn:
        assert (
            change_password(conn=conn, gebruikersnaam="contactmedewerker", wachtwoord=NEW_PASSWORD)
            == 1
        )
        assert set_active(conn=conn, gebruikersnaam="teamleider", actief=False) == 1
    for c in (first, second):
        assert c.get("/werkvoorraad").status_code == 303
    assert _login(https_client(web["app"]), "contactmedewerker", NEW_PASSWORD).status_code == 303
    assert _login(https_client(web["app"]), "teamleider").status_code == 401


def test_a_resident_logout_ends_the_resident_session(web: dict[str, Any]) -> None:
    c = https_client(web["app"])
    token = csrf_of(c.get("/inwoner").text)
    assert c.post("/inwoner", data={"code": web["code"], "csrf_token": token}).status_code == 303
    copy = _copy(c, web["app"])
    page = c.get("/inwoner/mijn")
    assert page.status_code == 200
    c.post("/inwoner/uitloggen", data={"csrf_token": csrf_of(page.text)})
    assert copy.get("/inwoner/mijn").headers["location"] == "/inwoner"


def test_forty_parallel_guesses_are_five_checked_passwords(web: dict[str, Any]) -> None:
    """The limit counts each attempt before the check, atomically: of 40 simultaneous
    wrong passwords for one name, exactly 5 are checked (401) and 35 refused (429)."""
    clients = [https_client(web["app"]) for _ in range(40)]
    tokens = [csrf_of(c.get("/login").text) for c in clients]
    barrier = threading.Barrier(len(clients))
    codes: list[int] = []

    def guess(c: TestClient, token: str) -> None:
        barrier.wait()
        response = c.post(
            "/login",
            data={
                "gebruikersnaam": "beheerder",
                "wachtwoord": "fout-fout-fout",
                "csrf_token": token,
            },
        )
        codes.append(response.status_code)

    threads = [
        threading.Thread(target=guess, args=pair) for pair in zip(clients, tokens, strict=True)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert sorted(codes) == [401] * 5 + [429] * 35


def test_a_spoofed_forwarded_address_gets_no_limit_of_its_own(web: dict[str, Any]) -> None:
    """Without a trusted proxy, X-Forwarded-For is ignored: changing it does not reset
    the limit."""
    c = https_client(web["app"])
    for n in range(5):
        assert (
            _login(c, "analist", "fout-fout-fout", **{"X-Forwarded-For": f"10.9.9.{n}"}).status_code
            == 401
        )
    refused = _login(c, "analist", "fout-fout-fout", **{"X-Forwarded-For": "10.9.9.99"})
    assert refused.status_code == 429
    # when to try again, for people and for programs
    assert 0 < int(refused.headers["retry-after"]) <= 15 * 60 + 1
    assert re.search(r"Probeer het over \d+ minu(ut|ten) opnieuw", refused.text)


def test_behind_a_trusted_proxy_each_client_has_its_own_limit_and_https_gets_hsts(
    engine: Engine,
) -> None:
    web_setup(engine, b"t" * 32)  # the users and the case
    # the test client talks plain http to the app, as a TLS-ending proxy does: the cookie
    # then has to come back without the Secure flag
    app = create_app(
        engine=engine,
        secret_key=b"t" * 32,
        secure_cookies=False,
        trusted_proxies=["127.0.0.1", "testclient"],
    )
    c = TestClient(app, base_url="http://testserver", follow_redirects=False)
    behind = {"X-Forwarded-Proto": "https"}
    for _ in range(5):
        _login(c, "analist", "fout-fout-fout", **behind, **{"X-Forwarded-For": "203.0.113.7"})
    assert (
        _login(
            c, "analist", "fout-fout-fout", **behind, **{"X-Forwarded-For": "203.0.113.7"}
        ).status_code
        == 429
    )
    other = _login(c, "analist", "fout-fout-fout", **behind, **{"X-Forwarded-For": "198.51.100.4"})
    assert other.status_code == 401
    # https as the proxy reports it: HSTS; plain http straight to the app: none
    assert "max-age=31536000" in c.get("/", headers=behind).headers["strict-transport-security"]
    assert "strict-transport-security" not in c.get("/").headers


def test_two_processes_share_one_counter(engine: Engine) -> None:
    """The counter lives in the database: a second server (another Throttle on the same
    database) sees the attempts of the first."""
    first, second = Throttle(engine, "3/15 minutes"), Throttle(engine, "3/15 minutes")
    assert [first.attempt("k"), second.attempt("k"), first.attempt("k")] == [True] * 3
    assert second.attempt("k") is False and first.attempt("other") is True
    assert 0 < second.retry_after("k") <= 15 * 60 + 1


def test_users_list_disable_enable_and_password_on_the_command_line(tmp_path: Path) -> None:
    env = dict(os.environ, PROACTIEF_DATA_DIR=str(tmp_path / "data"), COLUMNS="200")
    env.pop("PROACTIEF_DATABASE_URL", None)
    made = run_cli(
        ["users", "add", "anna", "--rol", "analist"], env, PROACTIEF_NIEUW_WACHTWOORD=NEW_PASSWORD
    )
    assert made.returncode == 0, made.stderr
    weak = run_cli(["users", "add", "bob"], env, PROACTIEF_NIEUW_WACHTWOORD="aaaaaaaaaaaa")
    assert weak.returncode == 2 and "te makkelijk te raden" in " ".join(weak.stderr.split())
    assert run_cli(["users", "disable", "anna"], env).returncode == 0
    listing = run_cli(["users", "list"], env)
    assert listing.returncode == 0 and "anna" in listing.stdout and "uit" in listing.stdout
    assert run_cli(["users", "enable", "anna"], env).returncode == 0
    assert "aan" in run_cli(["users", "list"], env).stdout
    changed = run_cli(
        ["users", "password", "anna"], env, PROACTIEF_NIEUW_WACHTWOORD=NEW_PASSWORD + "x"
    )
    assert changed.returncode == 0, changed.stderr
    unknown = run_cli(["users", "disable", "niemand"], env)
    assert unknown.returncode == 2 and "bestaat niet" in unknown.stderr


def test_the_web_app_anchors_the_audit_log_when_it_starts_and_stops(engine: Engine) -> None:
    """docs/trust.md promises an anchor from the web app at start, every hour and at stop."""
    calls: list[str] = []
    app = create_app(
        engine=engine, secret_key=b"a" * 32, anchor_audit=lambda: calls.append("anker")
    )
    with TestClient(app, base_url="https://testserver") as c:
        assert c.get("/").status_code == 200
        assert calls == ["anker"]  # at start
    assert calls == ["anker", "anker"]  # and when it stopped

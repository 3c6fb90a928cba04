"""The JSON API: problem+json errors, API-Version header, OpenAPI document, roles and CSRF;
and schemathesis fuzzing of every operation, which must never give a server error."""

import re
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from sqlalchemy import Engine

from conftest import WEB_PASSWORD, csrf_of, https_client, web_setup
from proactief.accounts.users import Rol
from proactief.trust.pseudonyms import Pseudonymizer
from proactief.web import create_app

PASSWORD = WEB_PASSWORD


@pytest.fixture
def api(engine: Engine) -> dict[str, Any]:
    return web_setup(engine, b"a" * 32)


def session(app: Any, rol: Rol | None = None, code: str | None = None) -> tuple[TestClient, str]:
    """A client logged in as a role (or as the resident with ``code``) and its CSRF token."""
    c = https_client(app)
    path = "/inwoner" if code else "/login"
    token = csrf_of(c.get(path).text)
    data = (
        {"code": code, "csrf_token": token}
        if code
        else {"gebruikersnaam": rol.value, "wachtwoord": PASSWORD, "csrf_token": token}  # type: ignore[union-attr]
    )
    assert c.post(path, data=data).status_code == 303
    page = c.get("/inwoner/mijn" if code else "/")
    token = re.search(r'name="csrf-token" content="([^"]+)"', page.text)
    if token is None:  # professionals are redirected to the queue
        token = re.search(r'name="csrf-token" content="([^"]+)"', c.get("/werkvoorraad").text)
    assert token is not None
    return c, token.group(1)


def test_unauthenticated_is_a_problem_document(api: dict[str, Any]) -> None:
    c = TestClient(api["app"], base_url="https://testserver")
    response = c.get("/api/v1/zaken")
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["api-version"] == "1.0.0"
    body = response.json()
    assert body["status"] == 401 and body["instance"] == "/api/v1/zaken" and body["title"]
    assert c.get("/api/v1/voorkeuren").status_code == 401


def test_openapi_document(api: dict[str, Any]) -> None:
    c = TestClient(api["app"], base_url="https://testserver")
    document = c.get("/api/v1/openapi.json").json()
    assert document["info"]["version"] == "1.0.0"
    assert {
        "/zaken",
        "/zaken/{zaak_id}",
        "/zaken/{zaak_id}/contactpogingen",
        "/voorkeuren",
        "/voorkeuren/kanalen",
    } <= set(document["paths"])


def test_cases_and_attempts_for_a_contact_worker(api: dict[str, Any]) -> None:
    c, token = session(api["app"], Rol.CONTACTMEDEWERKER)
    case_id = api["case_id"]
    cases = c.get("/api/v1/zaken").json()
    assert [z["id"] for z in cases] == [case_id] and cases[0]["redenen"]
    missing = c.get("/api/v1/zaken/999")
    assert missing.status_code == 404 and missing.json()["title"] == "Niet gevonden"
    attempt = {"soort": "Telefoon", "datum": "2026-04-10", "dagdeel": "Avond", "bereikt": False}
    url = f"/api/v1/zaken/{case_id}/contactpogingen"
    assert c.post(url, json=attempt).status_code == 403  # no CSRF header
    created = c.post(url, json=attempt, headers={"X-CSRF-Token": token})
    assert created.status_code == 201 and created.json()["soort"] == "Telefoon"
    bad = c.post(url, json={**attempt, "soort": "Duif"}, headers={"X-CSRF-Token": token})
    assert bad.status_code == 400
    assert bad.json()["invalid-params"][0]["name"] == "body.soort"
    early = c.post(url, json={**attempt, "datum": "2020-01-01"}, headers={"X-CSRF-Token": token})
    assert early.status_code == 400 and "vóór het begin" in early.json()["detail"]
    detail = c.get(f"/api/v1/zaken/{case_id}").json()
    assert detail["contactpogingen"][0]["dagdeel"] == "Avond"
    assert detail["datum_hulp_geaccepteerd"] is None


def test_an_analyst_gets_no_cases(api: dict[str, Any]) -> None:
    c, _token = session(api["app"], Rol.ANALIST)
    assert c.get("/api/v1/zaken").status_code == 403
    assert c.get(f"/api/v1/zaken/{api['case_id']}").status_code == 403


def test_a_resident_reads_and_changes_own_preferences(api: dict[str, Any]) -> None:
    c, token = session(api["app"], code=api["code"])
    assert c.get("/api/v1/voorkeuren").json()["kanalen"] == []
    changed = c.put(
        "/api/v1/voorkeuren/kanalen",
        json={"kanalen": ["sms", "brief"], "dagdeel": "Ochtend"},
        headers={"X-CSRF-Token": token},
    )
    assert changed.status_code == 200
    assert changed.json()["kanalen"] == ["sms", "brief"]
    assert c.get("/api/v1/zaken").status_code == 401  # not a professional


# --- fuzzing -------------------------------------------------------------------------------


def test_the_api_never_gives_a_server_error(api: dict[str, Any]) -> None:
    """Schemathesis generates requests for every operation from the OpenAPI document, with
    a logged-in administrator's session and CSRF token; no response may be a 5xx."""
    # the Notify receipts take the bearer token agreed with the service, not the session
    app = create_app(
        engine=api["engine"],
        secret_key=b"a" * 32,
        contact_directory=api["directory"],
        notify_callback_token="fuzz-token-van-notify",
        # life events take a bearer token too (the same one here, for one header)
        gebeurtenissen_token="fuzz-token-van-notify",
        pseudonymizer=Pseudonymizer(b"k" * 32),
    )
    client, token = session(app, Rol.BEHEERDER)
    headers = {
        "Cookie": f"proactief_sessie={client.cookies['proactief_sessie']}",
        "X-CSRF-Token": token,
        "Authorization": "Bearer fuzz-token-van-notify",
    }
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    # zaken (3), contactmomenten, voorkeuren (2), terugkoppeling (2), Notify's receipts (2),
    # gebeurtenissen
    assert len(operations) == 11
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=30,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def fuzz(case: Any) -> None:
            response = case.call(headers=headers)
            case.validate_response(response, checks=[not_a_server_error])

        fuzz()


def test_the_case_list_comes_in_pages_with_the_total_and_links(api: dict[str, Any]) -> None:
    """Every open case, one page at a time, highest priority first: the total in
    X-Total-Count and the next and previous pages in Link (RFC 8288)."""
    from conftest import add_queue_case

    with api["engine"].begin() as conn:
        for n in range(60):
            add_queue_case(conn, n, priority=n)
    c, _token = session(api["app"], Rol.CONTACTMEDEWERKER)
    first = c.get("/api/v1/zaken")
    assert first.status_code == 200
    assert first.headers["x-total-count"] == "61"  # the 60 and web_setup's case
    assert len(first.json()) == 50
    assert [z["prioriteit"] for z in first.json()] == sorted(
        (z["prioriteit"] for z in first.json()), reverse=True
    )
    assert 'rel="next"' in first.headers["link"] and 'rel="prev"' not in first.headers["link"]
    assert "pagina=2" in first.headers["link"]
    second = c.get("/api/v1/zaken", params={"pagina": 2})
    assert len(second.json()) == 11 and 'rel="prev"' in second.headers["link"]
    assert {z["id"] for z in first.json()}.isdisjoint({z["id"] for z in second.json()})
    small = c.get("/api/v1/zaken", params={"per_pagina": 25, "pagina": 3})
    assert len(small.json()) == 11 and "next" not in small.headers["link"]
    refused = c.get("/api/v1/zaken", params={"per_pagina": 30})
    assert refused.status_code == 400 and "25, 50 of 100" in refused.json()["detail"]
    assert all(z["eerste_signaal"] for z in first.json())


def test_a_worker_registers_a_contact_moment_and_the_case_page_shows_it(
    api: dict[str, Any],
) -> None:
    """POST /api/v1/zaken/{id}/contactmomenten; the offer then waits for that moment and
    the case page tells the worker to bring it up there."""
    from datetime import date, timedelta

    c, token = session(api["app"], Rol.CONTACTMEDEWERKER)
    case_id = api["case_id"]
    url = f"/api/v1/zaken/{case_id}/contactmomenten"
    day = (date.today() + timedelta(days=5)).isoformat()
    moment = {"soort": "kwijtschelding_aanvraag", "datum": day}
    assert c.post(url, json=moment).status_code == 403  # no CSRF header
    made = c.post(url, json=moment, headers={"X-CSRF-Token": token})
    assert made.status_code == 201, made.text
    wrong = c.post(url, json={**moment, "soort": "kermis"}, headers={"X-CSRF-Token": token})
    assert wrong.status_code == 400 and "kies uit" in wrong.json()["detail"]
    missing = c.post(
        "/api/v1/zaken/999/contactmomenten", json=moment, headers={"X-CSRF-Token": token}
    )
    assert missing.status_code == 404
    page = c.get(f"/zaken/{case_id}").text
    assert "Het aanbod gaat mee met de aanvraag voor kwijtschelding" in page
    analyst, analyst_token = session(api["app"], Rol.ANALIST)
    refused = analyst.post(url, json=moment, headers={"X-CSRF-Token": analyst_token})
    assert refused.status_code == 403

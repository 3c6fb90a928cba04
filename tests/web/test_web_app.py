"""The web app over HTTP (no browser): login, roles, CSRF, resident codes, rate limits and
security headers, on SQLite and PostgreSQL."""

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from conftest import (
    PERSON,
    WEB_PASSWORD,
    csrf_of,
    https_client,
    send_first_letter,
    send_letter,
    store_real_scan,
    web_setup,
)
from proactief.accounts.resident_codes import create_code
from proactief.accounts.users import Rol
from proactief.channels.registry import spec_of
from proactief.channels.wording import dag
from proactief.domain import Kanaal
from proactief.early_detection import repository as early_repo
from proactief.early_detection.contacts import case_grant
from proactief.offers import repository as offers_repo
from proactief.trust.consent import current_state

PASSWORD = WEB_PASSWORD
REPORT = "/rapportage/ddas?van=2026-01-01&tot=2026-06-30&gemeentecode=0344"
PROFESSIONAL_PAGES = [
    "/werkvoorraad",
    "/zaken/1",
    "/dashboard",
    "/rapportage",
    REPORT,
    "/medewerkers",
    "/account",
    "/terugkoppeling",
    "/inname",
    "/regelingen",
    "/taken",
]
ALLOWED = {
    Rol.CONTACTMEDEWERKER: {"/werkvoorraad", "/zaken/1", "/account"},
    Rol.TEAMLEIDER: {
        "/werkvoorraad",
        "/zaken/1",
        "/dashboard",
        "/rapportage",
        REPORT,
        "/account",
        "/terugkoppeling",
        "/inname",
        "/regelingen",
        "/taken",
    },
    Rol.ANALIST: {"/dashboard", "/account", "/regelingen"},
    Rol.BEHEERDER: {
        "/werkvoorraad",
        "/zaken/1",
        "/dashboard",
        "/rapportage",
        REPORT,
        "/medewerkers",
        "/account",
        "/terugkoppeling",
        "/inname",
        "/regelingen",
        "/taken",
    },
}


@pytest.fixture
def web(engine: Engine) -> dict[str, Any]:
    return web_setup(engine, b"s" * 32)


def client(web: dict[str, Any]) -> TestClient:
    return https_client(web["app"])  # type: ignore[no-any-return]


def login(c: TestClient, name: str, password: str = PASSWORD) -> Any:
    token = csrf_of(c.get("/login").text)
    return c.post(
        "/login", data={"gebruikersnaam": name, "wachtwoord": password, "csrf_token": token}
    )


def test_unauthenticated_requests_go_to_login(web: dict[str, Any]) -> None:
    c = client(web)
    for page in PROFESSIONAL_PAGES:
        response = c.get(page)
        assert response.status_code == 303 and response.headers["location"].startswith("/login"), (
            page
        )
    assert c.get("/inwoner/mijn").headers["location"] == "/inwoner"


def test_the_queue_filters_by_partner_and_crisis(web: dict[str, Any]) -> None:
    c = client(web)
    login(c, "contactmedewerker")
    link = f'href="/zaken/{web["case_id"]}"'
    queue = c.get("/werkvoorraad?partner=Zorg").text
    assert link in queue and "1 open zaak." in queue
    # the priority with its reasons, in words and points
    assert re.search(r"\+\d+ Duur van de achterstand: \d+ dagen", queue)
    other = c.get("/werkvoorraad?partner=Huur").text
    assert link not in other and "0 open zaken" in other
    assert "0 open zaken" in c.get("/werkvoorraad?crisis=ja").text


def test_the_team_lead_downloads_a_valid_cbs_report(web: dict[str, Any]) -> None:
    from proactief.early_detection.report import validate_ddas_report

    c = client(web)
    login(c, "teamleider")
    response = c.get(REPORT)
    assert response.status_code == 200
    assert "ddas-0344-2026-01-01-2026-06-30.json" in response.headers["content-disposition"]
    document = response.json()
    assert validate_ddas_report(document) == []
    assert len(document["leveringen"][0]["vroegsignalen"]) == 1
    bad = c.get("/rapportage/ddas?van=2026-06-30&tot=2026-01-01&gemeentecode=0344")
    assert bad.status_code == 400 and "Dit klopt niet" in bad.text
    # in the team's words, without the CLI's flags
    assert "ligt vóór de begindatum" in bad.text and "--to" not in bad.text


def test_the_dashboard_counts_by_partner_channel_and_segment(web: dict[str, Any]) -> None:
    from datetime import date

    from proactief.domain import Contactpoging, Contactsoort
    from proactief.early_detection.contacts import accept_help, register_contact

    with web["engine"].begin() as conn:
        register_contact(
            conn=conn,
            case_id=web["case_id"],
            attempt=Contactpoging(Contactsoort.TELEFOON, date(2026, 4, 10), None, True),
        )
        accept_help(conn=conn, case_id=web["case_id"], datum=date(2026, 4, 10))
    c = client(web)
    login(c, "analist")
    page = " ".join(c.get("/dashboard").text.split())
    cell = '<td class="utrecht-table__cell">{}</td>'
    row = '<th class="utrecht-table__header-cell" scope="row">{}</th> ' + " ".join([cell] * 4)
    # cases or signals, reached, accepted help, helped
    assert row.format("Zorgverzekeraar", 1, 1, 1, 0) in page
    assert row.format("Telefoon", 1, 1, 1, 0) in page
    assert row.format("geen antwoorden", 1, 1, 1, 0) in page
    assert "signalen 1, opgepakt 1, bereikt 1, hulp aangenomen 1, geholpen 0." in page
    assert "<svg" in page
    # the pseudonym as a word of its own (a random CSRF token may hold the letters)
    assert not re.search(rf"(?<![\w-]){PERSON}(?![\w-])", page)


def test_the_case_page_explains_each_entitlement_down_to_the_article(
    web: dict[str, Any],
) -> None:
    c = client(web)
    login(c, "contactmedewerker")
    before = " ".join(c.get(f"/zaken/{web['case_id']}").text.split())
    assert "De gegevens van de scan zijn niet bewaard" in before  # make_case keeps none
    with web["engine"].begin() as conn:
        store_real_scan(conn)
    page = " ".join(c.get(f"/zaken/{web['case_id']}").text.split())
    assert "Zorgtoeslag: waarschijnlijk recht, krijgt het nu niet" in page
    assert "Uw toetsingsinkomen 18.000 euro is niet hoger dan het drempelinkomen" in page
    assert "(Bron: Wet op de zorgtoeslag, art. 2 lid 3)" in page
    assert "Kwijtschelding gemeentelijke belastingen" in page
    assert "Let op" not in page


def test_the_case_page_shows_the_experiment_arm_drawn_for_the_case(
    web: dict[str, Any],
) -> None:
    from datetime import UTC, datetime

    from proactief.config import SHIPPED_DIR
    from proactief.early_detection import repository as early_repo
    from proactief.offers.experiments import assign, load_experiment, start_experiment

    c = client(web)
    login(c, "contactmedewerker")
    assert "onderzoek" not in c.get(f"/zaken/{web['case_id']}").text
    spec = load_experiment(SHIPPED_DIR / "experimenten" / "woordkeus.yaml")
    when = datetime.combine(spec.start, datetime.min.time(), tzinfo=UTC)
    with web["engine"].begin() as conn:
        start_experiment(conn, spec, now=when)
        got = assign(
            conn,
            case_id=web["case_id"],
            person_pseudonym=early_repo.case_subject(conn, web["case_id"]),
            signals=(),
            now=when,
        )
    assert got is not None
    page = " ".join(c.get(f"/zaken/{web['case_id']}").text.split())
    assert (
        f"onderzoek: groep &#39;{got.arm.naam}&#39; van het onderzoek &#39;woordkeus-2027&#39;, "
        f"door loting gekozen op {spec.start.isoformat()}"
    ) in page


def test_a_malformed_or_huge_id_is_a_clear_400(web: dict[str, Any]) -> None:
    c = client(web)
    login(c, "teamleider")
    for page in ("/zaken/99999999999", "/zaken/abc", "/zaken/0"):
        response = c.get(page)
        assert response.status_code == 400 and "Dit klopt niet" in response.text, page


@pytest.mark.parametrize("rol", list(Rol))
def test_the_role_matrix(web: dict[str, Any], rol: Rol) -> None:
    c = client(web)
    assert login(c, rol.value).status_code == 303
    for page in PROFESSIONAL_PAGES:
        status = c.get(page).status_code
        assert status == (200 if page in ALLOWED[rol] else 403), (rol, page, status)


def test_a_wrong_password_is_refused_and_limited(web: dict[str, Any]) -> None:
    c = client(web)
    for _ in range(5):
        assert login(c, "contactmedewerker", "fout-wachtwoord-123").status_code == 401
    assert login(c, "contactmedewerker").status_code == 429


def test_a_contact_worker_registers_a_call_and_closes_the_case(web: dict[str, Any]) -> None:
    c = client(web)
    login(c, "contactmedewerker")
    case_id = web["case_id"]
    queue = c.get("/werkvoorraad").text
    assert f"/zaken/{case_id}" in queue
    page = c.get(f"/zaken/{case_id}").text
    assert "Contactladder" in page and "Belscript" in page and "Zorgtoeslag" in page
    token = csrf_of(page)
    form = {"soort": "Telefoon", "datum": "2026-04-10", "dagdeel": "Middag", "bereikt": "ja"}
    # without (or with a wrong) CSRF token nothing happens
    assert c.post(f"/zaken/{case_id}/contact", data=form).status_code == 403
    assert c.post(f"/zaken/{case_id}/contact", data={**form, "csrf_token": "x"}).status_code == 403
    done = c.post(f"/zaken/{case_id}/contact", data={**form, "csrf_token": token})
    assert done.status_code == 303
    reached_page = c.get(f"/zaken/{case_id}").text
    assert "Contactpoging vastgelegd" in reached_page and "Inwoner neemt hulp aan" in reached_page
    analyst = client(web)
    login(analyst, "analist")
    accept_form = {"datum": "2026-04-10", "csrf_token": csrf_of(analyst.get("/dashboard").text)}
    assert analyst.post(f"/zaken/{case_id}/hulp-geaccepteerd", data=accept_form).status_code == 403
    accepted = c.post(
        f"/zaken/{case_id}/hulp-geaccepteerd", data={"datum": "2026-04-10", "csrf_token": token}
    )
    assert accepted.status_code == 303
    accepted_page = " ".join(c.get(f"/zaken/{case_id}").text.split())
    assert "De inwoner nam hulp aan op 10-04-2026." in accepted_page
    assert "stopt de incasso dan 30 dagen" in accepted_page
    closed = c.post(
        f"/zaken/{case_id}/afsluiten",
        data={
            "eindresultaat": "(Budget)advies en/of quick fix",
            "datum": "2026-04-12",
            "bevestigd": "ja",
            "csrf_token": token,
        },
    )
    assert closed.status_code == 303
    with web["engine"].connect() as conn:
        grant = case_grant(conn, actor="test")
        row = early_repo.get_case_row(grant, case_id)
        attempts = early_repo.attempts_of_cases(grant, [case_id])
    assert row.eindresultaat == "(Budget)advies en/of quick fix"
    assert row.datum_hulp_geaccepteerd.isoformat() == "2026-04-10"
    assert [(a.soort, a.bereikt) for a in attempts] == [("Telefoon", True)]
    again = c.post(f"/zaken/{case_id}/contact", data={**form, "csrf_token": token})
    assert again.status_code == 400 and "al afgesloten" in again.text


def test_a_resident_enters_a_code_changes_the_channel_and_opts_out(web: dict[str, Any]) -> None:
    c = client(web)
    token = csrf_of(c.get("/inwoner").text)
    entered = c.post("/inwoner", data={"code": web["code"].lower(), "csrf_token": token})
    assert entered.status_code == 303 and entered.headers["location"] == "/inwoner/mijn"
    page = c.get("/inwoner/mijn").text
    token = csrf_of(page)
    # one select per place: the resident ranks the channels (the third place left empty)
    assert 'for="keuze-1">1e keuze' in c.get("/inwoner/mijn/contact").text
    changed = c.post(
        "/inwoner/kanalen",
        data={"keuze": ["telefoon", "email", "", "brief"], "dagdeel": "Avond", "csrf_token": token},
    )
    assert changed.status_code == 303
    summary = c.get("/inwoner/mijn").text
    assert "U krijgt voortaan eerst een telefoontje" in summary
    assert "U koos: 1. Telefoon, 2. E-mail, 3. Brief." in summary
    with web["engine"].connect() as conn:
        state = current_state(conn=conn, person_pseudonym=PERSON)
    assert [k.value for k in state.kanalen] == ["telefoon", "email", "brief"]
    # a channel twice: asked again, with the choices still there, nothing changed
    double = c.post(
        "/inwoner/kanalen", data={"keuze": ["email", "email"], "dagdeel": "", "csrf_token": token}
    )
    assert double.status_code == 400 and "U koos een e-mail twee keer" in double.text
    with web["engine"].connect() as conn:
        assert current_state(conn=conn, person_pseudonym=PERSON).kanalen == state.kanalen
    # e-mail first without Wmebv agreement: the notice says a letter goes instead
    c.post("/inwoner/kanalen", data={"keuze": ["email"], "dagdeel": "Avond", "csrf_token": token})
    summary = c.get("/inwoner/mijn").text
    assert "U krijgt voortaan eerst een e-mail" in summary
    assert "sturen wij in plaats daarvan een brief" in summary
    assert c.post("/inwoner/afmelden", data={"csrf_token": token}).status_code == 303
    with web["engine"].connect() as conn:
        state = current_state(conn=conn, person_pseudonym=PERSON)
    assert [k.value for k in state.kanalen] == ["email"]
    assert state.dagdeel == "Avond" and state.niet_benaderen
    # the professional pages stay closed to a resident
    assert c.get("/werkvoorraad").status_code == 303


def test_a_code_works_again_and_wrong_codes_are_limited(web: dict[str, Any]) -> None:
    c = client(web)
    token = csrf_of(c.get("/inwoner").text)
    assert c.post("/inwoner", data={"code": web["code"], "csrf_token": token}).status_code == 303
    # the resident comes back later, in another browser, with the same letter
    other = client(web)
    token = csrf_of(other.get("/inwoner").text)
    again = other.post("/inwoner", data={"code": web["code"], "csrf_token": token})
    assert again.status_code == 303 and again.headers["location"] == "/inwoner/mijn"
    stranger = client(web)
    token = csrf_of(stranger.get("/inwoner").text)
    wrong = stranger.post("/inwoner", data={"code": "AAAA-BBBB-CCCC", "csrf_token": token})
    assert wrong.status_code == 400 and "kennen wij niet" in wrong.text
    for _ in range(3):
        stranger.post("/inwoner", data={"code": "AAAA-BBBB-CCCC", "csrf_token": token})
    with web["engine"].begin() as conn:
        fresh = create_code(conn=conn, person_pseudonym=PERSON)
    blocked = stranger.post("/inwoner", data={"code": fresh, "csrf_token": token})
    assert blocked.status_code == 429


def test_an_expired_code_says_until_when_and_how_to_get_a_new_one(web: dict[str, Any]) -> None:
    with web["engine"].begin() as conn:
        old = create_code(
            conn=conn,
            person_pseudonym=PERSON,
            now=datetime.now(UTC) - timedelta(days=31),
            dagen=30,
        )
    c = client(web)
    token = csrf_of(c.get("/inwoner").text)
    refused = c.post("/inwoner", data={"code": old, "csrf_token": token})
    assert refused.status_code == 400
    yesterday = (datetime.now(UTC) - timedelta(days=1)).date()
    assert f"Deze code werkte tot en met {dag(yesterday)}." in refused.text
    assert "Elke nieuwe brief of e-mail van ons heeft een nieuwe code." in refused.text
    assert f"Bel ons op {web['app'].state.context.afzender.telefoon}" in refused.text
    # the promise holds: every letter and e-mail the ladder sends makes a new code
    assert spec_of(Kanaal.BRIEF).code and spec_of(Kanaal.EMAIL).code


def test_a_resident_sees_only_their_own_messages(web: dict[str, Any]) -> None:
    with web["engine"].begin() as conn:
        mine = send_letter(conn, PERSON)
        theirs = send_letter(conn, "someone-else")
    c = client(web)
    token = csrf_of(c.get("/inwoner").text)
    c.post("/inwoner", data={"code": web["code"], "csrf_token": token})
    why = c.get(f"/inwoner/waarom/{mine.message_id}").text
    assert "uw zorgverzekeraar" in why
    months = (
        "januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|november|december"
    )
    assert re.search(rf"Datum: \d{{1,2}} ({months}) \d{{4}}\.", why)  # as in the letters
    assert c.get(f"/inwoner/waarom/{theirs.message_id}").status_code == 404


def test_security_headers_and_cookie_flags(web: dict[str, Any]) -> None:
    c = client(web)
    response = c.get("/login")
    assert "default-src 'self'" in response.headers["content-security-policy"]
    assert "unsafe-inline" not in response.headers["content-security-policy"]
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["x-content-type-options"] == "nosniff"
    cookie = response.headers["set-cookie"].lower()
    assert "secure" in cookie and "httponly" in cookie and "samesite=lax" in cookie


def test_no_open_redirect_after_login(web: dict[str, Any]) -> None:
    c = client(web)
    token = csrf_of(c.get("/login").text)
    response = c.post(
        "/login",
        data={
            "gebruikersnaam": "teamleider",
            "wachtwoord": PASSWORD,
            "csrf_token": token,
            "volgende": "//evil.example/",
        },
    )
    assert response.headers["location"] == "/werkvoorraad"


def resident_client(web: dict[str, Any]) -> tuple[TestClient, str]:
    c = client(web)
    token = csrf_of(c.get("/inwoner").text)
    assert c.post("/inwoner", data={"code": web["code"], "csrf_token": token}).status_code == 303
    return c, csrf_of(c.get("/inwoner/mijn").text)


def test_the_questionnaire_only_with_consent_and_says_what_changes(web: dict[str, Any]) -> None:
    from proactief.offers.questionnaire import load_questionnaire
    from proactief.segmentation.instrument import hu_instrument

    inst = hu_instrument()
    published = [s.item_id for s in inst.published]
    segment_1 = {
        item: "5" if inst.agree_probabilities()[0][published.index(item)] > 0.5 else "1"
        for item in load_questionnaire().items
    }
    c, token = resident_client(web)
    assert "8 vragen" in c.get("/inwoner/vragenlijst").text
    # answers without consent: the page asks, with the answers still filled in; nothing kept
    asked = c.post("/inwoner/vragenlijst", data={**segment_1, "csrf_token": token})
    assert asked.status_code == 200
    assert "vinkte het vakje onderaan niet aan" in asked.text
    for item, value in segment_1.items():
        assert f'id="{item}-{value}" name="{item}" value="{value}" checked' in asked.text
    with web["engine"].connect() as conn:
        assert offers_repo.segment_kansen_row(conn, PERSON) is None
    # no answers and no consent: nothing to keep, and the page says so
    empty = c.post("/inwoner/vragenlijst", data={"csrf_token": token})
    assert empty.status_code == 303
    assert "niet bewaard" in c.get("/inwoner/mijn").text
    with web["engine"].connect() as conn:
        assert offers_repo.segment_kansen_row(conn, PERSON) is None
    c.post("/inwoner/elektronisch", data={"akkoord": "vroegsignaal", "csrf_token": token})
    c.post("/inwoner/vragenlijst", data={**segment_1, "toestemming": "ja", "csrf_token": token})
    page = c.get("/inwoner/mijn").text
    assert "U krijgt voortaan eerst een e-mail. Wij schrijven kort en zakelijk." in page
    with web["engine"].connect() as conn:
        assert offers_repo.segment_kansen_row(conn, PERSON) is not None
    c.post("/inwoner/vragenlijst/intrekken", data={"csrf_token": token})
    assert "gewist" in c.get("/inwoner/mijn").text
    with web["engine"].connect() as conn:
        assert offers_repo.segment_kansen_row(conn, PERSON) is None


def test_a_resident_names_a_representative(web: dict[str, Any]) -> None:
    c, token = resident_client(web)
    c.post(
        "/inwoner/vertegenwoordiger",
        data={"vertegenwoordiger": "bewindvoerder", "csrf_token": token},
    )
    assert "Berichten gaan voortaan naar: bewindvoerder" in c.get("/inwoner/mijn").text
    with web["engine"].connect() as conn:
        assert (
            current_state(conn=conn, person_pseudonym=PERSON).vertegenwoordiger == "bewindvoerder"
        )
    c.post("/inwoner/vertegenwoordiger", data={"vertegenwoordiger": "", "csrf_token": token})
    with web["engine"].connect() as conn:
        assert current_state(conn=conn, person_pseudonym=PERSON).vertegenwoordiger is None


POST_FORMS = {
    "/login": "anonymous",
    "/uitloggen": "professional",
    "/zaken/1/contact": "professional",
    "/zaken/1/afsluiten": "professional",
    "/zaken/1/hulp-geaccepteerd": "professional",
    "/zaken/1/eigenaar": "professional",
    "/zaken/1/nee": "professional",
    "/zaken/1/toekenning": "professional",
    "/zaken/1/antwoord": "professional",
    "/zaken/1/heropenen": "professional",
    "/medewerkers": "professional",
    "/medewerkers/wijzig": "professional",
    "/account/wachtwoord": "professional",
    "/inwoner": "anonymous",
    "/inwoner/kanalen": "resident",
    "/inwoner/elektronisch": "resident",
    "/inwoner/afmelden": "resident",
    "/inwoner/aanmelden": "resident",
    "/inwoner/vertegenwoordiger": "resident",
    "/inwoner/delen": "resident",
    "/inwoner/vragenlijst": "resident",
    "/inwoner/vragenlijst/intrekken": "resident",
    "/inwoner/uitloggen": "resident",
}


def test_every_form_refuses_a_post_without_the_csrf_token(web: dict[str, Any]) -> None:
    professional = client(web)
    login(professional, "beheerder")
    resident, _token = resident_client(web)
    anonymous = client(web)
    anonymous.get("/login")
    who = {"professional": professional, "resident": resident, "anonymous": anonymous}
    for path, kind in POST_FORMS.items():
        response = who[kind].post(
            path,
            data={
                "csrf_token": "wrong",
                "code": "x",
                "gebruikersnaam": "x",
                "wachtwoord": "x",
                "soort": "Telefoon",
                "datum": "2026-04-10",
                "eindresultaat": "(Budget)advies en/of quick fix",
            },
        )
        assert response.status_code == 403, (path, response.status_code)


def test_every_route_is_in_the_security_tests(web: dict[str, Any]) -> None:
    """A new page or form must be added to the role matrix or the CSRF list above."""
    from starlette.routing import Route

    covered_get = {
        "/",
        "/login",
        "/inwoner",
        "/inwoner/mijn",
        "/inwoner/vragenlijst",
        "/inwoner/waarom/{message_id}",
        "/werkvoorraad",
        "/zaken/{case_id}",
        "/dashboard",
        "/rapportage",
        "/rapportage/ddas",
        "/medewerkers",
        "/account",
    }
    covered_post = {p.replace("/zaken/1/", "/zaken/{case_id}/") for p in POST_FORMS}
    for route in web["app"].routes:
        if not isinstance(route, Route):
            continue  # the mounted API and the static files
        methods = route.methods or set()
        if "POST" in methods:
            assert route.path in covered_post, route.path
        elif "GET" in methods:
            assert route.path in covered_get, route.path


def test_electronic_agreement_per_kind_and_sharing_choices(web: dict[str, Any]) -> None:
    c, token = resident_client(web)
    c.post(
        "/inwoner/elektronisch",
        data={"akkoord": ["vroegsignaal", "herinnering"], "csrf_token": token},
    )
    c.post("/inwoner/delen", data={"organisatie": ["wijkteam", "onbekend"], "csrf_token": token})
    page = c.get("/inwoner/mijn").text
    assert "Wij mogen uw gegevens delen met: het wijkteam bij u in de buurt." in page
    with web["engine"].connect() as conn:
        state = current_state(conn=conn, person_pseudonym=PERSON)
    assert {s.value for s in state.elektronisch} == {"vroegsignaal", "herinnering"}
    assert state.delen == frozenset({"wijkteam"})
    worker = client(web)
    login(worker, "contactmedewerker")
    case_page = " ".join(worker.get(f"/zaken/{web['case_id']}").text.split())
    assert "Mag de zaak overdragen aan: wijkteam. Aan anderen niet." in case_page
    c.post("/inwoner/elektronisch", data={"akkoord": ["herinnering"], "csrf_token": token})
    c.post("/inwoner/delen", data={"csrf_token": token})
    with web["engine"].connect() as conn:
        state = current_state(conn=conn, person_pseudonym=PERSON)
    assert {s.value for s in state.elektronisch} == {"herinnering"}
    assert state.delen == frozenset()
    case_page = " ".join(worker.get(f"/zaken/{web['case_id']}").text.split())
    assert "Geen toestemming om de zaak te delen." in case_page


def _main_text(html: str) -> str:
    """The visible text of the page's <main>, one sentence per block."""
    from html.parser import HTMLParser

    class Text(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.depth = 0
            self.parts: list[str] = []

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            if tag == "main" or self.depth:
                self.depth += 1

        def handle_endtag(self, tag: str) -> None:
            if self.depth:
                self.depth -= 1
                self.parts.append(". ")

        def handle_data(self, data: str) -> None:
            if self.depth and data.strip():
                self.parts.append(data.strip())

    parser = Text()
    parser.feed(html)
    text = " ".join(parser.parts)
    return re.sub(r"(\s*\.\s*)+", ". ", text).strip(" .") + "."


def test_every_resident_page_reads_at_b1_and_judges_no_one(web: dict[str, Any]) -> None:
    """The same checker as for letters: Flesch-Douma, sentence length, long words and
    judging words (config/berichtcontrole.yaml), on the text of each resident page."""
    from proactief.offers.checks import check_page_text
    from proactief.trust.messaging import messages_of_person

    with web["engine"].begin() as conn:
        message = send_letter(conn, PERSON)
        store_real_scan(conn)
    # and a letter of the ladder: its why page carries the whole account
    send_first_letter(web["engine"], web["case_id"])
    with web["engine"].connect() as conn:
        with_account = next(
            m.id for m in messages_of_person(conn=conn, person_pseudonym=PERSON) if m.verantwoording
        )
    anonymous = client(web)
    pages = {"/inwoner": anonymous.get("/inwoner").text}
    c, _token = resident_client(web)
    for path in (
        "/inwoner/mijn",
        "/inwoner/mijn/contact",
        "/inwoner/mijn/email",
        "/inwoner/mijn/delen",
        "/inwoner/mijn/post",
        "/inwoner/mijn/stoppen",
        "/inwoner/vragenlijst",
        f"/inwoner/waarom/{message.message_id}",
        f"/inwoner/waarom/{with_account}",
    ):
        pages[path] = c.get(path).text
    found = {path: check_page_text(_main_text(html)) for path, html in pages.items()}
    assert all(len(_main_text(html)) > 100 for html in pages.values())
    assert found == {path: [] for path in pages}, {p: _main_text(pages[p])[:300] for p in pages}


MENU_LINKS = {
    "/werkvoorraad",
    "/dashboard",
    "/rapportage",
    "/terugkoppeling",
    "/inname",
    "/regelingen",
    "/medewerkers",
    "/account",
    "/taken",
}


def _menu(page: str) -> set[str]:
    nav = page.split('aria-label="Hoofdmenu"', 1)[1].split("</nav>", 1)[0]
    return set(re.findall(r'href="([^"]+)"', nav))


@pytest.mark.parametrize("rol", list(Rol))
def test_the_menu_shows_what_the_role_may_open(web: dict[str, Any], rol: Rol) -> None:
    """The menu is built from config/rollen.yaml: exactly the pages the role may open."""
    c = client(web)
    login(c, rol.value)
    start = "/dashboard" if rol is Rol.ANALIST else "/werkvoorraad"
    assert _menu(c.get(start).text) == ALLOWED[rol] & MENU_LINKS


def test_a_municipal_role_matrix_changes_menu_and_access(
    web: dict[str, Any], tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """rollen.yaml in PROACTIEF_CONFIG_DIR decides both what a role may open and its menu."""
    from proactief.web.auth import role_matrix

    shipped = (Path(__file__).resolve().parents[2] / "src/proactief/config/rollen.yaml").read_text()
    own = shipped.replace("dashboard: [teamleider, analist, beheerder]", "dashboard: [beheerder]")
    assert own != shipped
    (tmp_path / "rollen.yaml").write_text(own, encoding="utf-8")
    monkeypatch.setenv("PROACTIEF_CONFIG_DIR", str(tmp_path))
    role_matrix.cache_clear()
    try:
        c = client(web)
        login(c, "teamleider")
        assert _menu(c.get("/werkvoorraad").text) == {
            "/werkvoorraad",
            "/rapportage",
            "/terugkoppeling",
            "/inname",
            "/regelingen",
            "/account",
            "/taken",
        }
        assert c.get("/dashboard").status_code == 403
    finally:
        role_matrix.cache_clear()


def test_reads_and_changes_name_the_user_the_case_and_the_person(web: dict[str, Any]) -> None:
    """Issue 13, item 7: a case view, a contact, a close and a CBS download each leave an
    audit entry with the logged-in user, the purpose and (for one case) case and person."""
    import json as _json

    from proactief.trust import repository as trust_repo

    c = client(web)
    login(c, "teamleider")
    case_id = web["case_id"]
    token = csrf_of(c.get(f"/zaken/{case_id}").text)
    form = {"soort": "Telefoon", "datum": "2026-04-10", "dagdeel": "Middag", "csrf_token": token}
    assert c.post(f"/zaken/{case_id}/contact", data=form).status_code == 303
    close = {"eindresultaat": "(Budget)advies en/of quick fix", "datum": "2026-04-12"}
    close["csrf_token"] = token
    close["bevestigd"] = "ja"
    assert c.post(f"/zaken/{case_id}/afsluiten", data=close).status_code == 303
    assert c.get(REPORT).status_code == 200
    with web["engine"].connect() as conn:
        entries = list(trust_repo.audit_rows(conn))
    case_reads = [
        e
        for e in entries
        if e.actor == "medewerker:teamleider" and _json.loads(e.details).get("zaak") == case_id
    ]
    # the page (offer), the contact and the close: each names case and person
    assert len(case_reads) >= 3
    assert {(e.doel, e.subject) for e in case_reads} == {("vroegsignalering", PERSON)}
    downloads = [e for e in entries if e.doel == "cbs_rapportage"]
    assert [e.actor for e in downloads] == ["medewerker:teamleider:cbs-download"]
    assert not any(e.actor == "medewerker" for e in entries)


def test_the_team_lead_assigns_a_contact_person_and_the_letter_names_them(
    web: dict[str, Any],
) -> None:
    from proactief.accounts.users import set_contact_details

    case_id = web["case_id"]
    with web["engine"].begin() as conn:
        set_contact_details(
            conn=conn, gebruikersnaam="contactmedewerker", naam="Sanne Jansen", telefoon=None
        )
    worker = client(web)
    login(worker, "contactmedewerker")
    page = worker.get(f"/zaken/{case_id}").text
    assert "Nog niemand. Berichten beloven dan geen vaste contactpersoon." in page
    assert f'action="/zaken/{case_id}/eigenaar"' not in page  # not the worker's to decide
    refused = worker.post(
        f"/zaken/{case_id}/eigenaar",
        data={"gebruikersnaam": "contactmedewerker", "csrf_token": csrf_of(page)},
    )
    assert refused.status_code == 403
    lead = client(web)
    login(lead, "teamleider")
    page = lead.get(f"/zaken/{case_id}").text
    done = lead.post(
        f"/zaken/{case_id}/eigenaar",
        data={"gebruikersnaam": "contactmedewerker", "csrf_token": csrf_of(page)},
    )
    assert done.status_code == 303
    page = " ".join(lead.get(f"/zaken/{case_id}").text.split())
    assert "Sanne Jansen. Berichten aan de inwoner noemen deze naam." in page
    # the message previews on the case page promise her, by name; the queue shows her
    assert "Uw vaste contactpersoon is Sanne Jansen." in page
    assert "Sanne Jansen</td>" in lead.get("/werkvoorraad").text
    unknown = lead.post(
        f"/zaken/{case_id}/eigenaar",
        data={"gebruikersnaam": "niemand", "csrf_token": csrf_of(page)},
    )
    assert unknown.status_code == 400


def test_the_resident_says_no_in_one_click(web: dict[str, Any]) -> None:
    case_id = web["case_id"]
    c = client(web)
    login(c, "contactmedewerker")
    page = c.get(f"/zaken/{case_id}").text
    assert "Inwoner zegt nee" in page
    done = c.post(
        f"/zaken/{case_id}/nee", data={"datum": "2026-04-10", "csrf_token": csrf_of(page)}
    )
    assert done.status_code == 303
    assert "de inwoner zegt nee" in c.get("/werkvoorraad").text
    with web["engine"].connect() as conn:
        grant = case_grant(conn, actor="test")
        row = early_repo.get_case_row(grant, case_id)
        attempts = early_repo.attempts_of_cases(grant, [case_id])
    assert row.eindresultaat == "Inwoner regelt het zelf/hoeft geen hulp vanuit vroegsignalering"
    assert [(a.soort, a.bereikt) for a in attempts] == [("Telefoon", True)]


def test_the_why_page_shows_the_facts_of_the_message(web: dict[str, Any]) -> None:
    """The resident's 'waarom' page renders from the account kept with the message: the
    data and their source, the steps of the calculation, what happens next."""
    from proactief.trust.messaging import messages_of_person

    with web["engine"].begin() as conn:
        store_real_scan(conn)
    send_first_letter(web["engine"], web["case_id"])
    with web["engine"].connect() as conn:
        [message] = messages_of_person(conn=conn, person_pseudonym=PERSON)
    c, _token = resident_client(web)
    why = " ".join(c.get(f"/inwoner/waarom/{message.id}").text.split())
    assert "Welke gegevens gebruikten wij, en van wie?" in why
    assert "Van uw zorgverzekeraar: een bericht over een rekening die nog openstaat." in why
    assert "Zo rekenden wij Zorgtoeslag uit" in why
    assert "Als u niets doet, bellen wij u vanaf 17 april 2026" in why
    assert "183 dagen" in why and "CBS" in why


def test_the_team_checks_an_automatic_grant_on_the_case_page(web: dict[str, Any]) -> None:
    from datetime import date

    from proactief.offers import repository as grants_repo
    from proactief.offers.grants import grants_of_case, run_grants

    case_id = web["case_id"]
    now = datetime(2026, 4, 10, 9, tzinfo=UTC)
    with web["engine"].begin() as conn:
        grants_repo.insert_grant(
            conn, case_id=case_id, regeling="kwijtschelding", datum=date(2026, 5, 8), now=now
        )
        [due] = run_grants(conn, today=date(2026, 5, 8), now=now)
    c = client(web)
    login(c, "contactmedewerker")
    page = " ".join(c.get(f"/zaken/{case_id}").text.split())
    assert "controleer nu" in page
    assert "uw inkomen en uw spaargeld bij het Inlichtingenbureau" in page
    done = c.post(
        f"/zaken/{case_id}/toekenning",
        data={
            "toekenning": str(due.grant_id),
            "uitkomst": "toegekend",
            "csrf_token": csrf_of(page),
        },
    )
    assert done.status_code == 303
    with web["engine"].connect() as conn:
        [grant] = grants_of_case(conn, case_id)
    assert grant.status == "toegekend" and grant.door == "medewerker:contactmedewerker"
    again = c.post(
        f"/zaken/{case_id}/toekenning",
        data={
            "toekenning": str(due.grant_id),
            "uitkomst": "toegekend",
            "csrf_token": csrf_of(page),
        },
    )
    assert again.status_code == 400


def test_a_worker_checks_the_reference_a_resident_quotes(web: dict[str, Any]) -> None:
    """Every message says: check that it is genuine by calling us with its reference."""
    from proactief.domain import Kanaal

    channels = send_first_letter(web["engine"], web["case_id"])
    kenmerk = channels[Kanaal.BRIEF].sent[0].referentie
    assert kenmerk in channels[Kanaal.BRIEF].sent[0].html
    c = client(web)
    login(c, "contactmedewerker")
    found = " ".join(c.get(f"/werkvoorraad?kenmerk={kenmerk}").text.split())
    assert f'Echt: <a class="utrecht-link" href="/zaken/{web["case_id"]}">' in found
    fake = " ".join(c.get("/werkvoorraad?kenmerk=zaak1-stap1-deadbeef").text.split())
    assert "Dit kenmerk kennen wij niet" in fake


def test_a_reply_waits_in_the_queue_until_a_worker_handles_it(web: dict[str, Any]) -> None:
    from proactief.channels.inbound import InboundMessage
    from proactief.domain import Kanaal
    from proactief.offers.replies import handle_reply

    channels = send_first_letter(web["engine"], web["case_id"])
    kenmerk = channels[Kanaal.BRIEF].sent[0].referentie
    with web["engine"].begin() as conn:
        # a letter has no reply route of its own: an e-mail answering it names it
        from proactief.offers import repository as offers_repo

        offers_repo.insert_reply_route(
            conn,
            {
                "referentie": kenmerk,
                "case_id": web["case_id"],
                "person_pseudonym": PERSON,
                "kanaal": "email",
                "adres_hash": None,
                "aangemaakt": datetime(2026, 4, 10, tzinfo=UTC),
            },
        )
        handle_reply(
            conn,
            InboundMessage(
                bron_id="email:<r1@x>",
                kanaal=Kanaal.EMAIL,
                van="inwoner@voorbeeld.invalid",
                tekst="Bel mij maar na vijf uur.",
                ontvangen=datetime(2026, 4, 11, tzinfo=UTC),
                antwoord_op=kenmerk,
            ),
            hasher=None,
        )
    c = client(web)
    login(c, "contactmedewerker")
    assert "Antwoord van de inwoner wacht" in c.get("/werkvoorraad").text
    page = c.get(f"/zaken/{web['case_id']}").text
    assert "Bel mij maar na vijf uur." in page
    reply_id = re.search(r'name="antwoord" value="(\d+)"', page)
    assert reply_id is not None
    done = c.post(
        f"/zaken/{web['case_id']}/antwoord",
        data={"antwoord": reply_id.group(1), "csrf_token": csrf_of(page)},
    )
    assert done.status_code == 303
    assert "Antwoord van de inwoner wacht" not in c.get("/werkvoorraad").text
    wrong = c.post(
        f"/zaken/{web['case_id']}/antwoord", data={"antwoord": "999", "csrf_token": csrf_of(page)}
    )
    assert wrong.status_code == 400


def test_data_quality_at_the_door(web: dict[str, Any]) -> None:
    """Issue 15 item 4: no attempt after today, no default end result, and doing
    something twice says it was already done."""
    from datetime import date

    case_id = web["case_id"]
    c = client(web)
    login(c, "contactmedewerker")
    page = c.get(f"/zaken/{case_id}").text
    token = csrf_of(page)
    assert '<option value="" selected disabled>Kies een eindresultaat</option>' in page
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    future = c.post(
        f"/zaken/{case_id}/contact",
        data={"soort": "Telefoon", "datum": tomorrow, "bereikt": "ja", "csrf_token": token},
    )
    assert future.status_code == 400 and "na vandaag" in future.text
    reached = {"soort": "Telefoon", "datum": "2026-04-10", "bereikt": "ja", "csrf_token": token}
    assert c.post(f"/zaken/{case_id}/contact", data=reached).status_code == 303
    accept = {"datum": "2026-04-10", "csrf_token": token}
    assert c.post(f"/zaken/{case_id}/hulp-geaccepteerd", data=accept).status_code == 303
    c.get(f"/zaken/{case_id}")  # the first notice
    again = c.post(f"/zaken/{case_id}/hulp-geaccepteerd", data={**accept, "datum": "2026-04-11"})
    assert again.status_code == 303
    assert "Dit was al vastgelegd" in c.get(f"/zaken/{case_id}").text
    no_result = c.post(
        f"/zaken/{case_id}/afsluiten",
        data={"eindresultaat": "", "datum": "2026-04-12", "csrf_token": token},
    )
    assert no_result.status_code == 400 and "Kies een eindresultaat" in no_result.text
    with web["engine"].connect() as conn:
        row = early_repo.get_case_row(case_grant(conn, actor="test"), case_id)
    assert row.eindresultaat is None
    assert row.datum_hulp_geaccepteerd.isoformat() == "2026-04-10"


def test_closing_needs_a_confirmation_and_a_team_lead_reopens_with_a_reason(
    web: dict[str, Any],
) -> None:
    import json

    from proactief.trust import repository as trust_repo

    case_id = web["case_id"]
    c = client(web)
    login(c, "contactmedewerker")
    token = csrf_of(c.get(f"/zaken/{case_id}").text)
    close = {"eindresultaat": "(Budget)advies en/of quick fix", "datum": "2026-04-12"}
    unconfirmed = c.post(f"/zaken/{case_id}/afsluiten", data={**close, "csrf_token": token})
    assert unconfirmed.status_code == 400 and "Bevestig" in unconfirmed.text
    done = c.post(
        f"/zaken/{case_id}/afsluiten", data={**close, "bevestigd": "ja", "csrf_token": token}
    )
    assert done.status_code == 303
    page = c.get(f"/zaken/{case_id}").text
    assert "Heropenen" not in page  # a contact worker may not
    refused = c.post(f"/zaken/{case_id}/heropenen", data={"reden": "x", "csrf_token": token})
    assert refused.status_code == 403
    lead = client(web)
    login(lead, "teamleider")
    page = lead.get(f"/zaken/{case_id}").text
    assert "Heropenen" in page
    lead_token = csrf_of(page)
    empty = lead.post(f"/zaken/{case_id}/heropenen", data={"reden": " ", "csrf_token": lead_token})
    assert empty.status_code == 400 and "reden" in empty.text
    reason = "Verkeerd eindresultaat gekozen"
    reopened = lead.post(
        f"/zaken/{case_id}/heropenen", data={"reden": reason, "csrf_token": lead_token}
    )
    assert reopened.status_code == 303
    with web["engine"].connect() as conn:
        row = early_repo.get_case_row(case_grant(conn, actor="test"), case_id)
        entries = [e for e in trust_repo.audit_rows(conn) if e.actie == "heropen"]
    assert row.eindresultaat is None and row.einddatum is None
    [entry] = entries
    details = json.loads(entry.details)
    assert entry.actor == "medewerker:teamleider"
    assert details["reden"] == reason and details["was"] == "(Budget)advies en/of quick fix"
    again = lead.post(
        f"/zaken/{case_id}/heropenen", data={"reden": reason, "csrf_token": lead_token}
    )
    assert again.status_code == 400 and "niet afgesloten" in again.text


def test_the_administrator_manages_accounts_in_the_web_app(web: dict[str, Any]) -> None:
    """Issue 15 item 7: list, add, disable, change role, reset a password; own password."""
    new_password = "zeven paarse olifanten dansen"
    admin = client(web)
    login(admin, "beheerder")
    page = admin.get("/medewerkers").text
    assert "contactmedewerker" in page and "Medewerker toevoegen" in page
    token = csrf_of(page)
    weak = admin.post(
        "/medewerkers",
        data={
            "gebruikersnaam": "sanne",
            "rol": "contactmedewerker",
            "wachtwoord": "kort",
            "csrf_token": token,
        },
    )
    assert weak.status_code == 400 and "minstens 12 tekens" in weak.text
    added = admin.post(
        "/medewerkers",
        data={
            "gebruikersnaam": "sanne",
            "naam": "Sanne Jansen",
            "rol": "contactmedewerker",
            "wachtwoord": new_password,
            "csrf_token": token,
        },
    )
    assert added.status_code == 303
    sanne = client(web)
    assert login(sanne, "sanne", new_password).status_code == 303
    assert sanne.get("/werkvoorraad").status_code == 200
    # a new role counts at once: her session ended, and she logs in as team lead
    done = admin.post(
        "/medewerkers/wijzig",
        data={"gebruikersnaam": "sanne", "actie": "rol", "rol": "teamleider", "csrf_token": token},
    )
    assert done.status_code == 303
    assert sanne.get("/werkvoorraad").status_code == 303  # to the login page
    login(sanne, "sanne", new_password)
    assert sanne.get("/rapportage").status_code == 200
    # disabled: out at once, and no login
    admin.post(
        "/medewerkers/wijzig",
        data={"gebruikersnaam": "sanne", "actie": "uitschakelen", "csrf_token": token},
    )
    assert sanne.get("/werkvoorraad").status_code == 303
    assert login(client(web), "sanne", new_password).status_code == 401
    # the administrator cannot lock themselves out
    self_off = admin.post(
        "/medewerkers/wijzig",
        data={"gebruikersnaam": "beheerder", "actie": "uitschakelen", "csrf_token": token},
    )
    assert self_off.status_code == 400 and "uzelf" in self_off.text
    # a worker may not manage accounts
    worker = client(web)
    login(worker, "contactmedewerker")
    worker_token = csrf_of(worker.get("/account").text)
    assert worker.get("/medewerkers").status_code == 403
    assert (
        worker.post(
            "/medewerkers/wijzig",
            data={"gebruikersnaam": "sanne", "actie": "inschakelen", "csrf_token": worker_token},
        ).status_code
        == 403
    )
    # own password: the current one first; then logged out, and the new one works
    wrong = worker.post(
        "/account/wachtwoord",
        data={"huidig": "fout", "nieuw": new_password, "csrf_token": worker_token},
    )
    assert wrong.status_code == 400 and "klopt niet" in wrong.text
    changed = worker.post(
        "/account/wachtwoord",
        data={"huidig": PASSWORD, "nieuw": new_password, "csrf_token": worker_token},
    )
    assert changed.status_code == 303 and changed.headers["location"] == "/login"
    assert worker.get("/werkvoorraad").status_code == 303
    assert login(client(web), "contactmedewerker", new_password).status_code == 303

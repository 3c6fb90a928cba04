"""The web app in a real browser: Playwright driving Debian's chromium (no downloaded
browsers) against the app served by uvicorn; axe-core on every page visited; the resident
flow by keyboard only. Screenshots of the main pages go to docs/screenshots/."""

import os
import re
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from sqlalchemy import Engine, func, select

from conftest import IN_CI, PERSON, make_case, send_first_letter, store_real_scan
from proactief.accounts.resident_codes import create_code
from proactief.accounts.users import Rol, add_user
from proactief.domain import Berichtsoort
from proactief.early_detection import repository as early_repo
from proactief.early_detection.contacts import case_grant
from proactief.sources.contactgegevens import FakeContactDirectory
from proactief.storage.tables import messages
from proactief.trust.consent import current_state
from proactief.web import create_app

CHROMIUM = os.environ.get("PROACTIEF_CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
PASSWORD = "een-lang-wachtwoord-2026"
WCAG_21_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

if not (os.path.exists(CHROMIUM) or shutil.which("chromium")):
    if IN_CI:
        raise RuntimeError(f"chromium not found at {CHROMIUM}; scripts/test.sh installs it")
    pytest.skip(
        f"no chromium at {CHROMIUM} (apt-get install chromium); runs in CI",
        allow_module_level=True,
    )

from axe_playwright_python.sync_playwright import Axe  # noqa: E402
from playwright.sync_api import Page, sync_playwright  # noqa: E402


@pytest.fixture
def server(engine: Engine) -> Iterator[dict[str, Any]]:
    """The app on a free port, with a case, users and a resident code."""
    with engine.begin() as conn:
        case_id = make_case(conn)
        store_real_scan(conn)
        add_user(
            conn=conn, gebruikersnaam="medewerker", wachtwoord=PASSWORD, rol=Rol.CONTACTMEDEWERKER
        )
        add_user(conn=conn, gebruikersnaam="teamleider", wachtwoord=PASSWORD, rol=Rol.TEAMLEIDER)
        add_user(conn=conn, gebruikersnaam="beheerder", wachtwoord=PASSWORD, rol=Rol.BEHEERDER)
        code = create_code(conn=conn, person_pseudonym=PERSON)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    app = create_app(engine=engine, secret_key=b"b" * 32, contact_directory=FakeContactDirectory())
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    uv = uvicorn.Server(config)
    thread = threading.Thread(target=uv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not uv.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert uv.started, "uvicorn did not start"
    try:
        # 'localhost' is a secure context: the Secure session cookie works over http here
        yield {"url": f"http://localhost:{port}", "case_id": case_id, "code": code}
    finally:
        uv.should_exit = True
        thread.join(timeout=10)


@pytest.fixture
def page() -> Iterator[Page]:
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="nl-NL")
        yield context.new_page()
        browser.close()


def assert_accessible(page: Page) -> None:
    results = Axe().run(page, options=WCAG_21_AA)
    violations = results.response["violations"]
    assert violations == [], [(v["id"], v["help"], len(v["nodes"])) for v in violations]


def shoot(page: Page, name: str, request: pytest.FixtureRequest) -> None:
    """Screenshots for docs/ from the SQLite run only (one set)."""
    if "sqlite" in request.node.name:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def test_contact_worker_logs_in_registers_a_call_and_closes_the_case(
    server: dict[str, Any], page: Page, engine: Engine, request: pytest.FixtureRequest
) -> None:
    url, case_id = server["url"], server["case_id"]
    page.goto(f"{url}/werkvoorraad")
    assert "/login" in page.url
    assert_accessible(page)
    shoot(page, "inloggen", request)
    page.get_by_label("Gebruikersnaam").fill("medewerker")
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_url(f"{url}/werkvoorraad")
    assert_accessible(page)
    shoot(page, "werkvoorraad", request)
    page.get_by_role("link", name=f"Zaak {case_id}").first.click()
    page.wait_for_url(f"{url}/zaken/{case_id}")
    assert page.get_by_role("heading", name="Aanbod").is_visible()
    page.get_by_text("Zorgtoeslag: waarschijnlijk recht").click()
    assert page.get_by_text("(Bron: Wet op de zorgtoeslag, art. 2 lid 3)").is_visible()
    assert_accessible(page)
    shoot(page, "zaak", request)
    page.get_by_label("Soort").select_option("Telefoon")
    page.get_by_label("Datum van de poging").fill("2026-04-10")
    page.get_by_label("Dagdeel").select_option("Middag")
    page.get_by_label("Bereikt").check()
    page.get_by_role("button", name="Vastleggen").click()
    page.wait_for_url(f"{url}/zaken/{case_id}")
    assert (
        page.locator(".pf-notice[role=status]").inner_text().startswith("Contactpoging vastgelegd")
    )
    page.get_by_role("button", name="Inwoner neemt hulp aan").click()
    page.wait_for_url(f"{url}/zaken/{case_id}")
    assert "de inwoner neemt hulp aan" in page.locator(".pf-notice[role=status]").inner_text()
    assert_accessible(page)
    page.get_by_label("Eindresultaat", exact=True).select_option("(Budget)advies en/of quick fix")
    page.get_by_label("Ja, sluit deze zaak af met dit eindresultaat").check()
    page.get_by_role("button", name="Afsluiten").click()
    page.wait_for_url(f"{url}/werkvoorraad")
    assert f"Zaak {case_id} is afgesloten" in page.locator(".pf-notice[role=status]").inner_text()
    with engine.connect() as conn:
        grant = case_grant(conn, actor="test")
        row = early_repo.get_case_row(grant, case_id)
        attempts = early_repo.attempts_of_cases(grant, [case_id])
    assert row.eindresultaat == "(Budget)advies en/of quick fix"
    assert [(a.soort, a.dagdeel, a.bereikt) for a in attempts] == [("Telefoon", "Middag", True)]


def tab_to(page: Page, selector: str, limit: int = 40) -> None:
    """Press Tab until the element matching ``selector`` has the focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{selector} cannot be reached with the Tab key")


def test_resident_by_keyboard_only_changes_channel_and_opts_out(
    server: dict[str, Any], page: Page, engine: Engine, request: pytest.FixtureRequest
) -> None:
    # the first step of the ladder: a letter rendered from the offer's account
    send_first_letter(engine, server["case_id"])
    url = server["url"]
    page.goto(f"{url}/inwoner")
    assert_accessible(page)
    shoot(page, "inwoner-code", request)
    tab_to(page, "#code")
    page.keyboard.type(server["code"])
    page.keyboard.press("Enter")
    page.wait_for_url(f"{url}/inwoner/mijn")
    assert_accessible(page)
    shoot(page, "inwoner-keuzes", request)
    # every choice on its own page, reached from the summary by keyboard
    tab_to(page, "a[href='/inwoner/mijn/contact']")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert_accessible(page)
    shoot(page, "inwoner-contact", request)
    tab_to(page, "#keuze-1")
    page.keyboard.press("ArrowDown")  # 'Brief'
    page.keyboard.press("ArrowDown")  # 'E-mail'
    tab_to(page, "#keuze-2")
    page.keyboard.press("ArrowDown")  # 'Brief'
    tab_to(page, "#dagdeel")
    page.keyboard.press("ArrowDown")  # 'Ochtend'
    tab_to(page, "form[action='/inwoner/kanalen'] button")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert (
        "U krijgt voortaan eerst een e-mail" in page.locator(".pf-notice[role=status]").inner_text()
    )
    assert "U koos: 1. E-mail, 2. Brief." in page.locator("main").inner_text()
    assert_accessible(page)
    # an e-mail address and the Wmebv agreement in one step
    tab_to(page, "a[href='/inwoner/mijn/email']")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    tab_to(page, "#email")
    page.keyboard.type("jan@example")  # no domain ending: refused, nothing kept
    tab_to(page, "#akkoord-vroegsignaal")
    page.keyboard.press("Space")
    tab_to(page, "form[action='/inwoner/elektronisch'] button")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "Dit e-mailadres klopt niet" in page.locator("main").inner_text()
    assert_accessible(page)
    shoot(page, "inwoner-email-fout", request)
    page.locator("#email").fill("jan@example.nl")
    tab_to(page, "form[action='/inwoner/elektronisch'] button")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert (
        "Wij gebruiken voortaan het e-mailadres dat u gaf"
        in page.locator(".pf-notice[role=status]").inner_text()
    )
    shoot(page, "inwoner-keuzes", request)
    tab_to(page, "a[href='/inwoner/mijn/stoppen']")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    tab_to(page, "form[action='/inwoner/afmelden'] button")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "U bent afgemeld" in page.locator(".pf-notice[role=status]").inner_text()
    assert_accessible(page)
    tab_to(page, "a[href^='/inwoner/waarom/']")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    why = page.locator("main").inner_text()
    assert "Van uw zorgverzekeraar: een bericht over een rekening die nog openstaat." in why
    assert "Zo rekenden wij Zorgtoeslag uit" in why
    assert_accessible(page)
    shoot(page, "inwoner-waarom", request)
    page.goto(f"{url}/inwoner/vragenlijst")
    assert_accessible(page)
    shoot(page, "inwoner-vragenlijst", request)
    with engine.connect() as conn:
        state = current_state(conn=conn, person_pseudonym=PERSON)
    assert [k.value for k in state.kanalen] == ["email", "brief"]
    assert state.dagdeel == "Ochtend" and state.niet_benaderen
    assert state.elektronisch == frozenset({Berichtsoort.VROEGSIGNAAL})


def test_team_lead_dashboard_is_accessible(
    server: dict[str, Any], page: Page, engine: Engine, request: pytest.FixtureRequest
) -> None:
    from datetime import date

    from proactief.domain import Contactpoging, Contactsoort
    from proactief.early_detection.contacts import accept_help, register_contact

    url = server["url"]
    page.goto(f"{url}/")
    assert_accessible(page)
    with engine.begin() as conn:  # a letter, then a call that reached; help accepted
        for soort, day, reached in (
            (Contactsoort.BRIEF, 8, False),
            (Contactsoort.TELEFOON, 15, True),
        ):
            attempt = Contactpoging(soort, date(2026, 4, day), None, reached)
            register_contact(conn=conn, case_id=server["case_id"], attempt=attempt)
        accept_help(conn=conn, case_id=server["case_id"], datum=date(2026, 4, 15))
    page.goto(f"{url}/login")
    page.get_by_label("Gebruikersnaam").fill("teamleider")
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_url(f"{url}/werkvoorraad")
    page.get_by_role("link", name="Dashboard").click()
    page.wait_for_url(f"{url}/dashboard")
    for name in ("per signaalpartner", "soort contactpoging", "per segment"):
        assert page.get_by_role("table", name=re.compile(name)).is_visible()
    assert "hulp aangenomen 1" in page.locator("figcaption").first.inner_text()
    assert_accessible(page)
    shoot(page, "dashboard", request)
    page.get_by_role("link", name="CBS-rapportage").click()
    page.wait_for_url(f"{url}/rapportage")
    assert_accessible(page)
    page.goto(f"{url}/zaken/999999")  # an error page is a page too
    assert "bestaat niet" in page.locator("main").inner_text()
    assert_accessible(page)


def test_the_account_pages_are_accessible(
    server: dict[str, Any], page: Page, request: pytest.FixtureRequest
) -> None:
    """The administrator's accounts page and one's own account page (issue 15 item 7)."""
    url = server["url"]
    page.goto(f"{url}/login")
    page.get_by_label("Gebruikersnaam").fill("beheerder")
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_url(f"{url}/werkvoorraad")
    page.get_by_role("link", name="Medewerkers").click()
    page.wait_for_url(f"{url}/medewerkers")
    assert page.get_by_role("heading", name="Medewerker toevoegen").is_visible()
    assert_accessible(page)
    shoot(page, "medewerkers", request)
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role(
        "link", name="Mijn account"
    ).click()
    page.wait_for_url(f"{url}/account")
    assert_accessible(page)


def login_as(page: Page, url: str, name: str) -> None:
    page.goto(f"{url}/login")
    page.get_by_label("Gebruikersnaam").fill(name)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_load_state()


def assert_fits(page: Page, width: int) -> None:
    """No horizontal scrolling of the page itself (a wide table scrolls in its own box)."""
    scroll = page.evaluate("document.documentElement.scrollWidth")
    wide = page.evaluate(
        """w => [...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > w && !e.closest('.pf-scroll'))
            .slice(0, 5).map(e => e.tagName + '.' + e.className + ' ' +
                Math.round(e.getBoundingClientRect().right))""",
        width,
    )
    assert scroll <= width, f"{page.url}: {scroll} px wide at a {width} px screen: {wide}"


def test_a_contact_worker_takes_ten_cases_to_an_end_result(
    server: dict[str, Any], page: Page, engine: Engine, request: pytest.FixtureRequest
) -> None:
    """Issue 15, done when: ten cases from the queue to an end result, in the browser only."""
    from conftest import add_queue_case

    with engine.begin() as conn:
        made = [add_queue_case(conn, n, priority=1000 + n) for n in range(10)]
    url = server["url"]
    login_as(page, url, "medewerker")
    assert page.url == f"{url}/werkvoorraad"
    for done in range(10):
        # the highest priority first: the queue's first case
        first = page.get_by_role("region", name="Open zaken").get_by_role(
            "link", name=re.compile(r"^Zaak \d+$")
        )
        first.first.click()
        page.wait_for_url(re.compile(rf"{url}/zaken/\d+$"))
        case_id = int(page.url.rsplit("/", 1)[1])
        assert case_id == made[9 - done]
        if done == 0:
            assert_accessible(page)
        page.get_by_label("Notitie").fill("Gebeld, inwoner wil graag hulp bij de rekeningen.")
        page.get_by_role("button", name="Notitie opslaan").click()
        page.wait_for_url(f"{url}/zaken/{case_id}#logboek")
        page.get_by_label("Soort").select_option("Telefoon")
        page.get_by_label("Bereikt").check()
        page.get_by_role("button", name="Vastleggen").click()
        page.wait_for_url(f"{url}/zaken/{case_id}")
        page.get_by_role("button", name="Inwoner neemt hulp aan").click()
        page.wait_for_url(f"{url}/zaken/{case_id}")
        page.get_by_label("Eindresultaat", exact=True).select_option(
            "Vervolghulp en/of verwijzing financieel"
        )
        page.get_by_label("Ja, sluit deze zaak af met dit eindresultaat").check()
        page.get_by_role("button", name="Afsluiten").click()
        page.wait_for_url(f"{url}/werkvoorraad")
        assert f"Zaak {case_id} is afgesloten" in page.locator(".pf-notice").inner_text()
    # only make_case's case is left
    assert "1 open zaak." in page.locator("#wachtrij").inner_text()
    with engine.connect() as conn:
        grant = case_grant(conn, actor="test")
        for case_id in made:
            row = early_repo.get_case_row(grant, case_id)
            assert (
                row is not None and row.eindresultaat == "Vervolghulp en/of verwijzing financieel"
            )
            assert row.datum_hulp_geaccepteerd is not None
            attempts = early_repo.attempts_of_cases(grant, [case_id])
            assert [(a.soort, a.bereikt) for a in attempts] == [("Telefoon", True)]


def test_every_page_passes_axe_at_desktop_and_phone_width(
    server: dict[str, Any], engine: Engine, request: pytest.FixtureRequest
) -> None:
    """Every page, professional and resident, at 1280 and 375 px: 0 WCAG 2.1 AA violations
    and no horizontal overflow."""
    from conftest import add_queue_case

    with engine.begin() as conn:
        for n in range(30):
            add_queue_case(conn, n, priority=n, crisis=n % 7 == 0)
    send_first_letter(engine, server["case_id"])
    with engine.connect() as conn:
        message = conn.execute(select(func.max(messages.c.id))).scalar_one()
    url, case_id = server["url"], server["case_id"]
    professional = [
        "/werkvoorraad",
        "/werkvoorraad?eigenaar=mij&actie=vandaag&sorteer=actie",
        "/werkvoorraad?zoek=Jansen",
        f"/zaken/{case_id}",
        "/dashboard",
        "/rapportage",
        "/medewerkers",
        "/account",
        "/terugkoppeling",
        "/inname",
        "/regelingen",
        "/taken",
        "/bestaat-niet",
    ]
    from datetime import UTC, datetime

    from proactief.jobs import finish_run, start_run

    with engine.begin() as conn:  # the tasks page with a run that went well and one that failed
        for taak, ok in (("matching", True), ("scan", False)):
            run = start_run(conn, taak=taak, worker="worker-1", now=datetime.now(UTC))
            finish_run(conn, run, ok=ok, samenvatting="12 signalen", now=datetime.now(UTC))
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for width in (1280, 375):
            context = browser.new_context(viewport={"width": width, "height": 900}, locale="nl-NL")
            page = context.new_page()
            for path in ("/", "/login", "/privacy", "/toegankelijkheid"):
                page.goto(f"{url}{path}")
                assert_accessible(page)
                assert_fits(page, width)
            login_as(page, url, "beheerder")
            for path in professional:
                page.goto(f"{url}{path}")
                assert_accessible(page)
                assert_fits(page, width)
                if width == 375 and path == "/werkvoorraad":
                    shoot(page, "werkvoorraad-telefoon", request)
            # the case page with the contact details asked for
            page.goto(f"{url}/zaken/{case_id}")
            page.get_by_role("button", name="Contactgegevens tonen").click()
            page.wait_for_load_state()
            assert "inwoner.p1@voorbeeld.invalid" in page.locator("main").inner_text()
            assert_accessible(page)
            assert_fits(page, width)
            resident = browser.new_context(
                viewport={"width": width, "height": 900}, locale="nl-NL"
            ).new_page()
            resident.goto(f"{url}/inwoner")
            assert_accessible(resident)
            assert_fits(resident, width)
            if width == 1280:
                resident.get_by_label(re.compile("code", re.I)).first.fill(server["code"])
                resident.get_by_role("button", name=re.compile("verder|inloggen", re.I)).click()
                resident.wait_for_url(f"{url}/inwoner/mijn")
            else:
                with engine.begin() as conn:
                    code = create_code(conn=conn, person_pseudonym=PERSON)
                resident.get_by_label(re.compile("code", re.I)).first.fill(code)
                resident.get_by_role("button", name=re.compile("verder|inloggen", re.I)).click()
                resident.wait_for_url(f"{url}/inwoner/mijn")
            for path in (
                "/inwoner/mijn",
                "/inwoner/mijn/contact",
                "/inwoner/mijn/email",
                "/inwoner/mijn/delen",
                "/inwoner/mijn/post",
                "/inwoner/mijn/stoppen",
                "/inwoner/vragenlijst",
                f"/inwoner/waarom/{message}",
            ):
                resident.goto(f"{url}{path}")
                assert_accessible(resident)
                assert_fits(resident, width)
            context.close()
        browser.close()

"""Login through the municipality's identity provider, end to end in chromium: the app
(uvicorn) against a local OpenID Connect provider (oidc-provider-mock from the package
registry): authorization code with PKCE, the role from the groups claim
(config/oidc.yaml), logout at the provider, and the password login switched off."""

from collections.abc import Iterator
from typing import Any

import pytest
from oidc_provider_mock import User as ProviderUser
from oidc_provider_mock import run_server_in_thread
from playwright.sync_api import Page, sync_playwright
from sqlalchemy import Engine, select
from test_browser import CHROMIUM, CHROMIUM_ARGS, PASSWORD, assert_accessible

from local_server import serving
from proactief.accounts.users import Rol, add_user
from proactief.storage.tables import users
from proactief.web import create_app
from proactief.web.oidc import OidcLogin

PEOPLE = [
    ProviderUser(
        sub="7f3c-sanne",
        claims={
            "preferred_username": "sanne.devries",
            "name": "Sanne de Vries",
            "email": "sanne@gemeente.example",
            "groups": ["medewerkers", "proactief-teamleider"],
        },
    ),
    ProviderUser(sub="9a1d-piet", claims={"preferred_username": "piet", "groups": ["medewerkers"]}),
]


def app_server(app: Any) -> Any:
    return serving(app, "the web app", name="localhost")


@pytest.fixture
def provider() -> Iterator[str]:
    with run_server_in_thread(user_claims=PEOPLE) as server:
        yield f"http://localhost:{server.server_port}"


@pytest.fixture
def page() -> Iterator[Page]:
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="nl-NL")
        yield context.new_page()
        browser.close()


def sign_in_at_provider(page: Page, sub: str) -> None:
    """The provider's own page: choose who you are."""
    page.get_by_role("button", name=sub).click()
    page.wait_for_load_state()


def test_a_team_lead_logs_in_and_out_at_the_municipality(
    engine: Engine, provider: str, page: Page
) -> None:
    with engine.begin() as conn:
        add_user(conn=conn, gebruikersnaam="beheer", wachtwoord=PASSWORD, rol=Rol.BEHEERDER)
    oidc = OidcLogin(issuer=provider, client_id="proactief", client_secret="geheim-voor-de-test")
    app = create_app(engine=engine, secret_key=b"o" * 32, oidc=oidc, wachtwoord_login=False)
    with app_server(app) as url:
        page.goto(f"{url}/login")
        # the password form is off; the only way in is the municipality's
        assert page.get_by_label("Wachtwoord").count() == 0
        assert_accessible(page)
        page.get_by_role("link", name="Inloggen via de gemeente").click()
        page.wait_for_load_state()
        assert page.url.startswith(provider)  # at the provider, with PKCE
        assert "code_challenge_method=S256" in page.url and "code_challenge=" in page.url
        sign_in_at_provider(page, "7f3c-sanne")
        assert page.url.startswith(url)
        # a team lead's first page, with her name from the provider
        assert page.url.endswith("/werkvoorraad"), page.url
        assert "sanne.devries (teamleider)" in page.content()
        page.goto(f"{url}/account")  # no password of ours to change
        assert "U logt in via de gemeente" in page.content()
        assert page.get_by_label("Nieuw wachtwoord").count() == 0
        page.goto(f"{url}/taken")  # a team lead's page
        assert page.get_by_role("heading", name="Achtergrondtaken").count() == 1

        with engine.begin() as conn:
            row = conn.execute(select(users).where(users.c.extern_id == "7f3c-sanne")).one()
        assert row.gebruikersnaam == "sanne.devries" and row.rol == "teamleider"
        assert row.wachtwoord_hash is None and row.naam == "Sanne de Vries"

        # logging out ends the session at the provider too, and comes back to our login
        page.get_by_role("button", name="Uitloggen").click()
        page.wait_for_load_state()
        assert page.url.startswith(provider), page.url
        page.get_by_role("button").first.click()  # the provider asks to confirm
        page.wait_for_load_state()
        assert page.url.startswith(f"{url}/login"), page.url
        page.goto(f"{url}/werkvoorraad")
        assert "/login" in page.url  # our session is gone

        # someone without a Proactief group is refused, and no account is made
        page.goto(f"{url}/login")
        page.get_by_role("link", name="Inloggen via de gemeente").click()
        page.wait_for_load_state()
        sign_in_at_provider(page, "9a1d-piet")
        assert "geen rol in Proactief" in page.content()
        with engine.begin() as conn:
            assert (
                conn.execute(select(users).where(users.c.extern_id == "9a1d-piet")).first() is None
            )


def test_the_password_form_is_refused_when_switched_off(engine: Engine, provider: str) -> None:
    from conftest import csrf_of, https_client

    with engine.begin() as conn:
        add_user(conn=conn, gebruikersnaam="beheer", wachtwoord=PASSWORD, rol=Rol.BEHEERDER)
    oidc = OidcLogin(issuer=provider, client_id="proactief")
    off = https_client(
        create_app(engine=engine, secret_key=b"o" * 32, oidc=oidc, wachtwoord_login=False)
    )
    assert 'name="wachtwoord"' not in off.get("/login").text
    token = csrf_of(off.get("/inwoner").text)  # the session's token, from a page with a form
    tried = off.post(
        "/login", data={"gebruikersnaam": "beheer", "wachtwoord": PASSWORD, "csrf_token": token}
    )
    assert tried.status_code == 403 and "staat uit" in tried.text
    on = https_client(create_app(engine=engine, secret_key=b"o" * 32, oidc=oidc))
    page = on.get("/login")
    assert "Inloggen via de gemeente" in page.text and 'name="wachtwoord"' in page.text
    done = on.post(
        "/login",
        data={"gebruikersnaam": "beheer", "wachtwoord": PASSWORD, "csrf_token": csrf_of(page.text)},
    )
    assert done.status_code == 303
    # the CSP lets the logout form go on to the provider, and nowhere else
    assert f"form-action 'self' {provider}" in page.headers["content-security-policy"]

"""The FastAPI app: pages for professionals (login with roles) and for residents (one-time
code), and the JSON API at /api/v1. Business rules stay in the capability packages; the
routers in ``web/routes`` only read requests, name who may do what (``web/deps.py``), call
those services and render Dutch pages (``web/pages.py``).

Security by construction: server-side sessions behind a signed cookie (Secure, HttpOnly,
SameSite=Lax), a CSRF token on every change (one dependency), security headers with a
strict Content-Security-Policy (no inline scripts or styles) and HSTS over https, atomic
limits on passwords and resident codes shared by all server processes, and
purpose-bound, audited reads.
"""

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from proactief.accounts.sessions import SESSION_HOURS
from proactief.accounts.throttle import Throttle
from proactief.early_detection.households import HouseholdRegister
from proactief.early_detection.work_queue import WorkQueueConfig, load_work_queue_config
from proactief.entitlements import MunicipalSettings
from proactief.offers.account import Afzender
from proactief.sources.brp import PersonSearch
from proactief.sources.contactgegevens import ContactDirectory
from proactief.trust.pseudonyms import Pseudonymizer
from proactief.web.api import create_api
from proactief.web.auth import NotAllowed, NotLoggedIn, current_user
from proactief.web.dashboard_cache import DashboardCache
from proactief.web.deps import ALREADY_DONE, AlreadyDone, CsrfFailed, NoResident, WebContext
from proactief.web.oidc import OidcLogin
from proactief.web.pages import page_templates, render
from proactief.web.routes import (
    accounts,
    cases,
    info,
    intake,
    reports,
    residents,
    scan,
    tasks,
)

__all__ = ["create_app"]

HERE = Path(__file__).parent
HSTS = "max-age=31536000; includeSubDomains"
ANCHOR_SECONDS = 3600
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; frame-ancestors 'none'; form-action 'self'; "
    "base-uri 'none'; object-src 'none'"
)
ERROR_TITLES = {
    400: "Dit klopt niet",
    403: "Geen toegang",
    404: "Niet gevonden",
    405: "Dit kan zo niet",
    429: "Even wachten",
}
FIELD_NL = {
    "case_id": "het zaaknummer",
    "datum": "de datum",
    "soort": "de soort contact",
    "taak": "de taak",
    "toekenning": "de toekenning",
    "uitkomst": "de uitkomst",
    "antwoord": "het antwoord",
    "zaken": "de gekozen zaken",
    "eindresultaat": "het eindresultaat",
    "message_id": "het bericht",
    "jaar": "het jaar (bijvoorbeeld 2025)",
    "bevolking": "het bevolkingsbestand",
}
"""How a form field is named in an error message for the team."""


def create_app(
    *,
    engine: Engine,
    secret_key: bytes,
    secure_cookies: bool = True,
    organisation_name: str = "Gemeente Voorbeeld",
    gegevensleverancier: str = "PROACTIEF",
    rule_settings: MunicipalSettings | None = None,
    work_queue_config: WorkQueueConfig | None = None,
    trusted_proxies: Sequence[str] = (),
    afzender: Afzender | None = None,
    anchor_audit: Callable[[], object] | None = None,
    contact_directory: ContactDirectory | None = None,
    pseudonymizer: Pseudonymizer | None = None,
    person_search: PersonSearch | None = None,
    notify_callback_token: str | None = None,
    gebeurtenissen_token: str | None = None,
    oidc: OidcLogin | None = None,
    wachtwoord_login: bool = True,
    household_register: HouseholdRegister | None = None,
    dashboard_minuten: int = 0,
) -> FastAPI:
    """The app on ``engine``; ``secret_key`` signs the session cookies; the names go into
    the CBS report; ``rule_settings`` are the municipal choices the entitlement
    explanations use (the same as the scan's); ``work_queue_config`` is the team's policy
    (config/work_queue.yaml); ``trusted_proxies`` are the addresses (or networks) of
    reverse proxies whose X-Forwarded-For and X-Forwarded-Proto count: the client's
    address for the login and code limits, and https for HSTS. From anyone else those
    headers are ignored, so a client cannot pick its own address. ``anchor_audit``
    anchors the audit chain outside the database (trust.anchor): at start, every hour and
    when the app stops. ``afzender``: who sends, as the case page's message previews
    say it. ``contact_directory``: where the case page looks up how to reach a resident
    when a worker asks (None: the page says contact details are not connected).
    ``pseudonymizer``: the key's pseudonymizer, for files uploaded to /inname (None: the
    page offers no upload). ``person_search``: the population register (BRP), for the
    queue's search on surname and date of birth (None: the search says it is not
    connected). ``oidc``: the municipality's identity provider (None: password login only);
    ``wachtwoord_login``: False turns the password form off. ``household_register``: the
    BRP, for the case page's count of who lives at the address (None: not offered).
    ``dashboard_minuten``: how long the dashboard's figures are kept before they are
    counted again (0: every page counts; `proactief serve` keeps them 5 minutes).
    ``notify_callback_token``: the bearer token of the Notify service's delivery receipts
    at /api/v1/notify/status and /api/v1/notify/retour (None: refused).
    ``gebeurtenissen_token``: the bearer token of the life events source at
    /api/v1/gebeurtenissen (None: refused)."""
    context = WebContext(
        engine=engine,
        templates=page_templates(),
        queue_config=work_queue_config or load_work_queue_config(),
        rule_settings=rule_settings,
        afzender=afzender or Afzender(naam=organisation_name),
        organisation_name=organisation_name,
        gegevensleverancier=gegevensleverancier,
        contact_directory=contact_directory,
        pseudonymizer=pseudonymizer,
        person_search=person_search,
        login_limit=Throttle(engine, "5/15 minutes"),
        client_limit=Throttle(engine, "50/15 minutes"),
        code_limit=Throttle(engine, "5/15 minutes"),
        notify_callback_token=notify_callback_token,
        gebeurtenissen_token=gebeurtenissen_token,
        oidc=oidc,
        wachtwoord_login=wachtwoord_login,
        household_register=household_register,
        dashboard_cache=DashboardCache(timedelta(minutes=dashboard_minuten))
        if dashboard_minuten
        else None,
    )
    # logging out ends the session at the provider too: a form that redirects there
    csp = CSP.replace("form-action 'self'", f"form-action 'self' {oidc.origin}") if oidc else CSP

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if anchor_audit is None:
            yield
            return

        async def hourly() -> None:
            while True:
                await asyncio.sleep(ANCHOR_SECONDS)
                await asyncio.to_thread(anchor_audit)

        await asyncio.to_thread(anchor_audit)  # at start, before the first request
        task = asyncio.create_task(hourly())
        try:
            yield
        finally:
            task.cancel()
            await asyncio.to_thread(anchor_audit)

    app = FastAPI(
        title="Proactief", docs_url=None, redoc_url=None, openapi_url=None, lifespan=lifespan
    )
    app.state.context = context

    @app.middleware("http")
    async def security_headers(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        response: Response = await call_next(request)
        response.headers["Content-Security-Policy"] = csp
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
        if not request.url.path.startswith("/static/"):
            response.headers["Cache-Control"] = "no-store"
        if request.url.scheme == "https":
            response.headers["Strict-Transport-Security"] = HSTS
        return response

    app.add_middleware(
        SessionMiddleware,
        secret_key=secret_key.hex(),
        session_cookie="proactief_sessie",
        max_age=SESSION_HOURS * 3600,
        same_site="lax",
        https_only=secure_cookies,
    )
    if trusted_proxies:
        # added last, so it runs first: every later layer sees the real client
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=list(trusted_proxies))
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    app.mount("/api/v1", create_api(context))

    def error_page(request: Request, status: int, message: str) -> Response:
        # inside the layout, with the menu of whoever is logged in
        try:
            user = current_user(context.engine, request.session)
        except Exception:  # an error page must not fail on the session store
            user = None
        return render(
            request,
            "fout.html",
            status=status,
            titel=ERROR_TITLES.get(status, "Er ging iets mis"),
            melding=message,
            user=user,
        )

    @app.exception_handler(NotLoggedIn)
    async def to_login(request: Request, _exc: NotLoggedIn) -> Response:
        return RedirectResponse(f"/login?volgende={request.url.path}", status_code=303)

    @app.exception_handler(NotAllowed)
    async def not_allowed(request: Request, _exc: NotAllowed) -> Response:
        return error_page(request, 403, "U heeft geen toegang tot deze pagina.")

    @app.exception_handler(NoResident)
    async def to_code(request: Request, _exc: NoResident) -> Response:
        return RedirectResponse("/inwoner", status_code=303)

    @app.exception_handler(AlreadyDone)
    async def already_done(request: Request, _exc: AlreadyDone) -> Response:
        # the same form again: nothing changed; back to the page it came from, saying so
        request.session["flash"] = ALREADY_DONE
        back = request.headers.get("referer", "")
        path = urlsplit(back).path if back else ""
        if not path.startswith("/") or path.startswith("//"):
            path = "/werkvoorraad"
        return RedirectResponse(path, status_code=303)

    @app.exception_handler(CsrfFailed)
    async def expired_form(request: Request, _exc: CsrfFailed) -> Response:
        return error_page(request, 403, "Het formulier is verlopen. Laad de pagina opnieuw.")

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        message = str(exc.detail)
        if exc.status_code == 404 and message == "Not Found":
            message = "Deze pagina bestaat niet. Controleer het adres of ga terug."
        elif exc.status_code == 405:
            message = "Dit adres werkt zo niet. Gebruik de knoppen op de pagina."
        response = error_page(request, exc.status_code, message)
        response.headers.update(exc.headers or {})  # e.g. Retry-After with a 429
        return response

    @app.exception_handler(RequestValidationError)
    async def invalid_page(request: Request, exc: RequestValidationError) -> Response:
        # in the team's words, not the form's field names
        fields = sorted({FIELD_NL.get(str(e["loc"][-1]), "een veld") for e in exc.errors()})
        response = error_page(
            request,
            400,
            "Dit klopt niet: vul " + " en ".join(fields) + " goed in en probeer het opnieuw.",
        )
        return response

    for area in (accounts, cases, info, intake, reports, residents, scan, tasks):
        app.include_router(area.router)
    return app

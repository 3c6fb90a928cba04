"""What every route shares, as FastAPI dependencies: the app's context, the professional
with a permission from config/rollen.yaml, the resident of this session, and the CSRF
check of every change. Pages and the API use the same dependencies; each app turns the
refusals below into its own answer (a redirect or page, or an RFC 9457 problem)."""

import secrets
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Annotated

from fastapi import Depends, HTTPException, Path, Request
from fastapi.templating import Jinja2Templates
from sqlalchemy import Connection, Engine

from proactief.accounts.forms import claim_form_key
from proactief.accounts.throttle import Throttle
from proactief.accounts.users import User
from proactief.early_detection.contacts import (
    CaseClosedError,
    CaseNotFoundError,
    ContactDateError,
    NotReachedError,
)
from proactief.early_detection.work_queue import WorkQueueConfig
from proactief.entitlements import MunicipalSettings
from proactief.offers.account import Afzender
from proactief.sources.brp import PersonSearch
from proactief.sources.contactgegevens import ContactDirectory
from proactief.trust.pseudonyms import Pseudonymizer
from proactief.web.auth import authorize, holder

if TYPE_CHECKING:
    from proactief.early_detection.households import HouseholdRegister
    from proactief.web.dashboard_cache import DashboardCache
    from proactief.web.oidc import OidcLogin

__all__ = [
    "MAX_ID",
    "AlreadyDone",
    "Context",
    "CsrfFailed",
    "NoResident",
    "Resident",
    "WebContext",
    "ZaakId",
    "actor",
    "case_change",
    "client_key",
    "csrf_token",
    "dutch",
    "form_key",
    "once",
    "require",
    "too_many",
    "verify_csrf",
]

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
MAX_ID = 2**31 - 1
"""Ids are 32-bit integers in PostgreSQL: a larger id is a 400, not a database error."""
ZaakId = Annotated[int, Path(ge=1, le=MAX_ID)]


@dataclass(frozen=True)
class WebContext:
    """What the app was started with; one per app, in ``app.state.context``."""

    engine: Engine
    templates: Jinja2Templates
    queue_config: WorkQueueConfig
    rule_settings: MunicipalSettings | None
    afzender: Afzender
    organisation_name: str
    gegevensleverancier: str
    contact_directory: ContactDirectory | None
    """How to reach a resident, looked up when a worker asks (audited); None: not set."""
    pseudonymizer: Pseudonymizer | None
    """For a file uploaded to /inname (the same key as the CLI); None: no web intake."""
    person_search: PersonSearch | None
    """The population register (BRP) for a search on name and date of birth; None: off."""
    login_limit: Throttle
    """Password attempts per client address and user name."""
    client_limit: Throttle
    """Password attempts per client address, whatever the name (many names tried)."""
    code_limit: Throttle
    """Resident code attempts per client address."""
    dashboard_cache: "DashboardCache | None" = None
    """The dashboard's figures per period, kept for a while (None: counted every time)."""
    household_register: "HouseholdRegister | None" = None
    """The BRP, for who lives at a resident's address (the case page); None: not asked."""
    oidc: "OidcLogin | None" = None
    """The municipality's identity provider; None: no login there."""
    wachtwoord_login: bool = True
    """False: only the identity provider; the password form is gone and refused."""
    notify_callback_token: str | None = None
    """The bearer token a Notify service sends with its delivery receipts; None: the
    receipt endpoints refuse everything."""
    gebeurtenissen_token: str | None = None
    """The bearer token of the source of life events (CloudEvents); None: refused."""


def _context(request: Request) -> WebContext:
    context: WebContext = request.app.state.context
    return context


Context = Annotated[WebContext, Depends(_context)]


class CsrfFailed(Exception):
    """A change without the session's CSRF token."""


class NoResident(Exception):
    """No resident entered a code in this session."""


def client_key(request: Request) -> str:
    """Whose attempts count together: the client's address (behind a proxy, the address
    the trusted proxy reports; see PROACTIEF_TRUSTED_PROXIES)."""
    return request.client.host if request.client else "onbekend"


def too_many(limit: Throttle, key: str, what: str) -> HTTPException:
    """A 429 that says, in minutes and in Retry-After, when the client may try again."""
    seconds = limit.retry_after(key)
    minutes = max(1, -(-seconds // 60))
    return HTTPException(
        429,
        f"{what} Probeer het over {minutes} {'minuut' if minutes == 1 else 'minuten'} opnieuw.",
        headers={"Retry-After": str(seconds)},
    )


def actor(user: User) -> str:
    """How a professional is named in the audit trail."""
    return f"medewerker:{user.gebruikersnaam}"


def csrf_token(request: Request) -> str:
    """The session's CSRF token, made at the first page of the session."""
    token = request.session.get("csrf")
    if not token:
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return str(token)


async def verify_csrf(request: Request) -> None:
    """Every change (POST, PUT, PATCH, DELETE) carries the session's token: in the
    ``X-CSRF-Token`` header (API, htmx) or the ``csrf_token`` form field (pages)."""
    if request.method not in UNSAFE_METHODS:
        return
    token = request.headers.get("x-csrf-token")
    if token is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        # Starlette keeps the parsed form, so the route's Form(...) fields read it again
        token = str((await request.form()).get("csrf_token", ""))
    expected = request.session.get("csrf")
    if not expected or not token or not secrets.compare_digest(str(expected), token):
        raise CsrfFailed


def require(permission: str) -> Callable[..., Awaitable[User]]:
    """A dependency: the logged-in professional whose role has ``permission``
    (config/rollen.yaml); for a change, after the CSRF check.

    Raises NotLoggedIn or NotAllowed (proactief.web.auth), or CsrfFailed."""

    def logged_in(request: Request, context: Context) -> User:
        return authorize(context.engine, request.session, permission)

    async def checked(request: Request, user: Annotated[User, Depends(logged_in)]) -> User:
        await verify_csrf(request)
        return user

    return checked


async def _resident(request: Request, context: Context) -> str:
    who = holder(context.engine, request.session)
    if who is None or who.person_pseudonym is None:
        raise NoResident
    await verify_csrf(request)
    return who.person_pseudonym


Resident = Annotated[str, Depends(_resident)]
"""The resident of this session (their pseudonym); for a change, after the CSRF check."""


@contextmanager
def case_change(engine: Engine) -> Iterator[Connection]:
    """One transaction for a change to a case, for pages and API alike; the case's
    refusals become 404 or 400 with their message, and nothing of the change is kept."""
    try:
        with engine.begin() as conn:
            yield conn
    except CaseNotFoundError as exc:
        raise HTTPException(404, f"Zaak {exc.case_id} bestaat niet.") from exc
    except (CaseClosedError, ContactDateError, NotReachedError) as exc:
        raise HTTPException(400, dutch(exc)) from exc


def optional_day(raw: str, label: str, problems: list[str]) -> date | None:
    """A date a filter may leave empty (yyyy-mm-dd, as a date field sends it); what is
    wrong goes into ``problems`` in Dutch, and the filter then has no date."""
    if not raw:
        return None
    try:
        return date.fromisoformat(raw[:10])
    except ValueError:
        problems.append(f"{label}: vul een datum in, bijvoorbeeld 2026-01-31.")
        return None


def dutch(exc: Exception) -> str:
    """The Dutch half of a service's 'nederlands / english' message, for the team."""
    return str(exc).split(" / ")[0].rstrip(" .:;") + "."


ALREADY_DONE = "Dit formulier was al verstuurd en is al verwerkt. Er is niets veranderd."


class AlreadyDone(Exception):
    """The same form was sent before: its change was made once and is not made again."""


def once(conn: Connection, key: str) -> None:
    """Mark the form's one-time key as used in the caller's transaction (the change and the
    key commit together); raise AlreadyDone when it was used before. A form without a key
    (an old page, the API) is not checked."""
    if key and not claim_form_key(conn, key):
        raise AlreadyDone


def form_key() -> str:
    """A new one-time key for a form (put in a hidden field named 'formulier')."""
    return secrets.token_urlsafe(24)

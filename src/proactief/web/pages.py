"""Rendering a page: one Jinja2 environment per app (web/templates), the menu built from
config/rollen.yaml for the user's role, the session's CSRF token and its one-time notice."""

from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from proactief.accounts.users import User
from proactief.channels.wording import dag
from proactief.web.auth import role_matrix
from proactief.web.deps import WebContext, csrf_token, form_key

__all__ = ["MENU", "datum_kort", "datum_nl", "menu_for", "moment", "page_templates", "render"]

TEMPLATES = Path(__file__).parent / "templates"

MENU: tuple[tuple[str, str, str], ...] = (
    # (permission in config/rollen.yaml, path, label)
    ("werkvoorraad", "/werkvoorraad", "Werkvoorraad"),
    ("dashboard", "/dashboard", "Dashboard"),
    ("inname", "/inname", "Inname"),
    ("regelingen_scan", "/regelingen", "Regelingen"),
    ("rapportage", "/rapportage", "CBS-rapportage"),
    ("terugkoppeling", "/terugkoppeling", "Terugkoppeling"),
    ("taken", "/taken", "Taken"),
    ("gebruikers_beheren", "/medewerkers", "Medewerkers"),
    ("eigen_account", "/account", "Mijn account"),
)
"""The main menu: an item shows when the user's role has its permission."""


def menu_for(user: User | None) -> list[tuple[str, str]]:
    """(path, label) of every menu item the user may open."""
    if user is None:
        return []
    matrix = role_matrix()
    return [(path, label) for permission, path, label in MENU if user.rol in matrix[permission]]


def datum_nl(value: date | datetime | str) -> str:
    """'23 november 2026': how a resident reads a date (as in the letters)."""
    if isinstance(value, str):
        value = date.fromisoformat(value)
    if isinstance(value, datetime):
        value = value.date()
    return dag(value)


def moment(value: datetime | None) -> str:
    """'06-12-2026 10:14': a moment in Dutch time (Europe/Amsterdam), for what ran when."""
    if value is None:
        return "–"
    aware = value if value.tzinfo else value.replace(tzinfo=UTC)
    return f"{aware.astimezone(ZoneInfo('Europe/Amsterdam')):%d-%m-%Y %H:%M}"


def datum_kort(value: date | datetime | str | None) -> str:
    """'06-12-2026': the one short date format of the professional pages (tables, notices)."""
    if value is None:
        return "–"
    if isinstance(value, str):
        value = date.fromisoformat(value)
    return f"{value:%d-%m-%Y}"


def door_nl(actor: str) -> str:
    """Who did it, as the team reads it: the login name of a colleague, or what the system
    part is called ('medewerker:anna' -> 'anna')."""
    return actor.removeprefix("medewerker:")


def page_templates() -> Jinja2Templates:
    """The app's one template environment."""
    templates = Jinja2Templates(directory=str(TEMPLATES))
    templates.env.filters["datum_nl"] = datum_nl
    templates.env.filters["datum_kort"] = datum_kort
    templates.env.filters["moment"] = moment
    templates.env.filters["door_nl"] = door_nl
    return templates


def render(request: Request, name: str, status: int = 200, **context: object) -> HTMLResponse:
    """Page ``name`` with ``context``, the menu of ``context['user']``, the CSRF token and
    the notice left by the previous request (shown once)."""
    app_context: WebContext = request.app.state.context
    user = context.setdefault("user", None)
    if user is not None and not isinstance(user, User):
        raise TypeError(f"context['user'] must be a User, not {type(user).__name__}")
    flash = request.session.pop("flash", None)
    return app_context.templates.TemplateResponse(
        request,
        name,
        {
            "csrf": csrf_token(request),
            # a one-time key for the page's forms: a form sent twice changes things once
            "formulier": form_key(),
            # who runs this site: the header, the footer's contact and the statements
            "afzender": app_context.afzender,
            "flash": flash,
            "menu": menu_for(user),
            # what the user's role may do (config/rollen.yaml), to show only usable forms
            "toegang": {p for p, roles in role_matrix().items() if user and user.rol in roles},
            **context,
        },
        status_code=status,
    )

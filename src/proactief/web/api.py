"""The JSON API under /api/v1, following the Dutch API design rules where they fit:
resources in Dutch plural nouns, errors as ``application/problem+json`` (RFC 9457), an
OpenAPI document at /api/v1/openapi.json and an ``API-Version`` header on every response.

It uses the same session as the pages (cookie) and the same role matrix; every unsafe
request needs the session's CSRF token in the ``X-CSRF-Token`` header.
"""

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Annotated, Any

from fastapi import FastAPI, Header, HTTPException, Path, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy import Connection, Engine

from proactief.accounts.users import User
from proactief.domain import (
    Contactpoging,
    Contactsoort,
    Dagdeel,
    Kanaal,
    PreferenceState,
    Wijze,
)
from proactief.early_detection.cases import work_queue
from proactief.early_detection.contacts import (
    CaseClosedError,
    CaseNotFoundError,
    ContactDateError,
    NotReachedError,
    get_case,
    register_contact,
)
from proactief.trust.consent import channel_events, current_state, record_events
from proactief.web.auth import NotAllowed, NotLoggedIn, authorize

__all__ = ["API_VERSION", "MAX_ID", "ZaakId", "case_change", "create_api"]


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
        raise HTTPException(400, str(exc)) from exc


API_VERSION = "1.0.0"
MAX_ID = 2**31 - 1
"""Ids are 32-bit integers in PostgreSQL: a larger id is a 400, not a database error."""
ZaakId = Annotated[int, Path(ge=1, le=MAX_ID)]


class Reden(BaseModel):
    """Why a case has its priority."""

    regel: str
    punten: int
    uitleg: str


class ZaakSamenvatting(BaseModel):
    """An open case in the work queue."""

    id: int
    prioriteit: int
    redenen: list[Reden]
    signaalpartners: list[str]
    eerste_signaal: date


class ContactpogingIn(BaseModel):
    """A contact attempt to register (DDAS vocabulary)."""

    soort: Contactsoort
    datum: date
    dagdeel: Dagdeel | None = None
    bereikt: bool


class ContactpogingUit(ContactpogingIn):
    """A registered contact attempt."""


class Zaak(BaseModel):
    """One case."""

    id: int
    prioriteit: int
    matchingsdatum: date
    datum_opgepakt: date | None
    datum_hulp_geaccepteerd: date | None
    eindresultaat: str | None
    contactpogingen: list[ContactpogingUit]


class Voorkeuren(BaseModel):
    """The resident's current choices."""

    kanalen: list[Kanaal]
    dagdeel: Dagdeel | None
    elektronisch_akkoord: list[str]
    niet_benaderen: bool


class KanalenIn(BaseModel):
    """New channel choices, in order of preference."""

    kanalen: list[Kanaal] = Field(max_length=5)
    dagdeel: Dagdeel | None = None


def problem(status: int, title: str, detail: str, instance: str, **extra: Any) -> JSONResponse:
    """An RFC 9457 problem document."""
    return JSONResponse(
        {
            "type": "about:blank",
            "title": title,
            "status": status,
            "detail": detail,
            "instance": instance,
            **extra,
        },
        status_code=status,
        media_type="application/problem+json",
    )


PROBLEM = {"content": {"application/problem+json": {}}, "description": "Probleem"}


def create_api(*, engine: Engine) -> FastAPI:
    """The API app, mounted at /api/v1 by ``create_app``."""
    api = FastAPI(
        title="Proactief API",
        version=API_VERSION,
        description="Zaken, contactpogingen en voorkeuren van inwoners.",
        openapi_url="/openapi.json",
        docs_url=None,
        redoc_url=None,
        responses={401: PROBLEM, 403: PROBLEM, 404: PROBLEM, 400: PROBLEM},
    )

    @api.middleware("http")
    async def version_header(request: Request, call_next: Any) -> Response:
        response: Response = await call_next(request)
        response.headers["API-Version"] = API_VERSION
        return response

    @api.exception_handler(HTTPException)
    async def http_problem(request: Request, exc: HTTPException) -> JSONResponse:
        titles = {401: "Niet ingelogd", 403: "Geen toegang", 404: "Niet gevonden"}
        return problem(
            exc.status_code,
            titles.get(exc.status_code, "Ongeldig verzoek"),
            str(exc.detail),
            request.url.path,
        )

    @api.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        params = [
            {"name": ".".join(str(p) for p in e["loc"]), "reason": e["msg"]} for e in exc.errors()
        ]
        return problem(
            400,
            "Ongeldige invoer",
            "Een of meer velden kloppen niet.",
            request.url.path,
            **{"invalid-params": params},
        )

    def professional(request: Request, permission: str) -> User:
        try:
            return authorize(engine, request.session, permission)
        except NotLoggedIn as exc:
            raise HTTPException(401, "Log eerst in.") from exc
        except NotAllowed as exc:
            raise HTTPException(403, "Uw rol mag dit niet.") from exc

    def resident(request: Request) -> str:
        person = request.session.get("resident")
        if not person:
            raise HTTPException(401, "Vul eerst uw code in.")
        return str(person)

    def check_csrf(request: Request, token: str | None) -> None:
        expected = request.session.get("csrf")
        if not expected or not token or not secrets.compare_digest(str(expected), token):
            raise HTTPException(403, "De CSRF-token ontbreekt of klopt niet.")

    @api.get("/zaken", response_model=list[ZaakSamenvatting])
    def list_cases(request: Request) -> list[ZaakSamenvatting]:
        """Open zaken, hoogste prioriteit eerst."""
        user = professional(request, "werkvoorraad")
        with engine.begin() as conn:
            items = work_queue(conn=conn, limit=1000, actor=f"api:{user.gebruikersnaam}")
        return [
            ZaakSamenvatting(
                id=i.case.case_id,
                prioriteit=i.case.priority,
                redenen=[
                    Reden(regel=r.rule_id, punten=r.points, uitleg=r.reason)
                    for r in i.case.priority_reasons
                ],
                signaalpartners=list(i.partners),
                eerste_signaal=i.first_signal,
            )
            for i in items
        ]

    @api.get("/zaken/{zaak_id}", response_model=Zaak)
    def one_case(request: Request, zaak_id: ZaakId) -> Zaak:
        """Eén zaak met haar contactpogingen."""
        user = professional(request, "zaak_bekijken")
        with engine.begin() as conn:
            try:
                case = get_case(conn=conn, case_id=zaak_id, actor=f"api:{user.gebruikersnaam}")
            except CaseNotFoundError as exc:
                raise HTTPException(404, f"Zaak {zaak_id} bestaat niet.") from exc
        return Zaak(
            id=case.case_id,
            prioriteit=case.priority,
            matchingsdatum=case.matchingsdatum,
            datum_opgepakt=case.datum_opgepakt,
            datum_hulp_geaccepteerd=case.datum_hulp_geaccepteerd,
            eindresultaat=case.eindresultaat.value if case.eindresultaat else None,
            contactpogingen=[
                ContactpogingUit(soort=a.soort, datum=a.datum, dagdeel=a.dagdeel, bereikt=a.bereikt)
                for a in case.contactpogingen
            ],
        )

    @api.post("/zaken/{zaak_id}/contactpogingen", status_code=201, response_model=ContactpogingUit)
    def add_attempt(
        request: Request,
        zaak_id: ZaakId,
        poging: ContactpogingIn,
        x_csrf_token: str | None = Header(default=None),
    ) -> ContactpogingUit:
        """Leg een contactpoging vast."""
        professional(request, "contact_registreren")
        check_csrf(request, x_csrf_token)
        attempt = Contactpoging(poging.soort, poging.datum, poging.dagdeel, poging.bereikt)
        with case_change(engine) as conn:
            register_contact(conn=conn, case_id=zaak_id, attempt=attempt)
        return ContactpogingUit(**poging.model_dump())

    def _state(person: str) -> Voorkeuren:
        with engine.connect() as conn:
            return _voorkeuren(current_state(conn=conn, person_pseudonym=person))

    def _voorkeuren(state: PreferenceState) -> Voorkeuren:
        return Voorkeuren(
            kanalen=list(state.kanalen),
            dagdeel=Dagdeel(state.dagdeel) if state.dagdeel else None,
            elektronisch_akkoord=sorted(s.value for s in state.elektronisch),
            niet_benaderen=state.niet_benaderen,
        )

    @api.get("/voorkeuren", response_model=Voorkeuren)
    def my_preferences(request: Request) -> Voorkeuren:
        """De keuzes van de ingelogde inwoner."""
        return _state(resident(request))

    @api.put("/voorkeuren/kanalen", response_model=Voorkeuren)
    def set_channels(
        request: Request, keuze: KanalenIn, x_csrf_token: str | None = Header(default=None)
    ) -> Voorkeuren:
        """Kies hoe en wanneer de gemeente contact opneemt."""
        person = resident(request)
        check_csrf(request, x_csrf_token)
        with engine.begin() as conn:
            state = record_events(
                conn=conn,
                person_pseudonym=person,
                events=channel_events(keuze.kanalen, keuze.dagdeel),
                wijze=Wijze.WEB,
                door="inwoner",
            )
        return _voorkeuren(state)

    return api

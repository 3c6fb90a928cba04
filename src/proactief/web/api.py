"""The JSON API under /api/v1, following the Dutch API design rules where they fit:
resources in Dutch plural nouns, errors as ``application/problem+json`` (RFC 9457), an
OpenAPI document at /api/v1/openapi.json and an ``API-Version`` header on every response.

It uses the same session as the pages (cookie) and the same role matrix; every unsafe
request needs the session's CSRF token in the ``X-CSRF-Token`` header. The delivery receipts
of a Notify service (/notify/status, /notify/retour) are the exception: no session, the
bearer token agreed with that service instead.
"""

import hmac
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime
from typing import Annotated, Literal

from fastapi import Depends, FastAPI, HTTPException, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field

from proactief.accounts.users import User
from proactief.channels.notify import delivery_for_status
from proactief.domain import (
    Contactpoging,
    Contactsoort,
    Dagdeel,
    Kanaal,
    PreferenceState,
    Signaalpartner,
    Wijze,
)
from proactief.early_detection.contacts import CaseNotFoundError, get_case, register_contact
from proactief.early_detection.feedback import (
    FeedbackLine,
    FeedbackStatus,
    pending_feedback,
    send_feedback,
)
from proactief.early_detection.queue import PAGE_SIZES, QueueFilter, queue_page
from proactief.offers.outbox import record_returned_letter, record_status
from proactief.trust.consent import channel_events, current_state, record_events
from proactief.web.auth import NotAllowed, NotLoggedIn
from proactief.web.deps import (
    CsrfFailed,
    NoResident,
    Resident,
    WebContext,
    ZaakId,
    case_change,
    require,
)

__all__ = ["API_VERSION", "create_api"]


API_VERSION = "1.0.0"


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


class ContactmomentIn(BaseModel):
    """A moment of contact that happens anyway (config/aanpak.yaml moment.soorten)."""

    soort: str = Field(min_length=1, max_length=40, pattern=r"^[a-z_]+$")
    datum: date


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


class Terugkoppeling(BaseModel):
    """One line back to a creditor about its own signal: THAT it happened, never why
    (docs/feedback.md)."""

    signaal_id: str
    signaalpartner: Signaalpartner
    status: FeedbackStatus
    datum: date
    incasso_pauze_tot: date | None


EVENTS_MAX_BYTES = 1_000_000
"""The most one POST of life events may hold (larger: 413)."""


def _feedback_out(lines: list[FeedbackLine]) -> list[Terugkoppeling]:
    return [
        Terugkoppeling(
            signaal_id=line.signaal_id,
            signaalpartner=Signaalpartner(line.signaalpartner),
            status=line.status,
            datum=line.datum,
            incasso_pauze_tot=line.incasso_pauze_tot,
        )
        for line in lines
    ]


def problem(status: int, title: str, detail: str, instance: str, **extra: object) -> JSONResponse:
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


class GebeurtenisOntvangst(BaseModel):
    """What became of a delivery of life events."""

    ontvangen: int
    opgeslagen: int
    dubbel: int
    quarantaine: int
    redenen: list[str]


_PRINTABLE = r"^[^\x00-\x1f\x7f]+$"
"""An id or status from another service: no control characters (PostgreSQL refuses NUL
in text, so such a value would otherwise end in a server error)."""


class Afleverbericht(BaseModel):
    """A Notify service's delivery receipt (its callback: 'Delivery receipts'). Only the
    id, type and status are read; the other fields (among them the address, 'to') are
    accepted and dropped."""

    id: str = Field(min_length=1, max_length=100, pattern=_PRINTABLE)
    reference: str | None = None
    status: str = Field(min_length=1, max_length=40, pattern=_PRINTABLE)
    notification_type: Literal["email", "sms", "letter"]


class Retourbericht(BaseModel):
    """A Notify service's report of a letter that came back ('Returned letters')."""

    notification_id: str = Field(min_length=1, max_length=100, pattern=_PRINTABLE)
    reference: str | None = None


_NOTIFY_KANAAL = {"email": Kanaal.EMAIL, "sms": Kanaal.SMS, "letter": Kanaal.BRIEF}


def create_api(context: WebContext) -> FastAPI:
    """The API app, mounted at /api/v1 by ``create_app``, on the same context."""
    api = FastAPI(
        title="Proactief API",
        version=API_VERSION,
        description="Zaken, contactpogingen en voorkeuren van inwoners.",
        openapi_url="/openapi.json",
        docs_url=None,
        redoc_url=None,
        responses={401: PROBLEM, 403: PROBLEM, 404: PROBLEM, 400: PROBLEM},
    )
    api.state.context = context

    @api.middleware("http")
    async def version_header(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
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

    def refusal(
        status: int, title: str, detail: str
    ) -> Callable[[Request, Exception], Awaitable[JSONResponse]]:
        async def handler(request: Request, _exc: Exception) -> JSONResponse:
            return problem(status, title, detail, request.url.path)

        return handler

    api.add_exception_handler(NotLoggedIn, refusal(401, "Niet ingelogd", "Log eerst in."))
    api.add_exception_handler(NotAllowed, refusal(403, "Geen toegang", "Uw rol mag dit niet."))
    api.add_exception_handler(NoResident, refusal(401, "Niet ingelogd", "Vul eerst uw code in."))
    api.add_exception_handler(
        CsrfFailed, refusal(403, "Geen toegang", "De CSRF-token ontbreekt of klopt niet.")
    )

    def notify_caller(request: Request) -> None:
        """Only the sending service, by the bearer token agreed with it."""
        expected = context.notify_callback_token
        given = request.headers.get("authorization", "")
        if not expected or not hmac.compare_digest(given.encode(), f"Bearer {expected}".encode()):
            raise HTTPException(401, "Onbekende afzender van het afleverbericht.")

    @api.post("/notify/status", status_code=204, dependencies=[Depends(notify_caller)])
    def notify_status(bericht: Afleverbericht) -> Response:
        """Afleverbericht van de verzenddienst (Notify): aangekomen wordt een contactpoging,
        niet aangekomen een mislukte stap. Een bericht dat twee keer komt telt één keer."""
        delivery = delivery_for_status(_NOTIFY_KANAAL[bericht.notification_type], bericht.status)
        if delivery is not None:
            with context.engine.begin() as conn:
                record_status(
                    conn=conn, extern_id=bericht.id, delivery=delivery, now=datetime.now(UTC)
                )
        return Response(status_code=204)

    @api.post("/notify/retour", status_code=204, dependencies=[Depends(notify_caller)])
    def notify_returned(bericht: Retourbericht) -> Response:
        """Een brief kwam terug (onbestelbaar): de stap is toch mislukt."""
        with context.engine.begin() as conn:
            record_returned_letter(
                conn=conn, extern_id=bericht.notification_id, now=datetime.now(UTC)
            )
        return Response(status_code=204)

    def event_source(request: Request) -> None:
        """Only the source of life events, by the bearer token agreed with it."""
        expected = context.gebeurtenissen_token
        given = request.headers.get("authorization", "")
        if not expected or not hmac.compare_digest(given.encode(), f"Bearer {expected}".encode()):
            raise HTTPException(401, "Onbekende afzender van de gebeurtenis.")

    @api.post(
        "/gebeurtenissen",
        status_code=202,
        response_model=GebeurtenisOntvangst,
        dependencies=[Depends(event_source)],
        openapi_extra={
            "requestBody": {
                "required": True,
                "content": {
                    "application/cloudevents+json": {"schema": {"type": "object"}},
                    "application/cloudevents-batch+json": {"schema": {"type": "array"}},
                    "application/json": {"schema": {}},
                },
            }
        },
    )
    async def receive_events(request: Request) -> JSONResponse:
        """Levensgebeurtenissen als CloudEvents 1.0 (structured, batch of binary met
        ce-headers). Elke gebeurtenis wordt opgeslagen, is dubbel, of gaat met de reden
        in quarantaine; een afgewezen gebeurtenis geeft 422 met de redenen."""
        from proactief.offers.life_events import delivery_hash, events_of_body, intake_events

        if context.pseudonymizer is None:
            raise HTTPException(503, "Gebeurtenissen kunnen hier niet worden ingelezen.")
        # read at most 1 MB: a larger body is refused by its declared length, or as soon
        # as the stream passes the limit, never read whole into memory first
        too_big = HTTPException(413, "Te groot: stuur hoogstens 1 MB per keer.")
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > EVENTS_MAX_BYTES:
            raise too_big
        parts: list[bytes] = []
        size = 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > EVENTS_MAX_BYTES:
                raise too_big
            parts.append(chunk)
        body = b"".join(parts)
        now = datetime.now(UTC)
        with context.engine.begin() as conn:
            result = intake_events(
                conn,
                events_of_body(body, dict(request.headers)),
                naam=f"http {now:%Y-%m-%dT%H:%M:%S}",
                sha256=delivery_hash(body),
                pseudonymizer=context.pseudonymizer,
                now=now,
                actor="systeem:gebeurtenissen",
            )
        data = GebeurtenisOntvangst(
            ontvangen=result.ontvangen,
            opgeslagen=result.opgeslagen,
            dubbel=result.dubbel,
            quarantaine=result.quarantaine,
            redenen=[f"{p}: {r}" for p, r in result.redenen],
        )
        return JSONResponse(data.model_dump(), status_code=422 if result.quarantaine else 202)

    @api.get("/zaken", response_model=list[ZaakSamenvatting])
    def list_cases(
        request: Request,
        response: Response,
        user: Annotated[User, Depends(require("werkvoorraad"))],
        pagina: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
        per_pagina: Annotated[int, Query(description="25, 50 of 100")] = 50,
    ) -> list[ZaakSamenvatting]:
        """Open zaken, hoogste prioriteit eerst, per pagina. Het totaal staat in de header
        X-Total-Count, de andere pagina's in de header Link (rel next, prev)."""
        if per_pagina not in PAGE_SIZES:
            raise HTTPException(400, "per_pagina: kies 25, 50 of 100.")
        with context.engine.begin() as conn:
            page = queue_page(
                conn,
                QueueFilter(pagina=pagina, per_pagina=per_pagina),
                actor=f"api:{user.gebruikersnaam}",
            )
        response.headers["X-Total-Count"] = str(page.total)
        links = [
            f'<{request.url.include_query_params(pagina=n, per_pagina=per_pagina)}>; rel="{rel}"'
            for n, rel in ((page.pagina + 1, "next"), (page.pagina - 1, "prev"))
            if 1 <= n <= page.pages
        ]
        if links:
            response.headers["Link"] = ", ".join(links)
        return [
            ZaakSamenvatting(
                id=row.case_id,
                prioriteit=row.priority,
                redenen=[
                    Reden(regel=r.rule_id, punten=r.points, uitleg=r.reason)
                    for r in row.priority_reasons
                ],
                signaalpartners=list(row.partners),
                eerste_signaal=row.first_signal or row.matchingsdatum,
            )
            for row in page.rows
        ]

    @api.get("/terugkoppeling/{signaalpartner}", response_model=list[Terugkoppeling])
    def feedback_waiting(
        user: Annotated[User, Depends(require("terugkoppeling"))],
        signaalpartner: Signaalpartner,
    ) -> list[Terugkoppeling]:
        """Wat nog niet aan deze schuldeiser is teruggekoppeld (verandert niets)."""
        with context.engine.begin() as conn:
            lines = pending_feedback(
                conn,
                config=context.queue_config,
                actor=f"api:{user.gebruikersnaam}",
                partner=signaalpartner.value,
            )
        return _feedback_out(lines)

    @api.post("/terugkoppeling/{signaalpartner}", response_model=list[Terugkoppeling])
    def feedback_send(
        user: Annotated[User, Depends(require("terugkoppeling"))],
        signaalpartner: Signaalpartner,
    ) -> list[Terugkoppeling]:
        """Neem wat klaarstaat voor deze schuldeiser en leg het vast als verstuurd; een
        tweede keer geeft alleen wat sindsdien veranderde."""
        with context.engine.begin() as conn:
            lines = send_feedback(
                conn,
                config=context.queue_config,
                partner=signaalpartner.value,
                door=f"api:{user.gebruikersnaam}",
                via="api",
            )
        return _feedback_out(lines)

    @api.get("/zaken/{zaak_id}", response_model=Zaak)
    def one_case(user: Annotated[User, Depends(require("zaak_bekijken"))], zaak_id: ZaakId) -> Zaak:
        """Eén zaak met haar contactpogingen."""
        with context.engine.begin() as conn:
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

    @api.post(
        "/zaken/{zaak_id}/contactpogingen",
        status_code=201,
        response_model=ContactpogingUit,
    )
    def add_attempt(
        zaak_id: ZaakId,
        poging: ContactpogingIn,
        user: Annotated[User, Depends(require("contact_registreren"))],
    ) -> ContactpogingUit:
        """Leg een contactpoging vast. Met de CSRF-token van de sessie in X-CSRF-Token."""
        attempt = Contactpoging(poging.soort, poging.datum, poging.dagdeel, poging.bereikt)
        with case_change(context.engine) as conn:
            register_contact(
                conn=conn,
                case_id=zaak_id,
                attempt=attempt,
                actor=f"api:{user.gebruikersnaam}",
                niet_na=date.today(),
            )
        return ContactpogingUit(**poging.model_dump())

    @api.post(
        "/zaken/{zaak_id}/contactmomenten",
        status_code=201,
        response_model=ContactmomentIn,
    )
    def add_moment(
        zaak_id: ZaakId,
        moment: ContactmomentIn,
        user: Annotated[User, Depends(require("contact_registreren"))],
    ) -> ContactmomentIn:
        """Registreer een contactmoment dat er toch al is (een aanvraag voor kwijtschelding,
        een heronderzoek, een afspraak aan de balie, het APK-gesprek) voor de inwoner van
        de zaak: een aanbod dat dan aan de beurt is, gaat mee. Met de CSRF-token."""
        from proactief.early_detection import repository as early_repo
        from proactief.offers.moments import MomentError, register_moment

        with context.engine.begin() as conn:
            person = early_repo.case_subject(conn, zaak_id)
            if person is None:
                raise HTTPException(404, f"Zaak {zaak_id} bestaat niet.")
            try:
                register_moment(
                    conn,
                    person_pseudonym=person,
                    soort=moment.soort,
                    datum=moment.datum,
                    door=f"api:{user.gebruikersnaam}",
                    now=datetime.now(UTC),
                )
            except MomentError as exc:
                raise HTTPException(400, str(exc)) from exc
        return moment

    def _state(person: str) -> Voorkeuren:
        with context.engine.connect() as conn:
            return _voorkeuren(current_state(conn=conn, person_pseudonym=person))

    def _voorkeuren(state: PreferenceState) -> Voorkeuren:
        return Voorkeuren(
            kanalen=list(state.kanalen),
            dagdeel=Dagdeel(state.dagdeel) if state.dagdeel else None,
            elektronisch_akkoord=sorted(s.value for s in state.elektronisch),
            niet_benaderen=state.niet_benaderen,
        )

    @api.get("/voorkeuren", response_model=Voorkeuren)
    def my_preferences(person: Resident) -> Voorkeuren:
        """De keuzes van de ingelogde inwoner."""
        return _state(person)

    @api.put("/voorkeuren/kanalen", response_model=Voorkeuren)
    def set_channels(person: Resident, keuze: KanalenIn) -> Voorkeuren:
        """Kies hoe en wanneer de gemeente contact opneemt. Met de CSRF-token van de sessie
        in X-CSRF-Token."""
        with context.engine.begin() as conn:
            state = record_events(
                conn=conn,
                person_pseudonym=person,
                events=channel_events(keuze.kanalen, keuze.dagdeel),
                wijze=Wijze.WEB,
                door="inwoner",
            )
        return _voorkeuren(state)

    return api

"""The FastAPI app: pages for professionals (login with roles) and for residents (one-time
code). Business rules stay in the capability packages; this module only reads requests,
checks who may do what, calls those services and renders Dutch pages.

Security by construction: signed session cookies (Secure, HttpOnly, SameSite=Lax), a CSRF
token in every form, security headers with a strict Content-Security-Policy (no inline
scripts or styles), a limit on wrong resident codes, and purpose-bound, audited reads.
"""

import json
import secrets
from collections.abc import Callable, Iterable
from datetime import date, datetime
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Annotated, Any

import yaml
from babel.dates import format_date
from fastapi import FastAPI, Form, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from sqlalchemy import Engine
from starlette.middleware.sessions import SessionMiddleware

from proactief.accounts.resident_codes import CodeError, redeem_code
from proactief.accounts.users import User, authenticate
from proactief.domain import (
    Berichtsoort,
    Contactpoging,
    Contactsoort,
    Dagdeel,
    Doel,
    Eindresultaat,
    EventSoort,
    Kanaal,
    PreferenceState,
    Wijze,
    signaalpartner_nl,
)
from proactief.early_detection.cases import work_queue
from proactief.early_detection.contacts import (
    CaseNotFoundError,
    accept_help,
    close_case,
    register_contact,
)
from proactief.early_detection.report import ReportRequest, build_ddas_report, validate_ddas_report
from proactief.early_detection.work_queue import WorkQueueConfig, load_work_queue_config
from proactief.entitlements import MunicipalSettings
from proactief.entitlements.scan import explain_rows
from proactief.evaluation.funnel import funnels
from proactief.offers.approach import CaseSummary, Offer, choose_approach
from proactief.offers.outreach import Afzender, case_offer, messages_for
from proactief.offers.questionnaire import (
    load_questionnaire,
    questions,
    record_answers,
    withdraw_answers,
)
from proactief.storage import repositories as repo
from proactief.trust.access import PersonalDataAccess
from proactief.trust.consent import (
    channel_events,
    current_state,
    record_event,
    record_events,
    set_events,
)
from proactief.trust.messaging import MessageNotFoundError, why_message
from proactief.web.api import ZaakId, case_change, create_api
from proactief.web.auth import NotAllowed, NotLoggedIn, authorize, start_session
from proactief.web.ratelimit import FailureLimiter

__all__ = ["create_app"]

HERE = Path(__file__).parent
SESSION_HOURS = 8
QUEUE_PAGE_SIZE = 200
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; frame-ancestors 'none'; form-action 'self'; "
    "base-uri 'none'; object-src 'none'"
)


class LoginRequired(Exception):
    """No professional is logged in."""


class ResidentRequired(Exception):
    """No resident entered a code in this session."""


BERICHTSOORT_NL = {
    Berichtsoort.VROEGSIGNAAL: "een betalingsachterstand",
    Berichtsoort.REGELING: "geld of hulp waar u misschien recht op heeft",
    Berichtsoort.HERINNERING: "een herinnering",
}
_SOORTEN = {b.value for b in Berichtsoort}
# every channel as a resident reads it: its name, and "you will get ... first"
KANAAL_NL = {
    Kanaal.BRIEF: ("Brief", "een brief"),
    Kanaal.EMAIL: ("E-mail", "een e-mail"),
    Kanaal.SMS: ("Sms", "een sms"),
    Kanaal.TELEFOON: ("Telefoon", "een telefoontje"),
    Kanaal.HUISBEZOEK: ("Bezoek thuis", "een bezoek"),
}
# how sure a parameter value is (rules/parameters.schema.json), for the contact worker
ZEKERHEID_NL = {
    "secondary": "uit een tweede bron",
    "derived": "afgeleid",
    "unverified": "niet gecontroleerd",
}
REGELING_STATUS_NL = {
    "recht_niet_ontvangen": "waarschijnlijk recht, krijgt het nu niet",
    "mogelijk_recht_gegevens_nodig": "misschien recht, er zijn meer gegevens nodig",
}


@cache
def sharing_options() -> dict[str, str]:
    """config/delen.yaml: organisation key -> what the resident reads."""
    text = resources.files("proactief").joinpath("config/delen.yaml").read_text("utf-8")
    data: dict[str, str] = yaml.safe_load(text)
    return data


def create_app(
    *,
    engine: Engine,
    secret_key: bytes,
    secure_cookies: bool = True,
    organisation_name: str = "Gemeente Voorbeeld",
    gegevensleverancier: str = "PROACTIEF",
    rule_settings: MunicipalSettings | None = None,
    work_queue_config: WorkQueueConfig | None = None,
) -> FastAPI:
    """The app on ``engine``; ``secret_key`` signs the session cookies; the names go into
    the CBS report; ``rule_settings`` are the municipal choices the entitlement
    explanations use (the same as the scan's); ``work_queue_config`` is the team's policy
    (config/work_queue.yaml)."""
    queue_config = work_queue_config or load_work_queue_config()
    app = FastAPI(title="Proactief", docs_url=None, redoc_url=None, openapi_url=None)
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    templates.env.filters["datum_nl"] = _datum_nl
    limiter = FailureLimiter(max_failures=5, window_seconds=15 * 60)
    app.state.limiter = limiter

    @app.middleware("http")
    async def security_headers(request: Request, call_next: Any) -> Response:
        response: Response = await call_next(request)
        response.headers["Content-Security-Policy"] = CSP
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
        if not request.url.path.startswith("/static/"):
            response.headers["Cache-Control"] = "no-store"
        return response

    app.add_middleware(
        SessionMiddleware,
        secret_key=secret_key.hex(),
        session_cookie="proactief_sessie",
        max_age=SESSION_HOURS * 3600,
        same_site="lax",
        https_only=secure_cookies,
    )
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    app.mount("/api/v1", create_api(engine=engine))

    # --- helpers ---------------------------------------------------------------------------

    def csrf_token(request: Request) -> str:
        token = request.session.get("csrf")
        if not token:
            token = secrets.token_urlsafe(32)
            request.session["csrf"] = token
        return str(token)

    def check_csrf(request: Request, token: str) -> None:
        expected = request.session.get("csrf")
        if not expected or not secrets.compare_digest(str(expected), token):
            raise HTTPException(403, "Het formulier is verlopen. Laad de pagina opnieuw.")

    def render(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
        context.setdefault("user", None)
        flash = request.session.pop("flash", None)
        return templates.TemplateResponse(
            request,
            name,
            {"csrf": csrf_token(request), "flash": flash, **context},
            status_code=status,
        )

    def require(request: Request, permission: str) -> User:
        try:
            return authorize(engine, request.session, permission)
        except NotLoggedIn as exc:
            raise LoginRequired from exc
        except NotAllowed as exc:
            raise HTTPException(403, "U heeft geen toegang tot deze pagina.") from exc

    def resident(request: Request) -> str:
        person = request.session.get("resident")
        if not person:
            raise ResidentRequired
        return str(person)

    def actor(user: User) -> str:
        return f"medewerker:{user.gebruikersnaam}"

    def client_key(request: Request) -> str:
        return request.client.host if request.client else "onbekend"

    @app.exception_handler(LoginRequired)
    async def to_login(request: Request, _exc: LoginRequired) -> Response:
        return RedirectResponse(f"/login?volgende={request.url.path}", status_code=303)

    @app.exception_handler(ResidentRequired)
    async def to_code(request: Request, _exc: ResidentRequired) -> Response:
        return RedirectResponse("/inwoner", status_code=303)

    @app.exception_handler(HTTPException)
    async def error_page(request: Request, exc: HTTPException) -> Response:
        titles = {403: "Geen toegang", 404: "Niet gevonden", 429: "Even wachten"}
        return render(
            request,
            "fout.html",
            status=exc.status_code,
            titel=titles.get(exc.status_code, "Er ging iets mis"),
            melding=str(exc.detail),
        )

    @app.exception_handler(RequestValidationError)
    async def invalid_page(request: Request, exc: RequestValidationError) -> Response:
        fields = ", ".join(str(e["loc"][-1]) for e in exc.errors())
        return render(
            request,
            "fout.html",
            status=400,
            titel="Dit klopt niet",
            melding=f"Controleer: {fields}.",
        )

    # --- professionals ---------------------------------------------------------------------

    @app.get("/", response_class=HTMLResponse)
    def home(request: Request) -> Response:
        if request.session.get("user_id"):
            return RedirectResponse("/werkvoorraad", status_code=303)
        return render(request, "start.html")

    @app.get("/login", response_class=HTMLResponse)
    def login_form(request: Request, volgende: str = "/werkvoorraad") -> Response:
        return render(request, "login.html", volgende=_safe_next(volgende))

    @app.post("/login")
    def login(
        request: Request,
        gebruikersnaam: str = Form(...),
        wachtwoord: str = Form(...),
        csrf_token: str = Form(""),
        volgende: str = Form("/werkvoorraad"),
    ) -> Response:
        check_csrf(request, csrf_token)
        key = f"login:{client_key(request)}"
        if limiter.blocked(key):
            raise HTTPException(429, "Te vaak een verkeerd wachtwoord. Probeer het later.")
        with engine.begin() as conn:
            user = authenticate(conn=conn, gebruikersnaam=gebruikersnaam, wachtwoord=wachtwoord)
        if user is None:
            limiter.fail(key)
            return render(
                request,
                "login.html",
                status=401,
                fout="Gebruikersnaam of wachtwoord klopt niet.",
                volgende=_safe_next(volgende),
            )
        start_session(request.session, user)
        return RedirectResponse(_safe_next(volgende), status_code=303)

    @app.post("/uitloggen")
    def logout(request: Request, csrf_token: str = Form("")) -> Response:
        check_csrf(request, csrf_token)
        request.session.clear()
        return RedirectResponse("/", status_code=303)

    @app.get("/werkvoorraad", response_class=HTMLResponse)
    def queue_page(request: Request, partner: str = "", crisis: str = "") -> Response:
        user = require(request, "werkvoorraad")
        with engine.begin() as conn:
            items = work_queue(
                conn=conn,
                limit=QUEUE_PAGE_SIZE,
                actor=actor(user),
                partner=partner or None,
                crisis=bool(crisis),
            )
            total = repo.count_open_cases(conn, partner=partner or None, crisis=bool(crisis))
            partners = repo.open_case_partners(conn)
        return render(
            request,
            "werkvoorraad.html",
            user=user,
            items=items,
            total=total,
            partners=partners,
            partner=partner,
            crisis=crisis,
            partner_nl=signaalpartner_nl,
        )

    @app.get("/zaken/{case_id}", response_class=HTMLResponse)
    def case_page(request: Request, case_id: ZaakId) -> Response:
        user = require(request, "zaak_bekijken")
        today = date.today()
        with engine.begin() as conn:
            try:
                co = case_offer(conn=conn, case_id=case_id, today=today, actor=actor(user))
            except CaseNotFoundError as exc:
                raise HTTPException(404, f"Zaak {case_id} bestaat niet.") from exc
            household = _household(conn, co.person_pseudonym, actor(user))
            steps = repo.outreach_steps_of_case(conn, case_id)
        rendered = messages_for(co, afzender=Afzender(), datum=today)
        return render(
            request,
            "zaak.html",
            user=user,
            case=co.case,
            signals=co.signals,
            co=co,
            offer=co.offer,
            steps=steps,
            household=household,
            regelingen=explain_rows(co.regelingen, rule_settings),
            delen_met=[k for k in sharing_options() if k in co.voorkeuren.delen],
            status_nl=REGELING_STATUS_NL,
            zekerheid_nl=ZEKERHEID_NL,
            berichten=rendered,
            soorten=list(Contactsoort),
            dagdelen=list(Dagdeel),
            resultaten=list(Eindresultaat),
            vandaag=today.isoformat(),
            partner_nl=signaalpartner_nl,
        )

    @app.post("/zaken/{case_id}/contact")
    def add_contact(
        request: Request,
        case_id: ZaakId,
        soort: str = Form(...),
        datum: str = Form(...),
        dagdeel: str = Form(""),
        bereikt: str = Form(""),
        csrf_token: str = Form(""),
    ) -> Response:
        require(request, "contact_registreren")
        check_csrf(request, csrf_token)
        try:
            attempt = Contactpoging(
                soort=Contactsoort(soort),
                datum=date.fromisoformat(datum),
                dagdeel=Dagdeel(dagdeel) if dagdeel else None,
                bereikt=bereikt == "ja",
            )
        except ValueError as exc:
            raise HTTPException(400, f"Dit klopt niet: {exc}") from exc
        with case_change(engine) as conn:
            register_contact(conn=conn, case_id=case_id, attempt=attempt)
        request.session["flash"] = f"Contactpoging vastgelegd: {attempt.soort}, " + (
            "bereikt." if attempt.bereikt else "niet bereikt."
        )
        return RedirectResponse(f"/zaken/{case_id}", status_code=303)

    @app.post("/zaken/{case_id}/hulp-geaccepteerd")
    def accept(
        request: Request,
        case_id: ZaakId,
        datum: str = Form(...),
        csrf_token: str = Form(""),
    ) -> Response:
        require(request, "contact_registreren")
        check_csrf(request, csrf_token)
        try:
            when = date.fromisoformat(datum)
        except ValueError as exc:
            raise HTTPException(400, f"Dit klopt niet: {exc}") from exc
        with case_change(engine) as conn:
            accept_help(conn=conn, case_id=case_id, datum=when)
        request.session["flash"] = (
            f"Vastgelegd: de inwoner neemt hulp aan ({when:%d-%m-%Y}). "
            + queue_config.accepted_help_notice()
        )
        return RedirectResponse(f"/zaken/{case_id}", status_code=303)

    @app.post("/zaken/{case_id}/afsluiten")
    def close(
        request: Request,
        case_id: ZaakId,
        eindresultaat: str = Form(...),
        datum: str = Form(...),
        csrf_token: str = Form(""),
    ) -> Response:
        require(request, "contact_registreren")
        check_csrf(request, csrf_token)
        try:
            result = Eindresultaat(eindresultaat)
            when = date.fromisoformat(datum)
        except ValueError as exc:
            raise HTTPException(400, f"Dit klopt niet: {exc}") from exc
        with case_change(engine) as conn:
            close_case(conn=conn, case_id=case_id, eindresultaat=result, datum=when)
        request.session["flash"] = f"Zaak {case_id} is afgesloten: {result}."
        return RedirectResponse("/werkvoorraad", status_code=303)

    @app.get("/dashboard", response_class=HTMLResponse)
    def dashboard(request: Request) -> Response:
        user = require(request, "dashboard")
        who = f"{actor(user)}:evaluatie"
        with engine.begin() as conn:
            counted = funnels(conn=conn, actor=who)
        rows = counted.per_partner
        table = [
            {"naam": signaalpartner_nl(p), "zaken": c["signalen"], **c}
            for p, c in sorted(rows.items())
        ]
        return render(
            request,
            "dashboard.html",
            user=user,
            rows=table,
            trechter=[
                (naam, sum(c[key] for c in rows.values()))
                for naam, key in (
                    ("Signalen", "signalen"),
                    ("Opgepakt", "opgepakt"),
                    ("Bereikt", "bereikt"),
                    ("Hulp aangenomen", "geaccepteerd"),
                    ("Geholpen", "geholpen"),
                )
            ],
            kanalen=[{"naam": k, **c} for k, c in sorted(counted.per_channel.items())],
            segmenten=[{"naam": k, **c} for k, c in sorted(counted.per_segment.items())],
        )

    @app.get("/rapportage", response_class=HTMLResponse)
    def report_form(request: Request) -> Response:
        user = require(request, "rapportage")
        today = date.today()
        return render(
            request,
            "rapportage.html",
            user=user,
            van=date(today.year, 1, 1).isoformat(),
            tot=today.isoformat(),
        )

    @app.get("/rapportage/ddas")
    def report_download(request: Request, van: str, tot: str, gemeentecode: str) -> Response:
        require(request, "rapportage")
        try:
            report_request = ReportRequest(
                start=date.fromisoformat(van),
                end=date.fromisoformat(tot),
                gemeentecode=gemeentecode,
                organisation_name=organisation_name,
                gegevensleverancier=gegevensleverancier,
            )
        except ValueError as exc:
            raise HTTPException(400, f"Dit klopt niet: {exc}") from exc
        with engine.begin() as conn:
            document = build_ddas_report(conn=conn, request=report_request)
        problems = validate_ddas_report(document)
        if problems:
            raise HTTPException(400, "De levering is niet geldig: " + "; ".join(problems[:3]))
        name = f"ddas-{gemeentecode}-{report_request.start}-{report_request.end}.json"
        return Response(
            json.dumps(document, ensure_ascii=False, indent=1),
            media_type="application/json",
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )

    # --- residents -------------------------------------------------------------------------

    @app.get("/inwoner", response_class=HTMLResponse)
    def code_form(request: Request) -> Response:
        return render(request, "inwoner_code.html")

    @app.post("/inwoner")
    def enter_code(request: Request, code: str = Form(...), csrf_token: str = Form("")) -> Response:
        check_csrf(request, csrf_token)
        key = f"code:{client_key(request)}"
        if limiter.blocked(key):
            raise HTTPException(
                429, "U heeft te vaak een verkeerde code ingevuld. Probeer het over 15 minuten."
            )
        with engine.begin() as conn:
            try:
                person = redeem_code(conn=conn, code=code)
            except CodeError as exc:
                limiter.fail(key)
                return render(request, "inwoner_code.html", status=400, fout=str(exc))
        request.session.clear()
        request.session["resident"] = person
        return RedirectResponse("/inwoner/mijn", status_code=303)

    @app.get("/inwoner/mijn", response_class=HTMLResponse)
    def resident_page(request: Request) -> Response:
        person = resident(request)
        with engine.connect() as conn:
            state = current_state(conn=conn, person_pseudonym=person)
            messages = repo.messages_of_person(conn, person)
        return render(
            request,
            "inwoner_mijn.html",
            resident=True,
            state=state,
            berichten=messages,
            kanalen=list(Kanaal),
            kanaal_nl=KANAAL_NL,
            dagdelen=list(Dagdeel),
            berichtsoorten=[
                (b.value, BERICHTSOORT_NL[b], b in state.elektronisch) for b in Berichtsoort
            ],
            delen=[(k, text, k in state.delen) for k, text in sharing_options().items()],
            antwoorden=load_questionnaire()["toestemming"] in state.gegevens,
        )

    def _record(person: str, *events: tuple[EventSoort, str]) -> None:
        """The resident's changes, in one transaction: all of them or none."""
        with engine.begin() as conn:
            record_events(
                conn=conn, person_pseudonym=person, events=events, wijze=Wijze.WEB, door="inwoner"
            )

    def _sync(
        person: str,
        current: Callable[[PreferenceState], Iterable[str]],
        chosen: set[str],
        on: EventSoort,
        off: EventSoort,
    ) -> None:
        """Record only what changed between the current set (read in the same
        transaction) and the chosen one."""
        with engine.begin() as conn:
            state = current_state(conn=conn, person_pseudonym=person)
            record_events(
                conn=conn,
                person_pseudonym=person,
                events=set_events(current(state), chosen, on, off),
                wijze=Wijze.WEB,
                door="inwoner",
            )

    @app.post("/inwoner/kanalen")
    def set_channels(
        request: Request,
        csrf_token: str = Form(""),
        kanaal: Annotated[list[str] | None, Form()] = None,
        dagdeel: str = Form(""),
    ) -> Response:
        person = resident(request)
        check_csrf(request, csrf_token)
        try:
            chosen = [Kanaal(k) for k in kanaal or []]
            part = Dagdeel(dagdeel) if dagdeel else None
        except ValueError as exc:
            raise HTTPException(400, "Kies een kanaal en dagdeel uit de lijst.") from exc
        _record(person, *channel_events(chosen, part))
        first = chosen[0] if chosen else None
        request.session["flash"] = (
            f"Opgeslagen. U krijgt voortaan eerst {_kanaal_zin(first)}."
            if first
            else "Opgeslagen. U heeft geen voorkeur: wij kiezen een brief en bellen daarna."
        )
        return RedirectResponse("/inwoner/mijn", status_code=303)

    @app.post("/inwoner/elektronisch")
    def set_electronic(
        request: Request,
        csrf_token: str = Form(""),
        akkoord: Annotated[list[str] | None, Form()] = None,
    ) -> Response:
        """Agreement to e-mail and SMS per kind of message (Wmebv, Awb 2:8)."""
        person = resident(request)
        check_csrf(request, csrf_token)
        chosen = set(akkoord or []) & _SOORTEN
        _sync(
            person,
            lambda state: (s.value for s in state.elektronisch),
            chosen,
            EventSoort.ELEKTRONISCH_AKKOORD,
            EventSoort.ELEKTRONISCH_INGETROKKEN,
        )
        request.session["flash"] = _saved(
            "Wij mogen u e-mail en sms sturen over",
            [BERICHTSOORT_NL[Berichtsoort(v)] for v in sorted(chosen)],
            "Wij sturen u geen e-mail of sms.",
        )
        return RedirectResponse("/inwoner/mijn", status_code=303)

    @app.post("/inwoner/delen")
    def set_sharing(
        request: Request,
        csrf_token: str = Form(""),
        organisatie: Annotated[list[str] | None, Form()] = None,
    ) -> Response:
        """With whom the municipality may share the case (warme overdracht)."""
        person = resident(request)
        check_csrf(request, csrf_token)
        options = sharing_options()
        chosen = {o for o in organisatie or [] if o in options}
        _sync(
            person,
            lambda state: state.delen,
            chosen,
            EventSoort.DELEN_TOESTEMMING,
            EventSoort.DELEN_INGETROKKEN,
        )
        request.session["flash"] = _saved(
            "Wij mogen uw gegevens delen met",
            [options[k] for k in sorted(chosen)],
            "Wij delen uw gegevens met niemand.",
        )
        return RedirectResponse("/inwoner/mijn", status_code=303)

    @app.post("/inwoner/afmelden")
    def opt_out(request: Request, csrf_token: str = Form("")) -> Response:
        person = resident(request)
        check_csrf(request, csrf_token)
        _record(person, (EventSoort.NIET_BENADEREN, ""))
        request.session["flash"] = "U bent afgemeld. Wij sturen u geen berichten meer."
        return RedirectResponse("/inwoner/mijn", status_code=303)

    @app.post("/inwoner/aanmelden")
    def opt_in(request: Request, csrf_token: str = Form("")) -> Response:
        person = resident(request)
        check_csrf(request, csrf_token)
        _record(person, (EventSoort.WEER_BENADEREN, ""))
        request.session["flash"] = "U bent weer aangemeld. Wij mogen u weer een bericht sturen."
        return RedirectResponse("/inwoner/mijn", status_code=303)

    @app.post("/inwoner/vertegenwoordiger")
    def set_representative(
        request: Request, csrf_token: str = Form(""), vertegenwoordiger: str = Form("")
    ) -> Response:
        person = resident(request)
        check_csrf(request, csrf_token)
        value = " ".join(vertegenwoordiger.split())[:100]
        _record(person, (EventSoort.VERTEGENWOORDIGER, value))
        request.session["flash"] = (
            f"Opgeslagen. Berichten gaan voortaan naar: {value}."
            if value
            else "Opgeslagen. Berichten gaan weer naar uzelf."
        )
        return RedirectResponse("/inwoner/mijn", status_code=303)

    @app.get("/inwoner/vragenlijst", response_class=HTMLResponse)
    def questionnaire_form(request: Request) -> Response:
        resident(request)
        return render(request, "inwoner_vragenlijst.html", resident=True, vragen=questions())

    @app.post("/inwoner/vragenlijst")
    async def questionnaire(request: Request) -> Response:
        person = resident(request)
        form = await request.form()
        check_csrf(request, str(form.get("csrf_token", "")))
        if form.get("toestemming") != "ja":
            request.session["flash"] = (
                "Wij hebben uw antwoorden niet bewaard, omdat u geen toestemming gaf."
            )
            return RedirectResponse("/inwoner/mijn", status_code=303)
        answers: dict[str, int | None] = {}
        for item, _text in questions():
            value = str(form.get(item, ""))
            answers[item] = int(value) if value in {"1", "2", "3", "4", "5"} else None
        with engine.begin() as conn:
            state = record_event(
                conn=conn,
                person_pseudonym=person,
                soort=EventSoort.GEGEVENS_TOESTEMMING,
                waarde=load_questionnaire()["toestemming"],
                wijze=Wijze.WEB,
                door="inwoner",
            )
            segment = record_answers(conn=conn, person_pseudonym=person, answers=answers)
        offer = choose_approach(case=CaseSummary(case_id=0), preferences=state, segment=segment)
        request.session["flash"] = "Bedankt. " + _what_changes(offer)
        return RedirectResponse("/inwoner/mijn", status_code=303)

    @app.post("/inwoner/vragenlijst/intrekken")
    def withdraw(request: Request, csrf_token: str = Form("")) -> Response:
        person = resident(request)
        check_csrf(request, csrf_token)
        with engine.begin() as conn:
            withdraw_answers(conn=conn, person_pseudonym=person)
        request.session["flash"] = "Uw antwoorden zijn gewist. Wij gebruiken ze niet meer."
        return RedirectResponse("/inwoner/mijn", status_code=303)

    @app.get("/inwoner/waarom/{message_id}", response_class=HTMLResponse)
    def why_page(request: Request, message_id: ZaakId) -> Response:
        person = resident(request)
        with engine.connect() as conn:
            row = repo.message_row(conn, message_id)
            if row is None or row.person_pseudonym != person:
                raise HTTPException(404, "Dit bericht vinden wij niet.")
            try:
                why = why_message(conn=conn, message_id=message_id)
            except MessageNotFoundError as exc:  # deleted in between
                raise HTTPException(404, "Dit bericht vinden wij niet.") from exc
        return render(request, "inwoner_waarom.html", resident=True, why=why)

    @app.post("/inwoner/uitloggen")
    def resident_logout(request: Request, csrf_token: str = Form("")) -> Response:
        check_csrf(request, csrf_token)
        request.session.clear()
        return RedirectResponse("/inwoner", status_code=303)

    return app


def _household(conn: Any, person_pseudonym: str, actor: str) -> Any:
    """The household's type, size and housing, read for the early-detection purpose."""
    PersonalDataAccess(conn, doel=Doel.VROEGSIGNALERING, actor=actor).check(
        [
            "residents.household_id",
            "households.huishoudtype",
            "households.aantal_personen",
            "households.woonsituatie",
        ],
        subject=person_pseudonym,
    )
    household_id = repo.household_of_person(conn, person_pseudonym)
    return None if household_id is None else repo.household_summary(conn, household_id)


def _safe_next(target: str) -> str:
    """Only local paths: no open redirect after login."""
    if not target.startswith("/") or target.startswith("//"):
        return "/werkvoorraad"
    return target


_TOON_ZIN = {
    "kort_en_zakelijk": "kort en zakelijk",
    "zakelijk_met_keuze": "zakelijk, en u kiest zelf",
    "rustig_persoonlijk": "rustig en persoonlijk",
    "neutraal": "vriendelijk en neutraal",
}


def _what_changes(offer: Offer) -> str:
    """What the answers change, in plain Dutch: 'U krijgt voortaan eerst een e-mail ...'."""
    if not offer.ladder:
        return "U bent afgemeld: wij sturen u niets."
    first = _kanaal_zin(offer.ladder[0].kanaal)
    tone = _TOON_ZIN.get(offer.toon, "vriendelijk")
    if offer.basis == "voorkeur":
        return f"U koos zelf hoe wij contact opnemen: eerst {first}. Dat blijft zo."
    if offer.basis == "segment":
        return f"U krijgt voortaan eerst {first}. Wij schrijven {tone}."
    return f"Uw antwoorden veranderen niets: u krijgt eerst {first}."


def _saved(what: str, names: list[str], none: str) -> str:
    """The confirmation after a resident changed a set of choices."""
    return f"Opgeslagen. {what}: {', '.join(names)}." if names else f"Opgeslagen. {none}"


def _datum_nl(value: date | datetime | str) -> str:
    """'23 november 2026': how a resident reads a date (as in the letters)."""
    if isinstance(value, str):
        value = date.fromisoformat(value)
    if isinstance(value, datetime):
        value = value.date()
    return str(format_date(value, format="long", locale="nl_NL"))


def _kanaal_zin(kanaal: Kanaal) -> str:
    return KANAAL_NL[kanaal][1]

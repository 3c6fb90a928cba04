"""The resident's own page after a access code: choices (channels, e-mail and SMS per
kind of message, sharing, a representative, opting out), the questionnaire, and 'Waarom
kreeg ik dit?' for every message."""

from collections.abc import Callable, Iterable
from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup
from sqlalchemy import Engine

from proactief.accounts.resident_codes import CodeError, CodeExpiredError, redeem_code
from proactief.channels import all_specs
from proactief.channels.templating import why_account_html
from proactief.domain import (
    AanbodBasis,
    Berichtsoort,
    Dagdeel,
    EventSoort,
    Kanaal,
    PreferenceState,
    Toon,
    Wijze,
)
from proactief.offers.approach import CaseSummary, Offer, choose_approach
from proactief.offers.questionnaire import (
    load_questionnaire,
    questions,
    record_answers,
    withdraw_answers,
)
from proactief.trust.consent import (
    channel_events,
    current_state,
    record_event,
    record_events,
    set_events,
    sharing_options,
)
from proactief.trust.messaging import MessageNotFoundError, messages_of_person, why_message
from proactief.web.auth import start_resident_session, stop_session
from proactief.web.deps import Context, Resident, ZaakId, client_key, too_many, verify_csrf
from proactief.web.pages import render

__all__ = ["router"]

router = APIRouter(prefix="/inwoner")

BERICHTSOORT_NL = {
    Berichtsoort.VROEGSIGNAAL: "een betalingsachterstand",
    Berichtsoort.REGELING: "geld of hulp waar u misschien recht op heeft",
    Berichtsoort.HERINNERING: "een herinnering",
}
_SOORTEN = {b.value for b in Berichtsoort}
# every channel as a resident reads it, from its spec: its name, and "you will get ... first"
KANAAL_NL = {spec.kanaal: (spec.naam, spec.zin) for spec in all_specs()}
_TOON_ZIN = {
    Toon.KORT_EN_ZAKELIJK: "kort en zakelijk",
    Toon.ZAKELIJK_MET_KEUZE: "zakelijk, en u kiest zelf",
    Toon.RUSTIG_PERSOONLIJK: "rustig en persoonlijk",
    Toon.NEUTRAAL: "vriendelijk en neutraal",
}
BACK = "/inwoner/mijn"


def _back(request: Request, notice: str) -> Response:
    request.session["flash"] = notice
    return RedirectResponse(BACK, status_code=303)


def _record(engine: Engine, person: str, *events: tuple[EventSoort, str]) -> None:
    """The resident's changes, in one transaction: all of them or none."""
    with engine.begin() as conn:
        record_events(
            conn=conn, person_pseudonym=person, events=events, wijze=Wijze.WEB, door="inwoner"
        )


def _sync(
    engine: Engine,
    person: str,
    current: Callable[[PreferenceState], Iterable[str]],
    chosen: set[str],
    on: EventSoort,
    off: EventSoort,
) -> None:
    """Record only what changed between the current set (read in the same transaction)
    and the chosen one."""
    with engine.begin() as conn:
        state = current_state(conn=conn, person_pseudonym=person)
        record_events(
            conn=conn,
            person_pseudonym=person,
            events=set_events(current(state), chosen, on, off),
            wijze=Wijze.WEB,
            door="inwoner",
        )


@router.get("", response_class=HTMLResponse)
def code_form(request: Request) -> Response:
    return render(request, "inwoner_code.html")


@router.post("", dependencies=[Depends(verify_csrf)])
def enter_code(request: Request, context: Context, code: str = Form(...)) -> Response:
    # counted before the code is checked, in one atomic step (no check-then-act)
    key = f"code:{client_key(request)}"
    if not context.code_limit.attempt(key):
        raise too_many(context.code_limit, key, "U heeft te vaak een code ingevuld.")
    with context.engine.begin() as conn:
        try:
            person = redeem_code(conn=conn, code=code)
        except CodeExpiredError as exc:
            # true of every letter and e-mail the ladder sends (channels' spec: code=True)
            return render(
                request,
                "inwoner_code.html",
                status=400,
                fout=f"{exc} Elke nieuwe brief of e-mail van ons heeft een nieuwe code. "
                f"Wilt u niet wachten? Bel ons op {context.afzender.telefoon}.",
            )
        except CodeError as exc:
            return render(request, "inwoner_code.html", status=400, fout=str(exc))
    start_resident_session(context.engine, request.session, person)
    return RedirectResponse(BACK, status_code=303)


@router.get("/mijn", response_class=HTMLResponse)
def resident_page(request: Request, context: Context, person: Resident) -> Response:
    with context.engine.connect() as conn:
        state = current_state(conn=conn, person_pseudonym=person)
        messages = messages_of_person(conn=conn, person_pseudonym=person)
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
        antwoorden=load_questionnaire().toestemming in state.gegevens,
    )


@router.post("/kanalen")
def set_channels(
    request: Request,
    context: Context,
    person: Resident,
    kanaal: Annotated[list[str] | None, Form()] = None,
    dagdeel: str = Form(""),
) -> Response:
    try:
        chosen = [Kanaal(k) for k in kanaal or []]
        part = Dagdeel(dagdeel) if dagdeel else None
    except ValueError as exc:
        raise HTTPException(400, "Kies een kanaal en dagdeel uit de lijst.") from exc
    _record(context.engine, person, *channel_events(chosen, part))
    first = chosen[0] if chosen else None
    return _back(
        request,
        f"Opgeslagen. U krijgt voortaan eerst {KANAAL_NL[first][1]}."
        if first
        else "Opgeslagen. U heeft geen voorkeur: wij kiezen een brief en bellen daarna.",
    )


@router.post("/elektronisch")
def set_electronic(
    request: Request,
    context: Context,
    person: Resident,
    akkoord: Annotated[list[str] | None, Form()] = None,
) -> Response:
    """Agreement to e-mail and SMS per kind of message (Wmebv, Awb 2:8)."""
    chosen = set(akkoord or []) & _SOORTEN
    _sync(
        context.engine,
        person,
        lambda state: (s.value for s in state.elektronisch),
        chosen,
        EventSoort.ELEKTRONISCH_AKKOORD,
        EventSoort.ELEKTRONISCH_INGETROKKEN,
    )
    return _back(
        request,
        _saved(
            "Wij mogen u e-mail en sms sturen over",
            [BERICHTSOORT_NL[Berichtsoort(v)] for v in sorted(chosen)],
            "Wij sturen u geen e-mail of sms.",
        ),
    )


@router.post("/delen")
def set_sharing(
    request: Request,
    context: Context,
    person: Resident,
    organisatie: Annotated[list[str] | None, Form()] = None,
) -> Response:
    """With whom the municipality may share the case (warme overdracht)."""
    options = sharing_options()
    chosen = {o for o in organisatie or [] if o in options}
    _sync(
        context.engine,
        person,
        lambda state: state.delen,
        chosen,
        EventSoort.DELEN_TOESTEMMING,
        EventSoort.DELEN_INGETROKKEN,
    )
    return _back(
        request,
        _saved(
            "Wij mogen uw gegevens delen met",
            [options[k] for k in sorted(chosen)],
            "Wij delen uw gegevens met niemand.",
        ),
    )


@router.post("/afmelden")
def opt_out(request: Request, context: Context, person: Resident) -> Response:
    _record(context.engine, person, (EventSoort.NIET_BENADEREN, ""))
    return _back(request, "U bent afgemeld. Wij sturen u geen berichten meer.")


@router.post("/aanmelden")
def opt_in(request: Request, context: Context, person: Resident) -> Response:
    _record(context.engine, person, (EventSoort.WEER_BENADEREN, ""))
    return _back(request, "U bent weer aangemeld. Wij mogen u weer een bericht sturen.")


@router.post("/vertegenwoordiger")
def set_representative(
    request: Request, context: Context, person: Resident, vertegenwoordiger: str = Form("")
) -> Response:
    value = " ".join(vertegenwoordiger.split())[:100]
    _record(context.engine, person, (EventSoort.VERTEGENWOORDIGER, value))
    return _back(
        request,
        f"Opgeslagen. Berichten gaan voortaan naar: {value}."
        if value
        else "Opgeslagen. Berichten gaan weer naar uzelf.",
    )


@router.get("/vragenlijst", response_class=HTMLResponse)
def questionnaire_form(request: Request, _person: Resident) -> Response:
    return render(request, "inwoner_vragenlijst.html", resident=True, vragen=questions())


@router.post("/vragenlijst")
async def questionnaire(request: Request, context: Context, person: Resident) -> Response:
    form = await request.form()
    answers: dict[str, int | None] = {}
    for item, _text in questions():
        value = str(form.get(item, ""))
        answers[item] = int(value) if value in {"1", "2", "3", "4", "5"} else None
    if form.get("toestemming") != "ja":
        if any(v is not None for v in answers.values()):
            # answers without consent: ask, with the answers still in the form (only in
            # this page, not stored), instead of dropping them
            return render(
                request,
                "inwoner_vragenlijst.html",
                resident=True,
                vragen=questions(),
                antwoorden=answers,
                vraag_toestemming=True,
            )
        return _back(
            request, "Wij hebben uw antwoorden niet bewaard, omdat u geen toestemming gaf."
        )
    with context.engine.begin() as conn:
        state = record_event(
            conn=conn,
            person_pseudonym=person,
            soort=EventSoort.GEGEVENS_TOESTEMMING,
            waarde=load_questionnaire().toestemming,
            wijze=Wijze.WEB,
            door="inwoner",
        )
        segment = record_answers(conn=conn, person_pseudonym=person, answers=answers)
    # no case at hand: how a new case of this person would be approached
    offer = choose_approach(case=CaseSummary(), preferences=state, segment=segment)
    return _back(request, "Bedankt. " + _what_changes(offer))


@router.post("/vragenlijst/intrekken")
def withdraw(request: Request, context: Context, person: Resident) -> Response:
    with context.engine.begin() as conn:
        withdraw_answers(conn=conn, person_pseudonym=person)
    return _back(request, "Uw antwoorden zijn gewist. Wij gebruiken ze niet meer.")


@router.get("/waarom/{message_id}", response_class=HTMLResponse)
def why_page(request: Request, context: Context, person: Resident, message_id: ZaakId) -> Response:
    with context.engine.connect() as conn:
        try:
            why = why_message(conn=conn, message_id=message_id, person_pseudonym=person)
        except MessageNotFoundError as exc:
            raise HTTPException(404, "Dit bericht vinden wij niet.") from exc
    aanbod = why.get("aanbod")
    # the same sentences as the message and the PDF letter (channels/templates/aanbod/
    # _feiten.j2), escaped by the letter environment
    aanbod_html = Markup(why_account_html(aanbod)) if isinstance(aanbod, dict) else None
    return render(request, "inwoner_waarom.html", resident=True, why=why, aanbod_html=aanbod_html)


@router.post("/uitloggen", dependencies=[Depends(verify_csrf)])
def resident_logout(request: Request, context: Context) -> Response:
    stop_session(context.engine, request.session)
    return RedirectResponse("/inwoner", status_code=303)


def _what_changes(offer: Offer) -> str:
    """What the answers change, in plain Dutch: 'U krijgt voortaan eerst een e-mail ...'."""
    if not offer.ladder:
        return "U bent afgemeld: wij sturen u niets."
    first = KANAAL_NL[offer.ladder[0].kanaal][1]
    tone = _TOON_ZIN[offer.toon]
    if offer.basis is AanbodBasis.VOORKEUR:
        return f"U koos zelf hoe wij contact opnemen: eerst {first}. Dat blijft zo."
    if offer.basis is AanbodBasis.SEGMENT:
        return f"U krijgt voortaan eerst {first}. Wij schrijven {tone}."
    return f"Uw antwoorden veranderen niets: u krijgt eerst {first}."


def _saved(what: str, names: list[str], none: str) -> str:
    """The confirmation after a resident changed a set of choices."""
    return f"Opgeslagen. {what}: {', '.join(names)}." if names else f"Opgeslagen. {none}"

"""The resident's own page after a access code: choices (channels, e-mail and SMS per
kind of message, sharing, a representative, opting out), the questionnaire, and 'Waarom
kreeg ik dit?' for every message."""

import logging
from collections.abc import Callable, Iterable
from dataclasses import replace
from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup
from sqlalchemy import Connection, Engine

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
from proactief.offers.approach import CaseSummary, Offer, choose_approach, load_approach_config
from proactief.offers.questionnaire import (
    load_questionnaire,
    own_segment,
    questions,
    record_answers,
    withdraw_answers,
)
from proactief.sources.contactgegevens import ContactDirectory, GivenDetails
from proactief.trust.consent import (
    channel_events,
    current_state,
    record_event,
    record_events,
    set_events,
    sharing_options,
)
from proactief.trust.given import (
    DetailsError,
    OwnDetails,
    give_details,
    is_mobile,
    may_give,
    normalise_email,
    normalise_phone,
    own_details,
)
from proactief.trust.messaging import MessageNotFoundError, messages_of_person, why_message
from proactief.web.auth import start_resident_session, stop_session
from proactief.web.deps import Context, Resident, ZaakId, client_key, too_many, verify_csrf
from proactief.web.pages import render

__all__ = ["router"]

log = logging.getLogger(__name__)

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


def _shown_details(
    conn: Connection, person: str, directory: ContactDirectory | None
) -> OwnDetails | None:
    """The resident's own e-mail and number, masked, from a provider that keeps what
    residents give (another has nothing to show back); None when it cannot answer now,
    so the page still opens."""
    if directory is None or not may_give(directory):
        return None
    try:
        return own_details(conn=conn, person_pseudonym=person, directory=directory)
    except Exception as exc:  # the provider's own errors: the class only, no details
        log.warning("contact details not shown: %s", type(exc).__name__)
        return None


def _approach_now(conn: Connection, person: str, state: PreferenceState) -> Offer:
    """How a new case of this person would be approached today (no case at hand)."""
    segment = own_segment(conn=conn, person_pseudonym=person)
    return choose_approach(case=CaseSummary(), preferences=state, segment=segment)


def _ladder_zin(offer: Offer) -> str:
    """'eerst een brief, daarna een telefoontje': the ladder as the resident reads it."""
    names = list(dict.fromkeys(KANAAL_NL[s.kanaal][1] for s in offer.ladder))
    if not names:
        return "wij nemen geen contact met u op"
    return "eerst " + names[0] + "".join(f", daarna {n}" for n in names[1:])


@router.get("/mijn", response_class=HTMLResponse)
def resident_page(request: Request, context: Context, person: Resident) -> Response:
    """The summary: every choice as it is now, each with its own page to change it."""
    directory = context.contact_directory
    with context.engine.begin() as conn:
        state = current_state(conn=conn, person_pseudonym=person)
        messages = messages_of_person(conn=conn, person_pseudonym=person)
        offer = _approach_now(conn, person, state)
        details = _shown_details(conn, person, directory)
    options = sharing_options()
    return render(
        request,
        "inwoner_mijn.html",
        resident=True,
        state=state,
        berichten=messages,
        kanaal_nl=KANAAL_NL,
        aanpak=_ladder_zin(offer),
        elektronisch=[BERICHTSOORT_NL[b] for b in Berichtsoort if b in state.elektronisch],
        gegevens=details,
        delen=[options[k] for k in sorted(state.delen) if k in options],
        antwoorden=load_questionnaire().toestemming in state.gegevens,
    )


def _contact_page(
    request: Request,
    state: PreferenceState,
    *,
    status: int = 200,
    fout: str | None = None,
    gekozen: list[str] | None = None,
    dagdeel: str | None = None,
) -> Response:
    chosen = gekozen if gekozen is not None else [k.value for k in state.kanalen]
    return render(
        request,
        "inwoner_contact.html",
        status=status,
        resident=True,
        kanalen=list(Kanaal),
        kanaal_nl=KANAAL_NL,
        # one select per place in the order: the resident can rank every channel
        plekken=[chosen[i] if i < len(chosen) else "" for i in range(len(Kanaal))],
        dagdelen=list(Dagdeel),
        dagdeel=state.dagdeel if dagdeel is None else dagdeel,
        wacht_dagen=load_approach_config().voorkeur_wacht_dagen,
        fout=fout,
    )


@router.get("/mijn/contact", response_class=HTMLResponse)
def contact_form(request: Request, context: Context, person: Resident) -> Response:
    with context.engine.connect() as conn:
        state = current_state(conn=conn, person_pseudonym=person)
    return _contact_page(request, state)


@router.post("/kanalen")
def set_channels(
    request: Request,
    context: Context,
    person: Resident,
    keuze: Annotated[list[str] | None, Form()] = None,
    dagdeel: str = Form(""),
) -> Response:
    """The channels in the resident's order (first choice first), and the part of day."""
    picked = [k for k in keuze or [] if k]
    try:
        chosen = [Kanaal(k) for k in picked]
        part = Dagdeel(dagdeel) if dagdeel else None
    except ValueError as exc:
        raise HTTPException(400, "Kies een manier en een dagdeel uit de lijst.") from exc
    doubles = [k for k in dict.fromkeys(chosen) if chosen.count(k) > 1]
    if doubles:
        with context.engine.connect() as conn:
            state = current_state(conn=conn, person_pseudonym=person)
        return _contact_page(
            request,
            state,
            status=400,
            fout=f"U koos {KANAAL_NL[doubles[0]][1]} twee keer. Kies elke manier maar één keer.",
            gekozen=picked,
            dagdeel=dagdeel,
        )
    _record(context.engine, person, *channel_events(chosen, part))
    if not chosen:
        return _back(request, "Opgeslagen. U heeft geen voorkeur: wij kiezen zelf hoe.")
    with context.engine.connect() as conn:
        state = current_state(conn=conn, person_pseudonym=person)
    notice = f"Opgeslagen. U krijgt voortaan eerst {KANAAL_NL[chosen[0]][1]}."
    if any(k.electronic for k in chosen) and not state.may_use_electronic(
        Berichtsoort.VROEGSIGNAAL
    ):
        # the approach's Wmebv gate sends a letter instead (offers.approach._consent_gate)
        notice += (
            " Let op: voor e-mail en sms over "
            f"{BERICHTSOORT_NL[Berichtsoort.VROEGSIGNAAL]} gaf u ons nog geen toestemming. "
            "Tot u dat doet, sturen wij in plaats daarvan een brief."
        )
    return _back(request, notice)


def _email_page(
    request: Request,
    context: Context,
    person: str,
    *,
    status: int = 200,
    fouten: dict[str, str] | None = None,
    ingevuld: dict[str, str] | None = None,
    akkoord: set[str] | None = None,
) -> Response:
    directory = context.contact_directory
    with context.engine.begin() as conn:
        state = current_state(conn=conn, person_pseudonym=person)
        details = _shown_details(conn, person, directory)
    chosen = akkoord if akkoord is not None else {b.value for b in state.elektronisch}
    return render(
        request,
        "inwoner_email.html",
        status=status,
        resident=True,
        berichtsoorten=[(b.value, BERICHTSOORT_NL[b], b.value in chosen) for b in Berichtsoort],
        gegevens=details,
        mag_geven=may_give(directory),
        fouten=fouten or {},
        ingevuld=ingevuld or {},
    )


@router.get("/mijn/email", response_class=HTMLResponse)
def email_form(request: Request, context: Context, person: Resident) -> Response:
    return _email_page(request, context, person)


@router.post("/elektronisch")
def set_electronic(
    request: Request,
    context: Context,
    person: Resident,
    akkoord: Annotated[list[str] | None, Form()] = None,
    email: str = Form(""),
    telefoon: str = Form(""),
) -> Response:
    """An e-mail address or phone number for the contact-detail provider, and in the same
    step the agreement to e-mail and SMS per kind of message (Wmebv, Awb 2:8)."""
    chosen = set(akkoord or []) & _SOORTEN
    directory = context.contact_directory
    fouten: dict[str, str] = {}
    given = GivenDetails()
    if (email.strip() or telefoon.strip()) and not may_give(directory):
        raise HTTPException(400, "Een e-mailadres of telefoonnummer geven kan hier niet.")
    for veld, value, normalise in (
        ("email", email, normalise_email),
        ("telefoon", telefoon, normalise_phone),
    ):
        if value.strip():
            try:
                given = replace(given, **{veld: normalise(value)})
            except DetailsError as exc:
                fouten[veld] = str(exc)
    if fouten:
        # nothing is kept: not the details, not the agreement
        return _email_page(
            request,
            context,
            person,
            status=400,
            fouten=fouten,
            ingevuld={"email": email, "telefoon": telefoon},
            akkoord=chosen,
        )
    try:
        with context.engine.begin() as conn:
            state = current_state(conn=conn, person_pseudonym=person)
            record_events(
                conn=conn,
                person_pseudonym=person,
                events=set_events(
                    (s.value for s in state.elektronisch),
                    chosen,
                    EventSoort.ELEKTRONISCH_AKKOORD,
                    EventSoort.ELEKTRONISCH_INGETROKKEN,
                ),
                wijze=Wijze.WEB,
                door="inwoner",
            )
            if directory is not None and (given.email or given.telefoon):
                # last in the transaction: if the provider fails, no agreement is kept
                give_details(conn=conn, person_pseudonym=person, directory=directory, given=given)
    except Exception as exc:  # the provider's own errors: the class only, no details
        log.warning("giving contact details failed: %s", type(exc).__name__)
        return _email_page(
            request,
            context,
            person,
            status=503,
            fouten={
                "algemeen": "Dat lukte nu niet. Er is niets opgeslagen. Probeer het later "
                f"opnieuw, of bel ons op {context.afzender.telefoon}."
            },
            ingevuld={"email": email, "telefoon": telefoon},
            akkoord=chosen,
        )
    notice = _saved(
        "Wij mogen u e-mail en sms sturen over",
        [BERICHTSOORT_NL[Berichtsoort(v)] for v in sorted(chosen)],
        "Wij sturen u geen e-mail of sms.",
    )
    if given.email:
        notice += " Wij gebruiken voortaan het e-mailadres dat u gaf."
    if given.telefoon:
        notice += " Wij gebruiken voortaan het telefoonnummer dat u gaf."
        if not is_mobile(given.telefoon):
            notice += " Dat is geen mobiel nummer: een sms kan daar niet naartoe."
    return _back(request, notice)


@router.get("/mijn/delen", response_class=HTMLResponse)
def sharing_form(request: Request, context: Context, person: Resident) -> Response:
    with context.engine.connect() as conn:
        state = current_state(conn=conn, person_pseudonym=person)
    return render(
        request,
        "inwoner_delen.html",
        resident=True,
        delen=[(k, text, k in state.delen) for k, text in sharing_options().items()],
    )


@router.get("/mijn/post", response_class=HTMLResponse)
def post_form(request: Request, context: Context, person: Resident) -> Response:
    with context.engine.connect() as conn:
        state = current_state(conn=conn, person_pseudonym=person)
    return render(request, "inwoner_post.html", resident=True, state=state)


@router.get("/mijn/stoppen", response_class=HTMLResponse)
def stop_form(request: Request, context: Context, person: Resident) -> Response:
    with context.engine.connect() as conn:
        state = current_state(conn=conn, person_pseudonym=person)
    return render(request, "inwoner_stoppen.html", resident=True, state=state)


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

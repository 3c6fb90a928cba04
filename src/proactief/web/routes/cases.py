"""The work queue and the case page with its forms (contact attempt, help accepted, close)."""

from datetime import UTC, date, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import Connection
from starlette.datastructures import QueryParams

from proactief.accounts.users import Rol, User, list_users
from proactief.domain import (
    ContactDetails,
    Contactpoging,
    Contactsoort,
    Dagdeel,
    Eindresultaat,
    Signaalpartner,
    signaalpartner_team,
)
from proactief.early_detection.caselog import (
    NOTE_MAX,
    FollowUpError,
    add_note,
    set_follow_up,
    timeline,
)
from proactief.early_detection.contacts import (
    AlreadyAcceptedError,
    CaseNotFoundError,
    ReopenError,
    accept_help,
    close_case,
    register_contact,
    reopen_case,
)
from proactief.early_detection.households import Huisgenoten, co_residents, housemate_cases
from proactief.early_detection.owners import OwnerError, assign_owner, assign_owners
from proactief.early_detection.queue import (
    PAGE_SIZES,
    STATUS_NL,
    QueueFilter,
    Sortering,
    ZaakStatus,
    next_action_label,
    queue_row,
)
from proactief.early_detection.queue import queue_page as queue_rows
from proactief.early_detection.repository import case_subject
from proactief.entitlements.scan import explain_rows, household_of
from proactief.offers.approach import load_approach_config
from proactief.offers.grants import GrantError, complete_grant, grants_of_case
from proactief.offers.outreach import (
    NEE_RESULTAAT,
    NoContactError,
    TaskError,
    case_offer,
    complete_task,
    contact_details_on_request,
    messages_for,
    resident_says_no,
    steps_of_case,
    verify_kenmerk,
)
from proactief.offers.replies import ReplyError, close_case_reply, open_replies, replies_of_case
from proactief.sources.brp import BrpError, BrpQueryError
from proactief.trust.consent import current_state, not_to_contact, sharing_options
from proactief.web.deps import Context, ZaakId, actor, case_change, once, require
from proactief.web.pages import render

__all__ = ["router"]

router = APIRouter()

# how sure a parameter value is (entitlements/parameters.schema.json), for the contact worker
ZEKERHEID_NL = {
    "secondary": "uit een tweede bron",
    "derived": "afgeleid",
    "unverified": "niet gecontroleerd",
}
REGELING_STATUS_NL = {
    "recht_niet_ontvangen": "waarschijnlijk recht, krijgt het nu niet",
    "mogelijk_recht_gegevens_nodig": "misschien recht, er zijn meer gegevens nodig",
}


def _queue_filter(params: QueryParams, user: User) -> tuple[QueueFilter, list[str]]:
    """The queue's filter from the query string; what could not be read, in Dutch."""
    problems: list[str] = []

    def number(name: str, label: str) -> int | None:
        raw = params.get(name, "").strip()
        if not raw:
            return None
        if raw.isdigit() and len(raw) < 7:
            return int(raw)
        problems.append(f"{label}: vul een heel getal in.")
        return None

    eigenaar = params.get("eigenaar", "")
    owner: int | None = None
    if eigenaar == "mij":
        owner = user.id
    elif eigenaar and eigenaar != "geen":
        owner = number("eigenaar", "Contactpersoon")
    status = None
    if params.get("status"):
        try:
            status = ZaakStatus(params["status"])
        except ValueError:
            problems.append("Status: kies een status uit de lijst.")
    sortering = Sortering.PRIORITEIT
    if params.get("sorteer"):
        try:
            sortering = Sortering(params["sorteer"])
        except ValueError:
            problems.append("Sorteren: kies een kolom uit de tabel.")
    wijk = params.get("wijk", "").strip()
    if wijk and not (wijk.isdigit() and len(wijk) == 4):
        problems.append("Wijk: vul de vier cijfers van de postcode in, bijvoorbeeld 1234.")
        wijk = ""
    actie = params.get("actie", "")
    return (
        QueueFilter(
            zoek=params.get("zoek", "")[:100],
            status=status,
            eigenaar=owner,
            zonder_eigenaar=eigenaar == "geen",
            partner=params.get("partner") or None,
            crisis=bool(params.get("crisis")),
            actie_tot=date.today() if actie == "vandaag" else None,
            wijk=wijk,
            ouder_dan_dagen=number("ouder", "Ouder dan"),
            sortering=sortering,
            aflopend=params.get("richting", "af" if sortering is Sortering.PRIORITEIT else "op")
            == "af",
            pagina=number("pagina", "Pagina") or 1,
            per_pagina=number("per", "Per pagina") or PAGE_SIZES[1],
        ),
        problems,
    )


@router.get("/werkvoorraad", response_class=HTMLResponse)
def queue_page(
    request: Request,
    context: Context,
    user: Annotated[User, Depends(require("werkvoorraad"))],
    kenmerk: str = "",
) -> Response:
    wanted, problems = _queue_filter(request.query_params, user)
    with context.engine.begin() as conn:
        # a resident asks whether a message is genuine: its reference, looked up
        checked = verify_kenmerk(conn, kenmerk[:100]) if kenmerk.strip() else None
        page = queue_rows(conn, wanted, actor=actor(user), people=context.person_search)
        users = list_users(conn=conn)
        waiting = open_replies(conn)
        # a resident who does not want to be approached is flagged on their row
        refused = not_to_contact(
            conn=conn, persons=[r.person_pseudonym for r in page.rows], actor=actor(user)
        )
        niet_benaderen = {r.case_id for r in page.rows if r.person_pseudonym in refused}
    if page.zoekfout:
        problems.append(page.zoekfout)
    params = {k: v for k, v in request.query_params.items() if k not in ("pagina", "kenmerk")}
    return render(
        request,
        "werkvoorraad.html",
        user=user,
        page=page,
        filter=wanted,
        params=params,
        problems=problems,
        # every kind of partner (DDAS), not only those in open cases: counting those would
        # read every open case's signals on each page
        partners=list(Signaalpartner),
        partner_nl=signaalpartner_team,
        kenmerk=kenmerk,
        kenmerk_gevonden=checked,
        op_naam=context.person_search is not None,
        owners={u.user_id: u.naam or u.gebruikersnaam for u in users},
        workers=[u for u in users if u.actief and u.rol in (Rol.CONTACTMEDEWERKER, Rol.TEAMLEIDER)],
        statussen=STATUS_NL,
        sorteringen=SORT_LABELS,
        page_sizes=PAGE_SIZES,
        actie_label=next_action_label,
        niet_benaderen=niet_benaderen,
        vandaag=date.today(),
        # replies of residents that wait for a worker: per case, and those without one
        antwoord_wacht={r.case_id for r in waiting if r.case_id is not None},
        antwoorden_zonder_zaak=sum(1 for r in waiting if r.case_id is None),
    )


SORT_LABELS = {
    Sortering.ZAAK: "Zaak",
    Sortering.PRIORITEIT: "Prioriteit",
    Sortering.STATUS: "Status",
    Sortering.SIGNAAL: "Begonnen",
    Sortering.EIGENAAR: "Contactpersoon",
    Sortering.ACTIE: "Volgende actie",
}


@router.post("/werkvoorraad/toewijzen")
def assign_many(
    request: Request,
    context: Context,
    user: Annotated[User, Depends(require("zaak_toewijzen"))],
    zaken: Annotated[list[int], Form()] = [],  # noqa: B006 (FastAPI reads the default)
    gebruikersnaam: str = Form(""),
    terug: str = Form(""),
    formulier: str = Form(""),
) -> Response:
    back = terug if terug.startswith("/werkvoorraad") else "/werkvoorraad"
    if not zaken:
        request.session["flash"] = "Kies eerst een of meer zaken in de tabel."
        return RedirectResponse(back, status_code=303)
    with case_change(context.engine) as conn:
        once(conn, formulier)
        try:
            changed, unchanged = assign_owners(
                conn=conn,
                case_ids=zaken[:500],
                gebruikersnaam=gebruikersnaam or None,
                actor=actor(user),
            )
        except OwnerError as exc:
            raise HTTPException(400, "Deze medewerker bestaat niet of is uitgeschakeld.") from exc
    who = gebruikersnaam or "niemand"
    request.session["flash"] = (
        f"{changed} {'zaak' if changed == 1 else 'zaken'} toegewezen aan {who}."
        + (
            f" {unchanged} {'had' if unchanged == 1 else 'hadden'} al deze contactpersoon: "
            "daar is niets veranderd."
            if unchanged
            else ""
        )
    )
    return RedirectResponse(back, status_code=303)


@router.get("/zaken/{case_id}", response_class=HTMLResponse)
def case_page(
    request: Request,
    context: Context,
    user: Annotated[User, Depends(require("zaak_bekijken"))],
    case_id: ZaakId,
) -> Response:
    return _case_view(request, context, user, case_id)


@router.post("/zaken/{case_id}/contactgegevens", response_class=HTMLResponse)
def show_contact_details(
    request: Request,
    context: Context,
    user: Annotated[User, Depends(require("contact_registreren"))],
    case_id: ZaakId,
) -> Response:
    """The resident's contact details, on request and audited; shown once, never stored."""
    if context.contact_directory is None:
        raise HTTPException(
            400,
            "Contactgegevens zijn niet gekoppeld. Vraag de beheerder om de koppeling met het "
            "klantcontactsysteem in te stellen.",
        )
    with case_change(context.engine) as conn:
        try:
            details = contact_details_on_request(
                conn=conn,
                case_id=case_id,
                directory=context.contact_directory,
                actor=actor(user),
            )
        except NoContactError as exc:
            raise HTTPException(400, str(exc)) from exc
    return _case_view(request, context, user, case_id, contactgegevens=details)


@router.post("/zaken/{case_id}/huisgenoten", response_class=HTMLResponse)
def show_co_residents(
    request: Request,
    context: Context,
    user: Annotated[User, Depends(require("contact_registreren"))],
    case_id: ZaakId,
) -> Response:
    """How many persons live at the resident's address and which have an open case here
    (BRP, purpose huishouden, audited; no names, nothing stored)."""
    if context.household_register is None or context.pseudonymizer is None:
        raise HTTPException(
            400,
            "De basisregistratie personen is niet gekoppeld. Vraag de beheerder om "
            "PROACTIEF_BRP_URL in te stellen.",
        )
    with case_change(context.engine) as conn:
        try:
            found = co_residents(
                conn=conn,
                case_id=case_id,
                register=context.household_register,
                pseudonymize=context.pseudonymizer.for_bsn,
                actor=actor(user),
            )
        except (BrpError, BrpQueryError) as exc:
            raise HTTPException(503, str(exc).split(" / ")[0]) from exc
    return _case_view(request, context, user, case_id, huisgenoten=found)


def _case_view(
    request: Request,
    context: Context,
    user: User,
    case_id: int,
    contactgegevens: ContactDetails | None = None,
    huisgenoten: Huisgenoten | None = None,
) -> Response:
    today = date.today()
    with context.engine.begin() as conn:
        try:
            co = case_offer(conn=conn, case_id=case_id, today=today, actor=actor(user))
        except CaseNotFoundError as exc:
            raise HTTPException(404, f"Zaak {case_id} bestaat niet.") from exc
        household = household_of(conn=conn, person_pseudonym=co.person_pseudonym, actor=actor(user))
        steps = steps_of_case(conn=conn, case_id=case_id)
        grants = grants_of_case(conn, case_id)
        replies = replies_of_case(conn, case_id)
        workers = [
            u
            for u in list_users(conn=conn)
            if u.actief and u.rol in (Rol.CONTACTMEDEWERKER, Rol.TEAMLEIDER)
        ]
        log = timeline(conn, case_id)
        row = queue_row(conn, case_id)
        same_household = housemate_cases(conn, case_id)
    rendered = messages_for(co, afzender=context.afzender, datum=today)
    return render(
        request,
        "zaak.html",
        user=user,
        case=co.case,
        signals=co.signals,
        co=co,
        offer=co.offer,
        steps=steps,
        # the ladder waits for a contact moment only before its first step (run_next_step)
        wacht_op_moment=co.contactmoment
        if co.offer.moment == "bij_bestaand_contact" and not steps
        else None,
        household=household,
        regelingen=explain_rows(co.regelingen, context.rule_settings),
        delen_met=[k for k in sharing_options() if k in co.voorkeuren.delen],
        status_nl=REGELING_STATUS_NL,
        zekerheid_nl=ZEKERHEID_NL,
        berichten=rendered,
        soorten=list(Contactsoort),
        dagdelen=list(Dagdeel),
        resultaten=list(Eindresultaat),
        vandaag=today.isoformat(),
        partner_nl=signaalpartner_team,
        grants=grants,
        toekennen=load_approach_config().automatisch_toekennen,
        replies=replies,
        workers=workers,
        open_tasks=[s for s in steps if s.status == "taak_open"],
        nee_resultaat=NEE_RESULTAAT,
        tijdlijn=log,
        rij=row,
        actie_label=next_action_label,
        statussen=STATUS_NL,
        # a resident who does not want to be approached: the contact forms stay closed
        niet_benaderen=co.voorkeuren.niet_benaderen,
        overleden=co.voorkeuren.overleden,
        notitie_max=NOTE_MAX,
        contactgegevens=contactgegevens,
        gekoppeld=context.contact_directory is not None,
        huisgenoten=huisgenoten,
        zelfde_huishouden=same_household,
        brp_gekoppeld=context.household_register is not None,
    )


@router.post("/zaken/{case_id}/eigenaar")
def set_owner(
    request: Request,
    context: Context,
    user: Annotated[User, Depends(require("zaak_toewijzen"))],
    case_id: ZaakId,
    gebruikersnaam: str = Form(""),
    formulier: str = Form(""),
) -> Response:
    with case_change(context.engine) as conn:
        once(conn, formulier)
        try:
            assign_owner(
                conn=conn,
                case_id=case_id,
                gebruikersnaam=gebruikersnaam or None,
                actor=actor(user),
            )
        except OwnerError as exc:
            raise HTTPException(400, "Deze medewerker bestaat niet of is uitgeschakeld.") from exc
    request.session["flash"] = (
        f"Vaste contactpersoon van zaak {case_id}: {gebruikersnaam}."
        if gebruikersnaam
        else f"Zaak {case_id} heeft geen vaste contactpersoon meer."
    )
    return RedirectResponse(f"/zaken/{case_id}", status_code=303)


@router.post("/zaken/{case_id}/toekenning")
def grant_outcome(
    request: Request,
    context: Context,
    user: Annotated[User, Depends(require("contact_registreren"))],
    case_id: ZaakId,
    toekenning: int = Form(...),
    uitkomst: str = Form(...),
    formulier: str = Form(""),
) -> Response:
    if uitkomst not in ("toegekend", "niet_toegekend"):
        raise HTTPException(400, "Kies 'Toegekend' of 'Niet toegekend'.")
    with case_change(context.engine) as conn:
        once(conn, formulier)
        grants = {g.id for g in grants_of_case(conn, case_id)}
        if toekenning not in grants:
            raise HTTPException(400, "Deze toekenning hoort niet bij deze zaak.")
        try:
            done = complete_grant(
                conn,
                grant_id=toekenning,
                granted=uitkomst == "toegekend",
                door=actor(user),
                now=datetime.now(UTC),
            )
        except GrantError as exc:
            raise HTTPException(400, "Deze toekenning wacht niet op controle.") from exc
    request.session["flash"] = (
        f"Vastgelegd: {done.regeling.replace('_', ' ')} {done.status.replace('_', ' ')}."
    )
    return RedirectResponse(f"/zaken/{case_id}", status_code=303)


@router.post("/zaken/{case_id}/antwoord")
def reply_done(
    request: Request,
    context: Context,
    user: Annotated[User, Depends(require("contact_registreren"))],
    case_id: ZaakId,
    antwoord: int = Form(...),
    formulier: str = Form(""),
) -> Response:
    with case_change(context.engine) as conn:
        once(conn, formulier)
        try:
            done = close_case_reply(conn, case_id=case_id, reply_id=antwoord, door=actor(user))
        except ReplyError as exc:
            raise HTTPException(400, "Dit antwoord hoort niet bij deze zaak.") from exc
    request.session["flash"] = (
        "Het antwoord van de inwoner is afgehandeld."
        if done
        else "Dit antwoord was al afgehandeld. Er is niets veranderd."
    )
    return RedirectResponse(f"/zaken/{case_id}", status_code=303)


@router.post("/zaken/{case_id}/heropenen")
def reopen(
    request: Request,
    context: Context,
    user: Annotated[User, Depends(require("zaak_heropenen"))],
    case_id: ZaakId,
    reden: str = Form(""),
    formulier: str = Form(""),
) -> Response:
    with case_change(context.engine) as conn:
        once(conn, formulier)
        try:
            reopen_case(conn=conn, case_id=case_id, reden=reden, actor=actor(user))
        except ReopenError as exc:
            raise HTTPException(400, str(exc).split(" / ")[0]) from exc
    request.session["flash"] = f"Zaak {case_id} is weer open. De reden staat in het audit-log."
    return RedirectResponse(f"/zaken/{case_id}", status_code=303)


@router.post("/zaken/{case_id}/nee")
def says_no(
    request: Request,
    context: Context,
    user: Annotated[User, Depends(require("contact_registreren"))],
    case_id: ZaakId,
    datum: str = Form(...),
    taak: str = Form(""),
    formulier: str = Form(""),
) -> Response:
    try:
        when = date.fromisoformat(datum)
        step_id = int(taak) if taak else None
    except ValueError as exc:
        raise HTTPException(400, "Vul een geldige datum in.") from exc
    with case_change(context.engine) as conn:
        once(conn, formulier)
        try:
            resident_says_no(
                conn=conn,
                case_id=case_id,
                datum=when,
                now=datetime.now(UTC),
                actor=actor(user),
                step_id=step_id,
            )
        except TaskError as exc:
            raise HTTPException(400, "Deze taak hoort niet bij deze zaak.") from exc
    request.session["flash"] = (
        f"Vastgelegd: de inwoner zegt nee. Zaak {case_id} is gesloten ({NEE_RESULTAAT}). "
        "Er gaat niets meer naar de inwoner."
    )
    return RedirectResponse("/werkvoorraad", status_code=303)


@router.post("/zaken/{case_id}/contact")
def add_contact(
    request: Request,
    context: Context,
    user: Annotated[User, Depends(require("contact_registreren"))],
    case_id: ZaakId,
    soort: str = Form(...),
    datum: str = Form(...),
    dagdeel: str = Form(""),
    bereikt: str = Form(""),
    formulier: str = Form(""),
) -> Response:
    when, part = _entered(datum, dagdeel)
    try:
        kind = Contactsoort(soort)
    except ValueError as exc:
        raise HTTPException(400, "Dit klopt niet: kies een soort contact uit de lijst.") from exc
    attempt = Contactpoging(soort=kind, datum=when, dagdeel=part, bereikt=bereikt == "ja")
    with case_change(context.engine) as conn:
        once(conn, formulier)
        _may_approach(conn, case_id)
        register_contact(
            conn=conn, case_id=case_id, attempt=attempt, actor=actor(user), niet_na=date.today()
        )
    request.session["flash"] = f"Contactpoging vastgelegd: {attempt.soort}, " + (
        "bereikt." if attempt.bereikt else "niet bereikt."
    )
    return RedirectResponse(f"/zaken/{case_id}", status_code=303)


@router.post("/zaken/{case_id}/hulp-geaccepteerd")
def accept(
    request: Request,
    context: Context,
    user: Annotated[User, Depends(require("contact_registreren"))],
    case_id: ZaakId,
    datum: str = Form(...),
    formulier: str = Form(""),
) -> Response:
    when, _part = _entered(datum)
    try:
        with case_change(context.engine) as conn:
            once(conn, formulier)
            accept_help(
                conn=conn, case_id=case_id, datum=when, actor=actor(user), niet_na=date.today()
            )
    except AlreadyAcceptedError as exc:
        # idempotent: nothing changes, and the worker is told so
        request.session["flash"] = (
            f"Dit was al vastgelegd: de inwoner nam hulp aan op {exc.first:%d-%m-%Y}. "
            "Er is niets veranderd."
        )
        return RedirectResponse(f"/zaken/{case_id}", status_code=303)
    request.session["flash"] = (
        f"Vastgelegd: de inwoner neemt hulp aan ({when:%d-%m-%Y}). "
        + context.queue_config.accepted_help_notice()
    )
    return RedirectResponse(f"/zaken/{case_id}", status_code=303)


@router.post("/zaken/{case_id}/afsluiten")
def close(
    request: Request,
    context: Context,
    user: Annotated[User, Depends(require("contact_registreren"))],
    case_id: ZaakId,
    eindresultaat: str = Form(""),
    datum: str = Form(...),
    bevestigd: str = Form(""),
    formulier: str = Form(""),
) -> Response:
    if not eindresultaat:
        raise HTTPException(400, "Kies een eindresultaat: er is geen standaard.")
    if bevestigd != "ja":
        raise HTTPException(
            400, "Bevestig dat u de zaak wilt afsluiten: vink het vakje aan en probeer opnieuw."
        )
    try:
        result = Eindresultaat(eindresultaat)
        when = date.fromisoformat(datum)
    except ValueError as exc:
        raise HTTPException(
            400, "Kies een eindresultaat uit de lijst en een geldige datum."
        ) from exc
    with case_change(context.engine) as conn:
        once(conn, formulier)
        close_case(
            conn=conn,
            case_id=case_id,
            eindresultaat=result,
            datum=when,
            actor=actor(user),
            niet_na=date.today(),
        )
    request.session["flash"] = f"Zaak {case_id} is afgesloten: {result}."
    return RedirectResponse("/werkvoorraad", status_code=303)


def _entered(datum: str, dagdeel: str = "") -> tuple[date, Dagdeel | None]:
    """A date and part of day a worker entered, or a 400 that says in Dutch what to fix."""
    try:
        return date.fromisoformat(datum), Dagdeel(dagdeel) if dagdeel else None
    except ValueError as exc:
        raise HTTPException(
            400, "Dit klopt niet: vul een geldige datum in en kies een dagdeel uit de lijst."
        ) from exc


def _may_approach(conn: Connection, case_id: int) -> None:
    """Refuse a contact with a resident who does not want to be approached."""
    subject = case_subject(conn, case_id)
    if subject is None:
        raise HTTPException(404, f"Zaak {case_id} bestaat niet.")
    if current_state(conn=conn, person_pseudonym=subject).niet_benaderen:
        raise HTTPException(
            400,
            "Deze inwoner wil niet benaderd worden: neem geen contact op. Belt de inwoner "
            "zelf? Schrijf dat dan in een notitie.",
        )


@router.post("/zaken/{case_id}/notitie")
def note(
    request: Request,
    context: Context,
    user: Annotated[User, Depends(require("contact_registreren"))],
    case_id: ZaakId,
    tekst: str = Form(""),
    formulier: str = Form(""),
) -> Response:
    with case_change(context.engine) as conn:
        once(conn, formulier)
        if case_subject(conn, case_id) is None:
            raise HTTPException(404, f"Zaak {case_id} bestaat niet.")
        try:
            add_note(conn, case_id=case_id, door=actor(user), tekst=tekst)
        except FollowUpError as exc:
            raise HTTPException(400, str(exc)) from exc
    request.session["flash"] = "De notitie staat in het logboek van de zaak."
    return RedirectResponse(f"/zaken/{case_id}#logboek", status_code=303)


@router.post("/zaken/{case_id}/vervolg")
def follow_up(
    request: Request,
    context: Context,
    user: Annotated[User, Depends(require("contact_registreren"))],
    case_id: ZaakId,
    datum: str = Form(""),
    wat: str = Form(""),
    wissen: str = Form(""),
    formulier: str = Form(""),
) -> Response:
    when: date | None = None
    if not wissen:
        try:
            when = date.fromisoformat(datum)
        except ValueError as exc:
            raise HTTPException(400, "Vul een geldige datum in voor de vervolgactie.") from exc
    with case_change(context.engine) as conn:
        once(conn, formulier)
        try:
            changed = set_follow_up(
                conn,
                case_id=case_id,
                door=actor(user),
                datum=when,
                wat=wat,
                today=date.today(),
            )
        except FollowUpError as exc:
            raise HTTPException(400, str(exc)) from exc
    if not changed:
        request.session["flash"] = "Dit was al zo vastgelegd. Er is niets veranderd."
    elif when is None:
        request.session["flash"] = "De vervolgactie is gewist."
    else:
        request.session["flash"] = f"Vervolgactie vastgelegd voor {when:%d-%m-%Y}."
    return RedirectResponse(f"/zaken/{case_id}", status_code=303)


@router.post("/zaken/{case_id}/taak")
def task_done(
    request: Request,
    context: Context,
    user: Annotated[User, Depends(require("contact_registreren"))],
    case_id: ZaakId,
    taak: int = Form(...),
    datum: str = Form(...),
    dagdeel: str = Form(""),
    bereikt: str = Form(""),
    formulier: str = Form(""),
) -> Response:
    when, part = _entered(datum, dagdeel)
    with case_change(context.engine) as conn:
        once(conn, formulier)
        step = next((st for st in steps_of_case(conn=conn, case_id=case_id) if st.id == taak), None)
        if step is None:
            raise HTTPException(400, "Deze taak hoort niet bij deze zaak.")
        if step.status != "taak_open":
            request.session["flash"] = "Deze taak was al afgerond. Er is niets veranderd."
            return RedirectResponse(f"/zaken/{case_id}", status_code=303)
        _may_approach(conn, case_id)
        attempt = complete_task(
            conn=conn,
            step_id=taak,
            bereikt=bereikt == "ja",
            datum=when,
            dagdeel=part,
            door=actor(user),
            niet_na=date.today(),
        )
    request.session["flash"] = f"Taak afgerond: {attempt.soort}, " + (
        "bereikt." if attempt.bereikt else "niet bereikt."
    )
    return RedirectResponse(f"/zaken/{case_id}", status_code=303)

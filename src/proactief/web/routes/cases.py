"""The work queue and the case page with its forms (contact attempt, help accepted, close)."""

from datetime import UTC, date, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from proactief.accounts.users import Rol, User, list_users
from proactief.domain import Contactpoging, Contactsoort, Dagdeel, Eindresultaat, signaalpartner_nl
from proactief.early_detection.cases import (
    count_open_cases,
    open_case_partners,
    work_queue,
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
from proactief.early_detection.owners import OwnerError, assign_owner
from proactief.entitlements.scan import explain_rows, household_of
from proactief.offers.approach import load_approach_config
from proactief.offers.grants import GrantError, complete_grant, grants_of_case
from proactief.offers.outreach import (
    NEE_RESULTAAT,
    TaskError,
    case_offer,
    messages_for,
    resident_says_no,
    steps_of_case,
    verify_kenmerk,
)
from proactief.offers.replies import ReplyError, close_case_reply, open_replies, replies_of_case
from proactief.trust.consent import sharing_options
from proactief.web.deps import Context, ZaakId, actor, case_change, require
from proactief.web.pages import render

__all__ = ["router"]

router = APIRouter()

QUEUE_PAGE_SIZE = 200

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


@router.get("/werkvoorraad", response_class=HTMLResponse)
def queue_page(
    request: Request,
    context: Context,
    user: Annotated[User, Depends(require("werkvoorraad"))],
    partner: str = "",
    crisis: str = "",
    kenmerk: str = "",
) -> Response:
    with context.engine.begin() as conn:
        # a resident asks whether a message is genuine: its reference, looked up
        checked = verify_kenmerk(conn, kenmerk[:100]) if kenmerk.strip() else None
        items = work_queue(
            conn=conn,
            limit=QUEUE_PAGE_SIZE,
            actor=actor(user),
            partner=partner or None,
            crisis=bool(crisis),
        )
        total = count_open_cases(conn=conn, partner=partner or None, crisis=bool(crisis))
        partners = open_case_partners(conn=conn)
        owners = {u.user_id: u.naam or u.gebruikersnaam for u in list_users(conn=conn)}
        waiting = open_replies(conn)
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
        kenmerk=kenmerk,
        kenmerk_gevonden=checked,
        owners=owners,
        # replies of residents that wait for a worker: per case, and those without one
        antwoord_wacht={r.case_id for r in waiting if r.case_id is not None},
        antwoorden_zonder_zaak=sum(1 for r in waiting if r.case_id is None),
    )


@router.get("/zaken/{case_id}", response_class=HTMLResponse)
def case_page(
    request: Request,
    context: Context,
    user: Annotated[User, Depends(require("zaak_bekijken"))],
    case_id: ZaakId,
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
        partner_nl=signaalpartner_nl,
        grants=grants,
        toekennen=load_approach_config().automatisch_toekennen,
        replies=replies,
        workers=workers,
        open_tasks=[s for s in steps if s.status == "taak_open"],
        nee_resultaat=NEE_RESULTAAT,
    )


@router.post("/zaken/{case_id}/eigenaar")
def set_owner(
    request: Request,
    context: Context,
    user: Annotated[User, Depends(require("zaak_toewijzen"))],
    case_id: ZaakId,
    gebruikersnaam: str = Form(""),
) -> Response:
    with case_change(context.engine) as conn:
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
) -> Response:
    if uitkomst not in ("toegekend", "niet_toegekend"):
        raise HTTPException(400, "Kies 'Toegekend' of 'Niet toegekend'.")
    with case_change(context.engine) as conn:
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
) -> Response:
    with case_change(context.engine) as conn:
        try:
            close_case_reply(conn, case_id=case_id, reply_id=antwoord, door=actor(user))
        except ReplyError as exc:
            raise HTTPException(400, "Dit antwoord hoort niet bij deze zaak.") from exc
    request.session["flash"] = "Het antwoord van de inwoner is afgehandeld."
    return RedirectResponse(f"/zaken/{case_id}", status_code=303)


@router.post("/zaken/{case_id}/heropenen")
def reopen(
    request: Request,
    context: Context,
    user: Annotated[User, Depends(require("zaak_heropenen"))],
    case_id: ZaakId,
    reden: str = Form(""),
) -> Response:
    with case_change(context.engine) as conn:
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
) -> Response:
    try:
        when = date.fromisoformat(datum)
        step_id = int(taak) if taak else None
    except ValueError as exc:
        raise HTTPException(400, "Vul een geldige datum in.") from exc
    with case_change(context.engine) as conn:
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
) -> Response:
    try:
        attempt = Contactpoging(
            soort=Contactsoort(soort),
            datum=date.fromisoformat(datum),
            dagdeel=Dagdeel(dagdeel) if dagdeel else None,
            bereikt=bereikt == "ja",
        )
    except ValueError as exc:
        raise HTTPException(400, f"Dit klopt niet: {exc}") from exc
    with case_change(context.engine) as conn:
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
) -> Response:
    try:
        when = date.fromisoformat(datum)
    except ValueError as exc:
        raise HTTPException(400, f"Dit klopt niet: {exc}") from exc
    try:
        with case_change(context.engine) as conn:
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

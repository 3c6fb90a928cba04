"""From case to contact: the offer for a case (with the household's entitlements), its
messages, and the contact ladder carried out one step at a time through the channels.

Every step is decided anew from the person's choices at that moment, so an opt-out or a
new preference between two steps takes effect at once. Messages leave only through
``send_message`` (opt-out, Wmebv, representative) and the outbox (``offers.outbox``): the
step is committed before a channel is called, so a crash never sends a message twice; a
delivered message becomes a DDAS contact attempt; a phone call or home visit becomes a
task for the contact worker, and its attempt is registered when the worker has done it
(``complete_task``).
"""

import dataclasses
import json
import logging
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy import Connection

from proactief.accounts.resident_codes import create_code
from proactief.accounts.users import contact_person
from proactief.channels import Channel, Envelope, all_specs, spec_of
from proactief.channels.letter import render_pdf
from proactief.domain import (
    Berichtsoort,
    BerichtStatus,
    ContactDetails,
    Contactpoging,
    Dagdeel,
    Doel,
    Eindresultaat,
    EventSoort,
    GeenStap,
    Kanaal,
    Moment,
    PreferenceState,
    StapStatus,
    Toon,
    Vroegsignaalzaak,
    Wijze,
    signaalpartner_nl,
)
from proactief.domain.account import OfferAccount
from proactief.domain.records import EntitlementRecord, OutreachStepRecord, SignalRecord
from proactief.early_detection import repository as early_repo
from proactief.early_detection.contacts import (
    CaseNotFoundError,
    case_grant,
    case_of,
    close_case,
    register_contact,
)
from proactief.early_detection.owners import auto_assign
from proactief.entitlements.outcomes import record_offered
from proactief.entitlements.scan import household_entitlements
from proactief.offers import repository as repo
from proactief.offers.account import Afzender, LifeEventUse, build_account
from proactief.offers.approach import (
    CaseSummary,
    EntitlementSummary,
    ExperimentArm,
    LadderStep,
    Offer,
    SegmentProbabilities,
    choose_approach,
    load_approach_config,
)
from proactief.offers.checks import check_rendered
from proactief.offers.experiments import Assignment, assign, assignment_of_case
from proactief.offers.grants import object_to_grants, propose_grants
from proactief.offers.life_events import load_life_events_config
from proactief.offers.messages import Rendered, parts_for, render_messages
from proactief.offers.moments import ContactMoment, next_moment
from proactief.offers.outbox import Begin, deliver_pending, enqueue
from proactief.offers.questionnaire import own_segment
from proactief.offers.replies import AddressHasher, add_reply_route
from proactief.sources.brp import PersonDeceasedError
from proactief.sources.contactgegevens import ContactDirectory
from proactief.trust.consent import current_state, record_event
from proactief.trust.given import read_details
from proactief.trust.identity import contact_subject
from proactief.trust.messaging import (
    Aanleiding,
    block_queued_message,
    keep_account,
    send_message,
)
from proactief.trust.purposes import load_purposes

log = logging.getLogger(__name__)

__all__ = [
    "Afzender",
    "CaseOffer",
    "NoContactError",
    "StepResult",
    "TaskError",
    "account_for",
    "case_offer",
    "check_offer",
    "complete_task",
    "contact_details_on_request",
    "messages_for",
    "resident_says_no",
    "run_next_step",
    "send_next_step",
    "verify_kenmerk",
    "write_preview",
]


@dataclass(frozen=True)
class CaseOffer:
    """A case's offer with the case, its signals and what its messages need."""

    offer: Offer
    case: Vroegsignaalzaak
    signals: tuple[SignalRecord, ...]
    partners: tuple[str, ...]
    """The signal partners in plain Dutch, e.g. ('uw zorgverzekeraar',)."""
    voorkeuren: PreferenceState
    """The person's choices the offer was decided on (channels, consents, sharing)."""
    regelingen: tuple[EntitlementRecord, ...] = ()
    """The household's rows of the newest entitlement scan (regelingencheck purpose)."""
    alle_partners: frozenset[str] = frozenset()
    """Every creditor that ever sent a signal about the person (not only this case's)."""
    eigenaar: tuple[str, str | None] | None = None
    """The case owner as residents are told (name, direct number), if the case has one."""
    contactmoment: ContactMoment | None = None
    """The person's next contact moment within the window (offers.moments), if any."""
    apk: bool = False
    """The case is a yearly check-up invitation (a campaign of kind 'apk')."""
    onderzoek: Assignment | None = None
    """The experiment arm the case's unit got (offers.experiments), if any."""
    campagne_tot: date | None = None
    """A campaign case: the last day the campaign keeps that it wrote to the household."""

    @property
    def ontvanger(self) -> str:
        """'inwoner', or the representative who receives instead."""
        return self.voorkeuren.vertegenwoordiger or "inwoner"

    @property
    def person_pseudonym(self) -> str:
        """Whose case it is."""
        return self.case.person_pseudonym

    @property
    def organisaties(self) -> str:
        """The signal partners as one phrase ('uw zorgverzekeraar en de woningcorporatie')."""
        return " en ".join(self.partners)

    @property
    def gesloten(self) -> bool:
        """The case has an end result."""
        return self.case.eindresultaat is not None

    @property
    def bereikt(self) -> bool:
        """Some contact attempt reached the person."""
        return any(a.bereikt for a in self.case.contactpogingen)


@dataclass(frozen=True, slots=True)
class StepResult:
    """What happened when the next step of a case's ladder was due."""

    case_id: int
    status: StapStatus | GeenStap
    """What the step did (a ``StapStatus``), or why no step was taken (``GeenStap``)."""
    detail: str
    stap: int | None = None
    kanaal: Kanaal | None = None
    toon: Toon | None = None


class TaskError(ValueError):
    """A task that does not exist or is already done."""


def _summaries(rows: Sequence[EntitlementRecord]) -> list[EntitlementSummary]:
    """The stored scan rows as the approach engine sees them."""
    return [
        EntitlementSummary(
            r.regeling, r.status, None if r.bedrag_centen is None else r.bedrag_centen / 100
        )
        for r in rows
    ]


def case_offer(
    *,
    conn: Connection,
    case_id: int,
    today: date,
    segment: SegmentProbabilities | None = None,
    actor: str = "systeem",
    assign_at: datetime | None = None,
) -> CaseOffer:
    """The offer for a case now: its signals, the person's current choices, the
    household's entitlements and the segment probabilities from the person's own answers
    (kept only with their consent; ``segment`` overrides them, e.g. for a preview).

    ``assign_at``: the case is about to get its next step; an open signal case that has
    had none gets the arm of a running experiment now, before its first message
    (offers.experiments), and the offer is made with it."""
    grant = case_grant(conn, actor=actor, case_id=case_id)
    case = case_of(grant, case_id)
    signals = early_repo.signals_of_cases(grant, [case_id])
    partners = sorted({signaalpartner_nl(s.signaalpartner) for s in signals}) or ["een organisatie"]
    state = current_state(conn=conn, person_pseudonym=case.person_pseudonym)
    regelingen = household_entitlements(conn, person_pseudonym=case.person_pseudonym, actor=actor)
    if segment is None:
        segment = own_segment(conn=conn, person_pseudonym=case.person_pseudonym)
    owner = contact_person(conn, early_repo.case_owner(conn, case_id))
    everyone = early_repo.partners_of_person(grant, case.person_pseudonym)
    moment = next_moment(conn, case.person_pseudonym, today)
    campaign = None if case.campagne is None else repo.campaign_of(conn, case.campagne)
    assignment = assignment_of_case(conn, case_id)
    if (
        assignment is None
        and assign_at is not None
        and case.campagne is None
        and case.eindresultaat is None
        and not any(a.bereikt for a in case.contactpogingen)
        and state.may_contact()
        and not repo.outreach_steps_of_case(conn, case_id)
    ):
        assignment = assign(
            conn,
            case_id=case_id,
            person_pseudonym=case.person_pseudonym,
            signals=tuple(signals),
            now=assign_at,
        )
    offer = choose_approach(
        case=CaseSummary(
            case_id=case_id,
            crisis=any(s.crisissignaal for s in signals),
            vandaag=today,
            bestaand_contact=None if moment is None else moment.datum,
            campagne_ladder=campaign_ladder(campaign[1] if campaign else None),
            soort=Berichtsoort.VROEGSIGNAAL if case.campagne is None else Berichtsoort.REGELING,
            onderzoek=None
            if assignment is None
            else ExperimentArm(
                assignment.experiment.naam,
                assignment.experiment.vergelijkt,
                assignment.arm,
                assignment.toegewezen.date(),
            ),
        ),
        entitlements=_summaries(regelingen),
        preferences=state,
        segment=segment,
    )
    return CaseOffer(
        offer=offer,
        case=case,
        signals=tuple(signals),
        partners=tuple(partners),
        voorkeuren=state,
        regelingen=tuple(regelingen),
        eigenaar=None if owner is None else (owner.naam, owner.telefoon),
        alle_partners=frozenset(everyone),
        contactmoment=moment,
        apk=campaign is not None and campaign[0] == "apk",
        onderzoek=assignment,
        campagne_tot=None
        if case.campagne is None
        else repo.campaign_member_kept_until(conn, case_id),
    )


class NoContactError(ValueError):
    """Contact details are not shown for a resident who does not want to be approached."""


def contact_details_on_request(
    *, conn: Connection, case_id: int, directory: ContactDirectory, actor: str
) -> ContactDetails:
    """How to reach the resident (or the representative they named) of a case, looked up
    when a worker asks, for the purpose 'klantcontact': in the audit trail with the worker,
    the purpose and the person; nothing of it is stored (ADR 0004)."""
    person = early_repo.case_subject(conn, case_id)
    if person is None:
        raise CaseNotFoundError(case_id)
    state = current_state(conn=conn, person_pseudonym=person)
    if state.niet_benaderen:
        raise NoContactError(
            "Deze inwoner wil niet benaderd worden: de contactgegevens worden niet getoond."
        )
    return read_details(
        conn=conn,
        person_pseudonym=person,
        directory=directory,
        actor=actor,
        ontvanger=state.vertegenwoordiger or "inwoner",
        details={"zaak": case_id},
    )


def campaign_ladder(stored: str | None) -> tuple[LadderStep, ...]:
    """A campaign's own ladder as kept when it ran (JSON of aanpak.yaml ladder steps)."""
    if not stored:
        return ()
    return tuple(
        LadderStep(Kanaal(s["kanaal"]), int(s["wacht_dagen"]), s.get("dagdeel"))
        for s in json.loads(stored)
    )


def life_event_use(soort: str | None) -> LifeEventUse | None:
    """How a life event case's messages name its event (config/levensgebeurtenissen.yaml)."""
    if soort is None:
        return None
    kind = load_life_events_config().soorten.get(soort)
    if kind is None or kind.zin is None or kind.bron is None or kind.doel is None:
        return None
    purpose = load_purposes()[kind.doel]
    return LifeEventUse(kind.zin, kind.bron, purpose.grondslag_b1 or purpose.grondslag)


def account_for(
    case_offer: CaseOffer,
    *,
    afzender: Afzender,
    datum: date,
    stap: int = 0,
    kenmerk: str = "VOORBEELD",
    code: bool = False,
) -> OfferAccount:
    """The account of the offer's message for ladder step ``stap`` (0-based): the facts
    its text may state (``proactief.offers.account``)."""
    cfg = load_approach_config()
    return build_account(
        offer=case_offer.offer,
        regelingen=case_offer.regelingen,
        organisaties=case_offer.organisaties,
        afzender=afzender,
        datum=datum,
        stap=stap,
        kenmerk=kenmerk,
        eigenaar=case_offer.eigenaar,
        # 'no other organisation told us about you' only when none ever did
        goed=cfg.goed_een_signaal if len(case_offer.alle_partners) == 1 else None,
        ontvanger=case_offer.ontvanger,
        code=code,
        # the code made with the message works through this day (create_code)
        code_tot=datum + timedelta(days=afzender.code_dagen) if code else None,
        case_id=case_offer.case.case_id,
        case_start=case_offer.case.startdatum_matchingperiode,
        campagne=case_offer.case.campagne,
        gebeurtenis=life_event_use(case_offer.case.gebeurtenis),
        apk=case_offer.apk,
        campagne_tot=case_offer.campagne_tot,
        # a person delivered with a BSN has a 'b' pseudonym (trust.pseudonyms); otherwise
        # the report identifies them by sex, birth date and address
        met_bsn=case_offer.person_pseudonym.startswith("b"),
    )


def messages_for(
    case_offer: CaseOffer,
    *,
    afzender: Afzender,
    datum: date,
    stap: int = 0,
    kenmerk: str = "VOORBEELD",
    adres: Sequence[str] = (),
    code: str | None = None,
) -> dict[str, Rendered]:
    """Every channel's message for the offer, in its tone, rendered from its account
    (``code``: the resident's access code, printed in the letter and the e-mail)."""
    account = account_for(
        case_offer, afzender=afzender, datum=datum, stap=stap, kenmerk=kenmerk, code=bool(code)
    )
    return render_messages(
        account,
        toon=case_offer.offer.toon,
        naam="vertegenwoordiger" if case_offer.ontvanger != "inwoner" else "inwoner",
        adres=adres,
        code=code,
    )


GATE_RULES = frozenset({"element", "bewering", "feit", "woordkeuze", "onderwerp", "sms"})
"""The checker's rules that stop a message (readability is reported, not a gate: a long
word in a regulation's name should not keep help from anyone)."""


def check_offer(case_offer: CaseOffer, *, afzender: Afzender, datum: date) -> list[str]:
    """What the message checker finds in every channel's message of the offer (as
    ``write_preview`` and the demo report it); empty: all in order."""
    account = account_for(case_offer, afzender=afzender, datum=datum, code=True)
    rendered = render_messages(account, toon=case_offer.offer.toon, code="VOORBEELD-CODE")
    return [
        f"{kanaal}: {p}"
        for kanaal, message in rendered.items()
        for p in check_rendered(kanaal, message.inhoud, account, message.onderwerp)
    ]


PREVIEW_FILES = {part: name for spec in all_specs() for part, name in spec.voorbeeld.items()}
"""Every rendered part and its file name in a preview folder, from the channels' specs."""


def write_preview(
    case_offer: CaseOffer, *, afzender: Afzender, datum: date, folder: Path
) -> list[str]:
    """Write every message of the offer (and the letter as PDF) into ``folder`` without
    sending anything; return what the message checker found (empty: all in order)."""
    account = account_for(case_offer, afzender=afzender, datum=datum)
    rendered = render_messages(account, toon=case_offer.offer.toon)
    folder.mkdir(parents=True, exist_ok=True)
    # the facts the messages were rendered from, beside them (what 'offer check' holds
    # a municipality's own wording against)
    (folder / "verantwoording.json").write_text(
        json.dumps(account.as_json(), ensure_ascii=False, indent=2), encoding="utf-8"
    )
    problems: list[str] = []
    for kanaal, message in rendered.items():
        (folder / PREVIEW_FILES[kanaal]).write_text(message.inhoud, encoding="utf-8")
        problems.extend(
            f"{kanaal}: {p}"
            for p in check_rendered(kanaal, message.inhoud, account, message.onderwerp)
        )
    (folder / "brief.pdf").write_bytes(render_pdf(rendered["brief"].inhoud))
    return problems


def run_next_step(
    *,
    conn: Connection,
    case_id: int,
    channels: Mapping[Kanaal, Channel],
    directory: ContactDirectory,
    now: datetime,
    afzender: Afzender | None = None,
    actor: str = "systeem",
    address_hasher: AddressHasher | None = None,
) -> StepResult:
    """Carry out the next step of the case's ladder if it is due; otherwise say why not.

    ``address_hasher`` (a keyed hash) lets an SMS reply find its case by the number it
    comes from; without it only e-mail replies (by their In-Reply-To) find their case."""
    afzender = afzender or Afzender()
    # a case gets its fixed contact person before its first message (config/toewijzing.yaml)
    auto_assign(conn=conn, case_id=case_id, current=early_repo.case_owner(conn, case_id))
    # a running experiment gives an open signal case its arm before the first message
    co = case_offer(conn=conn, case_id=case_id, today=now.date(), actor=actor, assign_at=now)
    done = repo.outreach_steps_of_case(conn, case_id)
    offer = co.offer
    if co.gesloten:
        return StepResult(case_id, GeenStap.GESLOTEN, "de zaak is afgesloten")
    if co.bereikt:
        return StepResult(case_id, GeenStap.BEREIKT, "de inwoner is bereikt: geen stappen meer")
    if not offer.ladder:
        return StepResult(case_id, GeenStap.GEEN_CONTACT, "de inwoner wil niet benaderd worden")
    stap = len(done)
    if stap >= len(offer.ladder):
        return StepResult(case_id, GeenStap.KLAAR, "alle stappen van de ladder zijn gezet")
    if stap == 0 and offer.moment is Moment.BIJ_BESTAAND_CONTACT and co.contactmoment:
        # the offer rides along with a contact that happens anyway; the day after it the
        # ladder goes on (then there is no coming moment any more)
        day = co.contactmoment.datum
        early_repo.update_case(conn, case_id, volgende_stap_datum=day + timedelta(days=1))
        return StepResult(
            case_id,
            GeenStap.WACHT,
            f"het aanbod gaat mee met {co.contactmoment.naam} op {day.isoformat()}: "
            "bespreek het dan",
        )
    if stap == 0 and offer.uitstel_dagen and co.onderzoek is not None:
        # an arm of a comparison of moment holds the first message back a few days
        day = co.onderzoek.toegewezen.date() + timedelta(days=offer.uitstel_dagen)
        if now.date() < day:
            early_repo.update_case(conn, case_id, volgende_stap_datum=day)
            return StepResult(
                case_id,
                GeenStap.WACHT,
                f"de groep van het onderzoek stuurt het eerste bericht vanaf {day.isoformat()}",
            )
    step = offer.ladder[stap]
    if done:
        if any(d.status == StapStatus.TAAK_OPEN for d in done):
            return StepResult(
                case_id, GeenStap.WACHT, "een taak voor de contactmedewerker staat open"
            )
        if any(d.status == StapStatus.IN_WACHTRIJ for d in done):
            return StepResult(case_id, GeenStap.WACHT, "een bericht wacht op verzending")
        due = done[-1].tijdstip + timedelta(days=step.wacht_dagen)
        if due.tzinfo is None:
            due = due.replace(tzinfo=now.tzinfo)
        if now < due:
            return StepResult(
                case_id, GeenStap.WACHT, f"volgende stap vanaf {due.date().isoformat()}"
            )

    kanaal = step.kanaal
    message_id: int | None = None
    # the moment the offer was made at: a first step taken after a contact moment that
    # came since the case began rode along with it (the ladder waited for it)
    moment = offer.moment.value
    if (
        stap == 0
        and offer.moment is Moment.NU
        and repo.next_contact_moment(
            conn,
            co.person_pseudonym,
            since=co.case.startdatum_matchingperiode,
            until=now.date() - timedelta(days=1),
        )
        is not None
    ):
        moment = Moment.BIJ_BESTAAND_CONTACT.value

    def store(status: str, detail: str, belscript: str | None = None) -> int:
        """Keep the step (no personal data in ``detail``) and the day the ladder's next
        step is due (the work queue's next action); the step's id."""
        following = offer.ladder[stap + 1] if stap + 1 < len(offer.ladder) else None
        early_repo.update_case(
            conn,
            case_id,
            volgende_stap_datum=(now + timedelta(days=following.wacht_dagen)).date()
            if following
            else None,
        )
        return repo.insert_outreach_step(
            conn,
            {
                "case_id": case_id,
                "stap": stap,
                "kanaal": kanaal.value,
                "dagdeel": step.dagdeel,
                "tijdstip": now,
                "message_id": message_id,
                "status": status,
                "detail": detail[:300],
                "belscript": belscript,
                "toon": offer.toon,
                "moment": moment,
            },
        )

    if spec_of(kanaal).bericht:
        campagne = co.case.campagne
        message = send_message(
            conn=conn,
            person_pseudonym=co.person_pseudonym,
            soort=Berichtsoort.VROEGSIGNAAL if campagne is None else Berichtsoort.REGELING,
            kanaal=kanaal,
            aanleiding=Aanleiding(
                soort="vroegsignaal",
                omschrijving="een bericht over een betalingsachterstand",
                organisatie=co.organisaties,
            )
            if campagne is None
            else Aanleiding(
                soort="gegevens",
                omschrijving=f"de campagne '{campagne}' op de regelingencheck"
                if co.case.gebeurtenis is None
                else f"een levensgebeurtenis ({campagne.removeprefix('gebeurtenis: ')})",
                organisatie=afzender.naam,
            ),
            grondslag=load_purposes()[
                Doel.VROEGSIGNALERING if campagne is None else Doel.REGELINGENCHECK
            ].grondslag,
            selectieregel=(
                "elk vroegsignaal krijgt een aanbod voor hulp (Wgs)"
                if campagne is None
                else f"de selectie van de campagne '{campagne}'"
            )[:300]
            if stap == 0
            else f"stap {stap + 1} van de contactladder: nog geen contact",
            afzender=afzender.naam,
            case_id=case_id,
            actor=actor,
            now=now,
        )
        message_id = message.message_id
        if message.status != BerichtStatus.VERZONDEN:
            store(StapStatus.GEBLOKKEERD, message.reden_kanaal)
            return StepResult(
                case_id, StapStatus.GEBLOKKEERD, message.reden_kanaal, stap + 1, kanaal
            )
        kanaal = message.kanaal
    channel = channels.get(kanaal)
    if channel is None:
        raise ValueError(
            f"Geen kanaal ingesteld voor '{kanaal}' / no channel plugin configured for {kanaal}"
        )
    # the provider gets the BSN only if it needs it, read for its purpose and audited
    subject = contact_subject(
        conn=conn, person_pseudonym=co.person_pseudonym, directory=directory, actor=actor
    )
    try:
        details = directory.lookup(subject, co.ontvanger)
    except PersonDeceasedError as died:
        # a death stops every ladder of the person: recorded once, never contacted again
        record_event(
            conn=conn,
            person_pseudonym=co.person_pseudonym,
            soort=EventSoort.OVERLEDEN,
            waarde=died.datum or "",
            wijze=Wijze.SYSTEEM,
            door="systeem:brp",
            now=now,
        )
        detail = "overleden volgens de BRP: geen contact meer"
        if message_id is not None:
            block_queued_message(
                conn=conn,
                message_id=message_id,
                person_pseudonym=co.person_pseudonym,
                reden=detail,
                actor=actor,
                now=now,
            )
        store(StapStatus.GEBLOKKEERD, detail)
        early_repo.update_case(conn, case_id, volgende_stap_datum=None)
        log.info("case %d step %d: no contact, the person died", case_id, stap + 1)
        return StepResult(case_id, StapStatus.GEBLOKKEERD, detail, stap + 1, kanaal)
    # a letter or e-mail carries a code for the resident's own page, for the letter's life
    code = (
        create_code(
            conn=conn, person_pseudonym=co.person_pseudonym, now=now, dagen=afzender.code_dagen
        )
        if spec_of(kanaal).code
        else None
    )
    # unique beyond this database (a restored backup or a reset demo reuses case numbers),
    # and the same for every hand-over of this envelope (outbox.py); the resident quotes
    # it to check that the message is genuine
    referentie = f"zaak{case_id}-stap{stap + 1}-{secrets.token_hex(4)}"
    account = account_for(
        co,
        afzender=afzender,
        datum=now.date(),
        stap=stap,
        kenmerk=referentie,
        code=code is not None,
    )
    rendered = render_messages(
        account,
        toon=offer.toon,
        naam="vertegenwoordiger" if co.ontvanger != "inwoner" else "inwoner",
        adres=details.adres,
        code=code,
    )
    text, html = parts_for(rendered, kanaal)
    # the gate: a message whose text the account does not bear out does not go out
    problems = check_rendered(
        spec_of(kanaal).html or spec_of(kanaal).tekst,
        html or text,
        account,
        rendered["brief"].onderwerp,
    )
    claims = [p for p in problems if p.regel in GATE_RULES]
    if claims:
        detail = f"berichtcontrole: {claims[0]}"
        log.warning("case %d step %d: refused by the message checker", case_id, stap + 1)
        if message_id is not None:
            block_queued_message(
                conn=conn,
                message_id=message_id,
                person_pseudonym=co.person_pseudonym,
                reden="de berichtcontrole keurde de tekst af",
                actor=actor,
                now=now,
            )
        store(StapStatus.GEBLOKKEERD, detail)
        return StepResult(case_id, StapStatus.GEBLOKKEERD, detail, stap + 1, kanaal)
    envelope = Envelope(
        referentie=referentie,
        kanaal=kanaal,
        ontvanger=details,
        afzender=afzender.naam,
        onderwerp=rendered["brief"].onderwerp,
        tekst=text,
        html=html,
        dagdeel=step.dagdeel,
    )
    if message_id is not None:
        # 'why did I get this' renders from the same account as the message
        keep_account(conn=conn, message_id=message_id, account=account)
    add_reply_route(
        conn,
        referentie=referentie,
        case_id=case_id,
        person_pseudonym=co.person_pseudonym,
        kanaal=kanaal,
        details=details,
        hasher=address_hasher,
        now=now,
    )
    if kanaal in (Kanaal.BRIEF, Kanaal.EMAIL):
        # only a letter or e-mail says the whole of it (date, check, how to say no)
        propose_grants(conn, case_id=case_id, account=account, now=now)
        # what it offered, to count later whether the household got the money
        household = co.regelingen[0].household_id if co.regelingen else None
        record_offered(
            conn,
            [
                {
                    "case_id": case_id,
                    "household_id": household,
                    "regeling": r.regeling,
                    "herkomst": "signalen" if co.case.campagne is None else co.case.campagne,
                    "bedrag_centen_aanbod": None
                    if r.bedrag_per_jaar is None
                    else round(r.bedrag_per_jaar * 100),
                    "aangeboden": now,
                    "ontvangen_op": None,
                    "bedrag_centen_ontvangen": None,
                }
                for r in account.regelingen
            ],
        )
    if spec_of(kanaal).bericht:
        # the transactional outbox: step, message, code and envelope commit together with
        # the caller's transaction; a channel gets the envelope only after that (outbox.py)
        step_id = store(StapStatus.IN_WACHTRIJ, "in de wachtrij voor verzending")
        enqueue(conn, step_id=step_id, envelope=envelope, now=now)
        log.info("case %d step %d: queued for %s", case_id, stap + 1, kanaal.value)
        return StepResult(
            case_id,
            StapStatus.IN_WACHTRIJ,
            "in de wachtrij voor verzending",
            stap + 1,
            kanaal,
            offer.toon,
        )
    # a task channel has no one outside to reach: it only puts the task in the queue
    delivery = channel.deliver(envelope)
    store(
        delivery.status, delivery.detail, text if delivery.status == StapStatus.TAAK_OPEN else None
    )
    attempt = delivery.contactpoging(now.date(), step.dagdeel)
    if attempt is not None:
        register_contact(conn=conn, case_id=case_id, attempt=attempt, actor=actor)
    log.info("case %d step %d: %s via %s", case_id, stap + 1, delivery.status, kanaal.value)
    return StepResult(case_id, delivery.status, delivery.detail, stap + 1, kanaal, offer.toon)


def send_next_step(
    *,
    begin: Begin,
    case_id: int,
    channels: Mapping[Kanaal, Channel],
    directory: ContactDirectory,
    now: datetime,
    afzender: Afzender | None = None,
    actor: str = "systeem",
    address_hasher: AddressHasher | None = None,
) -> StepResult:
    """``run_next_step`` in its own transaction, then the delivery of what it queued (and
    of anything of the case still waiting from an earlier, interrupted run), each after
    its own commit. The result says what finally happened to the step."""
    with begin() as conn:
        result = run_next_step(
            conn=conn,
            case_id=case_id,
            channels=channels,
            directory=directory,
            now=now,
            afzender=afzender,
            actor=actor,
            address_hasher=address_hasher,
        )
    delivered = deliver_pending(
        begin=begin, channels=channels, now=now, case_id=case_id, actor=actor
    )
    if result.status is StapStatus.IN_WACHTRIJ:
        for item in delivered:
            if item.stap == result.stap:
                return dataclasses.replace(
                    result, status=item.status, detail=item.detail, kanaal=item.kanaal
                )
    return result


def complete_task(
    *,
    conn: Connection,
    step_id: int,
    bereikt: bool,
    datum: date,
    dagdeel: Dagdeel | None = None,
    door: str = "medewerker",
    niet_na: date | None = None,
) -> Contactpoging:
    """The contact worker (``door``) did the call or visit: register it as a DDAS contact
    attempt (``niet_na``: the latest date allowed, today for a date a person entered)."""
    row = repo.outreach_step_row(conn, step_id)
    if row is None:
        raise TaskError(f"Taak {step_id} bestaat niet / task {step_id} does not exist")
    if row.status != StapStatus.TAAK_OPEN:
        raise TaskError(
            f"Taak {step_id} is al afgerond of is geen taak ({row.status}) / "
            f"task {step_id} is not open"
        )
    attempt = Contactpoging(
        soort=spec_of(Kanaal(row.kanaal)).contactsoort,
        datum=datum,
        dagdeel=dagdeel or (Dagdeel(row.dagdeel) if row.dagdeel else None),
        bereikt=bereikt,
    )
    register_contact(conn=conn, case_id=row.case_id, attempt=attempt, actor=door, niet_na=niet_na)
    repo.update_outreach_step(
        conn,
        step_id,
        status=StapStatus.TAAK_AFGEROND,
        detail="bereikt" if bereikt else "niet bereikt",
    )
    return attempt


NEE_RESULTAAT = Eindresultaat.INWONER_REGELT_HET_ZELF
"""The DDAS end result of a 'no' ('Inwoner regelt het zelf/hoeft geen hulp vanuit
vroegsignalering'): kept and reported as every message says (offers.account, bewaren)."""


def resident_says_no(
    *,
    conn: Connection,
    case_id: int,
    datum: date,
    now: datetime,
    actor: str,
    step_id: int | None = None,
    dagdeel: Dagdeel | None = None,
) -> None:
    """The resident said no (on the phone, at the door, in a reply): one action for the
    worker. The open call or visit task (``step_id``) becomes a reached contact attempt
    (or, without a task, a phone attempt is recorded), every automatic grant still
    proposed is not made, and the case closes with its end result - so the ladder stops
    and a waiting message is held back, as the message said."""
    if step_id is not None:
        row = repo.outreach_step_row(conn, step_id)
        if row is None or row.case_id != case_id:
            raise TaskError(f"Taak {step_id} hoort niet bij zaak {case_id} / task not of case")
        complete_task(
            conn=conn, step_id=step_id, bereikt=True, datum=datum, dagdeel=dagdeel, door=actor
        )
    else:
        register_contact(
            conn=conn,
            case_id=case_id,
            actor=actor,
            attempt=Contactpoging(
                soort=spec_of(Kanaal.TELEFOON).contactsoort,
                datum=datum,
                dagdeel=dagdeel,
                bereikt=True,
            ),
        )
    object_to_grants(conn, case_id=case_id, door=actor, now=now)
    close_case(conn=conn, case_id=case_id, eindresultaat=NEE_RESULTAAT, datum=datum, actor=actor)
    for step in repo.outreach_steps_of_case(conn, case_id):
        if step.status == StapStatus.TAAK_OPEN:
            repo.update_outreach_step(
                conn, step.id, status=StapStatus.TAAK_AFGEROND, detail="vervallen: inwoner zei nee"
            )


@dataclass(frozen=True, slots=True)
class KenmerkCheck:
    """Whether a reference a resident quotes is one of ours, and what it was."""

    case_id: int
    stap: int
    kanaal: str
    datum: date
    status: str


def verify_kenmerk(conn: Connection, kenmerk: str) -> KenmerkCheck | None:
    """The message behind a reference a resident quotes to check a message is genuine
    (every letter, e-mail and SMS says they can); None: not one of ours."""
    row = repo.step_of_reference(conn, kenmerk.strip())
    if row is None:
        return None
    return KenmerkCheck(row.case_id, row.stap + 1, row.kanaal, row.tijdstip.date(), row.status)


def steps_of_case(*, conn: Connection, case_id: int) -> list[OutreachStepRecord]:
    """The ladder steps carried out for a case, in order (for the case page)."""
    return repo.outreach_steps_of_case(conn, case_id)

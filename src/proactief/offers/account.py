"""Building the account of an offer (``domain.account.OfferAccount``) from what the system
did and will do: the signal and its creditor, the data behind each entitlement with its
file and legal basis, the questionnaire answers if they decided the approach, the next
ladder steps with their dates, what is kept after a 'no' (the retention and report
settings the code runs on), the case owner, the ways to stop that really work, the
self-help steps and the automatic grant. Messages render from this account only."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from string import Formatter

from proactief.accounts.resident_codes import CODE_DAGEN
from proactief.config import policy_path
from proactief.domain import AanbodBasis, Doel, RegelingStatus
from proactief.domain.account import (
    AutoGrant,
    Contact,
    DataUse,
    EntitlementAccount,
    Keeping,
    NextStep,
    OfferAccount,
    Stopping,
)
from proactief.domain.records import EntitlementRecord
from proactief.early_detection.work_queue import load_work_queue_config
from proactief.entitlements import MunicipalSettings, load_municipal_settings
from proactief.entitlements.scan import explain_rows
from proactief.entitlements.selfhelp import self_help
from proactief.offers.approach import ApproachConfig, LadderStep, Offer, load_approach_config
from proactief.settings import Settings
from proactief.trust.purposes import load_purposes

__all__ = ["Afzender", "LifeEventUse", "build_account", "next_steps"]

SIGNAL_DATA = "een bericht over een rekening die nog openstaat"
CAMPAIGN_DATA = "de uitkomst van onze regelingencheck"
"""What a campaign message says it looked in (offers.campaigns): the municipality's own
scan of which households miss money, not a message from anyone."""
SCAN_DATA = "of uw huishouden geld krijgt waar het recht op heeft"
QUESTIONNAIRE_DATA = "uw antwoorden op de vragenlijst"


@dataclass(frozen=True, slots=True)
class LifeEventUse:
    """The life event behind a case, as its messages name it."""

    zin: str
    """What happened, in B1 ('er een kind is geboren in uw huishouden')."""
    bron: str
    """Who told us ('de Basisregistratie Personen (BRP)')."""
    grondslag: str
    """The kind's purpose's basis in B1 (doelen.yaml grondslag_b1)."""


@dataclass(frozen=True, slots=True)
class Afzender:
    """Who sends, how a resident reaches a person, checks a message or stops them."""

    naam: str = "Gemeente Voorbeeld"
    telefoon: str = "14 0000"
    afmelden: str = "uw eigen pagina op de website van de gemeente"
    team: str = "het team Geldzorgen"
    website: str = "de website van de gemeente"
    """Where a resident finds the municipality's own number (to check a message)."""
    sms_antwoord: bool = False
    """SMS replies are read (an SMS inbox is configured): 'Stuur STOP' may be said."""
    email_antwoord: bool = False
    """E-mail replies are read (an e-mail inbox is configured)."""
    code_dagen: int = CODE_DAGEN
    """How many days the code in a letter or e-mail works (its last day is in the text)."""


def next_steps(ladder: Sequence[LadderStep], *, after: int, on: date) -> tuple[NextStep, ...]:
    """The ladder's steps after step ``after`` (0-based) taken on ``on``, each at the
    earliest day it can come (``run_next_step`` waits at least ``wacht_dagen`` after the
    step before; a phone step waits until the worker has called)."""
    steps: list[NextStep] = []
    day = on
    for step in ladder[after + 1 :]:
        day = day + timedelta(days=step.wacht_dagen)
        steps.append(NextStep(day, step.kanaal, step.dagdeel))
    return tuple(steps)


def _data_uses(
    offer: Offer,
    rows: Sequence[EntitlementRecord],
    organisaties: str,
    cfg: ApproachConfig,
    campagne: bool = False,
    gebeurtenis: LifeEventUse | None = None,
) -> tuple[DataUse, ...]:
    purposes = load_purposes()
    told = (
        []
        if gebeurtenis is None
        else [
            DataUse(f"het bericht dat {gebeurtenis.zin}", gebeurtenis.bron, gebeurtenis.grondslag)
        ]
    )
    uses = told + (
        [DataUse(SCAN_DATA, cfg.bevolking_bron, purposes[Doel.REGELINGENCHECK].grondslag_b1)]
        if campagne
        else [DataUse(SIGNAL_DATA, organisaties, purposes[Doel.VROEGSIGNALERING].grondslag_b1)]
    )
    offered = {item.regeling for item in offer.wat if item.regeling}
    names: dict[str, None] = {}
    for row in rows:
        if row.regeling not in offered:
            continue
        for key, value in (row.invoer or {}).items():
            if value is not None and key in cfg.gegevens_namen:
                names[cfg.gegevens_namen[key]] = None
    basis = purposes[Doel.REGELINGENCHECK].grondslag_b1
    uses.extend(DataUse(name, cfg.bevolking_bron, basis) for name in names)
    if offer.basis is AanbodBasis.SEGMENT:
        uses.append(DataUse(QUESTIONNAIRE_DATA, "uzelf", "uw toestemming"))
    return tuple(uses)


def _reasons(
    rows: Sequence[EntitlementRecord], cfg: ApproachConfig
) -> dict[str, tuple[str, tuple[str, ...]]]:
    """Per regulation one sentence from its explanation steps (the first listed in
    ``reden_stappen`` that applied to this household), and all its steps in order."""
    out: dict[str, tuple[str, tuple[str, ...]]] = {}
    for explained in explain_rows(rows, municipal_settings()):
        uitleg = cfg.regelingen.get(explained.regeling)
        if explained.uitleg is None or uitleg is None or not explained.actueel:
            continue
        applied = {s["id"]: s["tekst"] for s in explained.uitleg.stappen}
        steps = tuple(s["tekst"] for s in explained.uitleg.stappen)
        values = explained.uitleg.waarden
        if uitleg.reden is not None:
            names = {name for _, name, _, _ in Formatter().parse(uitleg.reden) if name}
            if all(values.get(n, "onbekend") != "onbekend" for n in names):
                out[explained.regeling] = (uitleg.reden.format(**values), steps)
                continue
            # a value it names is unknown for this household: the steps say it
        for step_id in uitleg.reden_stappen:
            if step_id in applied:
                out[explained.regeling] = (applied[step_id], steps)
                break
    return out


UNCHECKED = "Of u er recht op heeft, kijken wij graag samen met u na."


@cache
def municipal_settings() -> MunicipalSettings:
    """The municipality's choices for the rules (PROACTIEF_GEMEENTE_CONFIG, else
    gemeente.yaml in the policy folder): the same the scan and the case page use, so a
    message's reason and the why page's steps state the municipality's own percentages."""
    settings = Settings()
    return load_municipal_settings(
        settings.gemeente_config or policy_path("gemeente.yaml", settings)
    )


def build_account(
    *,
    offer: Offer,
    regelingen: Sequence[EntitlementRecord],
    organisaties: str,
    afzender: Afzender,
    datum: date,
    stap: int,
    kenmerk: str,
    eigenaar: tuple[str, str | None] | None,
    goed: str | None,
    ontvanger: str,
    code: bool,
    case_id: int | None,
    code_tot: date | None = None,
    case_start: date | None = None,
    met_bsn: bool = True,
    campagne: str | None = None,
    gebeurtenis: LifeEventUse | None = None,
    apk: bool = False,
    campagne_tot: date | None = None,
) -> OfferAccount:
    """The account of the message for step ``stap`` (0-based) of ``offer``'s ladder,
    sent on ``datum`` with reference ``kenmerk`` (one account for every channel's text:
    the SMS may say 'stuur STOP' only when SMS replies are read, the e-mail 'antwoord
    STOP' only when e-mail replies are). ``campagne``: the case was made by that campaign
    from the municipality's own scan: no signal, no report to CBS, no repeat-signal rule;
    ``campagne_tot``: the day until which the campaign keeps that it wrote to the
    household (offers.campaign_run; deleted by retention after it)."""
    cfg = load_approach_config()
    purposes = load_purposes()
    queue = load_work_queue_config()
    reasons = _reasons(regelingen, cfg)
    zelfhulp = any(item.soort == "zelfhulp" for item in offer.wat)
    amounts = {r.regeling: r for r in regelingen}
    entitlements = []
    for item in offer.wat:
        if not item.regeling:
            continue
        uitleg = cfg.regelingen.get(item.regeling)
        row = amounts.get(item.regeling)
        sure = row is not None and row.status == RegelingStatus.RECHT_NIET_ONTVANGEN
        rule = cfg.automatisch_toekennen.get(item.regeling) if item.automatisch and sure else None
        # what the municipality arranges itself needs no steps of the resident's own
        own_steps = self_help(item.regeling) if zelfhulp and rule is None else None
        entitlements.append(
            EntitlementAccount(
                regeling=item.regeling,
                naam=uitleg.naam if uitleg else item.regeling,
                bedrag_per_jaar=item.bedrag_per_jaar if sure else None,
                reden=reasons.get(item.regeling, (UNCHECKED, ()))[0],
                wat=uitleg.wat if uitleg else "",
                stappen=reasons.get(item.regeling, (UNCHECKED, ()))[1],
                zelfhulp=own_steps,
                automatisch=None
                if rule is None
                else AutoGrant(
                    datum=datum + timedelta(days=rule.bezwaar_dagen),
                    controle=rule.controle,
                    bij=rule.bij,
                    grondslag=rule.grondslag,
                    bezwaar=f"Bel {afzender.telefoon}",
                ),
            )
        )
    vroeg = purposes[Doel.VROEGSIGNALERING]
    data_uses = _data_uses(offer, regelingen, organisaties, cfg, campagne is not None, gebeurtenis)
    signal_case = campagne is None
    repeat_until = (
        case_start + timedelta(days=queue.repeat_within_days)
        if signal_case and case_start is not None and queue.repeat_within_days > 0
        else None
    )
    return OfferAccount(
        kenmerk=kenmerk,
        datum=datum,
        afzender=afzender.naam,
        website=afzender.website,
        aanleiding=SIGNAL_DATA if signal_case else CAMPAIGN_DATA,
        organisaties=organisaties if signal_case else afzender.naam,
        gegevens=data_uses,
        regelingen=tuple(entitlements),
        zelfhulp=zelfhulp,
        vervolg=next_steps(offer.ladder, after=stap, on=datum),
        bewaren=Keeping(
            dagen_zonder_hulp=vroeg.bewaartermijn_dagen,
            dagen_met_hulp=vroeg.bewaartermijn_dagen_met_hulp or vroeg.bewaartermijn_dagen,
            # the DDAS report holds signal cases only (early_detection.repository)
            cbs=signal_case,
            herhaal_dagen=queue.repeat_within_days if signal_case else 0,
            # a date already past promises nothing
            herhaal_tot=repeat_until if repeat_until is not None and repeat_until > datum else None,
            cbs_met="uw BSN" if met_bsn else "uw geboortedatum, postcode en huisnummer",
            regelingencheck_dagen=purposes[Doel.REGELINGENCHECK].bewaartermijn_dagen
            if any(g.bron == cfg.bevolking_bron for g in data_uses)
            else None,
            voorrang=signal_case
            and any(r.measure == "eerdere_zaken_12m" and r.points > 0 for r in queue.rules),
            campagne_tot=None if signal_case else campagne_tot,
            # retention deletes an event with the scan's data (trust.retention)
            gebeurtenis_dagen=None
            if gebeurtenis is None
            else purposes[Doel.REGELINGENCHECK].bewaartermijn_dagen,
        ),
        contact=Contact(
            telefoon=afzender.telefoon,
            team=afzender.team,
            eigenaar=eigenaar[0] if eigenaar else None,
            eigenaar_telefoon=eigenaar[1] if eigenaar else None,
        ),
        stoppen=Stopping(
            telefoon=True,
            web=afzender.afmelden if code else None,
            code_tot=code_tot if code else None,
            sms_antwoord=afzender.sms_antwoord,
            email_antwoord=afzender.email_antwoord,
        ),
        goed=goed if signal_case else None,
        ontvanger=ontvanger,
        case_id=case_id,
        campagne=campagne,
        gebeurtenis=None if gebeurtenis is None else gebeurtenis.zin,
        gebeurtenis_bron=None if gebeurtenis is None else gebeurtenis.bron,
        apk=apk,
    )

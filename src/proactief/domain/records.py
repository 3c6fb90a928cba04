"""Typed rows: what a repository returns, one frozen dataclass per stored table (or per
joined read). Field names are the column names, so ``storage.queries.records`` builds them
from a result; status columns arrive as their ``StrEnum``.

These are records, not domain objects: ``Vroegsignaalzaak`` and friends are built from
them where a service needs behaviour.
"""

from dataclasses import dataclass
from datetime import date, datetime

from proactief.domain.offers import BerichtStatus, RegelingStatus, StapStatus, Toon

__all__ = [
    "AttemptRecord",
    "AuditRecord",
    "CaseRecord",
    "EntitlementRecord",
    "GrantRecord",
    "HouseholdSummary",
    "LifeEventRecord",
    "MessageRecord",
    "OutreachStepRecord",
    "PreferenceEventRecord",
    "QuarantineRecord",
    "ReplyRecord",
    "ReplyRouteRecord",
    "ReportSignalRecord",
    "ResidentCodeRecord",
    "SegmentKansenRecord",
    "SignalRecord",
    "SignalSummaryRecord",
    "UserRecord",
]


@dataclass(frozen=True, slots=True)
class CaseRecord:
    id: int
    person_pseudonym: str
    matchingsdatum: date
    startdatum_matchingperiode: date
    einddatum_matchingperiode: date
    priority: int
    priority_reasons: str
    datum_opgepakt: date | None
    datum_hulp_geaccepteerd: date | None
    eindresultaat: str | None
    einddatum: date | None
    eigenaar_id: int | None = None
    campagne: str | None = None
    gebeurtenis: str | None = None


@dataclass(frozen=True, slots=True)
class SignalRecord:
    id: int
    signal_id: str
    signaalpartner: str
    person_pseudonym: str
    bedrag: int
    ontstaansdatum: date
    signaaldatum: date
    crisissignaal: bool
    warme_overdracht: bool
    case_id: int | None
    source_sha256: str


@dataclass(frozen=True, slots=True)
class ReportSignalRecord(SignalRecord):
    """A signal joined to its identity and its case: the CBS report's one read of the BSN."""

    bsn: str | None
    geslacht: str | None
    geboortedatum: date | None
    postcode: str | None
    huisnummer: str | None
    huisnummertoevoeging: str | None
    case_eindresultaat: str | None
    case_datum_opgepakt: date | None


@dataclass(frozen=True, slots=True)
class SignalSummaryRecord:
    """Per signal of a closed case what reports keep after retention."""

    signaaldatum: date
    signaalpartner: str
    bedrag: int
    eindresultaat: str | None
    datum_opgepakt: date | None
    datum_hulp_geaccepteerd: date | None
    bereikt: int | None


@dataclass(frozen=True, slots=True)
class AttemptRecord:
    id: int
    case_id: int
    soort: str
    datum: date
    dagdeel: str | None
    bereikt: bool


@dataclass(frozen=True, slots=True)
class QuarantineRecord:
    id: int
    file_name: str
    file_sha256: str
    position: str
    fields: str
    reason_nl: str
    reason_en: str
    raw: str
    received_at: datetime


@dataclass(frozen=True, slots=True)
class PreferenceEventRecord:
    id: int
    person_pseudonym: str
    soort: str
    waarde: str
    tijdstip: datetime
    wijze: str
    door: str


@dataclass(frozen=True, slots=True)
class MessageRecord:
    id: int
    person_pseudonym: str
    tijdstip: datetime
    soort: str
    kanaal: str
    status: BerichtStatus
    ontvanger: str
    afzender: str
    aanleiding: str
    grondslag: str
    selectieregel: str
    reden_kanaal: str
    case_id: int | None
    verantwoording: str | None = None


@dataclass(frozen=True, slots=True)
class AuditRecord:
    id: int
    tijdstip: datetime
    actor: str
    actie: str
    doel: str
    subject: str | None
    gegevens: str
    details: str
    vorige_hash: str
    hash: str


@dataclass(frozen=True, slots=True)
class EntitlementRecord:
    id: int
    household_id: str
    jaar: int
    regeling: str
    status: RegelingStatus
    bedrag_centen: int | None
    regels_hash: str
    # the household values this regulation read (its own inputs only), as stored JSON
    invoer: dict[str, object] | None
    gescand_op: datetime


@dataclass(frozen=True, slots=True)
class HouseholdSummary:
    """Household type, size and housing: no income, no address."""

    huishoudtype: str
    aantal_personen: int
    woonsituatie: str


@dataclass(frozen=True, slots=True)
class OutreachStepRecord:
    id: int
    case_id: int
    stap: int
    kanaal: str
    dagdeel: str | None
    tijdstip: datetime
    message_id: int | None
    status: StapStatus
    detail: str
    belscript: str | None
    toon: Toon
    moment: str | None = None


@dataclass(frozen=True, slots=True)
class WebSessionRecord:
    token_hash: str
    user_id: int | None
    person_pseudonym: str | None
    begonnen: datetime
    verloopt: datetime
    ingetrokken: datetime | None
    reden: str | None


@dataclass(frozen=True, slots=True)
class OutboxRecord:
    id: int
    step_id: int
    referentie: str
    kanaal: str
    envelop: str | None
    status: str
    pogingen: int
    aangemaakt: datetime
    afgerond: datetime | None
    detail: str
    extern_id: str | None = None


@dataclass(frozen=True, slots=True)
class SegmentKansenRecord:
    person_pseudonym: str
    kansen: str
    vragenlijst: str
    tijdstip: datetime


@dataclass(frozen=True, slots=True)
class UserRecord:
    id: int
    gebruikersnaam: str
    wachtwoord_hash: str | None
    rol: str
    actief: bool
    naam: str | None = None
    telefoon: str | None = None
    extern_id: str | None = None


@dataclass(frozen=True, slots=True)
class ResidentCodeRecord:
    id: int
    code_hash: str
    person_pseudonym: str
    verloopt: datetime
    gebruikt: datetime | None


@dataclass(frozen=True, slots=True)
class GrantRecord:
    """An automatic grant proposed in a message (table automatic_grants)."""

    id: int
    case_id: int
    regeling: str
    datum: date
    status: str
    voorgesteld: datetime
    besloten: datetime | None
    door: str | None


@dataclass(frozen=True, slots=True)
class ReplyRouteRecord:
    referentie: str
    case_id: int
    person_pseudonym: str
    kanaal: str


@dataclass(frozen=True, slots=True)
class ReplyRecord:
    """An inbound reply (table replies)."""

    id: int
    bron_id: str
    kanaal: str
    ontvangen: datetime
    case_id: int | None
    person_pseudonym: str | None
    soort: str
    tekst: str
    status: str
    afgehandeld_door: str | None


@dataclass(frozen=True, slots=True)
class LifeEventRecord:
    """A life event as stored (offers.life_events): kind, person, day and where it is."""

    id: int
    bron: str
    event_id: str
    soort: str
    person_pseudonym: str
    datum: date
    ontvangen: datetime
    aanbod_vanaf: date | None
    aanbod_tot: date | None
    status: str
    reden: str
    case_id: int | None

"""The vroegsignaalzaak (case) with its contactpogingen and end result."""

from dataclasses import dataclass, field
from datetime import date

from proactief.domain.enums import Contactsoort, Dagdeel, Eindresultaat


@dataclass(frozen=True, slots=True)
class Contactpoging:
    """One attempt to reach the person (DDAS contactpogingen[])."""

    soort: Contactsoort
    datum: date
    dagdeel: Dagdeel | None
    bereikt: bool


@dataclass(frozen=True, slots=True)
class PriorityReason:
    """One readable rule that added to a case's priority."""

    rule_id: str
    points: int
    reason: str


@dataclass(frozen=True, slots=True)
class Vroegsignaalzaak:
    """A case: the handling of one or more signals of the same person."""

    case_id: int
    person_pseudonym: str
    matchingsdatum: date
    startdatum_matchingperiode: date
    einddatum_matchingperiode: date
    signal_ids: tuple[str, ...]
    priority: int = 0
    priority_reasons: tuple[PriorityReason, ...] = ()
    datum_opgepakt: date | None = None
    eindresultaat: Eindresultaat | None = None
    datum_hulp_geaccepteerd: date | None = None
    """The day the resident accepted help (not part of the DDAS export)."""
    einddatum: date | None = None
    contactpogingen: tuple[Contactpoging, ...] = field(default_factory=tuple)
    campagne: str | None = None
    """The campaign that made the case (no signals); None: a case from signals."""
    gebeurtenis: str | None = None
    """The life event kind the case came from (config/levensgebeurtenissen.yaml)."""

    @property
    def is_closed(self) -> bool:
        """A case with an end result is closed: it takes no new attempts."""
        return self.eindresultaat is not None

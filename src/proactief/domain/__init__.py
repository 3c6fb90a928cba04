"""Pure, immutable domain types. No framework or database imports here."""

from proactief.domain.cases import Contactpoging, PriorityReason, Vroegsignaalzaak
from proactief.domain.enums import (
    Contactsoort,
    Dagdeel,
    Eindresultaat,
    Geslacht,
    Signaalpartner,
    Signaalstatus,
    signaalpartner_nl,
    signaalstatus_for_case,
)
from proactief.domain.offers import (
    AanbodBasis,
    BerichtStatus,
    GeenStap,
    Moment,
    RegelingStatus,
    StapStatus,
    Toon,
)
from proactief.domain.preferences import (
    Berichtsoort,
    Doel,
    EventSoort,
    Kanaal,
    PreferenceEvent,
    PreferenceState,
    Wijze,
    fold_events,
)
from proactief.domain.residents import (
    Adres,
    ContactDetails,
    Household,
    Huishoudtype,
    Resident,
    Woonsituatie,
)
from proactief.domain.signals import ClientIdentificatie, Vroegsignaal

__all__ = [
    "AanbodBasis",
    "Adres",
    "BerichtStatus",
    "Berichtsoort",
    "ClientIdentificatie",
    "ContactDetails",
    "Contactpoging",
    "Contactsoort",
    "Dagdeel",
    "Doel",
    "Eindresultaat",
    "EventSoort",
    "GeenStap",
    "Geslacht",
    "Household",
    "Huishoudtype",
    "Kanaal",
    "Moment",
    "PreferenceEvent",
    "PreferenceState",
    "PriorityReason",
    "RegelingStatus",
    "Resident",
    "Signaalpartner",
    "Signaalstatus",
    "StapStatus",
    "Toon",
    "Vroegsignaal",
    "Vroegsignaalzaak",
    "Wijze",
    "Woonsituatie",
    "fold_events",
    "signaalpartner_nl",
    "signaalstatus_for_case",
]

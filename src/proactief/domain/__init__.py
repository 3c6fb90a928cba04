"""Pure, immutable domain types. No framework or database imports here."""

from proactief.domain.cases import Contactpoging, PriorityReason, Vroegsignaalzaak
from proactief.domain.enums import (
    Contactsoort,
    Dagdeel,
    Eindresultaat,
    Geslacht,
    Signaalpartner,
    Signaalstatus,
    signaalstatus_for_case,
)
from proactief.domain.residents import Adres, Household, Huishoudtype, Resident, Woonsituatie
from proactief.domain.signals import ClientIdentificatie, Vroegsignaal

__all__ = [
    "Adres",
    "ClientIdentificatie",
    "Contactpoging",
    "Contactsoort",
    "Dagdeel",
    "Eindresultaat",
    "Geslacht",
    "Household",
    "Huishoudtype",
    "PriorityReason",
    "Resident",
    "Signaalpartner",
    "Signaalstatus",
    "Vroegsignaal",
    "Vroegsignaalzaak",
    "Woonsituatie",
    "signaalstatus_for_case",
]

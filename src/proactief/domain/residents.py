"""Residents and households of a municipality."""

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from proactief.domain.enums import Geslacht

SCAN_JAAR = 2025
"""The year a non-take-up scan or an explanation takes when none is given (the CLI and
the web app alike); kept here, light to import, so the CLI does not load the rules."""


class Huishoudtype(StrEnum):
    """Household composition, as CBS distinguishes it."""

    ALLEENSTAAND = "alleenstaand"
    PAAR_ZONDER_KINDEREN = "paar zonder kinderen"
    PAAR_MET_KINDEREN = "paar met kinderen"
    EENOUDER = "eenouder"


class Woonsituatie(StrEnum):
    """How the household lives."""

    HUUR_SOCIAAL = "sociale huur"
    HUUR_PARTICULIER = "particuliere huur"
    KOOP = "koop"


@dataclass(frozen=True, slots=True)
class Adres:
    """A Dutch address as DDAS identifies it: postcode plus house number."""

    postcode: str
    huisnummer: str
    huisnummertoevoeging: str | None = None


@dataclass(frozen=True, slots=True)
class Resident:
    """A registered resident. ``pseudonym`` stands in for the BSN outside the vault."""

    pseudonym: str
    household_id: str
    geslacht: Geslacht
    geboortedatum: date


@dataclass(frozen=True, slots=True)
class Household:
    """A household: the unit most help and entitlements are decided on."""

    household_id: str
    adres: Adres
    huishoudtype: Huishoudtype
    woonsituatie: Woonsituatie
    inkomen_per_jaar: int
    """Gross household income in whole euros per year."""
    aantal_personen: int


@dataclass(frozen=True, slots=True)
class ContactDetails:
    """How to reach a person (or their representative): only what they gave us.

    Personal data: never logged, never stored with the outreach records.
    """

    naam: str = "inwoner"
    email: str | None = None
    telefoon: str | None = None
    adres: tuple[str, ...] = ()
    """Postal address lines."""

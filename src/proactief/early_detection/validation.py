"""Validation of one raw vroegsignaal record, with reasons in Dutch and English.

Every rule here has a failing example in tests/early_detection/test_validation.py.
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from functools import cache, lru_cache

from pydantic import BaseModel, ConfigDict
from sqlalchemy import BigInteger, Column, String
from stdnum.nl import postcode as stdnum_postcode

from proactief.config import load_policy, policy_path
from proactief.domain import (
    Adres,
    ClientIdentificatie,
    Geslacht,
    Signaalpartner,
    Vroegsignaal,
)
from proactief.domain.json import JsonObject
from proactief.storage.tables import client_identities, signals
from proactief.trust.pseudonyms import is_valid_bsn

__all__ = ["DateBounds", "FieldError", "date_bounds", "validate_record"]

_PARTNERS = {p.value: p for p in Signaalpartner}
_GESLACHT = {g.value: g for g in Geslacht}
_TRUE = {"true", "ja", "j", "1", "yes", "y"}
_FALSE = {"false", "nee", "n", "0", "no", ""}


def _length(column: "Column[object]") -> int:
    """The length of a text column: what the database would refuse beyond."""
    assert isinstance(column.type, String) and column.type.length is not None
    return column.type.length


# Limits taken from the table definitions, so validation and database cannot drift apart:
# a record the database would refuse is rejected here, with its field, and quarantined.
_MAX_ID_LENGTH = _length(signals.c.signal_id)
_MAX_TOEVOEGING = _length(client_identities.c.huisnummertoevoeging)
_MAX_BEDRAG = 2**63 - 1 if isinstance(signals.c.bedrag.type, BigInteger) else 2**31 - 1
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)
_ASCII_INT = re.compile(r"-?[0-9]+", re.ASCII)


def _strings(value: object, path: str) -> Iterator[tuple[str, str]]:
    """Every text in a record with its field path ('client.postcode')."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _strings(item, f"{path}[{index}]")


def _storable(value: object) -> bool:
    """No text anywhere in the record holds what :func:`_unstorable` finds. The quick
    check every record passes (no paths built; an ASCII text needs no encoding); only a
    record that fails it is walked again by :func:`_strings` to name the fields."""
    if isinstance(value, str):
        return "\x00" not in value and (value.isascii() or not _unstorable(value))
    if isinstance(value, dict):
        for item in value.values():
            if not _storable(item):
                return False
    elif isinstance(value, list):
        for item in value:
            if not _storable(item):
                return False
    return True


def _unstorable(text: str) -> bool:
    """A NUL character (PostgreSQL text refuses it) or a lone surrogate (not UTF-8)."""
    if "\x00" in text:
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


class _Bound(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    reden: str


class _EarliestDate(_Bound):
    waarde: date


class _Years(_Bound):
    waarde: int


class _Dates(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    vroegste_geboortedatum: _EarliestDate
    ontstaansdatum_hoogstens_jaren_terug: _Years


class DateBounds(BaseModel):
    """config/inname.yaml: the plausible dates of a signal, each with its reason."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    datums: _Dates


@cache
def date_bounds() -> DateBounds:
    """The date bounds of the municipality's inname.yaml (or the shipped one)."""
    return load_policy(policy_path("inname.yaml"), DateBounds)


@dataclass(frozen=True, slots=True)
class FieldError:
    """What is wrong with one field, in Dutch (for the team) and English (for developers)."""

    field: str
    nl: str
    en: str


def _parse_date(value: object, field: str, errors: list[FieldError]) -> date | None:
    if value is None or value == "":
        errors.append(FieldError(field, "datum ontbreekt", "date is missing"))
        return None
    if not isinstance(value, str):
        errors.append(
            FieldError(field, "datum moet tekst zijn als JJJJ-MM-DD", "date must be YYYY-MM-DD")
        )
        return None
    parsed = _iso_date(value)
    if parsed is None:
        errors.append(
            FieldError(
                field,
                f"'{value}' is geen geldige datum (vorm JJJJ-MM-DD)",
                f"'{value}' is not a valid date (form YYYY-MM-DD)",
            )
        )
    return parsed


@lru_cache(maxsize=4096)
def _iso_date(value: str) -> date | None:
    """The date of JJJJ-MM-DD text, or None. Cached: a file holds few distinct dates."""
    # only JJJJ-MM-DD in ASCII digits: fromisoformat also takes week dates (2026-W01-1)
    # and other digits (Arabic-Indic), which no signal partner means
    if not _ISO_DATE.fullmatch(value):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def _parse_bool(value: object, field: str, text: bool, errors: list[FieldError]) -> bool:
    if value is None:
        return False
    if isinstance(value, bool):
        return value
    if text and isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    errors.append(
        FieldError(
            field,
            f"'{value}' is geen ja/nee-waarde (gebruik true of false)",
            f"'{value}' is not a yes/no value (use true or false)",
        )
    )
    return False


def _parse_bedrag(value: object, text: bool, errors: list[FieldError]) -> int:
    if isinstance(value, bool) or value is None or value == "":
        errors.append(
            FieldError("bedrag", "bedrag ontbreekt (hele euro's)", "amount is missing (euros)")
        )
        return 0
    if isinstance(value, int):
        amount = value
    elif text and isinstance(value, str) and _ASCII_INT.fullmatch(value.strip()):
        amount = int(value.strip())
    else:
        errors.append(
            FieldError(
                "bedrag",
                f"bedrag '{value}' is geen heel getal in euro's (zonder centen of punt)",
                f"amount '{value}' is not a whole number of euros (no cents or separators)",
            )
        )
        return 0
    if amount < 0:
        errors.append(
            FieldError(
                "bedrag",
                f"bedrag {amount} is negatief; een achterstand is 0 of meer",
                f"amount {amount} is negative; arrears are 0 or more",
            )
        )
    elif amount > _MAX_BEDRAG:
        errors.append(
            FieldError(
                "bedrag",
                f"bedrag {amount} is groter dan {_MAX_BEDRAG} euro en kan niet kloppen",
                f"amount {amount} is larger than {_MAX_BEDRAG} euros",
            )
        )
        return 0
    return amount


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value.strip() if isinstance(value, str) else None


def _validate_client(client: object, errors: list[FieldError], today: date) -> ClientIdentificatie:
    if not isinstance(client, dict):
        errors.append(
            FieldError("client", "gegevens van de inwoner ontbreken", "client data is missing")
        )
        return ClientIdentificatie()
    bsn = _text(client.get("burgerservicenummer"))
    if bsn:
        if not is_valid_bsn(bsn):
            errors.append(
                FieldError(
                    "client.burgerservicenummer",
                    "BSN is geen 9 cijfers of voldoet niet aan de elfproef",
                    "BSN is not 9 digits or fails the elfproef (eleven test)",
                )
            )
        # DDAS v1.2: with a BSN nothing else identifies the person (data minimisation);
        # any address fields sent along are not kept.
        return ClientIdentificatie(bsn=bsn)

    missing = [
        f
        for f in ("geslachtsaanduiding", "geboortedatum", "postcode", "huisnummer")
        if not _text(client.get(f))
    ]
    if missing:
        errors.append(
            FieldError(
                "client",
                "geen BSN en niet alle adresgegevens: nodig is BSN, of geslacht, geboortedatum,"
                f" postcode en huisnummer (ontbreekt: {', '.join(missing)})",
                "no BSN and incomplete address identification: give a BSN, or sex, birth date,"
                f" postcode and house number (missing: {', '.join(missing)})",
            )
        )
        return ClientIdentificatie()
    geslacht = _GESLACHT.get(_text(client.get("geslachtsaanduiding")) or "")
    if geslacht is None:
        errors.append(
            FieldError(
                "client.geslachtsaanduiding",
                f"geslacht '{client.get('geslachtsaanduiding')}' is niet Man, Vrouw, Onbekend"
                " of Leeg",
                f"sex '{client.get('geslachtsaanduiding')}' is not Man, Vrouw, Onbekend or Leeg",
            )
        )
    geboortedatum = _parse_date(client.get("geboortedatum"), "client.geboortedatum", errors)
    earliest = date_bounds().datums.vroegste_geboortedatum
    if geboortedatum is not None and geboortedatum < earliest.waarde:
        errors.append(
            FieldError(
                "client.geboortedatum",
                f"geboortedatum {geboortedatum} ligt vóór {earliest.waarde}: {earliest.reden}",
                f"birth date {geboortedatum} is before {earliest.waarde} (config/inname.yaml)",
            )
        )
    if geboortedatum is not None and geboortedatum > today:
        errors.append(
            FieldError(
                "client.geboortedatum",
                f"geboortedatum {geboortedatum} ligt in de toekomst",
                f"birth date {geboortedatum} is in the future",
            )
        )
    raw_postcode = _text(client.get("postcode")) or ""
    postcode = raw_postcode.replace(" ", "").upper()
    if not stdnum_postcode.is_valid(postcode):
        errors.append(
            FieldError(
                "client.postcode",
                f"postcode '{raw_postcode}' is geen Nederlandse postcode (vorm 1234 AB)",
                f"postcode '{raw_postcode}' is not a Dutch postcode (form 1234 AB)",
            )
        )
    huisnummer = _text(client.get("huisnummer")) or ""
    if not (_ASCII_INT.fullmatch(huisnummer) and 0 < int(huisnummer) < 100000):
        errors.append(
            FieldError(
                "client.huisnummer",
                f"huisnummer '{huisnummer}' is geen getal van 1 tot 99999",
                f"house number '{huisnummer}' is not a number from 1 to 99999",
            )
        )
    toevoeging = _text(client.get("huisnummertoevoeging")) or ""
    if len(toevoeging) > _MAX_TOEVOEGING:
        errors.append(
            FieldError(
                "client.huisnummertoevoeging",
                f"huisnummertoevoeging is langer dan {_MAX_TOEVOEGING} tekens",
                f"house number addition is longer than {_MAX_TOEVOEGING} characters",
            )
        )
    return ClientIdentificatie(
        geslacht=geslacht,
        geboortedatum=geboortedatum,
        adres=Adres(
            postcode=stdnum_postcode.compact(postcode) if postcode else postcode,
            huisnummer=huisnummer.lstrip("0"),
            huisnummertoevoeging=_text(client.get("huisnummertoevoeging")) or None,
        ),
    )


def validate_record(
    data: JsonObject, *, today: date, text_values: bool = False
) -> Vroegsignaal | list[FieldError]:
    """Check one DDAS-shaped record; return the signal, or every problem found.

    Args:
        data: the record in DDAS v1.2 shape.
        today: signals dated after this day are rejected.
        text_values: values came as text (CSV) and may be converted to numbers/booleans.
    """
    if "__not_an_object__" in data:
        return [FieldError("(record)", "dit is geen JSON-object", "this is not a JSON object")]
    if "__columns__" in data:
        got, want = data["__columns__"]
        return [
            FieldError(
                "(regel)",
                f"deze regel heeft {got} kolommen, de kop heeft er {want}",
                f"this line has {got} columns, the header has {want}",
            )
        ]
    errors: list[FieldError] = []
    if not _storable(data):
        return [
            FieldError(
                path,
                "bevat een teken dat niet kan worden opgeslagen (NUL of een ongeldig UTF-8-teken)",
                "holds a character that cannot be stored (NUL or an invalid UTF-8 character)",
            )
            for path, text in _strings(data, "")
            if _unstorable(text)
        ]
    signal_id = _text(data.get("ID"))
    if not signal_id:
        errors.append(FieldError("ID", "signaal-ID ontbreekt", "signal ID is missing"))
    elif len(signal_id) > _MAX_ID_LENGTH:
        errors.append(
            FieldError(
                "ID",
                f"signaal-ID is langer dan {_MAX_ID_LENGTH} tekens",
                f"signal ID is longer than {_MAX_ID_LENGTH} characters",
            )
        )
    partner_obj = data.get("signaalpartner")
    partner_name = partner_obj.get("type") if isinstance(partner_obj, dict) else None
    partner = _PARTNERS.get(partner_name) if isinstance(partner_name, str) else None
    if partner is None:
        errors.append(
            FieldError(
                "signaalpartner.type",
                f"soort signaalpartner '{partner_name}' staat niet in de DDAS-lijst",
                f"signal partner type '{partner_name}' is not in the DDAS list"
                f" ({', '.join(_PARTNERS)})",
            )
        )
    client = _validate_client(data.get("client"), errors, today)
    bedrag = _parse_bedrag(data.get("bedrag"), text_values, errors)
    ontstaan = _parse_date(data.get("ontstaansdatum"), "ontstaansdatum", errors)
    signaal = _parse_date(data.get("signaaldatum"), "signaaldatum", errors)
    if signaal is not None and signaal > today:
        errors.append(
            FieldError(
                "signaaldatum",
                f"signaaldatum {signaal} ligt in de toekomst",
                f"signal date {signaal} is in the future",
            )
        )
    years = date_bounds().datums.ontstaansdatum_hoogstens_jaren_terug
    if ontstaan is not None and ontstaan.year < today.year - years.waarde:
        errors.append(
            FieldError(
                "ontstaansdatum",
                f"ontstaansdatum {ontstaan} ligt meer dan {years.waarde} jaar terug: {years.reden}",
                f"date the arrears arose {ontstaan} is more than {years.waarde} years ago "
                "(config/inname.yaml)",
            )
        )
    if ontstaan is not None and signaal is not None and signaal < ontstaan:
        errors.append(
            FieldError(
                "signaaldatum",
                f"signaaldatum {signaal} ligt vóór de ontstaansdatum {ontstaan} van de achterstand",
                f"signal date {signaal} is before the date {ontstaan} the arrears arose",
            )
        )
    crisis = _parse_bool(data.get("crisissignaal"), "crisissignaal", text_values, errors)
    warm = _parse_bool(data.get("warmeOverdracht"), "warmeOverdracht", text_values, errors)
    if errors:
        return errors
    assert signal_id and partner and ontstaan and signaal  # guaranteed by the checks above
    return Vroegsignaal(
        signal_id=signal_id,
        signaalpartner=partner,
        client=client,
        bedrag=bedrag,
        ontstaansdatum=ontstaan,
        signaaldatum=signaal,
        crisissignaal=crisis,
        warme_overdracht=warm,
    )

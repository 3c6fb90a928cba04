"""The domain vocabulary equals the DDAS v1.2 schema; domain types are immutable."""

import dataclasses
import json
import types
from datetime import date
from enum import StrEnum
from pathlib import Path

import pytest

import proactief.domain as domain
from proactief.domain import (
    Contactsoort,
    Dagdeel,
    Eindresultaat,
    Geslacht,
    Signaalpartner,
    Signaalstatus,
    Vroegsignaalzaak,
    signaalstatus_for_case,
)
from proactief.early_detection.report import ddas_schema

SHARED_SCHEMA = (
    Path(__file__).resolve().parents[3]
    / "shared/reference/ddas-vroegsignalering-v1.2/json_schema_Uitwisselmodel.json"
)

ENUMS: list[tuple[type[StrEnum], str]] = [
    (Signaalpartner, "EnumSignaalpartner"),
    (Contactsoort, "EnumContactsoort"),
    (Dagdeel, "EnumDagdeel"),
    (Signaalstatus, "EnumSignaalstatus"),
    (Eindresultaat, "EnumEindresultaat"),
    (Geslacht, "geslacht"),
]


@pytest.mark.parametrize(("enum", "name"), ENUMS)
def test_enum_equals_the_schema(enum: type[StrEnum], name: str) -> None:
    """Every StrEnum holds exactly the values of the schema's enum, in order."""
    assert ddas_schema()["$defs"][name]["enum"] == [m.value for m in enum]


def test_shipped_schema_is_the_shared_schema_unmodified() -> None:
    """The package ships the national schema byte for byte."""
    if not SHARED_SCHEMA.exists():
        pytest.skip(f"{SHARED_SCHEMA} is not beside this checkout")
    assert json.loads(SHARED_SCHEMA.read_text(encoding="utf-8")) == ddas_schema()


def test_domain_types_are_frozen() -> None:
    """Domain objects cannot be changed after creation."""
    case = Vroegsignaalzaak(
        case_id=1,
        person_pseudonym="b1",
        matchingsdatum=date(2026, 1, 1),
        startdatum_matchingperiode=date(2026, 1, 1),
        einddatum_matchingperiode=date(2026, 1, 30),
        signal_ids=("x",),
    )
    with pytest.raises(dataclasses.FrozenInstanceError):
        case.priority = 5  # type: ignore[misc]


def test_domain_all_is_complete() -> None:
    """Every public name defined in proactief.domain is exported."""
    public = {
        n
        for n, v in vars(domain).items()
        if not n.startswith("_") and not isinstance(v, types.ModuleType)
    }
    assert public == set(domain.__all__)


@pytest.mark.parametrize(
    ("result", "opgepakt", "expected"),
    [
        (None, False, Signaalstatus.NOG_NIET_OPGEPAKT),
        (None, True, Signaalstatus.OPGEPAKT),
        (
            Eindresultaat.NIET_OPGEPAKT_HERHAALDE_MELDING,
            False,
            Signaalstatus.NIET_OPGEPAKT_HERHAALDE_MELDING,
        ),
        (Eindresultaat.VERVOLGHULP_FINANCIEEL, True, Signaalstatus.OPGEPAKT),
        (Eindresultaat.INWONER_IS_OVERLEDEN, True, Signaalstatus.INWONER_IS_OVERLEDEN),
    ],
)
def test_signal_status_follows_case(
    result: Eindresultaat | None, opgepakt: bool, expected: Signaalstatus
) -> None:
    assert expected == signaalstatus_for_case(eindresultaat=result, opgepakt=opgepakt)

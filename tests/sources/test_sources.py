"""Each source reads one file format into DDAS-shaped raw records with their position;
a file that cannot be read at all is refused as a whole, with the reason."""

import json
from pathlib import Path

import pytest

from conftest import ddas_document, signal
from proactief.sources import (
    CreditorCsvSource,
    DdasJsonSource,
    FakeSource,
    IntakeFileError,
    source_for,
)


def test_ddas_json_gives_every_signal_with_its_place_in_the_file(tmp_path: Path) -> None:
    path = tmp_path / "levering.json"
    document = ddas_document([signal(ID="A"), signal(ID="B")])
    document["leveringen"].append({"teller": 2, "vroegsignalen": [signal(ID="C"), "kapot"]})
    path.write_text(json.dumps(document), encoding="utf-8")
    source = source_for(path)
    assert isinstance(source, DdasJsonSource)
    assert source.count(path) == 4
    records = list(source.read(path))
    assert [r.position for r in records] == [
        "leveringen[0].vroegsignalen[0]",
        "leveringen[0].vroegsignalen[1]",
        "leveringen[1].vroegsignalen[0]",
        "leveringen[1].vroegsignalen[1]",
    ]
    assert [r.data.get("ID") for r in records[:3]] == ["A", "B", "C"]
    assert records[3].data == {"__not_an_object__": True} and records[3].raw == '"kapot"'


def test_a_creditor_csv_becomes_the_ddas_shape(tmp_path: Path) -> None:
    path = tmp_path / "huur.csv"
    path.write_text(
        "signaal_id;signaalpartner;bsn;bedrag;ontstaansdatum;signaaldatum;crisissignaal\n"
        "WC-1;Huur;111222333;950;2026-01-10;2026-03-01;ja\n"
        "WC-2;Huur;111222333;950\n",
        encoding="utf-8",
    )
    source = source_for(path)
    assert isinstance(source, CreditorCsvSource)
    first, short = source.read(path)
    assert first.position == "line 2" and first.text_values
    assert first.data == {
        "ID": "WC-1",
        "signaalpartner": {"type": "Huur"},
        "client": {"burgerservicenummer": "111222333"},
        "bedrag": "950",
        "ontstaansdatum": "2026-01-10",
        "signaaldatum": "2026-03-01",
        "crisissignaal": "ja",
    }
    assert short.position == "line 3" and short.data == {"__columns__": (4, 7)}


@pytest.mark.parametrize(
    ("name", "content", "problem"),
    [
        ("x.json", "{nee", "line 1, column 2"),
        ("x.json", '{"leveringen": 3}', '"leveringen" is a number, expected a list'),
        (
            "x.csv",
            "signaal_id;bedrag\n",
            "line 1: the header misses the column\\(s\\) signaalpartner",
        ),
        ("x.xlsx", "", "unknown file type .xlsx; expected one of .json, .csv"),
    ],
)
def test_an_unreadable_file_is_refused_with_the_reason(
    tmp_path: Path, name: str, content: str, problem: str
) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(IntakeFileError, match=problem) as caught:
        list(source_for(path).read(path))
    assert caught.value.path == path


def test_the_fake_source_gives_back_what_it_was_given(tmp_path: Path) -> None:
    fake = FakeSource([signal(ID="F1")])
    (record,) = fake.read(tmp_path / "ignored")
    assert record.position == "record 0" and record.data["ID"] == "F1"
    assert fake.count(tmp_path) == 1

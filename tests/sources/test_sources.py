"""Each source reads one file format into DDAS-shaped raw records with their position;
a file that cannot be read at all is refused as a whole, with the reason."""

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

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


# JSON documents of every shape: the right one (often), and each way to get it wrong
_json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 5) | st.text(max_size=3),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=3)
    ),
    max_leaves=8,
)
_signal = (
    st.dictionaries(st.sampled_from(["ID", "bedrag", "client"]), _json_values, max_size=3)
    | _json_values
)
_good_levering = st.fixed_dictionaries(
    {"vroegsignalen": st.lists(_signal, max_size=4)}, optional={"teller": _json_values}
)
_levering = _good_levering | st.dictionaries(
    st.sampled_from(["vroegsignalen", "teller", "vroegSignalen"]),
    st.lists(_signal, max_size=3) | _json_values,
    max_size=3,
)
_document = (
    st.fixed_dictionaries(
        {"leveringen": st.lists(_levering, max_size=3)},
        optional={"codeGegevensleverancier": _json_values},
    )
    | st.dictionaries(
        st.sampled_from(["leveringen", "codeGegevensleverancier", "Leveringen"]),
        st.lists(_levering | _json_values, max_size=3) | _json_values,
        max_size=3,
    )
    | _json_values
)


@settings(
    max_examples=600, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(document=_document)
def test_the_lean_structure_pass_agrees_with_the_event_walk(
    tmp_path: Path, document: object
) -> None:
    """count() checks the structure from the parser's plain events; read() on the exact
    parser walks the prefixed events. Both refuse the same files with the same message,
    and count the same signals per levering."""
    import ijson

    path = tmp_path / "vorm.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    source = DdasJsonSource()

    def outcome(run: Callable[[], object]) -> object:
        try:
            return run()
        except IntakeFileError as exc:
            return exc.problem

    lean = outcome(lambda: source._count_signals(path, ijson))
    walked = outcome(lambda: [p for p, _ in source._walk(path, parser=ijson)])
    if isinstance(walked, list):
        per_levering: list[int] = []
        for position in walked:
            index = int(position.split("]", 1)[0].removeprefix("leveringen["))
            per_levering.extend([0] * (index + 1 - len(per_levering)))
            per_levering[index] += 1
        walked = per_levering
        assert isinstance(lean, list)
        lean = lean[: len(lean) - next((i for i, n in enumerate(reversed(lean)) if n), len(lean))]
    assert lean == walked

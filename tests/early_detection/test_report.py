"""The CBS report validates against DDAS v1.2 and carries no more than the schema asks."""

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine

from conftest import TODAY, VALID_BSNS, ddas_document, signal
from proactief.early_detection.cases import match_signals
from proactief.early_detection.intake import intake_file
from proactief.early_detection.report import (
    ReportInvalidError,
    ReportRequest,
    build_ddas_report,
    validate_ddas_report,
    write_ddas_report,
)
from proactief.early_detection.work_queue import load_work_queue_config
from proactief.trust.pseudonyms import Pseudonymizer

REQUEST = ReportRequest(
    start=date(2026, 4, 1),
    end=date(2026, 4, 30),
    gemeentecode="0344",
    organisation_name="Gemeente Test",
    gegevensleverancier="PROACTIEF",
)


def build(engine: Engine) -> dict:  # type: ignore[type-arg]
    with engine.connect() as conn:
        return build_ddas_report(conn=conn, request=REQUEST, now=datetime(2026, 5, 1, tzinfo=UTC))


def test_report_is_valid_and_minimal(
    engine: Engine, pseudonymizer: Pseudonymizer, tmp_path: Path
) -> None:
    address = {
        "geslachtsaanduiding": "Man",
        "geboortedatum": "1970-01-01",
        "postcode": "3511AB",
        "huisnummer": "7",
    }
    path = tmp_path / "in.json"
    path.write_text(
        json.dumps(
            ddas_document(
                [
                    signal(ID="A"),
                    signal(ID="B", client=address),
                    signal(ID="C", signaaldatum="2026-03-20"),  # outside the period
                ]
            )
        )
    )
    intake_file(path, engine=engine, pseudonymizer=pseudonymizer, today=TODAY)
    with engine.begin() as conn:
        match_signals(conn=conn, matchingsdatum=date(2026, 4, 20), config=load_work_queue_config())
    document = build(engine)
    assert validate_ddas_report(document) == []
    levering = document["leveringen"][0]
    clients = {s["ID"]: s["client"] for s in levering["vroegsignalen"]}
    # C belongs to A's case (same person, within the matching period): reported too.
    assert clients["A"] == {"burgerservicenummer": VALID_BSNS[0]}
    assert clients["B"] == address
    assert len(levering["vroegsignaalzaken"]) == 2
    out = tmp_path / "cbs.json"
    write_ddas_report(document, out)
    assert json.loads(out.read_text()) == document


def test_empty_period_is_still_a_valid_report(engine: Engine) -> None:
    assert validate_ddas_report(build(engine)) == []


def test_invalid_report_is_not_written(engine: Engine, tmp_path: Path) -> None:
    document = build(engine)
    document["leveringen"][0]["vroegsignalen"] = [
        {"ID": "X", "signaalpartner": {"type": "Telecom"}, "client": {}}
    ]
    out = tmp_path / "cbs.json"
    with pytest.raises(ReportInvalidError, match="Telecom"):
        write_ddas_report(document, out)
    assert not out.exists()


def test_bad_date_time_format_is_caught() -> None:
    """The date-time format is really checked (rfc3339-validator is installed)."""
    document = {
        "startdatumLevering": "2026-04-01",
        "einddatumLevering": "2026-04-30",
        "aanleverdatumEnTijd": "gisteren",
        "codeGegevensleverancier": "X",
    }
    assert any("aanleverdatumEnTijd" in p for p in validate_ddas_report(document))


@pytest.mark.parametrize(
    ("start", "end", "code", "message"),
    [
        (date(2026, 5, 1), date(2026, 4, 1), "0344", "before"),
        (date(2026, 4, 1), date(2026, 5, 1), "344", "gemeentecode"),
    ],
)
def test_request_errors(start: date, end: date, code: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        ReportRequest(
            start=start, end=end, gemeentecode=code, organisation_name="x", gegevensleverancier="y"
        )


def _leaves(node: object, path: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    if isinstance(node, dict):
        return [p for k, v in node.items() for p in _leaves(v, (*path, k))] + [path]
    if isinstance(node, list):
        return [p for i, v in enumerate(node) for p in _leaves(v, (*path, i))] + [path]
    return [path]


def test_the_compiled_schema_and_jsonschema_give_the_same_verdict(
    engine: Engine, pseudonymizer: Pseudonymizer, tmp_path: Path
) -> None:
    """validate_ddas_report trusts jsonschema-rs's 'valid' without asking jsonschema: on a
    real report with every field changed in typical wrong ways (and removed), the two
    must agree, formats included."""
    import copy

    import jsonschema_rs
    from jsonschema import Draft202012Validator, FormatChecker

    from proactief.early_detection.report import ddas_schema

    path = tmp_path / "in.json"
    address = {
        "geslachtsaanduiding": "Vrouw",
        "geboortedatum": "1980-02-01",
        "postcode": "3511AB",
        "huisnummer": "7",
        "huisnummertoevoeging": "A",
    }
    path.write_text(
        json.dumps(
            ddas_document([signal(ID="A", crisissignaal=True), signal(ID="B", client=address)])
        )
    )
    intake_file(path, engine=engine, pseudonymizer=pseudonymizer, today=TODAY)
    with engine.begin() as conn:
        match_signals(conn=conn, matchingsdatum=date(2026, 4, 20), config=load_work_queue_config())
    document = build(engine)
    slow = Draft202012Validator(ddas_schema(), format_checker=FormatChecker())
    fast = jsonschema_rs.validator_for(ddas_schema(), validate_formats=True)
    wrong: list[object] = [
        "",
        "x",
        "2026-02-30",
        "2026-13-01T25:00:00Z",
        -1,
        1.5,
        True,
        None,
        {},
        [],
        "9" * 300,
    ]
    compared = 0
    for leaf in _leaves(document):
        if not leaf:
            continue
        for value in [*wrong, "<delete>"]:
            changed = copy.deepcopy(document)
            parent = changed
            for key in leaf[:-1]:
                parent = parent[key]  # type: ignore[index]
            if value == "<delete>":
                if not isinstance(parent, dict):
                    continue
                del parent[leaf[-1]]
            else:
                parent[leaf[-1]] = value  # type: ignore[index]
            slow_ok = not any(True for _ in slow.iter_errors(changed))
            assert fast.is_valid(changed) == slow_ok, (leaf, value)
            compared += 1
    assert fast.is_valid(document) and validate_ddas_report(document) == []
    assert compared > 300

"""Intake on SQLite and PostgreSQL: stored once, duplicates counted, bad records kept."""

import json
from pathlib import Path

import pytest
from reader_sources import reading_processes
from sqlalchemy import Engine, select

from conftest import TODAY, VALID_BSNS, ddas_document, signal
from proactief.early_detection.intake import intake_file, rejected_records
from proactief.sources import CreditorCsvSource, DdasJsonSource, IntakeFileError, source_for
from proactief.storage import maintenance
from proactief.storage.tables import client_identities, signals
from proactief.trust import repository as trust_repo
from proactief.trust.pseudonyms import Pseudonymizer


def write_json(path: Path, records: list[dict]) -> Path:  # type: ignore[type-arg]
    path.write_text(json.dumps(ddas_document(records)), encoding="utf-8")
    return path


def counts(engine: Engine) -> tuple[int, int, int]:
    with engine.connect() as conn:
        return (
            maintenance.count_rows(conn, "signals"),
            maintenance.count_rows(conn, "quarantine"),
            maintenance.count_rows(conn, "client_identities"),
        )


def test_valid_duplicate_and_rejected_are_counted(
    engine: Engine, pseudonymizer: Pseudonymizer, tmp_path: Path
) -> None:
    path = write_json(
        tmp_path / "in.json",
        [
            signal(ID="A"),
            signal(ID="B", client={"burgerservicenummer": VALID_BSNS[1]}),
            signal(ID="A"),  # same ID again within the file
            signal(ID="C", bedrag=-1),
        ],
    )
    result = intake_file(path, engine=engine, pseudonymizer=pseudonymizer, today=TODAY)
    assert (result.records, result.accepted, result.duplicates, result.rejected) == (4, 2, 1, 1)
    assert counts(engine) == (2, 1, 2)


def test_resent_file_changes_nothing(
    engine: Engine, pseudonymizer: Pseudonymizer, tmp_path: Path
) -> None:
    path = write_json(tmp_path / "in.json", [signal(ID="A"), signal(ID="X", bedrag="1")])
    intake_file(path, engine=engine, pseudonymizer=pseudonymizer, today=TODAY)
    before = counts(engine)
    again = intake_file(path, engine=engine, pseudonymizer=pseudonymizer, today=TODAY)
    # the rejected record is in quarantine already: delivered again it is a duplicate, so
    # the counts of all runs agree with what the quarantine holds
    assert (again.accepted, again.duplicates, again.rejected) == (0, 2, 0)
    assert before == counts(engine)


def test_same_signal_in_another_file_is_a_duplicate(
    engine: Engine, pseudonymizer: Pseudonymizer, tmp_path: Path
) -> None:
    intake_file(
        write_json(tmp_path / "a.json", [signal(ID="A")]),
        engine=engine,
        pseudonymizer=pseudonymizer,
        today=TODAY,
    )
    second = intake_file(
        write_json(tmp_path / "b.json", [signal(ID="A"), signal(ID="B")]),
        engine=engine,
        pseudonymizer=pseudonymizer,
        today=TODAY,
    )
    assert (second.accepted, second.duplicates) == (1, 1)
    with engine.connect() as conn:
        amounts = dict(conn.execute(select(signals.c.signal_id, signals.c.bedrag)).all())
    assert amounts == {"A": 250, "B": 250}


def test_quarantine_keeps_file_position_field_and_both_reasons(
    engine: Engine, pseudonymizer: Pseudonymizer, tmp_path: Path
) -> None:
    path = write_json(
        tmp_path / "levering.json",
        [signal(ID="A"), signal(ID="B", client={"burgerservicenummer": "111222334"})],
    )
    intake_file(path, engine=engine, pseudonymizer=pseudonymizer, today=TODAY)
    with engine.begin() as conn:
        (row,) = rejected_records(conn=conn, actor="test")
        # the raw record may hold a BSN: reading the quarantine is in the audit trail
        (read,) = [e for e in trust_repo.audit_rows(conn) if e.gegevens == "quarantine"]
    assert (read.actor, read.doel) == ("test", "vroegsignalering")
    assert row.file_name == "levering.json"
    assert row.position == "leveringen[0].vroegsignalen[1]"
    assert row.fields == "client.burgerservicenummer"
    assert "elfproef" in row.reason_nl and "eleven test" in row.reason_en
    assert json.loads(row.raw)["ID"] == "B"


def test_bsn_is_stored_only_in_the_identity_vault(
    engine: Engine, pseudonymizer: Pseudonymizer, tmp_path: Path
) -> None:
    intake_file(
        write_json(tmp_path / "in.json", [signal(ID="A")]),
        engine=engine,
        pseudonymizer=pseudonymizer,
        today=TODAY,
    )
    with engine.connect() as conn:
        stored = conn.execute(select(signals)).one()
        vault = conn.execute(select(client_identities)).one()
    assert VALID_BSNS[0] not in json.dumps([str(v) for v in stored])
    assert stored.person_pseudonym == pseudonymizer.for_bsn(VALID_BSNS[0])
    assert vault.bsn == VALID_BSNS[0]


def test_creditor_csv_with_semicolons(
    engine: Engine, pseudonymizer: Pseudonymizer, tmp_path: Path
) -> None:
    path = tmp_path / "corporatie.csv"
    path.write_text(
        "signaal_id;signaalpartner;bsn;geslacht;geboortedatum;postcode;huisnummer;bedrag;"
        "ontstaansdatum;signaaldatum;crisissignaal\n"
        "H-1;Huur;111222333;;;;;950;2026-03-01;2026-04-10;ja\n"
        "H-2;Huur;;Man;1970-01-01;3511 AB;7;400;2026-03-01;2026-04-10;nee\n"
        "H-3;Huur;;;;;;12,50;2026-03-01;2026-04-10;nee\n"
        "H-4;Huur;111222333\n",
        encoding="utf-8",
    )
    result = intake_file(path, engine=engine, pseudonymizer=pseudonymizer, today=TODAY)
    assert (result.accepted, result.rejected) == (2, 2)
    with engine.begin() as conn:
        rejected = {r.position: r for r in rejected_records(conn=conn, actor="test")}
        crisis = conn.scalar(select(signals.c.crisissignaal).where(signals.c.signal_id == "H-1"))
    assert set(rejected) == {"line 4", "line 5"}
    assert "bedrag" in rejected["line 4"].fields
    assert "kolommen" in rejected["line 5"].reason_nl
    assert crisis is True


def test_unreadable_json_names_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "kapot.json"
    path.write_text('{"leveringen": [\n  {"vroegsignalen": [}\n]}', encoding="utf-8")
    with pytest.raises(IntakeFileError, match=r"kapot.json: not valid JSON .*line 2, column"):
        list(DdasJsonSource().read(path))


def test_json_without_leveringen_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    path.write_text("[1, 2]", encoding="utf-8")
    with pytest.raises(IntakeFileError, match="leveringen"):
        list(DdasJsonSource().read(path))


def test_csv_missing_columns_are_named(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("signaal_id,bedrag\nA,1\n", encoding="utf-8")
    with pytest.raises(IntakeFileError, match="line 1: the header misses the column"):
        list(CreditorCsvSource().read(path))


def test_unknown_file_type_is_refused(tmp_path: Path) -> None:
    with pytest.raises(IntakeFileError, match=r"unknown file type \.xlsx"):
        source_for(tmp_path / "signalen.xlsx")


def test_nothing_is_stored_from_an_unreadable_file(
    engine: Engine, pseudonymizer: Pseudonymizer, tmp_path: Path
) -> None:
    path = tmp_path / "kapot.json"
    path.write_text("{", encoding="utf-8")
    with pytest.raises(IntakeFileError):
        intake_file(path, engine=engine, pseudonymizer=pseudonymizer, today=TODAY)
    assert counts(engine) == (0, 0, 0)


@pytest.mark.parametrize("reader_process", [False, True])
def test_a_store_that_fails_stops_the_intake_after_the_batches_before(
    engine: Engine,
    pseudonymizer: Pseudonymizer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    reader_process: bool,
) -> None:
    """A large file is read in a second process while this one stores. When a store
    fails, the error reaches the caller, the batches before it stay stored in full, nothing
    after it is stored, and the reading process is gone (nothing skipped or doubled)."""
    from proactief.early_detection import repository as repo

    records = [
        signal(ID=f"W-{i:05d}", client={"burgerservicenummer": VALID_BSNS[i % 4]})
        for i in range(5_500)
    ]
    path = write_json(tmp_path / "vijf.json", records)
    real = repo.record_intake_file
    calls: list[bool] = []

    def failing_second(conn: object, **kwargs: object) -> None:
        calls.append(True)
        if len(calls) == 2:
            raise RuntimeError("de schijf is vol")
        real(conn, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(repo, "record_intake_file", failing_second)
    try:
        intake_file(
            path,
            engine=engine,
            pseudonymizer=pseudonymizer,
            today=TODAY,
            batch_size=1_000,
            reader_process=reader_process,
        )
    except RuntimeError as caught:
        assert "de schijf is vol" in str(caught)
        # gone while the caller still holds the error (and the frames of its traceback)
        assert reading_processes() == []
    else:
        pytest.fail("the failed store did not reach the caller")
    with engine.connect() as conn:
        stored = list(conn.scalars(select(signals.c.signal_id).order_by(signals.c.signal_id)))
    assert stored == [f"W-{i:05d}" for i in range(1_000)]
    assert len(calls) == 2  # no batch after the failed one was tried
    monkeypatch.setattr(repo, "record_intake_file", real)
    again = intake_file(path, engine=engine, pseudonymizer=pseudonymizer, today=TODAY)
    assert (again.accepted, again.duplicates) == (4_500, 1_000)

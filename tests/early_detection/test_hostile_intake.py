"""The hostile intake set (issue 13, item 2) on SQLite and PostgreSQL: every record ends
stored, duplicate or quarantined with its reason, and the printed counts are the stored
ones; files with a broken structure are refused with their position and store nothing."""

import json
import os
from pathlib import Path
from typing import Any

import pytest
from hostile import hostile_records
from sqlalchemy import Engine, func, select

from conftest import TODAY, VALID_BSNS, ddas_document, run_cli, signal
from proactief.early_detection.intake import intake_file, rejected_records
from proactief.sources import IntakeFileError
from proactief.storage.tables import quarantine, signals
from proactief.trust.pseudonyms import Pseudonymizer


def _stored(engine: Engine) -> tuple[int, int]:
    with engine.connect() as conn:
        return (
            conn.execute(select(func.count()).select_from(signals)).scalar_one(),
            conn.execute(select(func.count()).select_from(quarantine)).scalar_one(),
        )


def _write(path: Path, records: list[object]) -> Path:
    path.write_text(json.dumps(ddas_document(records)), encoding="utf-8")  # type: ignore[arg-type]
    return path


def test_the_hostile_set_leaves_no_record_unaccounted_for(
    engine: Engine, pseudonymizer: Pseudonymizer, tmp_path: Path
) -> None:
    """12,000 records, the hostile ones in the middle (one at 7,000, as in the finding),
    batches of 1,000: stored + duplicate + quarantined = records in the file, each as
    expected, on both databases."""
    hostile = list(hostile_records())
    filler = [signal(ID=f"OK-{i}") for i in range(12_000 - len(hostile))]
    records: list[object] = filler[:7_000] + [r for r, _ in hostile] + filler[7_000:]
    path = _write(tmp_path / "vijandig.json", records)
    result = intake_file(
        path, engine=engine, pseudonymizer=pseudonymizer, today=TODAY, batch_size=1_000
    )
    expected = {k: sum(1 for _, e in hostile if e == k) for k in ("stored", "duplicate")}
    quarantined = sum(1 for _, e in hostile if e == "quarantined")
    assert result.records == len(records) == 12_000
    assert result.accepted + result.duplicates + result.rejected == result.records
    assert (result.accepted, result.duplicates, result.rejected) == (
        len(filler) + expected["stored"],
        expected["duplicate"],
        quarantined,
    )
    # the counts printed are the counts stored
    assert _stored(engine) == (result.accepted, result.rejected)
    with engine.begin() as conn:
        rows = rejected_records(conn=conn, actor="test")
    assert all(r.position.startswith("leveringen[0].vroegsignalen[") for r in rows)
    assert all(r.reason_nl and r.reason_en and r.fields for r in rows)
    reasons = " ".join(r.reason_nl for r in rows)
    assert "conflict" in reasons and "niet kan worden opgeslagen" in reasons
    # a BSN in a rejected record is kept only as its pseudonym
    assert not any(VALID_BSNS[0] in r.raw for r in rows)
    assert any(f"[BSN {pseudonymizer.for_bsn(VALID_BSNS[0])}]" in r.raw for r in rows)
    # taking the same file in again stores nothing new and loses nothing
    again = intake_file(path, engine=engine, pseudonymizer=pseudonymizer, today=TODAY)
    assert again.accepted == 0 and again.accepted + again.duplicates + again.rejected == 12_000
    assert _stored(engine) == (result.accepted, result.rejected)


def test_a_resent_id_with_other_content_is_a_conflict_not_a_duplicate(
    engine: Engine, pseudonymizer: Pseudonymizer, tmp_path: Path
) -> None:
    first = _write(tmp_path / "a.json", [signal(ID="Z-1", bedrag=250)])
    second = _write(tmp_path / "b.json", [signal(ID="Z-1", bedrag=900), signal(ID="Z-2")])
    intake_file(first, engine=engine, pseudonymizer=pseudonymizer, today=TODAY)
    result = intake_file(second, engine=engine, pseudonymizer=pseudonymizer, today=TODAY)
    assert (result.accepted, result.duplicates, result.rejected) == (1, 0, 1)
    with engine.begin() as conn:
        (row,) = rejected_records(conn=conn, actor="test")
    assert row.file_name == "b.json" and row.fields == "ID" and "conflict" in row.reason_nl


def _levering(**fields: object) -> dict[str, object]:
    document = ddas_document([signal(ID="A")])
    document["leveringen"][0].pop("vroegsignalen")
    document["leveringen"][0].update(fields)
    return document


@pytest.mark.parametrize(
    ("document", "message"),
    [
        (_levering(vroegSignalen=[signal(ID="A")]), "leveringen[0]: unknown key 'vroegSignalen'"),
        (_levering(vroegsignalen=None), "leveringen[0].vroegsignalen is null, expected a list"),
        (_levering(vroegsignalen="A"), "leveringen[0].vroegsignalen is text, expected a list"),
        ({"leveringen": {"a": 1}}, '"leveringen" is an object, expected a list'),
        ({"Leveringen": []}, "unknown key 'Leveringen' at the top"),
        ([1, 2], "the file holds a list, expected a JSON object"),
    ],
)
def test_a_misshapen_file_is_refused_with_its_position_and_stores_nothing(
    engine: Engine,
    pseudonymizer: Pseudonymizer,
    tmp_path: Path,
    document: object,
    message: str,
) -> None:
    path = tmp_path / "vorm.json"
    path.write_text(json.dumps(document))
    with pytest.raises(IntakeFileError) as refused:
        intake_file(path, engine=engine, pseudonymizer=pseudonymizer, today=TODAY)
    assert message in str(refused.value)
    assert _stored(engine) == (0, 0)


def test_a_bad_byte_after_the_first_batch_stores_nothing(
    engine: Engine, pseudonymizer: Pseudonymizer, tmp_path: Path
) -> None:
    """Found in the check of the whole file, before the first batch is stored, so 'nothing
    of this file was taken in' is true."""
    text = json.dumps(ddas_document([signal(ID=f"U-{i}") for i in range(6_000)]))
    cut = text.index('"U-5500"')
    path = tmp_path / "latin1.json"
    path.write_bytes(text[:cut].encode() + b'"U-\xe9"' + text[cut + 8 :].encode())
    with pytest.raises(IntakeFileError, match=r"not UTF-8\) after leveringen\[0\]"):
        intake_file(path, engine=engine, pseudonymizer=pseudonymizer, today=TODAY)
    assert _stored(engine) == (0, 0)


def test_a_duplicated_csv_column_or_a_huge_field_is_refused(
    engine: Engine, pseudonymizer: Pseudonymizer, tmp_path: Path
) -> None:
    header = "signaal_id,signaalpartner,bsn,bedrag,ontstaansdatum,signaaldatum"
    twice = tmp_path / "twee.csv"
    twice.write_text(f"{header},bedrag\nA,Zorg,{VALID_BSNS[0]},250,2026-03-01,2026-04-15,999\n")
    with pytest.raises(IntakeFileError, match="bedrag appear more than once"):
        intake_file(twice, engine=engine, pseudonymizer=pseudonymizer, today=TODAY)
    huge = tmp_path / "groot.csv"
    lines = [f"OK-{i},Zorg,{VALID_BSNS[0]},250,2026-03-01,2026-04-15" for i in range(3)]
    lines.insert(2, f"{'X' * 140_000},Zorg,{VALID_BSNS[0]},250,2026-03-01,2026-04-15")
    huge.write_text(header + "\n" + "\n".join(lines) + "\n")
    with pytest.raises(IntakeFileError, match="line 4: not readable as CSV"):
        intake_file(huge, engine=engine, pseudonymizer=pseudonymizer, today=TODAY)
    assert _stored(engine) == (0, 0)


def test_a_folder_a_fifo_and_a_device_are_refused_at_once(tmp_path: Path) -> None:
    """rc 2 and a message instead of hanging on /dev/zero or a FIFO."""
    fifo = tmp_path / "pijp.json"
    os.mkfifo(fifo)
    env = dict(os.environ, PROACTIEF_DATA_DIR=str(tmp_path / "data"))
    env.pop("PROACTIEF_DATABASE_URL", None)
    for target in (str(tmp_path), str(fifo), "/dev/zero"):
        done = run_cli(["intake", target], env, timeout=60)
        assert done.returncode == 2, (target, done.stdout, done.stderr)
        assert "not a regular file" in " ".join(done.stderr.split()), done.stderr


def test_a_record_the_database_refuses_after_validation_is_quarantined_alone(
    engine: Engine, pseudonymizer: Pseudonymizer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Should validation and database ever drift apart again, the batch is taken in record
    by record: only the refused record is quarantined, with the database's kind of error,
    and the run is audited with its counts."""
    from proactief.early_detection import validation
    from proactief.trust import repository as trust_repo

    monkeypatch.setattr(validation, "_MAX_BEDRAG", 2**80)  # a drift, made on purpose
    records = [signal(ID=f"D-{i}") for i in range(50)]
    records[25] = signal(ID="D-groot", bedrag=2**70)
    path = _write(tmp_path / "drift.json", records)  # type: ignore[arg-type]
    result = intake_file(
        path, engine=engine, pseudonymizer=pseudonymizer, today=TODAY, batch_size=20
    )
    assert (result.records, result.accepted, result.rejected) == (50, 49, 1)
    assert _stored(engine) == (49, 1)
    with engine.begin() as conn:
        (row,) = rejected_records(conn=conn, actor="test")
        audit = [e for e in trust_repo.audit_rows(conn) if e.actie == "inname"]
    assert row.position == "leveringen[0].vroegsignalen[25]"
    assert "de database weigerde dit record" in row.reason_nl
    assert [json.loads(e.details)["rejected"] for e in audit] == [1]
    assert json.loads(audit[0].details)["accepted"] == 49


def test_two_intakes_at_once_with_one_id_store_one_and_quarantine_the_other(
    engine: Engine, pseudonymizer: Pseudonymizer, tmp_path: Path
) -> None:
    """Two files taken in at the same moment, each with signal R-1 but other amounts: one
    is stored, the other is a conflict in the quarantine; nothing is counted as stored
    that was not (before, both counted as stored on PostgreSQL and one vanished)."""
    import threading

    for _ in range(5):
        with engine.begin() as conn:
            conn.execute(signals.delete())
            conn.execute(quarantine.delete())
        paths = [
            _write(
                tmp_path / f"{name}.json",
                [signal(ID="R-1", bedrag=amount)] + [signal(ID=f"{name}-{i}") for i in range(300)],
            )
            for name, amount in (("a", 100), ("b", 200))
        ]
        barrier = threading.Barrier(2)
        results: list[Any] = []

        def take(
            path: Path, barrier: threading.Barrier = barrier, results: list[Any] = results
        ) -> None:
            barrier.wait()
            results.append(
                intake_file(path, engine=engine, pseudonymizer=pseudonymizer, today=TODAY)
            )

        threads = [threading.Thread(target=take, args=(p,)) for p in paths]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
        accepted = sum(r.accepted for r in results)
        rejected = sum(r.rejected for r in results)
        assert (accepted, rejected) == (601, 1)
        assert _stored(engine) == (601, 1)

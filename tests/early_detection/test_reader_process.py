"""Intake's reading process (issue 19, item 4): a large file is read and checked in a
second process while this one stores. It ends as a read in this process would, on both
databases, and a reader that breaks or dies loses nothing and doubles nothing."""

import json
import pickle
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hostile import hostile_records
from reader_sources import BreaksAfter, CannotStart, DiesAfter, reading_processes
from sqlalchemy import Engine, select

from conftest import TODAY, VALID_BSNS, ddas_document, signal
from proactief.early_detection.intake import (
    READER_PROCESS_FROM,
    IntakeReaderError,
    IntakeResult,
    _Batch,
    intake_file,
)
from proactief.sources import IntakeFileError, RawRecord
from proactief.storage.db import create_db_engine, migrate
from proactief.storage.tables import quarantine, signals
from proactief.trust.pseudonyms import Pseudonymizer

SIGNAL_COLUMNS = [c for c in signals.c if c.name != "id"]
QUARANTINE_COLUMNS = [c for c in quarantine.c if c.name not in ("id", "received_at")]


def _write(path: Path, records: list[object]) -> Path:
    path.write_text(json.dumps(ddas_document(records)), encoding="utf-8")  # type: ignore[arg-type]
    return path


def _contents(engine: Engine) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    """Every stored signal and quarantined record, without generated keys and times."""
    with engine.connect() as conn:
        stored = conn.execute(select(*SIGNAL_COLUMNS).order_by(signals.c.signal_id)).all()
        held = conn.execute(
            select(*QUARANTINE_COLUMNS).order_by(quarantine.c.file_name, quarantine.c.position)
        ).all()
    return [tuple(r) for r in stored], [tuple(r) for r in held]


def _take_in(
    path: Path, engine: Engine, pseudonymizer: Pseudonymizer, **options: Any
) -> IntakeResult:
    """intake_file on the tests' day."""
    return intake_file(path, engine=engine, pseudonymizer=pseudonymizer, today=TODAY, **options)


def _counts(result: IntakeResult) -> tuple[int, ...]:
    return result.records, result.accepted, result.duplicates, result.rejected


def _csv(path: Path, n: int) -> Path:
    lines = ["signaal_id;signaalpartner;bsn;bedrag;ontstaansdatum;signaaldatum;crisissignaal"]
    for i in range(n):
        j = i % (n - 50)  # the last 50 repeat the first 50, content and all
        bedrag = "12,50" if j % 97 == 0 else str(100 + j)  # every 97th is refused
        lines.append(f"C-{j};Huur;{VALID_BSNS[j % 4]};{bedrag};2026-03-01;2026-04-10;ja")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("kind", ["json", "csv"])
def test_a_file_read_in_a_second_process_ends_as_one_read_here(
    engine: Engine, pseudonymizer: Pseudonymizer, tmp_path: Path, kind: str
) -> None:
    """The hostile set amid 12,000 records (JSON), or a CSV with refused lines and repeats,
    after a first file with a conflicting ID: the same counts, stored signals and
    quarantine (positions, fields, reasons, raw text) as reading in this process."""
    if kind == "json":
        hostile = [r for r, _ in hostile_records()]
        records: list[object] = [signal(ID=f"OK-{i}") for i in range(12_000)]
        records[7_000:7_000] = hostile
        path = _write(tmp_path / "groot.json", records)
    else:
        path = _csv(tmp_path / "groot.csv", 12_000)
    earlier = _write(tmp_path / "eerder.json", [signal(ID="OK-5", bedrag=999), signal(ID="C-5")])
    here = create_db_engine(f"sqlite:///{tmp_path / 'hier.db'}")
    migrate(here)
    results = []
    for target, in_process in ((engine, True), (here, False)):
        _take_in(earlier, target, pseudonymizer)
        results.append(
            _take_in(
                path,
                target,
                pseudonymizer,
                batch_size=1_000,
                reader_process=in_process,
            )
        )
    second, first = _contents(here), _contents(engine)
    here.dispose()
    assert _counts(results[0]) == _counts(results[1])
    assert results[0].rejected > 0 and results[0].duplicates > 0
    assert first == second
    conflicts = [q for q in first[1] if "conflict" in str(q)]
    assert conflicts, "the conflict with the earlier file was quarantined from its source"


def test_a_batch_travels_whole(pseudonymizer: Pseudonymizer) -> None:
    """What the reading process hands over comes back as it was: the records a batch keeps
    to quarantine a refused signal included."""
    batch = _Batch()
    record = RawRecord(position="line 3", data={"ID": "A"}, raw="A;Zorg", text_values=True)
    batch.signals["A"] = {"signal_id": "A"}
    batch.sources["A"] = record
    batch.size, batch.duplicates = 3, 1
    back = pickle.loads(pickle.dumps(batch))
    assert back.source("A") == record
    assert (back.signals, back.size, back.duplicates) == (batch.signals, 3, 1)


@pytest.mark.parametrize("reader_process", [False, True])
def test_a_file_that_breaks_past_the_first_batch_keeps_the_batches_before(
    engine: Engine, pseudonymizer: Pseudonymizer, tmp_path: Path, reader_process: bool
) -> None:
    """The file's own error comes through from the reading process unchanged; the whole
    batches before it are stored, and the rest is not."""
    path = _write(tmp_path / "kapot.json", [signal(ID=f"K-{i:04d}") for i in range(2_500)])
    with pytest.raises(IntakeFileError, match="record 2200: the file ends in the middle"):
        _take_in(
            path,
            engine,
            pseudonymizer,
            source=BreaksAfter(2_200),
            batch_size=1_000,
            reader_process=reader_process,
        )
    with engine.connect() as conn:
        stored = list(conn.scalars(select(signals.c.signal_id).order_by(signals.c.signal_id)))
    assert stored == [f"K-{i:04d}" for i in range(2_000)]
    assert reading_processes() == []


def test_a_reading_process_that_dies_loses_nothing_and_doubles_nothing(
    engine: Engine, pseudonymizer: Pseudonymizer, tmp_path: Path
) -> None:
    """Killed after 2,500 records: the error says so, the two whole batches before stay,
    and taking the file in again stores the rest once."""
    n = 4_000
    path = _write(tmp_path / "sterft.json", [signal(ID=f"S-{i:04d}") for i in range(n)])
    with pytest.raises(IntakeReaderError, match=r"stopped unexpectedly \(exit code 7\)"):
        _take_in(
            path,
            engine,
            pseudonymizer,
            source=DiesAfter(2_500),
            batch_size=1_000,
            reader_process=True,
        )
    with engine.connect() as conn:
        assert conn.scalar(select(signals.c.signal_id).order_by(signals.c.id.desc())) == "S-1999"
    again = _take_in(path, engine, pseudonymizer)
    assert (again.accepted, again.duplicates) == (n - 2_000, 2_000)
    with engine.connect() as conn:
        ids = list(conn.scalars(select(signals.c.signal_id)))
    assert sorted(ids) == [f"S-{i:04d}" for i in range(n)]


def test_large_files_are_read_in_a_second_process_by_default(
    pseudonymizer: Pseudonymizer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """From READER_PROCESS_FROM records on (and only then) the reader runs apart: the
    dying source kills a reading process, and reads on in this one."""
    from proactief.early_detection import intake

    monkeypatch.setattr(intake, "READER_PROCESS_FROM", 3_000)
    assert READER_PROCESS_FROM >= 10_000  # the shipped threshold: a second or more of work
    engine = create_db_engine(f"sqlite:///{tmp_path / 'p.db'}")
    migrate(engine)
    small = _write(tmp_path / "klein.json", [signal(ID=f"A-{i}") for i in range(2_999)])
    big = _write(tmp_path / "groot.json", [signal(ID=f"B-{i}") for i in range(3_000)])
    kept = _take_in(small, engine, pseudonymizer, source=DiesAfter(10))
    assert kept.accepted == 2_999
    with pytest.raises(IntakeReaderError):
        _take_in(big, engine, pseudonymizer, source=DiesAfter(10))
    engine.dispose()


@pytest.mark.parametrize("exact", [False, True])
def test_a_counted_json_file_is_not_walked_again_in_the_reading_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, exact: bool
) -> None:
    """The source goes to the reading process with what its count learned (the parser by
    name, fast C or the exact one for a lone surrogate), so the file is walked once."""
    from proactief.sources import ddas_json

    ids = ["A", "\\ud800" if exact else "B"]
    path = tmp_path / "geteld.json"
    text = json.dumps(ddas_document([signal(ID=i) for i in ids]))
    path.write_text(text.replace("\\\\ud800", "\\ud800"), encoding="utf-8")
    source = ddas_json.DdasJsonSource()
    assert source.count(path) == 2
    expected = list(source.read(path))
    travelled = pickle.loads(pickle.dumps(source))

    def walked_again(_path: Path) -> None:
        raise AssertionError("the file was walked again")

    monkeypatch.setattr(ddas_json, "_parser_for", walked_again)
    assert list(travelled.read(path)) == expected
    assert (expected[1].data["ID"] == "\ud800") is exact


def test_a_script_without_a_main_guard_is_not_run_again_by_the_reader(
    pseudonymizer: Pseudonymizer, tmp_path: Path
) -> None:
    """The reading process is a new interpreter that imports only intake: a caller's
    script that calls intake_file at its top level runs once, and so does its intake."""
    _write(tmp_path / "groot.json", [signal(ID=f"G-{i}") for i in range(READER_PROCESS_FROM)])
    script = tmp_path / "zonder_bewaking.py"
    script.write_text(
        "import datetime\n"
        "from pathlib import Path\n"
        "from proactief.early_detection.intake import intake_file\n"
        "from proactief.storage.db import create_db_engine, migrate\n"
        "from proactief.trust.pseudonyms import Pseudonymizer\n"
        f"here = Path({str(tmp_path)!r})\n"
        "print('script started', flush=True)\n"
        "engine = create_db_engine(f'sqlite:///{here / \"p.db\"}')\n"
        "migrate(engine)\n"
        f"result = intake_file(here / 'groot.json', engine=engine, today={TODAY!r},\n"
        "                     pseudonymizer=Pseudonymizer(b'k' * 32))\n"
        "print('accepted', result.accepted, flush=True)\n",
        encoding="utf-8",
    )
    done = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\n") == [
        "script started",
        f"accepted {READER_PROCESS_FROM}",
        "",
    ]


def test_a_reading_process_that_cannot_start_says_so_and_stores_nothing(
    engine: Engine, pseudonymizer: Pseudonymizer, tmp_path: Path
) -> None:
    path = _write(tmp_path / "start.json", [signal(ID=f"N-{i}") for i in range(10)])
    with pytest.raises(IntakeReaderError, match=r"stopped unexpectedly \(exit code 1\)"):
        _take_in(
            path,
            engine,
            pseudonymizer,
            source=CannotStart(),
            reader_process=True,
        )
    with engine.connect() as conn:
        assert conn.scalar(select(signals.c.signal_id)) is None
    assert reading_processes() == []

"""The schedule of the background tasks (config/taken.yaml) and the history of their runs."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine

from proactief.config import PolicyError
from proactief.jobs import TAKEN, finish_run, load_schedule, recent_runs, start_run


def test_a_schedule_with_a_mistake_names_it(tmp_path: Path) -> None:
    bad = tmp_path / "taken.yaml"
    bad.write_text("taken:\n  ladder:\n    cron: 'elke dag'\n")
    with pytest.raises(PolicyError, match="cron-regel"):
        load_schedule(bad)
    bad.write_text("taken:\n  versturen:\n    cron: '0 8 * * *'\n")
    with pytest.raises(PolicyError, match="versturen"):
        load_schedule(bad)


def test_the_shipped_schedule_plans_every_task() -> None:
    schedule = load_schedule()
    assert set(schedule.taken) == set(TAKEN)
    # the scan waits for a population file to be named
    assert schedule.taken["scan"].aan is False and schedule.taken["scan"].bevolking is None
    # campaigns run from the schedule only when the municipality switches them on
    assert schedule.taken["campagnes"].aan is False and schedule.taken["campagnes"].bestanden
    assert set(schedule.active()) == set(TAKEN) - {"scan", "campagnes"}


def test_the_history_keeps_each_run_newest_first(engine: Engine) -> None:
    start = datetime(2026, 12, 6, 8, tzinfo=UTC)
    with engine.begin() as conn:
        first = start_run(conn, taak="matching", worker="w1", now=start)
        finish_run(conn, first, ok=True, samenvatting="3 signalen", now=start)
        second = start_run(conn, taak="ladder", worker="w2", now=start + timedelta(minutes=1))
        finish_run(conn, second, ok=False, samenvatting="x" * 400, now=start + timedelta(minutes=2))
        open_run = start_run(conn, taak="scan", worker="w1", now=start + timedelta(minutes=3))
    with engine.begin() as conn:
        runs = recent_runs(conn)
        only = recent_runs(conn, taak="ladder")
    assert [r.id for r in runs] == [open_run, second, first]
    assert [r.status for r in runs] == ["bezig", "fout", "klaar"]
    assert runs[0].klaar is None  # a worker that died mid-run shows as still busy
    assert len(runs[1].samenvatting) == 300  # a summary never grows without bound
    assert [r.id for r in only] == [second]

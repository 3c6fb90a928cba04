"""What each run of a background task did: started, ended, by which worker, and a summary
without personal data. The web app shows it (/taken); a run that never ended (a worker
that died) stays 'bezig' with its start time, so it shows."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, insert, select, update

from proactief.storage.tables import taak_runs

__all__ = ["TaakRun", "finish_run", "recent_runs", "start_run"]


@dataclass(frozen=True, slots=True)
class TaakRun:
    id: int
    taak: str
    worker: str
    gestart: datetime
    klaar: datetime | None
    status: str
    samenvatting: str


def start_run(conn: Connection, *, taak: str, worker: str, now: datetime) -> int:
    """Record that ``taak`` started; the run's id."""
    result = conn.execute(
        insert(taak_runs)
        .values(taak=taak, worker=worker[:100], gestart=now, status="bezig")
        .returning(taak_runs.c.id)
    )
    return int(result.scalar_one())


def finish_run(
    conn: Connection, run_id: int, *, ok: bool, samenvatting: str, now: datetime
) -> None:
    """Record how the run ended (``samenvatting``: counts or an error's kind, never
    personal data)."""
    conn.execute(
        update(taak_runs)
        .where(taak_runs.c.id == run_id)
        .values(klaar=now, status="klaar" if ok else "fout", samenvatting=samenvatting[:300])
    )


def recent_runs(conn: Connection, *, limit: int = 50, taak: str | None = None) -> list[TaakRun]:
    """The latest runs, newest first (of one task)."""
    query = select(taak_runs).order_by(taak_runs.c.gestart.desc(), taak_runs.c.id.desc())
    if taak is not None:
        query = query.where(taak_runs.c.taak == taak)
    return [TaakRun(**row._mapping) for row in conn.execute(query.limit(limit))]

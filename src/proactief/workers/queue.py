"""The tasks as procrastinate jobs on PostgreSQL.

Two procrastinate tasks: ``proactief.taak`` runs one task of config/taken.yaml by its name
(periodic: deferred at each cron tick, once per tick whatever the number of workers, as
procrastinate's periodic defers are unique per task and time), and
``proactief.ladder_zaak`` takes one case's due step. The ladder task defers one
``ladder_zaak`` per open case with the queueing lock ``ladder-<case>`` (a case already
waiting is not queued again) and the lock ``zaak-<case>`` (never two jobs of one case at
once). Each task of the schedule holds the lock ``taak-<name>``: never two runs of one
task at once. The step itself is safe to repeat (a unique step per case and number, the outbox
claims each message with SKIP LOCKED), so a job that a dead worker left is taken again
without a double message.
"""

import asyncio
import logging
from typing import Any

import procrastinate
from procrastinate.exceptions import AlreadyEnqueued

from proactief.workers.tasks import (
    SIMPLE_TASKS,
    WorkerDeps,
    ladder_case_ids,
    recorded,
    run_ladder_case,
)

log = logging.getLogger(__name__)

__all__ = ["conninfo_of", "defer_ladder_cases", "defer_task", "make_app", "retry_stalled"]


def conninfo_of(database_url: str) -> str:
    """The libpq address of a SQLAlchemy PostgreSQL URL (without its driver name)."""
    scheme, _, rest = database_url.partition("://")
    if not scheme.startswith(("postgresql", "postgres")):
        raise ValueError("de wachtrij van de workers vraagt PostgreSQL (PROACTIEF_DATABASE_URL)")
    return f"postgresql://{rest}"


def make_app(deps: WorkerDeps, conninfo: str) -> procrastinate.App:
    """A procrastinate app with the tasks bound to ``deps`` and the schedule's periodic
    tasks."""
    app = procrastinate.App(connector=procrastinate.PsycopgConnector(conninfo=conninfo))

    @app.task(name="proactief.ladder_zaak")
    def ladder_zaak(case_id: int) -> None:
        try:
            run_ladder_case(deps, case_id)
        except Exception as exc:
            failure = exc

            def again() -> str:
                raise failure

            # only failures are kept per case: a run per step would bury the history
            recorded(deps, "ladder", again)

    @app.task(name="proactief.taak")
    def taak(timestamp: int = 0, naam: str = "") -> None:
        # timestamp: the cron tick, given by procrastinate to a periodic job
        if naam == "ladder":
            recorded(deps, "ladder", lambda: _fan_out(app, deps))
            return
        work = SIMPLE_TASKS[naam]
        recorded(deps, naam, lambda: work(deps))

    @app.periodic(cron="*/5 * * * *", periodic_id="vastgelopen")
    @app.task(name="proactief.vastgelopen", queueing_lock="vastgelopen")
    async def vastgelopen(timestamp: int = 0) -> None:
        await _retry_stalled(app, deps.stalled_seconds)

    for naam, schedule in deps.schedule.active().items():
        # lock: never two runs of one task at once (two writers of Klantcontacten could
        # both find an attempt unwritten)
        app.periodic(
            cron=schedule.cron, periodic_id=naam, task_kwargs={"naam": naam}, lock=f"taak-{naam}"
        )(taak)
    return app


def _fan_out(app: procrastinate.App, deps: WorkerDeps) -> str:
    queued, waiting = defer_ladder_cases(app, ladder_case_ids(deps))
    return f"{queued} zaken in de wachtrij" + (f", {waiting} stonden er al" if waiting else "")


def defer_ladder_cases(app: procrastinate.App, case_ids: list[int]) -> tuple[int, int]:
    """One job per case (not for a case whose job still waits); (queued, already waiting)."""
    task: Any = app.tasks["proactief.ladder_zaak"]
    queued = waiting = 0
    for case_id in case_ids:
        try:
            task.configure(lock=f"zaak-{case_id}", queueing_lock=f"ladder-{case_id}").defer(
                case_id=case_id
            )
            queued += 1
        except AlreadyEnqueued:
            waiting += 1
    return queued, waiting


def defer_task(app: procrastinate.App, naam: str) -> int:
    """Queue one run of the task ``naam`` now; the job's id.

    Raises:
        KeyError: no such task.
    """
    if naam != "ladder" and naam not in SIMPLE_TASKS:
        raise KeyError(naam)
    task: Any = app.tasks["proactief.taak"]
    return int(task.configure(lock=f"taak-{naam}").defer(naam=naam))


async def _retry_stalled(app: procrastinate.App, seconds: float) -> int:
    jobs = list(await app.job_manager.get_stalled_jobs(seconds_since_heartbeat=seconds))
    for job in jobs:
        # a job a dead worker held: its step is safe to take again (see above)
        await app.job_manager.retry_job(job)
    if jobs:
        log.warning("%d job(s) of a worker that stopped answering queued again", len(jobs))
    return len(jobs)


def retry_stalled(app: procrastinate.App, seconds: float) -> int:
    """Queue again the jobs of workers that sent no heartbeat for ``seconds`` (killed, or
    their machine went down); how many. Every worker does this when it starts, and every
    five minutes one of them."""

    async def run() -> int:
        async with app.open_async():
            return await _retry_stalled(app, seconds)

    return asyncio.run(run())

"""The in-process runner for the embedded default (SQLite): the same tasks at the times
of config/taken.yaml, one after the other, in this process."""

import logging
import threading
from datetime import UTC, datetime

from croniter import croniter

from proactief.workers.tasks import (
    SIMPLE_TASKS,
    TaskError,
    WorkerDeps,
    ladder_case_ids,
    recorded,
    run_ladder_case,
)

log = logging.getLogger(__name__)

__all__ = ["LocalRunner"]


class LocalRunner:
    """Runs the scheduled tasks in this process."""

    def __init__(self, deps: WorkerDeps) -> None:
        self.deps = deps

    def run_now(self, naam: str) -> str:
        """Run one task now, recorded in the history; its summary.

        Raises:
            KeyError: no such task.
            Exception: what the task raised (recorded as a failed run first).
        """
        if naam == "ladder":
            return recorded(self.deps, "ladder", self._ladder)
        work = SIMPLE_TASKS[naam]
        return recorded(self.deps, naam, lambda: work(self.deps))

    def _ladder(self) -> str:
        failed = 0
        ids = ladder_case_ids(self.deps)
        for case_id in ids:
            try:
                run_ladder_case(self.deps, case_id)
            except TaskError:
                raise
            except Exception as exc:
                # one case's failure does not stop the others; it is counted and logged
                failed += 1
                log.warning("ladder: case %d failed: %s", case_id, type(exc).__name__)
        return f"{len(ids)} zaken bekeken" + (f", {failed} mislukt" if failed else "")

    def run_forever(self, stop: threading.Event) -> None:
        """Run each task at its times until ``stop`` is set (Ctrl+C)."""
        active = self.deps.schedule.active()
        start = datetime.now(UTC)
        due = {naam: croniter(t.cron, start).get_next(datetime) for naam, t in active.items()}
        while not stop.is_set() and due:
            naam, when = min(due.items(), key=lambda item: item[1])
            wait = (when - datetime.now(UTC)).total_seconds()
            if wait > 0 and stop.wait(min(wait, 60)):
                return
            if datetime.now(UTC) < when:
                continue
            try:
                self.run_now(naam)
            except Exception as exc:  # recorded in the history; the runner goes on
                log.warning("task %s failed: %s", naam, type(exc).__name__)
            due[naam] = croniter(active[naam].cron, datetime.now(UTC)).get_next(datetime)

"""Background tasks: which recurring work there is, when it runs (config/taken.yaml), and
what each run did (``taak_runs``). The workers that carry them out are
``proactief.workers``; this package is what the web app may read of them."""

from proactief.config import PolicyError
from proactief.jobs.runs import TaakRun, finish_run, recent_runs, start_run
from proactief.jobs.schedule import TAKEN, Schedule, TaskSchedule, load_schedule

__all__ = [
    "TAKEN",
    "PolicyError",
    "Schedule",
    "TaakRun",
    "TaskSchedule",
    "finish_run",
    "load_schedule",
    "recent_runs",
    "start_run",
]

"""The workers that carry out the background tasks (``proactief worker``).

On PostgreSQL the tasks are jobs in a procrastinate queue (``workers.queue``): every
worker defers the scheduled ones (the database makes each tick one job, however many
workers there are), fetches jobs with ``FOR UPDATE SKIP LOCKED`` and holds a lock per case,
so several workers at once do each step once. On SQLite there is no queue: one process
runs the same tasks at their time (``workers.local``). ADR 0011 says why.
"""

from proactief.workers.local import LocalRunner
from proactief.workers.tasks import SIMPLE_TASKS, TaskError, WorkerDeps

__all__ = ["SIMPLE_TASKS", "LocalRunner", "TaskError", "WorkerDeps"]

"""The dashboard's figures per period, kept for a few minutes.

Counting a city's funnels (every case, with its steps, attempts and arms) takes seconds;
the dashboard shows aggregates that may be minutes old, and says when they were counted.
One count per period at a time: a second request for the same period waits for the
first instead of counting again. Only aggregates are kept (no personal data), in this
process's memory; a count reads personal data under the audit trail as before.
"""

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

__all__ = ["DashboardCache", "Snapshot"]

Key = tuple[date | None, date | None]

MAX_PERIODS = 32
"""How many periods are kept at most (the oldest count goes first)."""


@dataclass(frozen=True, slots=True)
class Snapshot:
    """The dashboard's tables as counted at ``geteld``."""

    tables: dict[str, Any]
    geteld: datetime


class DashboardCache:
    """Snapshots per period, each kept ``keep`` long (zero: every request counts)."""

    def __init__(
        self, keep: timedelta, *, clock: Callable[[], datetime] = lambda: datetime.now(UTC)
    ) -> None:
        self.keep = keep
        self._clock = clock
        self._lock = threading.Lock()
        self._kept: dict[Key, Snapshot] = {}
        self._counting: dict[Key, threading.Lock] = {}

    def get(self, key: Key, count: Callable[[], dict[str, Any]]) -> Snapshot:
        """The period's snapshot, counted anew (``count``) once it is older than ``keep``."""
        found = self._fresh(key)
        if found is not None:
            return found
        with self._lock:
            counting = self._counting.setdefault(key, threading.Lock())
        with counting:
            found = self._fresh(key)  # counted while this request waited
            if found is not None:
                return found
            geteld = self._clock()
            snapshot = Snapshot(count(), geteld)
            with self._lock:
                self._kept[key] = snapshot
                while len(self._kept) > MAX_PERIODS:
                    oldest = min(self._kept, key=lambda k: self._kept[k].geteld)
                    del self._kept[oldest]
            return snapshot

    def _fresh(self, key: Key) -> Snapshot | None:
        with self._lock:
            found = self._kept.get(key)
        if found is not None and self._clock() - found.geteld < self.keep:
            return found
        return None

"""A limit on failures per client (wrong resident codes, wrong passwords): after
``max_failures`` within ``window_seconds`` the client is refused until old failures age
out. Kept in memory per process: with several server processes, put it in a shared store."""

import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable

__all__ = ["FailureLimiter"]


class FailureLimiter:
    """Counts failures per key in a sliding window."""

    def __init__(
        self,
        *,
        max_failures: int,
        window_seconds: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_failures = max_failures
        self.window = window_seconds
        self.clock = clock
        self._failures: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def _prune(self, key: str) -> deque[float]:
        failures = self._failures[key]
        cutoff = self.clock() - self.window
        while failures and failures[0] <= cutoff:
            failures.popleft()
        return failures

    def blocked(self, key: str) -> bool:
        """True while the key has too many recent failures."""
        with self._lock:
            return len(self._prune(key)) >= self.max_failures

    def fail(self, key: str) -> None:
        """Count one failure."""
        with self._lock:
            self._prune(key).append(self.clock())

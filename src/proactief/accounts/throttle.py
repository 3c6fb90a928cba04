"""Limits on wrong passwords and resident codes, shared by every server process.

The ``limits`` library counts, with its fixed-window strategy, in a storage of our own
database (``SqlStorage``): one atomic upsert per attempt, so parallel guesses cannot slip
through between a check and a count, and several server processes share one counter. The
key is hashed: it holds a client address.
"""

import hashlib
import time
from dataclasses import dataclass

from limits import RateLimitItem, parse
from limits.storage import Storage
from limits.strategies import FixedWindowRateLimiter
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from proactief.accounts import repository as repo

__all__ = ["SqlStorage", "Throttle"]


def _key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class SqlStorage(Storage):
    """A ``limits`` storage in the application's database (SQLite or PostgreSQL)."""

    STORAGE_SCHEME = ["proactief-sql"]  # noqa: RUF012 (the base class declares it)

    def __init__(self, engine: Engine) -> None:
        super().__init__()
        self.engine = engine

    @property
    def base_exceptions(self) -> type[Exception] | tuple[type[Exception], ...]:
        return SQLAlchemyError

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        with self.engine.begin() as conn:
            return repo.increment_rate_limit(conn, _key(key), expiry, amount)

    def get(self, key: str) -> int:
        with self.engine.begin() as conn:
            return repo.count_rate_limit(conn, _key(key))

    def get_expiry(self, key: str) -> float:
        with self.engine.begin() as conn:
            return repo.rate_limit_expiry(conn, _key(key))

    def check(self) -> bool:
        try:
            with self.engine.begin() as conn:
                repo.count_rate_limit(conn, _key("gezondheid"))
        except SQLAlchemyError:
            return False
        return True

    def reset(self) -> int | None:
        with self.engine.begin() as conn:
            return repo.delete_rate_limits(conn)

    def clear(self, key: str) -> None:
        with self.engine.begin() as conn:
            repo.clear_rate_limit(conn, _key(key))


@dataclass
class Throttle:
    """At most ``limit`` attempts per key in a window, e.g. ``"5/15 minutes"``."""

    engine: Engine
    limit: str = "5/15 minutes"

    def __post_init__(self) -> None:
        self._item: RateLimitItem = parse(self.limit)
        self._limiter = FixedWindowRateLimiter(SqlStorage(self.engine))

    def attempt(self, key: str) -> bool:
        """Count one attempt and say whether it may go ahead (one atomic step)."""
        return self._limiter.hit(self._item, key)

    def forget(self, key: str) -> None:
        """A successful login: earlier wrong attempts of this key no longer count."""
        self._limiter.clear(self._item, key)

    def retry_after(self, key: str) -> int:
        """Seconds until the key may try again."""
        reset, _remaining = self._limiter.get_window_stats(self._item, key)
        return max(0, int(reset - time.time()) + 1)

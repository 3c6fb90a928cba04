"""Server-side sessions for professionals and residents.

The browser's cookie carries a random token; the database keeps only its SHA-256 hash,
who it belongs to, and until when it holds. Every request looks the session up, so
logging out, changing a password or disabling a user ends it at once, and a copied
cookie stops working then too.
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Connection

from proactief.accounts import repository as repo

__all__ = [
    "SESSION_HOURS",
    "SessionHolder",
    "end_session",
    "end_sessions_of_user",
    "open_session",
    "session_holder",
]

SESSION_HOURS = 8
"""A session ends this long after login, however active (one working day)."""


@dataclass(frozen=True, slots=True)
class SessionHolder:
    """Whose session it is: a professional (``user_id``) or a resident (pseudonym)."""

    user_id: int | None
    person_pseudonym: str | None


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def open_session(
    *,
    conn: Connection,
    user_id: int | None = None,
    person_pseudonym: str | None = None,
    now: datetime | None = None,
    hours: float = SESSION_HOURS,
) -> str:
    """Start a session for a professional or a resident; returns the token for the
    cookie (shown once, kept only as a hash)."""
    if (user_id is None) == (person_pseudonym is None):
        raise ValueError("a session belongs to a user or to a resident")
    now = now or datetime.now(UTC)
    token = secrets.token_urlsafe(32)
    repo.insert_web_session(
        conn,
        {
            "token_hash": _hash(token),
            "user_id": user_id,
            "person_pseudonym": person_pseudonym,
            "begonnen": now,
            "verloopt": now + timedelta(hours=hours),
            "ingetrokken": None,
            "reden": None,
        },
    )
    return token


def session_holder(
    *, conn: Connection, token: str, now: datetime | None = None
) -> SessionHolder | None:
    """Whose session this token opens, if it is known, not ended and not expired."""
    row = repo.web_session(conn, _hash(token))
    now = now or datetime.now(UTC)
    if row is None or row.ingetrokken is not None or _aware(row.verloopt) <= now:
        return None
    return SessionHolder(row.user_id, row.person_pseudonym)


def end_session(*, conn: Connection, token: str, reden: str = "uitgelogd") -> bool:
    """End one session (logging out); False if it had ended already."""
    return repo.revoke_web_sessions(conn, datetime.now(UTC), reden, token_hash=_hash(token)) > 0


def end_sessions_of_user(*, conn: Connection, user_id: int, reden: str) -> int:
    """End every session of a professional (password changed, user disabled)."""
    return repo.revoke_web_sessions(conn, datetime.now(UTC), reden, user_id=user_id)

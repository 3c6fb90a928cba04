"""Every query of accounts: professionals and one-time resident codes."""

import time
from datetime import datetime, timedelta

from sqlalchemy import Connection, case, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite

from proactief.domain.records import ResidentCodeRecord, UserRecord, WebSessionRecord
from proactief.storage.queries import Values, insert_once, record_or_none, records
from proactief.storage.tables import (
    rate_limits,
    resident_codes,
    users,
    web_sessions,
)

__all__ = [
    "all_users",
    "clear_rate_limit",
    "count_rate_limit",
    "delete_rate_limits",
    "increment_rate_limit",
    "insert_resident_code",
    "insert_user",
    "insert_web_session",
    "mark_resident_code_used",
    "rate_limit_expiry",
    "resident_code_by_hash",
    "revoke_web_sessions",
    "update_user",
    "user_by_id",
    "user_by_name",
    "web_session",
]


def insert_user(conn: Connection, row: Values) -> int:
    """Store a professional user and return its id."""
    return int(conn.execute(users.insert().values(**row).returning(users.c.id)).scalar_one())


def insert_user_once(conn: Connection, row: Values) -> int | None:
    """Store a user and return its id; None when its name or external id is taken, also by
    a transaction that inserted it a moment ago (PostgreSQL waits for that one to end)."""
    key = insert_once(conn, users, row)
    return None if key is None else int(key[0])


def user_by_name(conn: Connection, gebruikersnaam: str) -> UserRecord | None:
    """A user by login name."""
    return record_or_none(
        UserRecord,
        conn.execute(select(users).where(users.c.gebruikersnaam == gebruikersnaam)).first(),
    )


def user_by_id(conn: Connection, user_id: int) -> UserRecord | None:
    """A user by id."""
    return record_or_none(
        UserRecord, conn.execute(select(users).where(users.c.id == user_id)).first()
    )


def user_by_extern_id(conn: Connection, extern_id: str) -> UserRecord | None:
    """A user of the identity provider by its 'sub'."""
    return record_or_none(
        UserRecord,
        conn.execute(select(users).where(users.c.extern_id == extern_id)).first(),
    )


def update_user(conn: Connection, user_id: int, **values: object) -> None:
    """Change a user (password hash, role, active)."""
    conn.execute(update(users).where(users.c.id == user_id).values(**values))


def insert_resident_code(conn: Connection, row: Values) -> None:
    """Store the hash of a new access code."""
    conn.execute(resident_codes.insert().values(**row))


def resident_code_by_hash(conn: Connection, code_hash: str) -> ResidentCodeRecord | None:
    """A code by its hash."""
    return record_or_none(
        ResidentCodeRecord,
        conn.execute(select(resident_codes).where(resident_codes.c.code_hash == code_hash)).first(),
    )


def mark_resident_code_used(conn: Connection, code_id: int, when: datetime) -> bool:
    """Record the first use of a code; False if it was used before (it still works)."""
    result = conn.execute(
        update(resident_codes)
        .where(resident_codes.c.id == code_id, resident_codes.c.gebruikt.is_(None))
        .values(gebruikt=when)
    )
    return bool(result.rowcount)


def all_users(conn: Connection) -> list[UserRecord]:
    """Every professional user, by name."""
    return records(UserRecord, conn.execute(select(users).order_by(users.c.gebruikersnaam)))


def insert_web_session(conn: Connection, row: Values) -> None:
    """Store a new server-side session (and forget sessions that ended over a day ago)."""
    begonnen = row["begonnen"]
    assert isinstance(begonnen, datetime)
    conn.execute(delete(web_sessions).where(web_sessions.c.verloopt < begonnen - timedelta(days=1)))
    conn.execute(web_sessions.insert().values(**row))


def web_session(conn: Connection, token_hash: str) -> WebSessionRecord | None:
    """A session by the hash of its token."""
    return record_or_none(
        WebSessionRecord,
        conn.execute(select(web_sessions).where(web_sessions.c.token_hash == token_hash)).first(),
    )


def revoke_web_sessions(
    conn: Connection,
    when: datetime,
    reden: str,
    *,
    token_hash: str | None = None,
    user_id: int | None = None,
) -> int:
    """End one session (``token_hash``) or every session of a user; how many ended."""
    query = update(web_sessions).where(web_sessions.c.ingetrokken.is_(None))
    if token_hash is not None:
        query = query.where(web_sessions.c.token_hash == token_hash)
    elif user_id is not None:
        query = query.where(web_sessions.c.user_id == user_id)
    else:
        raise ValueError("name a session or a user")
    return int(conn.execute(query.values(ingetrokken=when, reden=reden)).rowcount or 0)


def increment_rate_limit(conn: Connection, key: str, expiry: int, amount: int) -> int:
    """Add ``amount`` to a counter in one atomic statement (a counter past its window
    starts again) and return the new count."""
    now = time.time()
    # counters whose window ended an hour ago say nothing any more (they hold addresses)
    conn.execute(delete(rate_limits).where(rate_limits.c.verloopt < now - 3600))
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    expired = rate_limits.c.verloopt <= now
    statement = (
        dialect.insert(rate_limits)
        .values(sleutel=key, aantal=amount, verloopt=now + expiry)
        .on_conflict_do_update(
            index_elements=[rate_limits.c.sleutel],
            set_={
                "aantal": case((expired, amount), else_=rate_limits.c.aantal + amount),
                "verloopt": case((expired, now + expiry), else_=rate_limits.c.verloopt),
            },
        )
        .returning(rate_limits.c.aantal)
    )
    return int(conn.execute(statement).scalar_one())


def count_rate_limit(conn: Connection, key: str) -> int:
    """A counter's value within its window (0 when past it or unknown)."""
    found = conn.execute(
        select(rate_limits.c.aantal).where(
            rate_limits.c.sleutel == key, rate_limits.c.verloopt > time.time()
        )
    ).first()
    return 0 if found is None else int(found[0])


def rate_limit_expiry(conn: Connection, key: str) -> float:
    """When a counter's window ends (epoch seconds; now when unknown)."""
    found = conn.execute(select(rate_limits.c.verloopt).where(rate_limits.c.sleutel == key)).first()
    return time.time() if found is None else float(found[0])


def clear_rate_limit(conn: Connection, key: str) -> None:
    """Forget a counter."""
    conn.execute(delete(rate_limits).where(rate_limits.c.sleutel == key))


def delete_rate_limits(conn: Connection) -> int:
    """Forget every counter; how many there were."""
    return int(conn.execute(delete(rate_limits)).rowcount or 0)

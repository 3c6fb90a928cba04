"""Every query of accounts: professionals and one-time resident codes."""

from datetime import datetime

from sqlalchemy import Connection, select, update

from proactief.domain.records import ResidentCodeRecord, UserRecord
from proactief.storage.queries import Values, record_or_none
from proactief.storage.tables import (
    resident_codes,
    users,
)

__all__ = [
    "insert_resident_code",
    "insert_user",
    "mark_resident_code_used",
    "resident_code_by_hash",
    "update_user",
    "user_by_id",
    "user_by_name",
]


def insert_user(conn: Connection, row: Values) -> int:
    """Store a professional user and return its id."""
    return int(conn.execute(users.insert().values(**row).returning(users.c.id)).scalar_one())


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


def update_user(conn: Connection, user_id: int, **values: object) -> None:
    """Change a user (password hash, role, active)."""
    conn.execute(update(users).where(users.c.id == user_id).values(**values))


def insert_resident_code(conn: Connection, row: Values) -> None:
    """Store the hash of a new one-time code."""
    conn.execute(resident_codes.insert().values(**row))


def resident_code_by_hash(conn: Connection, code_hash: str) -> ResidentCodeRecord | None:
    """A code by its hash."""
    return record_or_none(
        ResidentCodeRecord,
        conn.execute(select(resident_codes).where(resident_codes.c.code_hash == code_hash)).first(),
    )


def mark_resident_code_used(conn: Connection, code_id: int, when: datetime) -> bool:
    """Use a code once; False if it was already used (a concurrent second use)."""
    result = conn.execute(
        update(resident_codes)
        .where(resident_codes.c.id == code_id, resident_codes.c.gebruikt.is_(None))
        .values(gebruikt=when)
    )
    return bool(result.rowcount)

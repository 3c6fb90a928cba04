"""One-time access codes for residents (no DigiD here): printed in a letter or sent by
e-mail, valid for a limited time, usable once. Only a SHA-256 hash of the code is kept;
with 12 random characters from a 32-character alphabet (60 bits) a plain hash is
enough, and the web app also limits attempts per client."""

import hashlib
import secrets
from datetime import UTC, datetime, timedelta

from sqlalchemy import Connection

from proactief.accounts import repository as repo

__all__ = ["CodeError", "create_code", "normalise_code", "redeem_code"]

_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: easy to type from paper
CODE_DAGEN = 30


class CodeError(ValueError):
    """A code that is unknown, used or expired; the message never says which."""


def normalise_code(code: str) -> str:
    """Upper case, without spaces and dashes."""
    return "".join(ch for ch in code.upper() if ch.isalnum())


def _hash(code: str) -> str:
    return hashlib.sha256(normalise_code(code).encode()).hexdigest()


def create_code(
    *,
    conn: Connection,
    person_pseudonym: str,
    now: datetime | None = None,
    dagen: int = CODE_DAGEN,
) -> str:
    """A new code for the person, formatted XXXX-XXXX-XXXX; shown once, kept as a hash."""
    now = now or datetime.now(UTC)
    raw = "".join(secrets.choice(_ALPHABET) for _ in range(12))
    repo.insert_resident_code(
        conn,
        {
            "code_hash": _hash(raw),
            "person_pseudonym": person_pseudonym,
            "verloopt": now + timedelta(days=dagen),
            "gebruikt": None,
        },
    )
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def redeem_code(*, conn: Connection, code: str, now: datetime | None = None) -> str:
    """The person the code belongs to; the code cannot be used again."""
    now = now or datetime.now(UTC)
    row = repo.resident_code_by_hash(conn, _hash(code))
    refused = CodeError("Deze code werkt niet. Kijk of u hem goed heeft overgenomen.")
    if row is None or row.gebruikt is not None:
        raise refused
    verloopt = row.verloopt if row.verloopt.tzinfo else row.verloopt.replace(tzinfo=UTC)
    if verloopt < now:
        raise refused
    if not repo.mark_resident_code_used(conn, row.id, now):
        raise refused
    return str(row.person_pseudonym)

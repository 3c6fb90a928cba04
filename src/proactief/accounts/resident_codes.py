"""Access codes for residents (no DigiD here): printed in a letter or sent by e-mail, and
working for the life of that message: any number of visits until the date the message
states (ADR 0010). Every later message carries a new code. Only a SHA-256 hash of the
code is kept; with 12 random characters from a 32-character alphabet (60 bits) a plain
hash is enough, and the web app also limits attempts per client."""

import hashlib
import secrets
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Connection

from proactief.accounts import repository as repo
from proactief.channels.wording import dag

__all__ = [
    "CODE_DAGEN",
    "CodeError",
    "CodeExpiredError",
    "code_valid_until",
    "create_code",
    "normalise_code",
    "redeem_code",
]

_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: easy to type from paper
CODE_DAGEN = 90
"""Default life of a code: a letter may lie on the table for weeks, and the resident's page
(their choices, 'why did I get this') should work as long as the letter is in use."""


class CodeError(ValueError):
    """A code that we do not know (mistyped, or never made)."""


class CodeExpiredError(CodeError):
    """A code that we made, but whose message's life is over: it says until when it
    worked. Only someone holding the message can know a real code (60 bits), so saying
    that it expired tells an outsider nothing."""

    def __init__(self, verloopt: datetime) -> None:
        self.verloopt = verloopt
        super().__init__(f"Deze code werkte tot en met {_dag(verloopt)}.")


def _dag(moment: datetime) -> str:
    """'5 maart 2027': the last day a code works, as the message states it."""
    return dag(code_valid_until(moment))


def code_valid_until(verloopt: datetime) -> date:
    """The last whole day a code works: the day before it expires at midnight."""
    return (verloopt - timedelta(microseconds=1)).date()


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
    """A new code for the person, formatted XXXX-XXXX-XXXX; shown once, kept as a hash.
    It works through the whole day ``dagen`` days from ``now`` (``code_valid_until``)."""
    now = now or datetime.now(UTC)
    raw = "".join(secrets.choice(_ALPHABET) for _ in range(12))
    last_day = now.date() + timedelta(days=dagen)
    repo.insert_resident_code(
        conn,
        {
            "code_hash": _hash(raw),
            "person_pseudonym": person_pseudonym,
            # until midnight after the last day, in UTC like every stored moment
            "verloopt": datetime.combine(last_day + timedelta(days=1), datetime.min.time(), UTC),
            "gebruikt": None,
        },
    )
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def redeem_code(*, conn: Connection, code: str, now: datetime | None = None) -> str:
    """The person the code belongs to, as often as the resident comes back while the code
    works; the first use is recorded."""
    now = now or datetime.now(UTC)
    row = repo.resident_code_by_hash(conn, _hash(code))
    if row is None:
        raise CodeError("Deze code kennen wij niet. Kijk of u hem goed heeft overgenomen.")
    verloopt = row.verloopt if row.verloopt.tzinfo else row.verloopt.replace(tzinfo=UTC)
    if verloopt <= now:
        raise CodeExpiredError(verloopt)
    repo.mark_resident_code_used(conn, row.id, now)
    return str(row.person_pseudonym)

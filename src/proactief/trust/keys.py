"""Which pseudonymisation key belongs to this database, checked before any command uses it.

The database keeps the fingerprint of the key its pseudonyms were made with
(``pseudonym_keys``). A key is made only when the database holds no pseudonymised data yet
(the first run); after that a missing, different, malformed or too-open key file stops
every command with what to restore, so a lost key can never silently become a new one
(every BSN would get another pseudonym, and an opt-out would no longer belong to anyone).
"""

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Connection

from proactief.trust import repository as repo
from proactief.trust.pseudonyms import KeyFileError, create_key, key_fingerprint, read_key

__all__ = ["KeyMismatchError", "complete_rotation", "pending_key_path", "pseudonym_key"]


def pending_key_path(path: Path) -> Path:
    """Where a key rotation puts the new key until the database has switched to it."""
    return path.with_name(path.name + ".nieuw")


def complete_rotation(path: Path, fingerprint: str, *, now: datetime | None = None) -> bytes | None:
    """Finish a rotation whose database switch committed: the old key file is kept as
    ``<key>.oud-<time>`` (the audit log's earlier entries name pseudonyms made with it) and
    the new one takes its place. None when no new key for ``fingerprint`` waits."""
    pending = pending_key_path(path)
    if not pending.exists():
        return None
    key = read_key(pending)
    if key_fingerprint(key) != fingerprint:
        return None
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%S")
    if path.exists():
        path.rename(path.with_name(f"{path.name}.oud-{stamp}"))
    pending.rename(path)
    return key


class KeyMismatchError(KeyFileError):
    """The key file is a valid key, but not the one this database was made with."""


def pseudonym_key(conn: Connection, path: Path, *, now: datetime | None = None) -> bytes:
    """The key for this database's pseudonyms, checked against its fingerprint.

    - An empty database without a recorded key: the key file is made (or, if one is
      there, read) and its fingerprint recorded.
    - A database from before fingerprints (data, no record): the key file must be there;
      its fingerprint is recorded, and from then on it is checked.
    - Otherwise the key file must be there and match.

    Raises:
        KeyFileError: the key file is missing, malformed or open to others, or (as
            ``KeyMismatchError``) belongs to another database.
    """
    recorded = repo.key_fingerprint_row(conn)
    when = now or datetime.now(UTC)
    if recorded is None:
        if repo.holds_pseudonyms(conn):
            key = read_key(path)
            repo.insert_key_fingerprint(conn, key_fingerprint(key), "overgenomen", when)
            return key
        try:
            key = create_key(path)
        except FileExistsError:  # there already, or made by a run starting at the same time
            key = read_key(path)
        repo.insert_key_fingerprint(conn, key_fingerprint(key), "nieuw", when)
        return key
    # a rotation that committed in the database but was stopped before its key files were
    # swapped is finished here
    finished = complete_rotation(path, recorded, now=when)
    if finished is not None:
        return finished
    key = read_key(path)
    if key_fingerprint(key) != recorded:
        raise KeyMismatchError(
            path,
            "deze sleutel hoort niet bij deze database (de pseudoniemen zijn met een andere "
            "sleutel gemaakt)",
            "Zet de sleutel terug die bij deze database hoort, of wijs met "
            "PROACTIEF_KEY_FILE naar die sleutel",
        )
    return key

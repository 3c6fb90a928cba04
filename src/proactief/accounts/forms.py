"""One-time keys of the forms professionals send: a change made from a form is made once,
however often the form is sent (a double click, a reload, two tabs)."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import Connection, delete

from proactief.storage.queries import insert_new
from proactief.storage.tables import form_submissions

__all__ = ["FORM_KEY_DAYS", "claim_form_key"]

FORM_KEY_DAYS = 2
"""How long a used key is kept: longer than any page stays open."""


def claim_form_key(conn: Connection, key: str, *, now: datetime | None = None) -> bool:
    """Record ``key`` as used, in the caller's transaction (so it commits with the change
    it guards); False when it was used before. Keys older than FORM_KEY_DAYS are pruned."""
    moment = now or datetime.now(UTC)
    key = key[:64]
    conn.execute(
        delete(form_submissions).where(
            form_submissions.c.tijdstip < moment - timedelta(days=FORM_KEY_DAYS)
        )
    )
    # the same form sent twice at once: the transaction that inserts first wins, the
    # other finds the key taken (PostgreSQL waits for the first to commit)
    return bool(insert_new(conn, form_submissions, [{"sleutel": key, "tijdstip": moment}]))

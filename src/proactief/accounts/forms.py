"""One-time keys of the forms professionals send: a change made from a form is made once,
however often the form is sent (a double click, a reload, two tabs)."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import Connection, delete, select
from sqlalchemy.exc import IntegrityError

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
    if conn.execute(
        select(form_submissions.c.sleutel).where(form_submissions.c.sleutel == key)
    ).first():
        return False
    try:
        with conn.begin_nested():
            conn.execute(form_submissions.insert().values(sleutel=key, tijdstip=moment))
    except IntegrityError:
        # the same form sent twice at once: the other transaction committed it first
        return False
    return True

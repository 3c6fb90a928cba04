"""The one access layer for personal data in the database: each read names its purpose,
is checked against the purpose's fields, and is written to the audit trail."""

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Row

from proactief.domain import Doel
from proactief.trust import repository as repo
from proactief.trust.audit import append_audit
from proactief.trust.purposes import check_fields

__all__ = ["PersonalDataAccess"]


class PersonalDataAccess:
    """Reads personal data for one purpose on behalf of one actor."""

    def __init__(self, conn: Connection, *, doel: Doel, actor: str) -> None:
        self.conn = conn
        self.doel = doel
        self.actor = actor

    def check(self, fields: Sequence[str], *, subject: str | None = None) -> None:
        """Refuse fields outside the purpose (PurposeViolationError) and log the access."""
        check_fields(self.doel, fields)
        append_audit(
            self.conn,
            actor=self.actor,
            actie="lees",
            doel=self.doel.value,
            subject=subject,
            gegevens=",".join(sorted({f.split(".")[0] for f in fields})),
            details={"velden": sorted(fields)},
        )

    def read(self, table: str, columns: Sequence[str], **equals: Any) -> list[Row[Any]]:
        """SELECT the columns of one table (optionally WHERE column == value)."""
        self.check([f"{table}.{c}" for c in columns])
        return repo.select_columns(self.conn, table, columns, **equals)

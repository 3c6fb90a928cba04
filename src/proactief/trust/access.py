"""The one access layer for personal data in the database: each read names its purpose,
is checked against the purpose's fields, and is written to the audit trail.

:meth:`PersonalDataAccess.check` returns a :class:`Grant`; a repository function that reads
personal data takes the grant instead of a bare connection and asks it for the fields it
reads (:meth:`Grant.require`). So the query cannot run without a checked, audited purpose
that covers its columns, and the repository, not its caller, says which columns those are.
"""

import dataclasses
from collections.abc import Iterable, Sequence

from sqlalchemy import Connection

from proactief.domain import Doel
from proactief.storage.queries import R
from proactief.trust import repository as repo
from proactief.trust.audit import append_audit
from proactief.trust.purposes import PurposeViolationError, check_fields

__all__ = ["Grant", "PersonalDataAccess"]

_ISSUED = object()  # only PersonalDataAccess.check holds this, so only it makes grants


def _covers(granted: frozenset[str], field: str) -> bool:
    table, _, column = field.partition(".")
    return field in granted or (column != "*" and f"{table}.*" in granted)


@dataclasses.dataclass(frozen=True, slots=True)
class Grant:
    """Proof that a read of ``fields`` for ``doel`` was checked and audited (made only by
    :meth:`PersonalDataAccess.check`)."""

    conn: Connection
    doel: Doel
    actor: str
    fields: frozenset[str]
    subject: str | None
    _issued: object = dataclasses.field(repr=False, compare=False)

    def __post_init__(self) -> None:
        if self._issued is not _ISSUED:
            raise TypeError("a Grant comes from PersonalDataAccess.check, not from a caller")

    def require(self, fields: Iterable[str], *, subject: str | None = None) -> Connection:
        """The connection, when this grant covers every ``table.column`` asked for (and,
        when the read is about one person, was given for that person)."""
        outside = [f for f in fields if not _covers(self.fields, f)]
        if outside:
            raise PurposeViolationError(self.doel, outside)
        if subject is not None and self.subject is not None and subject != self.subject:
            raise PermissionError("this grant was given for another person")
        return self.conn


class PersonalDataAccess:
    """Reads personal data for one purpose on behalf of one actor."""

    def __init__(self, conn: Connection, *, doel: Doel, actor: str) -> None:
        self.conn = conn
        self.doel = doel
        self.actor = actor

    def check(
        self,
        fields: Sequence[str],
        *,
        subject: str | None = None,
        about: dict[str, object] | None = None,
    ) -> Grant:
        """Refuse fields outside the purpose (PurposeViolationError), log the access, and
        return the grant the repositories ask for. ``subject``: the person read about;
        ``about``: what exactly (e.g. ``{"zaak": 12}``), kept in the audit entry."""
        check_fields(self.doel, fields)
        append_audit(
            self.conn,
            actor=self.actor,
            actie="lees",
            doel=self.doel.value,
            subject=subject,
            gegevens=",".join(sorted({f.split(".")[0] for f in fields})),
            details={"velden": sorted(fields), **(about or {})},
        )
        return Grant(self.conn, self.doel, self.actor, frozenset(fields), subject, _ISSUED)

    def read(self, record: type[R], table: str, **equals: object) -> list[R]:
        """The rows of one table (optionally WHERE column == value) as ``record``s: the
        columns read are the record's fields, each checked against the purpose."""
        columns = [f.name for f in dataclasses.fields(record)]
        grant = self.check([f"{table}.{c}" for c in columns])
        return repo.select_columns(grant, record, table, **equals)

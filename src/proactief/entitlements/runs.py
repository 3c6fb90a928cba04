"""A non-take-up scan as the CLI and the web app run it: the population's columns held
against the purpose ``regelingencheck`` (data minimisation), the scan stored in place of
the year's previous one, and the stored scans counted per regulation (aggregates only)."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import pandas as pd
from sqlalchemy import Connection

from proactief.domain import Doel
from proactief.entitlements import repository as repo
from proactief.entitlements.catalog import regeling_names
from proactief.entitlements.outcomes import record_receipts
from proactief.entitlements.population import PopulationError, ScanResult
from proactief.entitlements.scan import entitlement_rows
from proactief.trust.audit import append_audit
from proactief.trust.purposes import PurposeViolationError, check_fields

__all__ = ["ScanStore", "StoredScanRow", "check_minimal", "store_scan", "stored_scans", "years"]


def check_minimal(frame: pd.DataFrame, table: str, label: str) -> None:
    """Refuse a column the entitlement check does not need (data minimisation, AVG 5.1c)."""
    try:
        check_fields(Doel.REGELINGENCHECK, [f"{table}.{c}" for c in frame.columns])
    except PurposeViolationError as exc:
        columns = ", ".join(c.split(".", 1)[1] for c in exc.fields)
        raise PopulationError(
            f"{label}: de kolom(men) {columns} zijn niet nodig voor de regelingencheck; haal "
            f"ze weg (dataminimalisatie) / column(s) {columns} are not needed for the "
            "entitlement check; remove them (data minimisation)"
        ) from exc


class ScanStore:
    """Stores a scan in place of the year's previous one, batch by batch (a national scan
    does not fit in memory at once), and audits it when done: who ran it, how many
    households it read and how many rows it kept. Use within one transaction."""

    def __init__(
        self, conn: Connection, *, jaar: int, actor: str, now: datetime | None = None
    ) -> None:
        self.conn, self.jaar, self.actor = conn, jaar, actor
        self.now = now or datetime.now(UTC)
        self.households = self.stored = self.received = 0
        repo.delete_entitlements(conn, jaar)

    def add(self, scan: ScanResult, frame: pd.DataFrame) -> None:
        """Store one batch: its rows, and the offers it finds received."""
        rows = entitlement_rows(scan, frame, jaar=self.jaar, regelingen=regeling_names())
        repo.insert_entitlements(self.conn, rows, gescand_op=self.now)
        # the offers whose household now gets the money (evaluation: money unlocked)
        self.received += record_receipts(self.conn, scan.results, self.now)
        self.households += len(frame)
        self.stored += len(rows)

    def finish(self) -> int:
        """Audit the stored scan; how many rows were stored."""
        append_audit(
            self.conn,
            actor=self.actor,
            actie="scan",
            doel=Doel.REGELINGENCHECK.value,
            gegevens="bevolking",
            details={
                "jaar": self.jaar,
                "huishoudens": self.households,
                "opgeslagen": self.stored,
                "aanbod_ontvangen": self.received,
            },
            now=self.now,
        )
        return self.stored


def store_scan(
    conn: Connection,
    scan: ScanResult,
    frame: pd.DataFrame,
    *,
    jaar: int,
    actor: str,
    now: datetime | None = None,
) -> int:
    """Replace the stored scan of ``jaar`` with this one, in the audit trail with who ran
    it and how many households it read; how many rows were stored."""
    store = ScanStore(conn, jaar=jaar, actor=actor, now=now)
    store.add(scan, frame)
    return store.finish()


@dataclass(frozen=True, slots=True)
class StoredScanRow:
    """One regulation of one stored scan: how many households miss it, and how much."""

    jaar: int
    regeling: str
    recht_niet_ontvangen: int
    bedrag_per_jaar: float
    mogelijk_recht: int
    gescand_op: datetime


def stored_scans(conn: Connection) -> list[StoredScanRow]:
    """Every stored scan, newest year first, per regulation (counts only: no household)."""
    return [
        StoredScanRow(jaar, regeling, n_missed, cents / 100, n_maybe, when)
        for jaar, regeling, n_missed, cents, n_maybe, when in repo.scan_counts(conn)
    ]


def years(rows: Sequence[StoredScanRow]) -> list[int]:
    """The years with a stored scan, newest first."""
    return sorted({r.jaar for r in rows}, reverse=True)

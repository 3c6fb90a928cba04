"""Intake: read a file of vroegsignalen, validate each record, store valid ones once and
keep rejected ones in quarantine with their reason.

Each batch is one transaction. A killed import leaves whole batches behind; running the
same file again skips what is stored (same signal ID = duplicate) and stores the rest, so
every record ends up stored exactly once.
"""

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import Connection, Engine

from proactief.domain import Doel, Vroegsignaal
from proactief.domain.json import JsonObject
from proactief.domain.records import QuarantineRecord
from proactief.early_detection import repository as repo
from proactief.early_detection.validation import FieldError, validate_record
from proactief.sources import RawRecord, Source, source_for
from proactief.trust.access import PersonalDataAccess
from proactief.trust.pseudonyms import Pseudonymizer

__all__ = ["IntakeResult", "file_sha256", "intake_file", "rejected_records"]

log = logging.getLogger(__name__)
DEFAULT_BATCH_SIZE = 5000
_NO_ADDRESS = {
    "geslacht": None,
    "geboortedatum": None,
    "postcode": None,
    "huisnummer": None,
    "huisnummertoevoeging": None,
}


@dataclass(frozen=True, slots=True)
class IntakeResult:
    """Counts of one intake run."""

    file_name: str
    records: int
    accepted: int
    duplicates: int
    rejected: int


def file_sha256(path: Path) -> str:
    """Fingerprint of a file, to recognise a re-sent file."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _identity_rows(signal: Vroegsignaal, pseudonymizer: Pseudonymizer) -> tuple[str, JsonObject]:
    client = signal.client
    if client.bsn is not None:
        pseudonym = pseudonymizer.for_bsn(client.bsn)
        return pseudonym, {"person_pseudonym": pseudonym, "bsn": client.bsn, **_NO_ADDRESS}
    assert client.adres is not None and client.geboortedatum is not None
    assert client.geslacht is not None
    pseudonym = pseudonymizer.for_address_identity(
        geslacht=client.geslacht.value,
        geboortedatum=client.geboortedatum.isoformat(),
        postcode=client.adres.postcode,
        huisnummer=client.adres.huisnummer,
    )
    return pseudonym, {
        "person_pseudonym": pseudonym,
        "bsn": None,
        "geslacht": client.geslacht.value,
        "geboortedatum": client.geboortedatum,
        "postcode": client.adres.postcode,
        "huisnummer": client.adres.huisnummer,
        "huisnummertoevoeging": client.adres.huisnummertoevoeging,
    }


class _Batch:
    __slots__ = ("identities", "rejected", "signals", "size")

    def __init__(self) -> None:
        self.signals: dict[str, JsonObject] = {}
        self.identities: dict[str, JsonObject] = {}
        self.rejected: list[JsonObject] = []
        self.size = 0


def intake_file(
    path: Path,
    *,
    engine: Engine,
    pseudonymizer: Pseudonymizer,
    today: date | None = None,
    source: Source | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    on_progress: Callable[[int, int | None], None] | None = None,
) -> IntakeResult:
    """Take in one file of vroegsignalen.

    Args:
        path: the file (``.json`` DDAS v1.2 or ``.csv`` creditor format).
        engine: the database.
        pseudonymizer: turns BSNs into pseudonyms.
        today: signals dated later are rejected (default: today's date).
        source: the reader to use (default: chosen by the file suffix).
        batch_size: records per transaction.
        on_progress: called with (records done, records in total or None) after each batch.

    Raises:
        IntakeFileError: the file as a whole cannot be read.
    """
    today = today or date.today()
    source = source or source_for(path)
    sha = file_sha256(path) if path.exists() else hashlib.sha256(str(path).encode()).hexdigest()
    total = source.count(path)
    counts = {"records": 0, "accepted": 0, "duplicates": 0, "rejected": 0}
    now = datetime.now(UTC)

    def flush(batch: _Batch, *, completed: bool) -> None:
        with engine.begin() as conn:
            ids = list(batch.signals)
            known = repo.existing_signal_ids(conn, ids) if ids else set()
            new_rows = [row for sid, row in batch.signals.items() if sid not in known]
            counts["duplicates"] += len(batch.signals) - len(new_rows)
            counts["accepted"] += len(new_rows)
            counts["rejected"] += len(batch.rejected)
            repo.insert_identities(conn, list(batch.identities.values()))
            repo.insert_signals(conn, new_rows)
            repo.insert_quarantine(conn, batch.rejected)
            repo.record_intake_file(
                conn,
                sha256=sha,
                file_name=path.name,
                file_format=source.name,
                now=now,
                counts=dict(counts),
                completed=completed,
            )
        if on_progress is not None:
            on_progress(counts["records"], total)

    batch = _Batch()
    for record in source.read(path):
        counts["records"] += 1
        batch.size += 1
        outcome = validate_record(record.data, today=today, text_values=record.text_values)
        if isinstance(outcome, list):
            batch.rejected.append(_quarantine_row(path, sha, record, outcome, now))
        elif outcome.signal_id in batch.signals:
            counts["duplicates"] += 1  # the same ID twice within one file
        else:
            pseudonym, identity = _identity_rows(outcome, pseudonymizer)
            batch.identities.setdefault(pseudonym, identity)
            batch.signals[outcome.signal_id] = {
                "signal_id": outcome.signal_id,
                "signaalpartner": outcome.signaalpartner.value,
                "person_pseudonym": pseudonym,
                "bedrag": outcome.bedrag,
                "ontstaansdatum": outcome.ontstaansdatum,
                "signaaldatum": outcome.signaaldatum,
                "crisissignaal": outcome.crisissignaal,
                "warme_overdracht": outcome.warme_overdracht,
                "source_sha256": sha,
            }
        if batch.size >= batch_size:
            flush(batch, completed=False)
            batch = _Batch()
    flush(batch, completed=True)
    log.info(
        "intake %s: %d records, %d accepted, %d duplicates, %d rejected",
        path.name,
        counts["records"],
        counts["accepted"],
        counts["duplicates"],
        counts["rejected"],
    )
    return IntakeResult(
        file_name=path.name,
        records=counts["records"],
        accepted=counts["accepted"],
        duplicates=counts["duplicates"],
        rejected=counts["rejected"],
    )


def _quarantine_row(
    path: Path, sha: str, record: RawRecord, errors: list[FieldError], now: datetime
) -> JsonObject:
    return {
        "file_name": path.name,
        "file_sha256": sha,
        "position": record.position,
        "fields": ", ".join(dict.fromkeys(e.field for e in errors)),
        "reason_nl": "; ".join(e.nl for e in errors),
        "reason_en": "; ".join(e.en for e in errors),
        "raw": record.raw_text(),
        "received_at": now,
    }


def rejected_records(
    *, conn: Connection, file_name: str | None = None, actor: str
) -> list[QuarantineRecord]:
    """The quarantine (optionally of one file), oldest first: an audited read for early
    detection, because a rejected record is kept as delivered and may hold a BSN."""
    grant = PersonalDataAccess(conn, doel=Doel.VROEGSIGNALERING, actor=actor).check(
        ["quarantine.*"]
    )
    return repo.list_quarantine(grant, file_name=file_name)

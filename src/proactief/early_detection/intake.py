"""Intake: read a file of vroegsignalen, validate each record, store valid ones once and
keep rejected ones in quarantine with their reason.

Each batch is one transaction. A killed import leaves whole batches behind; running the
same file again skips what is stored (same signal ID = duplicate) and stores the rest, so
every record ends up stored exactly once.

On PostgreSQL one thread reads and checks the records while another stores the batch
before, in file order and one at a time: the server's work (during which Python lets go of
its lock) overlaps the reading, as on two cores. SQLite works inside this process and lets
go of the lock for every row, so two threads there only wait for each other: it stores
each batch as soon as it is read.
"""

import hashlib
import logging
import queue
import re
import stat
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import DBAPIError

from proactief.domain import Doel, Vroegsignaal
from proactief.domain.json import JsonObject
from proactief.domain.records import QuarantineRecord
from proactief.early_detection import repository as repo
from proactief.early_detection.validation import FieldError, validate_record
from proactief.sources import IntakeFileError, RawRecord, Source, source_for
from proactief.trust.access import PersonalDataAccess
from proactief.trust.audit import append_audit
from proactief.trust.pseudonyms import Pseudonymizer, is_valid_bsn

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
    """Records of this run newly put in quarantine."""
    in_quarantaine: int = 0
    """Records of this file in quarantine after the run, from all its deliveries."""


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
    __slots__ = ("duplicates", "identities", "rejected", "signals", "size", "sources")

    def __init__(self) -> None:
        self.signals: dict[str, JsonObject] = {}
        self.identities: dict[str, JsonObject] = {}
        self.rejected: list[JsonObject] = []
        self.sources: dict[str, RawRecord] = {}
        """The record each signal came from, to quarantine it if the database refuses."""
        self.size = 0
        """Records read into this batch (every one: stored, duplicate or rejected)."""
        self.duplicates = 0
        """Records that repeat a signal earlier in this batch with the same content."""


def _content(row: JsonObject) -> tuple[object, ...]:
    return tuple(row[name] for name in repo.SIGNAL_CONTENT)


_REFUSED = (DBAPIError, OverflowError)
"""What a database says when it refuses a value (sqlite3 raises OverflowError for an
integer beyond 64 bits before the statement runs)."""

_CONFLICT = FieldError(
    "ID",
    "dit signaal-ID is al ontvangen met een andere inhoud (conflict): niet opgeslagen, "
    "vraag de signaalpartner welke versie klopt",
    "this signal ID was received before with different content (conflict): not stored",
)


def intake_file(
    path: Path,
    *,
    engine: Engine,
    pseudonymizer: Pseudonymizer,
    today: date | None = None,
    source: Source | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    on_progress: Callable[[int, int | None], None] | None = None,
    actor: str = "systeem:inname",
) -> IntakeResult:
    """Take in one file of vroegsignalen: every record ends stored, duplicate (the same
    signal ID with the same content) or quarantined with position, field and reason; a
    same ID with other content is quarantined as a conflict. The run is audited with its
    counts.

    Args:
        path: the file (``.json`` DDAS v1.2 or ``.csv`` creditor format).
        engine: the database.
        pseudonymizer: turns BSNs into pseudonyms.
        today: signals dated later are rejected (default: today's date).
        source: the reader to use (default: chosen by the file suffix).
        batch_size: records per transaction.
        on_progress: called with (records done, records in total or None) after each batch.
        actor: who runs the intake, for the audit trail.

    Raises:
        IntakeFileError: the file as a whole cannot be read (not a regular file, not
            readable, broken structure); nothing of it is stored then, except when the
            error lies past the first batch of a file whose format cannot be checked ahead
            (the message then says how many records were stored).
    """
    _require_regular_file(path)
    today = today or date.today()
    source = source or source_for(path)
    sha = file_sha256(path)
    total = source.count(path)
    counts = {"records": 0, "accepted": 0, "duplicates": 0, "rejected": 0}
    now = datetime.now(UTC)

    def quarantine_row(record: RawRecord, errors: list[FieldError]) -> JsonObject:
        return _quarantine_row(path, sha, record, errors, now, pseudonymizer)

    def store(conn: Connection, batch: _Batch) -> dict[str, int]:
        """Store a batch in ``conn``; what it adds to the counts once committed."""
        seen = {"records": batch.size, "accepted": 0, "duplicates": batch.duplicates, "rejected": 0}
        repo.lock_signal_intake(conn)
        ids = list(batch.signals)
        stored = repo.stored_signal_contents(conn, ids) if ids else {}
        new_rows: list[JsonObject] = []
        rejected = list(batch.rejected)
        for sid, row in batch.signals.items():
            if sid not in stored:
                new_rows.append(row)
            elif stored[sid] == _content(row):
                seen["duplicates"] += 1
            else:
                rejected.append(quarantine_row(batch.sources[sid], [_CONFLICT]))
        seen["accepted"] += len(new_rows)
        persons = {row["person_pseudonym"] for row in new_rows}
        repo.insert_identities(conn, [i for p, i in batch.identities.items() if p in persons])
        repo.insert_signals(conn, new_rows)
        # a rejected record of a file delivered again is in quarantine already: it counts
        # as a duplicate, so the counts agree with the quarantine
        added = repo.insert_quarantine(conn, rejected)
        seen["rejected"] += added
        seen["duplicates"] += len(rejected) - added
        return seen

    def flush(batch: _Batch, *, completed: bool) -> None:
        try:
            with engine.begin() as conn:
                seen = store(conn, batch)
                _record(conn, seen, completed)
        except _REFUSED:
            # A record the validation let through but the database refused: take the
            # batch in record by record, so only that record is quarantined (with the
            # database's kind of error) and the rest of the file is not held up.
            log.warning("intake %s: the database refused a batch; record by record", sha[:12])
            with engine.begin() as conn:
                kept = repo.insert_quarantine(conn, batch.rejected)
            seen = {
                "records": batch.size,
                "accepted": 0,
                "duplicates": batch.duplicates + len(batch.rejected) - kept,
                "rejected": kept,
            }
            for sid, row in batch.signals.items():
                single = _Batch()
                single.signals[sid] = row
                single.sources[sid] = batch.sources[sid]
                pseudonym = row["person_pseudonym"]
                single.identities[pseudonym] = batch.identities[pseudonym]
                try:
                    with engine.begin() as conn:
                        added = store(conn, single)
                    for key, value in added.items():
                        if key != "records":  # counted with the batch
                            seen[key] += value
                except _REFUSED as exc:
                    kind = type(getattr(exc, "orig", None) or exc).__name__
                    refused = FieldError(
                        "(record)",
                        f"de database weigerde dit record ({kind})",
                        f"the database refused this record ({kind})",
                    )
                    with engine.begin() as conn:
                        new = repo.insert_quarantine(
                            conn, [quarantine_row(single.sources[sid], [refused])]
                        )
                    seen["rejected"] += new
                    seen["duplicates"] += 1 - new
            with engine.begin() as conn:
                _record(conn, seen, completed)
        for key, value in seen.items():
            counts[key] += value
        if on_progress is not None:
            on_progress(counts["records"], total)

    def _record(conn: Connection, seen: dict[str, int], completed: bool) -> None:
        after = {k: counts[k] + seen.get(k, 0) for k in counts}
        repo.record_intake_file(
            conn,
            sha256=sha,
            file_name=path.name[:500],
            file_format=source.name,
            now=now,
            counts=after,
            completed=completed,
        )
        if completed:
            append_audit(
                conn,
                actor=actor,
                actie="inname",
                doel=Doel.VROEGSIGNALERING.value,
                gegevens="vroegsignalen",
                details={"bestand_sha256": sha, **after},
            )

    # the writer: stores the batches in the order they come, one at a time
    pending: queue.Queue[tuple[_Batch, bool] | None] = queue.Queue(maxsize=1)
    failed: list[BaseException] = []

    def write() -> None:
        while (item := pending.get()) is not None:
            if failed:
                continue  # after a failure nothing more is stored
            try:
                flush(item[0], completed=item[1])
            except BaseException as exc:
                failed.append(exc)

    def read() -> None:
        """Read and check every record, handing each full batch to the writer."""
        batch = _Batch()
        for record in source.read(path):
            batch.size += 1
            outcome = validate_record(record.data, today=today, text_values=record.text_values)
            if isinstance(outcome, list):
                batch.rejected.append(quarantine_row(record, outcome))
                continue
            pseudonym, identity = _identity_rows(outcome, pseudonymizer)
            row: JsonObject = {
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
            earlier = batch.signals.get(outcome.signal_id)
            if earlier is None:
                batch.identities.setdefault(pseudonym, identity)
                batch.signals[outcome.signal_id] = row
                batch.sources[outcome.signal_id] = record
            elif _content(earlier) == _content(row):
                batch.duplicates += 1  # the same signal twice within one file
            else:
                batch.rejected.append(quarantine_row(record, [_CONFLICT]))
            if batch.size >= batch_size:
                hand_over((batch, False))
                batch = _Batch()
                if failed:  # the writer stopped: read no further
                    return
        hand_over((batch, True))

    def store_now(item: tuple[_Batch, bool]) -> None:
        flush(item[0], completed=item[1])

    hand_over: Callable[[tuple[_Batch, bool]], None] = store_now
    if engine.dialect.name != "postgresql":
        read()
    else:
        hand_over = pending.put
        writer = threading.Thread(target=write, name=f"inname-{sha[:8]}", daemon=True)
        writer.start()
        try:
            read()
        finally:
            pending.put(None)
            writer.join()
        if failed:
            raise failed[0]
    log.info(
        "intake %s: %d records, %d accepted, %d duplicates, %d rejected",
        sha[:12],
        counts["records"],
        counts["accepted"],
        counts["duplicates"],
        counts["rejected"],
    )
    with engine.connect() as conn:
        held = repo.quarantined_of_file(conn, sha)
    return IntakeResult(
        file_name=path.name,
        records=counts["records"],
        accepted=counts["accepted"],
        duplicates=counts["duplicates"],
        rejected=counts["rejected"],
        in_quarantaine=held,
    )


def _require_regular_file(path: Path) -> None:
    """A device, FIFO or folder would hang the intake or read forever: refused at once."""
    try:
        mode = path.stat().st_mode
    except OSError as exc:
        raise IntakeFileError(path, f"cannot open the file ({exc.strerror})") from exc
    if not stat.S_ISREG(mode):
        raise IntakeFileError(
            path, "this is not a regular file (a folder, device or FIFO): give a data file"
        )


# a BSN in a rejected record's raw text is kept only as its pseudonym
_BSN_LIKE = re.compile(r"(?<![0-9])[0-9]{9}(?![0-9])")


def _storable(text: str) -> str:
    """Text any database takes: NUL and lone surrogates written out visibly."""
    return text.replace("\x00", "\\x00").encode("utf-8", "backslashreplace").decode("utf-8")


def _quarantine_row(
    path: Path,
    sha: str,
    record: RawRecord,
    errors: list[FieldError],
    now: datetime,
    pseudonymizer: Pseudonymizer,
) -> JsonObject:
    raw = _BSN_LIKE.sub(
        lambda m: (
            f"[BSN {pseudonymizer.for_bsn(m.group(0))}]" if is_valid_bsn(m.group(0)) else m.group(0)
        ),
        _storable(record.raw_text()),
    )
    return {
        "file_name": _storable(path.name)[:500],
        "file_sha256": sha,
        "position": _storable(record.position)[:100],
        "fields": _storable(", ".join(dict.fromkeys(e.field for e in errors)))[:500],
        "reason_nl": _storable("; ".join(e.nl for e in errors)),
        "reason_en": _storable("; ".join(e.en for e in errors)),
        "raw": raw,
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

"""Intake: read a file of vroegsignalen, validate each record, store valid ones once and
keep rejected ones in quarantine with their reason.

Each batch is one transaction. A killed import leaves whole batches behind; running the
same file again skips what is stored (same signal ID = duplicate) and stores the rest, so
every record ends up stored exactly once.

Reading (parsing, validation, elfproef, pseudonyms) and storing overlap, the batches
stored in file order and one at a time:

- SQLite works inside this process and lets go of Python's lock for every row, so a
  second thread would only wait for it. A large file is read in a second process
  (a new interpreter, fed through a pipe) instead, while this one stores the batch
  before: the two run side by side on two cores. The reading process holds at most the
  batch it is building and the one on its way (the pipe holds little, and it waits on it
  while this process is busy), so memory stays flat in the size of the file. Only this
  process writes: the exactly-once rules are unchanged.
- On PostgreSQL the server does the storing work: a thread hands it each batch while
  this one reads the next. (A reading process there measured slower: three busy
  processes on two cores.)
"""

import contextlib
import hashlib
import logging
import os
import pickle
import queue
import re
import stat
import subprocess
import sys
import threading
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

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

__all__ = [
    "IntakeReaderError",
    "IntakeResult",
    "file_sha256",
    "intake_file",
    "rejected_records",
]

log = logging.getLogger(__name__)
DEFAULT_BATCH_SIZE = 5000
READER_PROCESS_FROM = 20_000
"""Records from which a file is read in a second process (below it, starting that process,
about a second, costs more than it saves)."""
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


_Packed = tuple[str, JsonObject, str | None, bool]
"""A RawRecord as plain values (position, data, raw, text_values): pickled several times
faster than the dataclass, for the batches a reading process hands over."""


class _Batch:
    __slots__ = ("duplicates", "identities", "rejected", "signals", "size", "sources")

    def __init__(self) -> None:
        self.signals: dict[str, JsonObject] = {}
        self.identities: dict[str, JsonObject] = {}
        self.rejected: list[JsonObject] = []
        self.sources: dict[str, RawRecord | _Packed] = {}
        """The record each signal came from, to quarantine it if the database refuses."""
        self.size = 0
        """Records read into this batch (every one: stored, duplicate or rejected)."""
        self.duplicates = 0
        """Records that repeat a signal earlier in this batch with the same content."""

    def source(self, signal_id: str) -> RawRecord:
        kept = self.sources[signal_id]
        return kept if isinstance(kept, RawRecord) else RawRecord(*kept)

    def __getstate__(self) -> tuple[object, ...]:
        packed = {
            sid: (r.position, r.data, r.raw, r.text_values) if isinstance(r, RawRecord) else r
            for sid, r in self.sources.items()
        }
        return self.signals, self.identities, self.rejected, packed, self.size, self.duplicates

    def __setstate__(self, state: tuple[Any, ...]) -> None:
        (
            self.signals,
            self.identities,
            self.rejected,
            self.sources,
            self.size,
            self.duplicates,
        ) = state


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
    reader_process: bool | None = None,
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
        reader_process: read and check the records in a second process while this one
            stores (default: on SQLite, for files of ``READER_PROCESS_FROM`` records or
            more, or of unknown length, when the source can be handed to another
            process).

    Raises:
        IntakeFileError: the file as a whole cannot be read (not a regular file, not
            readable, broken structure); nothing of it is stored then, except when the
            error lies past the first batch of a file whose format cannot be checked ahead
            (the message then says how many records were stored).
        IntakeReaderError: the reading process stopped (killed, out of memory, or an
            unexpected error); the batches before are stored, and running the file again
            takes in the rest.
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
                rejected.append(quarantine_row(batch.source(sid), [_CONFLICT]))
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
                            conn, [quarantine_row(single.source(sid), [refused])]
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

    postgres = engine.dialect.name == "postgresql"
    if reader_process is None:
        reader_process = (
            not postgres and (total is None or total >= READER_PROCESS_FROM) and _picklable(source)
        )
    job = _ReadJob(path, source, today, sha, now, pseudonymizer, batch_size)
    batches = _read_in_process(job) if reader_process else _read_batches(job)
    # closed on the way out, also when a store fails: a reading process stops then, not
    # only once the caller lets go of the error (whose traceback keeps this frame alive)
    with contextlib.closing(batches):
        if postgres and not reader_process:
            _store_behind(batches, flush, name=f"inname-{sha[:8]}")
        else:
            for batch, completed in batches:
                flush(batch, completed=completed)
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


@dataclass(frozen=True, slots=True)
class _ReadJob:
    """What reading a file needs: handed to the reading process as one value."""

    path: Path
    source: Source
    today: date
    sha: str
    now: datetime
    pseudonymizer: Pseudonymizer
    batch_size: int


def _read_batches(job: _ReadJob) -> Generator[tuple[_Batch, bool]]:
    """Read and check every record of the file, in batches of ``batch_size`` records; the
    last batch (perhaps empty) comes with True."""
    path, sha, now, pseudonymizer = job.path, job.sha, job.now, job.pseudonymizer
    batch = _Batch()
    for record in job.source.read(path):
        batch.size += 1
        outcome = validate_record(record.data, today=job.today, text_values=record.text_values)
        if isinstance(outcome, list):
            batch.rejected.append(_quarantine_row(path, sha, record, outcome, now, pseudonymizer))
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
            batch.rejected.append(
                _quarantine_row(path, sha, record, [_CONFLICT], now, pseudonymizer)
            )
        if batch.size >= job.batch_size:
            yield batch, False
            batch = _Batch()
    yield batch, True


def _store_behind(
    batches: Iterator[tuple[_Batch, bool]],
    flush: Callable[..., None],
    *,
    name: str,
) -> None:
    """Store each batch in a thread while the next is read in this one (PostgreSQL): the
    server's work, during which Python lets go of its lock, overlaps the reading. In file
    order, one at a time; after a failed store nothing more is stored or read, and the
    error reaches the caller."""
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

    writer = threading.Thread(target=write, name=name, daemon=True)
    writer.start()
    try:
        for item in batches:
            pending.put(item)
            if failed:  # the writer stopped: read no further
                break
    finally:
        pending.put(None)
        writer.join()
    if failed:
        raise failed[0]


class IntakeReaderError(RuntimeError):
    """The process that reads a file stopped: without a word (killed, out of memory), or
    with an unexpected error, whose kind and message this one carries."""


def _picklable(source: Source) -> bool:
    """Whether the source can be handed to a reading process (a plug-in may hold what
    cannot, such as an open file or a lambda: it is then read in this process)."""
    try:
        pickle.dumps(source)
    except Exception:  # pickling raises whatever the object's parts raise
        return False
    return True


_READER = "from proactief.early_detection.intake import _reader_main; _reader_main()"
"""What the reading process runs: a new interpreter that imports only what reading needs
(not a copy of this process, and not this process's main module again)."""


def _read_in_process(job: _ReadJob) -> Generator[tuple[_Batch, bool]]:
    """:func:`_read_batches` run in a second process, its batches handed over in order.

    A new interpreter, not a copy of this one (fork): a copy made while other threads hold
    locks (a web server, a progress bar) can hang. It gets what it needs through its
    standard input and sends each batch, pickled, through its standard output; the pipe
    holds little, so it waits while this process stores. When this side stops early (a
    database error) or dies, the pipe closes and the reader stops at its next batch."""
    reader = subprocess.Popen(
        [sys.executable, "-c", _READER], stdin=subprocess.PIPE, stdout=subprocess.PIPE
    )
    assert reader.stdin is not None and reader.stdout is not None
    try:
        try:
            with reader.stdin:
                # the import path first (a source may live in a module found only through it)
                pickle.dump(sys.path, reader.stdin)
                pickle.dump(job, reader.stdin, protocol=pickle.HIGHEST_PROTOCOL)
        except BrokenPipeError:
            pass  # it stopped before it read its work: said below, with its exit code
        while True:
            try:
                message = pickle.load(reader.stdout)
            except EOFError:
                raise IntakeReaderError(
                    f"{job.path.name}: the reading process stopped unexpectedly "
                    f"(exit code {reader.wait()}); what was stored before stays, and "
                    "taking in the file again takes in the rest"
                ) from None
            if message[0] == "batch":
                yield message[1], message[2]
                if message[2]:
                    return
            elif message[0] == "file":
                raise IntakeFileError(Path(message[1]), message[2])
            else:
                failure = message[1]
                raise IntakeReaderError(f"{job.path.name}: the reading process failed: {failure}")
    finally:
        reader.stdout.close()
        try:
            reader.wait(timeout=10)
        except subprocess.TimeoutExpired:
            reader.kill()
            reader.wait()


def _reader_main() -> None:
    """The reading process: each batch into standard output, then an error if the file
    breaks. Anything else printed goes to standard error, not into the pipe."""
    sys.path[:] = pickle.load(sys.stdin.buffer)
    job: _ReadJob = pickle.load(sys.stdin.buffer)
    out = open(os.dup(sys.stdout.fileno()), "wb")  # noqa: SIM115 (closed by os._exit or below)
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())

    def send(message: tuple[object, ...]) -> None:
        pickle.dump(message, out, protocol=pickle.HIGHEST_PROTOCOL)
        out.flush()

    try:
        for batch, completed in _read_batches(job):
            send(("batch", batch, completed))
        out.close()
    except (BrokenPipeError, ConnectionResetError):
        # the storing side stopped or died: nothing more to read for, and nothing left
        # to flush into a pipe that nobody reads
        os._exit(0)
    except IntakeFileError as exc:  # the file's own problem: its path and what is wrong
        _send_last(send, ("file", str(exc.path), exc.problem))
    except Exception as exc:  # any other failure goes to the storing side, which raises it
        _send_last(send, ("failed", f"{type(exc).__name__}: {exc}"))


def _send_last(send: Callable[[tuple[object, ...]], None], message: tuple[object, ...]) -> None:
    try:
        send(message)
    except (BrokenPipeError, ConnectionResetError):
        os._exit(0)  # the storing side stopped already


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

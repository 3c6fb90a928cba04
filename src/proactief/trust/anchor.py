"""Anchors of the audit chain outside the database, so removal shows too.

The hash chain (``trust.audit``) shows a changed or removed entry *inside* the log, but not
a log cut off at the end, emptied, or rewritten as a whole with fresh hashes: whoever can
write the database can do that consistently. An anchor is a line in a file outside the
database (``PROACTIEF_AUDIT_ANCHOR``, by default ``<data dir>/audit-anker.jsonl``) with the
chain's length and head hash at a moment, sealed with an HMAC whose key the database does
not hold (its own key file, ``audit-anker.key`` beside the anchors by default: it stays the
same when the pseudonymisation key is rotated). Every command run
that used the database adds one when the chain grew, ``proactief audit anchor`` adds one on
demand (daily from cron), and the web app adds one every hour and when it stops.

``verify_anchors`` then checks that the entry each anchor names is still there with the
same hash, that the anchors themselves are unchanged and in order, and that every opt-out
the log records is still in the preference events it describes.
"""

import hashlib
import hmac
import json
import os
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Connection

from proactief.trust import repository as repo
from proactief.trust.audit import AuditProblem, verify_audit

__all__ = [
    "Anchor",
    "AnchorFileError",
    "AuditCheck",
    "anchor_key",
    "check_audit",
    "read_anchors",
    "verify_anchors",
    "write_anchor",
]

_LABEL = b"proactief audit-anker v1"
_OPT_OUT_KINDS = ("niet_benaderen", "weer_benaderen")


class AnchorFileError(ValueError):
    """The anchor file cannot be read at all."""


@dataclass(frozen=True, slots=True)
class Anchor:
    """The chain at one moment: ``aantal`` entries, the last one ``laatste`` with ``hash``."""

    tijdstip: str
    aantal: int
    laatste: int
    hash: str


def anchor_key(secret: bytes) -> bytes:
    """The key that seals anchors, derived from a secret kept outside the database (the
    anchor key file)."""
    return hmac.new(secret, _LABEL, hashlib.sha256).digest()


def _seal(key: bytes, anchor: Anchor) -> str:
    body = json.dumps(asdict(anchor), sort_keys=True).encode()
    return hmac.new(key, body, hashlib.sha256).hexdigest()


def read_anchors(path: Path, key: bytes) -> tuple[list[Anchor], list[AuditProblem]]:
    """The anchors in the file, and what is wrong with any line (entry 0 = the file).

    Raises:
        AnchorFileError: the file cannot be read.
    """
    anchors: list[Anchor] = []
    problems: list[AuditProblem] = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return [], []
    except (OSError, UnicodeDecodeError) as exc:
        raise AnchorFileError(f"{path}: cannot read the anchor file ({exc})") from exc
    for number, line in enumerate(lines, start=1):
        try:
            data = json.loads(line)
            anchor = Anchor(
                str(data["tijdstip"]), int(data["aantal"]), int(data["laatste"]), str(data["hash"])
            )
            seal = str(data["zegel"])
        except (ValueError, KeyError, TypeError):
            problems.append(
                AuditProblem(0, f"ankerregel {number} is onleesbaar / anchor line is unreadable")
            )
            continue
        if not hmac.compare_digest(seal, _seal(key, anchor)):
            problems.append(
                AuditProblem(
                    0,
                    f"ankerregel {number} is niet door Proactief geschreven of is gewijzigd / "
                    "anchor line has no valid seal",
                )
            )
            continue
        if anchors and (anchor.laatste < anchors[-1].laatste or anchor.aantal < anchors[-1].aantal):
            problems.append(
                AuditProblem(
                    0,
                    f"ankerregel {number} is kleiner dan die ervoor / anchor line goes back",
                )
            )
        anchors.append(anchor)
    return anchors, problems


def _last_line_names(path: Path, anchor: Anchor) -> bool:
    """Whether the newest anchor line names this same head (then the chain did not grow).
    Only the last line is read: its seal is checked by ``verify``, not on every run."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
        last = json.loads(lines[-1]) if lines else {}
    except (OSError, ValueError):
        return False
    return (last.get("laatste"), last.get("hash")) == (anchor.laatste, anchor.hash)


def write_anchor(
    conn: Connection, path: Path, key: bytes, *, now: datetime | None = None, always: bool = False
) -> Anchor | None:
    """Append an anchor of the chain as it is now, if it grew since the last anchor (or
    ``always``: the daily anchor). The line is flushed and synced before returning."""
    head = repo.last_audit_row(conn)
    count = repo.count_audit_rows(conn)
    anchor = Anchor(
        tijdstip=(now or datetime.now(UTC)).isoformat(timespec="seconds"),
        aantal=count,
        laatste=head.id if head else 0,
        hash=head.hash if head else "",
    )
    if not always and _last_line_names(path, anchor):
        return None
    line = json.dumps({**asdict(anchor), "zegel": _seal(key, anchor)}, sort_keys=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    with os.fdopen(fd, "a", encoding="utf-8") as handle:
        handle.write(line + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    return anchor


def verify_anchors(conn: Connection, anchors: Sequence[Anchor]) -> list[AuditProblem]:
    """What the anchors show was removed or rewritten, and opt-outs the log records that
    the preference events no longer hold."""
    problems: list[AuditProblem] = []
    for anchor in anchors:
        if anchor.laatste == 0:
            continue
        row = repo.audit_row(conn, anchor.laatste)
        if row is None:
            problems.append(
                AuditProblem(
                    anchor.laatste,
                    f"ontbreekt, maar op {anchor.tijdstip} had het log {anchor.aantal} regels "
                    "tot en met deze (het einde is afgeknipt of het log is geleegd) / entry "
                    "missing: the log was cut off or emptied",
                )
            )
        elif row.hash != anchor.hash:
            problems.append(
                AuditProblem(
                    anchor.laatste,
                    f"heeft een andere hash dan op {anchor.tijdstip} (de geschiedenis is "
                    "herschreven) / hash differs from the anchor: history rewritten",
                )
            )
        elif (now := repo.count_audit_rows(conn, up_to=anchor.laatste)) != anchor.aantal:
            problems.append(
                AuditProblem(
                    anchor.laatste,
                    f"op {anchor.tijdstip} waren er {anchor.aantal} regels tot hier, nu "
                    f"{now} / count differs",
                )
            )
    problems.extend(_missing_opt_outs(conn))
    return problems


def _second(moment: datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).replace(microsecond=0).isoformat()


def _missing_opt_outs(conn: Connection) -> Iterable[AuditProblem]:
    """Every opt-out (and opting in again) the log records must still be an event. Before
    the last key rotation the log names the old pseudonyms: those are checked as the
    count the rotation recorded."""
    events = repo.opt_out_events(conn)
    rotations = repo.audit_rows_about(conn, ["pseudoniemen"])
    since = rotations[-1] if rotations else None
    if since is not None:
        recorded = json.loads(since.details).get("afmeldingen", {})
        cutoff = _second(since.tijdstip)
        for soort in _OPT_OUT_KINDS:
            before = sum(1 for _p, s, when in events if s == soort and _second(when) <= cutoff)
            if before < int(recorded.get(soort, 0)):
                yield AuditProblem(
                    since.id,
                    f"bij de sleutelwissel waren er {recorded[soort]} keuzes '{soort}', nu "
                    f"nog {before}: er zijn keuzes verwijderd / preference events missing",
                )
    present = {(person, soort, _second(when)) for person, soort, when in events}
    for entry in repo.audit_rows_about(conn, [f"voorkeuren.{k}" for k in _OPT_OUT_KINDS]):
        if since is not None and entry.id < since.id:
            continue
        soort = entry.gegevens.removeprefix("voorkeuren.")
        if (entry.subject, soort, _second(entry.tijdstip)) not in present:
            yield AuditProblem(
                entry.id,
                f"het log zegt dat {entry.subject} op {_second(entry.tijdstip)} koos voor "
                f"'{soort}', maar die keuze staat niet (meer) bij de voorkeuren / the "
                "preference event it records is missing",
            )


@dataclass(frozen=True, slots=True)
class AuditCheck:
    """The whole check of the audit log: entries, anchors, and what is wrong."""

    entries: int
    anchors: int
    problems: list[AuditProblem]


def check_audit(conn: Connection, anchor_file: Path, key: bytes) -> AuditCheck:
    """The chain, the anchors outside the database and the opt-outs, together; a log
    with entries but no anchor is a problem too (its tail cannot be checked).

    Raises:
        AnchorFileError: the anchor file exists but cannot be read.
    """
    anchors, problems = read_anchors(anchor_file, key)
    count, chain = verify_audit(conn)
    problems = [*chain, *problems, *verify_anchors(conn, anchors)]
    if count and not anchors and not problems:
        problems.append(
            AuditProblem(
                0,
                f"er is geen anker ({anchor_file}): of het einde van het log is afgeknipt, is "
                "niet te zien. Zet het ankerbestand terug, of begin met ankeren: proactief "
                "audit anchor / no anchor: a cut-off tail cannot be seen",
            )
        )
    return AuditCheck(count, len(anchors), problems)

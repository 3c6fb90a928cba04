"""Feedback to creditors (terugkoppeling): what a signal partner hears back about its own
signals, as the Landelijk convenant vroegsignalering (2020) asks - the municipality reports
back, and creditors suspend collection for 30 days once help is accepted.

Only THAT something happened goes back, never why: a signal was picked up
(``opgepakt``), was not picked up (``niet_opgepakt``: any DDAS end result 'Niet opgepakt:
...', without which one), or the resident accepted help (``hulp_aangenomen``, with the
day the collection pause ends). Which of the three are sent is the
``terugkoppeling`` section of config/work_queue.yaml; it has no key for anything else.

Each status of each signal is sent once: what was sent, when, by whom and how is kept in
``terugkoppelingen`` (deleted with the signal by retention), and the case log says so. An
export whose download got lost is taken again from that record (``export_again``),
unchanged, so no line is lost and none is recorded twice.

The export format (CSV, UTF-8, comma-separated, one header line) is documented in
docs/feedback.md; the API returns the same fields as JSON.
"""

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum

from sqlalchemy import Connection, func, select

from proactief.domain import Doel
from proactief.early_detection.caselog import LogSoort, log_event
from proactief.early_detection.work_queue import WorkQueueConfig
from proactief.storage.queries import insert_new
from proactief.storage.tables import cases, feedback, signals
from proactief.trust.access import PersonalDataAccess

__all__ = [
    "CSV_FIELDS",
    "FeedbackLine",
    "FeedbackStatus",
    "SentExport",
    "as_csv",
    "export_again",
    "pending_feedback",
    "pending_per_partner",
    "send_feedback",
    "sent_exports",
]

NOT_PICKED_UP = "Niet opgepakt"
"""The prefix of the DDAS end results of a signal that was not picked up."""

CSV_FIELDS = ("signaal_id", "signaalpartner", "status", "datum", "incasso_pauze_tot")
FEEDBACK_FIELDS = (
    "signals.signal_id",
    "signals.signaalpartner",
    "signals.case_id",
    "cases.datum_opgepakt",
    "cases.datum_hulp_geaccepteerd",
    "cases.eindresultaat",
    "cases.einddatum",
    "terugkoppelingen.*",
)


class FeedbackStatus(StrEnum):
    """What a creditor may hear about one of its signals."""

    OPGEPAKT = "opgepakt"
    NIET_OPGEPAKT = "niet_opgepakt"
    HULP_AANGENOMEN = "hulp_aangenomen"


@dataclass(frozen=True, slots=True)
class FeedbackLine:
    """One line back to a creditor: its own signal ID, what happened and when."""

    signal_row_id: int
    case_id: int
    signaal_id: str
    signaalpartner: str
    status: FeedbackStatus
    datum: date
    incasso_pauze_tot: date | None = None

    def as_row(self) -> dict[str, str]:
        """The line as the export writes it."""
        return {
            "signaal_id": self.signaal_id,
            "signaalpartner": self.signaalpartner,
            "status": self.status.value,
            "datum": self.datum.isoformat(),
            "incasso_pauze_tot": self.incasso_pauze_tot.isoformat()
            if self.incasso_pauze_tot
            else "",
        }


def pending_feedback(
    conn: Connection, *, config: WorkQueueConfig, actor: str, partner: str | None = None
) -> list[FeedbackLine]:
    """What has not gone back yet (to ``partner``, or to every partner): an audited read."""
    grant = PersonalDataAccess(conn, doel=Doel.VROEGSIGNALERING, actor=actor).check(
        FEEDBACK_FIELDS, about={"terugkoppeling": partner or "alle"}
    )
    read = grant.require(FEEDBACK_FIELDS)
    done = select(feedback.c.signal_row_id, feedback.c.status)
    if partner:
        done = done.where(feedback.c.signaalpartner == partner)
    sent = {(r.signal_row_id, r.status) for r in read.execute(done)}
    query = (
        select(
            signals.c.id,
            signals.c.signal_id,
            signals.c.signaalpartner,
            signals.c.case_id,
            cases.c.datum_opgepakt,
            cases.c.datum_hulp_geaccepteerd,
            cases.c.eindresultaat,
            cases.c.einddatum,
        )
        .join(cases, cases.c.id == signals.c.case_id)
        .order_by(signals.c.id)
    )
    if partner:
        query = query.where(signals.c.signaalpartner == partner)
    pause = config.collection_pause_days
    lines: list[FeedbackLine] = []
    for row in read.execute(query):
        found: list[tuple[FeedbackStatus, date, date | None]] = []
        if row.eindresultaat and row.eindresultaat.startswith(NOT_PICKED_UP) and row.einddatum:
            found.append((FeedbackStatus.NIET_OPGEPAKT, row.einddatum, None))
        if row.datum_opgepakt:
            found.append((FeedbackStatus.OPGEPAKT, row.datum_opgepakt, None))
        if row.datum_hulp_geaccepteerd:
            # the pause runs N days from the day help was accepted; 'tot' is the first
            # day collection may resume (docs/feedback.md)
            until = row.datum_hulp_geaccepteerd + timedelta(days=pause) if pause else None
            found.append((FeedbackStatus.HULP_AANGENOMEN, row.datum_hulp_geaccepteerd, until))
        for status, day, until in found:
            if status.value in config.feedback and (row.id, status.value) not in sent:
                lines.append(
                    FeedbackLine(
                        row.id,
                        row.case_id,
                        row.signal_id,
                        row.signaalpartner,
                        status,
                        day,
                        until,
                    )
                )
    return lines


def pending_per_partner(
    conn: Connection, *, config: WorkQueueConfig, actor: str
) -> dict[str, dict[str, int]]:
    """How many lines wait per partner and status (for the team's page)."""
    counts: dict[str, dict[str, int]] = {}
    for line in pending_feedback(conn, config=config, actor=actor):
        per = counts.setdefault(line.signaalpartner, {s.value: 0 for s in FeedbackStatus})
        per[line.status.value] += 1
    return counts


def send_feedback(
    conn: Connection,
    *,
    config: WorkQueueConfig,
    partner: str,
    door: str,
    via: str,
    now: datetime | None = None,
) -> list[FeedbackLine]:
    """Take what waits for ``partner``, record it as sent (once per signal and status, in
    the caller's transaction) and return it for the export. A second call returns only
    what changed since."""
    moment = now or datetime.now(UTC)
    waiting = pending_feedback(conn, config=config, actor=door, partner=partner)
    # only the lines this call recorded: another export of the same partner at the same
    # moment keeps the ones it recorded first, so no line goes out twice
    recorded = insert_new(
        conn,
        feedback,
        [
            {
                "signal_row_id": line.signal_row_id,
                "signaalpartner": line.signaalpartner,
                "status": line.status.value,
                "datum": line.datum,
                "incasso_pauze_tot": line.incasso_pauze_tot,
                "verstuurd": moment,
                "door": door,
                "via": via,
            }
            for line in waiting
        ],
    )
    mine = {(r["signal_row_id"], r["status"]) for r in recorded}
    lines = [x for x in waiting if (x.signal_row_id, x.status.value) in mine]
    for case_id in sorted({line.case_id for line in lines}):
        said = sorted(
            {line.status.value.replace("_", " ") for line in lines if line.case_id == case_id}
        )
        log_event(
            conn,
            case_id=case_id,
            door=door,
            soort=LogSoort.TERUGKOPPELING,
            tekst=f"Aan {partner} gemeld: {', '.join(said)} (via {via})",
            now=moment,
        )
    return lines


@dataclass(frozen=True, slots=True)
class SentExport:
    """One export as it was taken: to whom, when, by whom, how, and how many lines."""

    export_id: int
    """The first line's id: the key to take the same file again."""
    signaalpartner: str
    verstuurd: datetime
    door: str
    via: str
    regels: int


def sent_exports(conn: Connection, *, limit: int = 20) -> list[SentExport]:
    """The latest exports, newest first (no resident data: partner, moment, counts)."""
    query = (
        select(
            func.min(feedback.c.id),
            feedback.c.signaalpartner,
            feedback.c.verstuurd,
            feedback.c.door,
            feedback.c.via,
            func.count(),
        )
        .group_by(feedback.c.signaalpartner, feedback.c.verstuurd, feedback.c.door, feedback.c.via)
        .order_by(func.min(feedback.c.id).desc())
        .limit(limit)
    )
    return [
        SentExport(int(i), str(p), v if v.tzinfo else v.replace(tzinfo=UTC), str(d), str(w), int(n))
        for i, p, v, d, w, n in conn.execute(query)
    ]


def export_again(
    conn: Connection, *, export_id: int, actor: str
) -> tuple[SentExport, list[FeedbackLine]] | None:
    """The lines of an earlier export, exactly as they were taken (a download that got
    lost is taken again; nothing is recorded anew): an audited read. None: no such
    export."""
    grant = PersonalDataAccess(conn, doel=Doel.VROEGSIGNALERING, actor=actor).check(
        FEEDBACK_FIELDS, about={"terugkoppeling_opnieuw": export_id}
    )
    read = grant.require(FEEDBACK_FIELDS)
    first = read.execute(select(feedback).where(feedback.c.id == export_id)).first()
    if first is None:
        return None
    rows = list(
        read.execute(
            select(feedback, signals.c.signal_id, signals.c.case_id)
            .join(signals, signals.c.id == feedback.c.signal_row_id)
            .where(
                feedback.c.signaalpartner == first.signaalpartner,
                feedback.c.verstuurd == first.verstuurd,
                feedback.c.door == first.door,
                feedback.c.via == first.via,
            )
            .order_by(feedback.c.id)
        )
    )
    lines = [
        FeedbackLine(
            r.signal_row_id,
            r.case_id,
            r.signal_id,
            r.signaalpartner,
            FeedbackStatus(r.status),
            r.datum,
            r.incasso_pauze_tot,
        )
        for r in rows
    ]
    moment = first.verstuurd if first.verstuurd.tzinfo else first.verstuurd.replace(tzinfo=UTC)
    export = SentExport(
        min(r.id for r in rows), first.signaalpartner, moment, first.door, first.via, len(rows)
    )
    return export, lines


def as_csv(lines: Sequence[FeedbackLine]) -> str:
    """The export file (docs/feedback.md): a header line and one line per status."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_FIELDS, lineterminator="\n")
    writer.writeheader()
    for line in lines:
        writer.writerow(line.as_row())
    return out.getvalue()

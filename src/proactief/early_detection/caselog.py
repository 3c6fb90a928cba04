"""The case log: notes and every change to a case with who made it and when, and the
worker's follow-up (the next action they set themselves).

Each change writes its line in the same transaction as the change, so the log cannot miss
one or hold one that did not happen. The timeline on the case page joins this log with the
ladder's steps and the signals, which keep their own who and when.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import StrEnum

from sqlalchemy import Connection, select

from proactief.domain import signaalpartner_team
from proactief.early_detection.repository import update_case
from proactief.storage.tables import case_log, cases, outreach_steps, signals

__all__ = [
    "NOTE_MAX",
    "FollowUpError",
    "LogSoort",
    "TimelineEntry",
    "add_note",
    "log_event",
    "set_follow_up",
    "timeline",
]

NOTE_MAX = 2000
FOLLOW_UP_MAX = 200


class LogSoort(StrEnum):
    """What a line of the case log is about."""

    NOTITIE = "notitie"
    CONTACTPOGING = "contactpoging"
    HULP_AANGENOMEN = "hulp_aangenomen"
    AFGESLOTEN = "afgesloten"
    HEROPEND = "heropend"
    TOEGEWEZEN = "toegewezen"
    VERVOLG = "vervolg"
    ANTWOORD = "antwoord"
    TOEKENNING = "toekenning"
    TERUGKOPPELING = "terugkoppeling"
    BEZORGING = "bezorging"
    """What a sending service reported afterwards: not delivered, a letter that came back,
    or one that arrived after the case closed."""


SOORT_NL = {
    LogSoort.NOTITIE: "Notitie",
    LogSoort.CONTACTPOGING: "Contactpoging",
    LogSoort.HULP_AANGENOMEN: "Hulp aangenomen",
    LogSoort.AFGESLOTEN: "Afgesloten",
    LogSoort.HEROPEND: "Heropend",
    LogSoort.TOEGEWEZEN: "Toegewezen",
    LogSoort.VERVOLG: "Vervolgactie",
    LogSoort.ANTWOORD: "Antwoord van de inwoner",
    LogSoort.TOEKENNING: "Automatisch toekennen",
    LogSoort.TERUGKOPPELING: "Terugkoppeling aan de schuldeiser",
    LogSoort.BEZORGING: "Bezorging",
}

STEP_STATUS_NL = {
    "in_wachtrij": "wacht op verzending",
    "afgeleverd": "verstuurd",
    "verzonden": "bij de verzenddienst, wacht op bericht van aflevering",
    "mislukt": "niet gelukt",
    "geblokkeerd": "tegengehouden",
    "taak_open": "taak staat open",
    "taak_afgerond": "taak afgerond",
}


class FollowUpError(ValueError):
    """A follow-up or note that cannot be kept as given (the message is for the worker)."""


def log_event(
    conn: Connection,
    *,
    case_id: int,
    door: str,
    soort: LogSoort,
    tekst: str,
    now: datetime | None = None,
) -> None:
    """Write one line of the case log in the caller's transaction."""
    conn.execute(
        _INSERT,
        {
            "case_id": case_id,
            "tijdstip": now or datetime.now(UTC),
            "door": door,
            "soort": soort.value,
            "tekst": tekst,
        },
    )


_INSERT = case_log.insert()  # built once: every change to a case writes a line


def add_note(
    conn: Connection, *, case_id: int, door: str, tekst: str, now: datetime | None = None
) -> None:
    """A worker's note on the case (kept with the case, deleted with it by retention)."""
    text = tekst.strip()
    if not text:
        raise FollowUpError("De notitie is leeg.")
    if len(text) > NOTE_MAX:
        raise FollowUpError(f"De notitie is te lang: hooguit {NOTE_MAX} tekens.")
    log_event(conn, case_id=case_id, door=door, soort=LogSoort.NOTITIE, tekst=text, now=now)


def set_follow_up(
    conn: Connection,
    *,
    case_id: int,
    door: str,
    datum: date | None,
    wat: str,
    today: date,
    now: datetime | None = None,
) -> bool:
    """Set (or, with ``datum`` None, clear) the worker's own next action on an open case.
    Returns False when it was already so (nothing changes, nothing is logged)."""
    text = " ".join(wat.split())
    if datum is not None and datum < today:
        raise FollowUpError("Kies vandaag of een dag in de toekomst voor de vervolgactie.")
    if datum is not None and not text:
        raise FollowUpError("Schrijf kort wat er dan moet gebeuren.")
    if len(text) > FOLLOW_UP_MAX:
        raise FollowUpError(f"De omschrijving is te lang: hooguit {FOLLOW_UP_MAX} tekens.")
    row = conn.execute(
        select(cases.c.vervolg_datum, cases.c.vervolg, cases.c.eindresultaat)
        .where(cases.c.id == case_id)
        .with_for_update()
    ).first()
    if row is None:
        raise FollowUpError(f"Zaak {case_id} bestaat niet.")
    if row.eindresultaat is not None:
        raise FollowUpError(f"Zaak {case_id} is afgesloten.")
    new = (datum, text if datum else None)
    if (row.vervolg_datum, row.vervolg) == new:
        return False
    update_case(conn, case_id, vervolg_datum=new[0], vervolg=new[1])
    log_event(
        conn,
        case_id=case_id,
        door=door,
        soort=LogSoort.VERVOLG,
        tekst=f"{text} op {datum:%d-%m-%Y}" if datum else "Vervolgactie gewist",
        now=now,
    )
    return True


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    """One line of the case's timeline."""

    tijdstip: datetime
    door: str
    soort: str
    tekst: str


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def timeline(conn: Connection, case_id: int) -> list[TimelineEntry]:
    """Everything that happened to the case, newest first: signals, the ladder's steps
    and the case log (a read within the caller's audited read of the case)."""
    entries: list[TimelineEntry] = []
    for s in conn.execute(
        select(signals.c.signaalpartner, signals.c.signaaldatum, signals.c.bedrag).where(
            signals.c.case_id == case_id
        )
    ):
        entries.append(
            TimelineEntry(
                datetime.combine(s.signaaldatum, datetime.min.time(), tzinfo=UTC),
                "signaalpartner",
                "Signaal",
                f"{signaalpartner_team(s.signaalpartner)}: achterstand van € {s.bedrag}",
            )
        )
    for st in conn.execute(
        select(
            outreach_steps.c.stap,
            outreach_steps.c.kanaal,
            outreach_steps.c.tijdstip,
            outreach_steps.c.status,
        ).where(outreach_steps.c.case_id == case_id)
    ):
        entries.append(
            TimelineEntry(
                _aware(st.tijdstip),
                "contactladder",
                "Stap van de contactladder",
                f"Stap {st.stap + 1}: {st.kanaal}, {STEP_STATUS_NL.get(st.status, st.status)}",
            )
        )
    for line in conn.execute(
        select(case_log.c.tijdstip, case_log.c.door, case_log.c.soort, case_log.c.tekst).where(
            case_log.c.case_id == case_id
        )
    ):
        entries.append(
            TimelineEntry(
                _aware(line.tijdstip),
                line.door,
                SOORT_NL.get(LogSoort(line.soort), line.soort),
                line.tekst,
            )
        )
    return sorted(entries, key=lambda e: e.tijdstip, reverse=True)

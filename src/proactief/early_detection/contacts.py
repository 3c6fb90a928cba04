"""Contact attempts and end results of a case, with the status rules of DDAS v1.2."""

from datetime import date

from sqlalchemy import Connection

from proactief.domain import Contactpoging, Doel, Eindresultaat, Vroegsignaalzaak
from proactief.domain.records import CaseRecord
from proactief.early_detection import repository as repo
from proactief.early_detection.caselog import LogSoort, log_event
from proactief.trust.access import Grant, PersonalDataAccess
from proactief.trust.audit import append_audit

__all__ = [
    "CASE_FIELDS",
    "AlreadyAcceptedError",
    "CaseClosedError",
    "CaseNotFoundError",
    "ContactDateError",
    "NotReachedError",
    "ReopenError",
    "accept_help",
    "case_grant",
    "case_of",
    "close_case",
    "get_case",
    "record_acceptance",
    "record_close",
    "record_contact",
    "register_contact",
    "reopen_case",
]

#: what reading one case with its signals and attempts reads
CASE_FIELDS = ("cases.*", *repo.SIGNAL_FIELDS, *repo.ATTEMPT_FIELDS)


class CaseNotFoundError(LookupError):
    """No case with this number."""

    def __init__(self, case_id: int) -> None:
        self.case_id = case_id
        super().__init__(
            f"Zaak {case_id} bestaat niet / case {case_id} does not exist. "
            "See 'proactief cases' for the open cases."
        )


class CaseClosedError(ValueError):
    """The case already has an end result."""

    def __init__(self, case_id: int, result: str) -> None:
        super().__init__(
            f"Zaak {case_id} is al afgesloten met '{result}' / case {case_id} is already closed;"
            " a closed case takes no new contact attempts or end result."
        )


class ContactDateError(ValueError):
    """A date before the case began, or (for what a person enters) after today."""

    def __init__(self, case_id: int, when: date, start: date, *, future: bool = False) -> None:
        if future:
            super().__init__(
                f"Datum {when:%d-%m-%Y} ligt na vandaag ({start:%d-%m-%Y}): leg vast wat er "
                "gebeurd is / the date is in the future."
            )
        else:
            super().__init__(
                f"Datum {when:%d-%m-%Y} ligt vóór het begin van zaak {case_id} "
                f"({start:%d-%m-%Y}) / the date is "
                "before the case began."
            )


def case_grant(conn: Connection, *, actor: str, case_id: int | None = None) -> Grant:
    """The grant to read cases with their signals and attempts for early detection (one
    audited read, however many of them the caller then reads). With ``case_id`` the read
    is of that one case: the audit entry names the case and its person, and the grant
    serves that person only."""
    access = PersonalDataAccess(conn, doel=Doel.VROEGSIGNALERING, actor=actor)
    if case_id is None:
        return access.check(CASE_FIELDS)
    return access.check(
        CASE_FIELDS, subject=repo.case_subject(conn, case_id), about={"zaak": case_id}
    )


def case_of(grant: Grant, case_id: int) -> Vroegsignaalzaak:
    """One case with its signals and attempts, under ``grant``."""
    row = repo.get_case_row(grant, case_id)
    if row is None:
        raise CaseNotFoundError(case_id)
    return repo.case_from_rows(
        row, repo.signals_of_cases(grant, [case_id]), repo.attempts_of_cases(grant, [case_id])
    )


def get_case(*, conn: Connection, case_id: int, actor: str = "medewerker") -> Vroegsignaalzaak:
    """One case with its signals and attempts (a purpose-bound, audited read)."""
    return case_of(case_grant(conn, actor=actor, case_id=case_id), case_id)


def _open_case_row(
    grant: Grant, case_id: int, datum: date, niet_na: date | None = None
) -> CaseRecord:
    """The case's row, if it exists, is still open, and began on or before ``datum``
    (and ``datum`` is not after ``niet_na``: today, for a date a person entered); locked
    until the transaction ends, so a second worker closing the same case waits and is
    then told it is closed."""
    if niet_na is not None and datum > niet_na:
        raise ContactDateError(case_id, datum, niet_na, future=True)
    row = repo.get_case_row(grant, case_id, for_update=True)
    if row is None:
        raise CaseNotFoundError(case_id)
    if row.eindresultaat is not None:
        raise CaseClosedError(case_id, row.eindresultaat)
    if datum < row.startdatum_matchingperiode:
        raise ContactDateError(case_id, datum, row.startdatum_matchingperiode)
    return row


def register_contact(
    *,
    conn: Connection,
    case_id: int,
    attempt: Contactpoging,
    actor: str = "medewerker",
    niet_na: date | None = None,
) -> Vroegsignaalzaak:
    """Record a contactpoging; the first one marks the case as picked up (datumOpgepakt).
    ``niet_na``: the latest date allowed (today, for an attempt a worker enters: a date in
    the future would go to CBS as valid)."""
    grant = case_grant(conn, actor=actor, case_id=case_id)
    record_contact(grant, case_id, attempt, actor=actor, niet_na=niet_na)
    return case_of(grant, case_id)


def record_contact(
    grant: Grant,
    case_id: int,
    attempt: Contactpoging,
    *,
    actor: str,
    niet_na: date | None = None,
) -> None:
    """``register_contact`` under a grant the caller holds (one audited read of many
    cases, as the demo's simulation of a year makes), without reading the case back."""
    conn = grant.require(CASE_FIELDS)
    row = _open_case_row(grant, case_id, attempt.datum, niet_na)
    repo.insert_attempts(
        conn,
        [
            {
                "case_id": case_id,
                "soort": attempt.soort.value,
                "datum": attempt.datum,
                "dagdeel": attempt.dagdeel.value if attempt.dagdeel else None,
                "bereikt": attempt.bereikt,
                "door": actor,
            }
        ],
    )
    log_event(
        conn,
        case_id=case_id,
        door=actor,
        soort=LogSoort.CONTACTPOGING,
        tekst=f"{attempt.soort.value} op {attempt.datum:%d-%m-%Y}"
        + (f" ({attempt.dagdeel.value.lower()})" if attempt.dagdeel else "")
        + (": bereikt" if attempt.bereikt else ": niet bereikt"),
    )
    if row.datum_opgepakt is None or attempt.datum < row.datum_opgepakt:
        repo.update_case(conn, case_id, datum_opgepakt=attempt.datum)


class NotReachedError(ValueError):
    """Help can only be accepted by a resident who was reached."""

    def __init__(self, case_id: int) -> None:
        super().__init__(
            f"Zaak {case_id}: leg eerst een contactpoging vast waarbij u de inwoner bereikte / "
            "register a contact attempt that reached the resident first."
        )


class AlreadyAcceptedError(ValueError):
    """Help was already recorded as accepted: the first date stays."""

    def __init__(self, case_id: int, first: date) -> None:
        self.first = first
        super().__init__(
            f"Zaak {case_id}: al vastgelegd dat de inwoner hulp aannam, op {first}. Er is "
            "niets veranderd / already recorded."
        )


def accept_help(
    *,
    conn: Connection,
    case_id: int,
    datum: date,
    actor: str = "medewerker",
    niet_na: date | None = None,
) -> Vroegsignaalzaak:
    """Record that the resident accepted help: the funnel's step after 'reached'. From
    this day creditors suspend collection for 30 days (Landelijk convenant
    vroegsignalering, 2020). Recording it again changes nothing and says so
    (AlreadyAcceptedError with the first date)."""
    grant = case_grant(conn, actor=actor, case_id=case_id)
    record_acceptance(grant, case_id, datum, actor=actor, niet_na=niet_na)
    return case_of(grant, case_id)


def record_acceptance(
    grant: Grant, case_id: int, datum: date, *, actor: str, niet_na: date | None = None
) -> None:
    """``accept_help`` under a grant the caller holds, without reading the case back."""
    conn = grant.require(CASE_FIELDS)
    row = _open_case_row(grant, case_id, datum, niet_na)
    if row.datum_hulp_geaccepteerd is not None:
        raise AlreadyAcceptedError(case_id, row.datum_hulp_geaccepteerd)
    if not any(a.bereikt for a in repo.attempts_of_cases(grant, [case_id])):
        raise NotReachedError(case_id)
    repo.update_case(conn, case_id, datum_hulp_geaccepteerd=datum)
    log_event(
        conn,
        case_id=case_id,
        door=actor,
        soort=LogSoort.HULP_AANGENOMEN,
        tekst=f"De inwoner neemt hulp aan (op {datum:%d-%m-%Y})",
    )


def close_case(
    *,
    conn: Connection,
    case_id: int,
    eindresultaat: Eindresultaat,
    datum: date,
    actor: str = "medewerker",
    niet_na: date | None = None,
) -> Vroegsignaalzaak:
    """Give a case its end result; its signals' status follows (see signaalstatus_for_case)."""
    grant = case_grant(conn, actor=actor, case_id=case_id)
    record_close(grant, case_id, eindresultaat, datum, actor=actor, niet_na=niet_na)
    return case_of(grant, case_id)


def record_close(
    grant: Grant,
    case_id: int,
    eindresultaat: Eindresultaat,
    datum: date,
    *,
    actor: str,
    niet_na: date | None = None,
) -> None:
    """``close_case`` under a grant the caller holds, without reading the case back."""
    conn = grant.require(CASE_FIELDS)
    _open_case_row(grant, case_id, datum, niet_na)
    repo.update_case(
        conn, case_id, eindresultaat=eindresultaat.value, einddatum=datum, vervolg_datum=None
    )
    log_event(
        conn,
        case_id=case_id,
        door=actor,
        soort=LogSoort.AFGESLOTEN,
        tekst=f"{eindresultaat.value} (op {datum:%d-%m-%Y})",
    )


class ReopenError(ValueError):
    """A case that is not closed, or a reopening without a reason."""


REOPEN_REASON_MAX = 300


def reopen_case(*, conn: Connection, case_id: int, reden: str, actor: str) -> Vroegsignaalzaak:
    """Take a closed case's end result back (a team lead, with a reason): the case is open
    again and the audit trail keeps who, when, why and what the end result was."""
    reason = " ".join(reden.split())
    if not reason:
        raise ReopenError("Geef een reden om de zaak te heropenen / a reason is required.")
    if len(reason) > REOPEN_REASON_MAX:
        raise ReopenError(
            f"De reden is te lang (hooguit {REOPEN_REASON_MAX} tekens) / reason too long."
        )
    grant = case_grant(conn, actor=actor, case_id=case_id)
    row = repo.get_case_row(grant, case_id, for_update=True)
    if row is None:
        raise CaseNotFoundError(case_id)
    if row.eindresultaat is None:
        raise ReopenError(f"Zaak {case_id} is niet afgesloten / case {case_id} is open.")
    repo.update_case(conn, case_id, eindresultaat=None, einddatum=None)
    log_event(
        conn,
        case_id=case_id,
        door=actor,
        soort=LogSoort.HEROPEND,
        tekst=f"Heropend. Reden: {reason}. Het eindresultaat was: {row.eindresultaat}",
    )
    append_audit(
        conn,
        actor=actor,
        actie="heropen",
        doel=Doel.VROEGSIGNALERING.value,
        gegevens="cases.eindresultaat",
        subject=row.person_pseudonym,
        details={
            "zaak": case_id,
            "reden": reason,
            "was": row.eindresultaat,
            "einddatum_was": row.einddatum.isoformat() if row.einddatum else None,
        },
    )
    return case_of(grant, case_id)

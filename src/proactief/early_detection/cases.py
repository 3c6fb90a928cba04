"""Cases: group signals of the same person into a vroegsignaalzaak, apply the municipal
filters and give every open case its readable priority."""

import json
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from itertools import groupby

from sqlalchemy import Connection

from proactief.domain import Doel, Eindresultaat, Vroegsignaalzaak
from proactief.domain.records import AttemptRecord, CaseRecord, SignalRecord
from proactief.early_detection import repository as repo
from proactief.early_detection.work_queue import CaseMeasures, WorkQueueConfig, score
from proactief.trust.access import PersonalDataAccess

__all__ = ["MatchResult", "WorkQueueItem", "match_signals", "work_queue"]

MATCHING_FIELDS = (*repo.SIGNAL_FIELDS, "cases.*")
QUEUE_FIELDS = (*MATCHING_FIELDS, "contact_attempts.*")


@dataclass(frozen=True, slots=True)
class MatchResult:
    """What one matching run did."""

    signals_matched: int
    cases_created: int
    cases_extended: int
    cases_filtered: int


@dataclass(frozen=True, slots=True)
class WorkQueueItem:
    """One open case as the team sees it in the work queue."""

    case: Vroegsignaalzaak
    measures: CaseMeasures
    partners: tuple[str, ...]
    first_signal: date
    eigenaar_id: int | None = None
    """The case's fixed contact person (a user id), if any."""


def match_signals(
    *, conn: Connection, matchingsdatum: date, config: WorkQueueConfig
) -> MatchResult:
    """Put every unassigned signal dated up to ``matchingsdatum`` into a case.

    A signal joins the person's open case when its date lies within that case's matching
    period; otherwise it starts a new case. New cases then pass the municipal filters
    (minimum amount, repeat report); every touched open case gets its priority again.
    """
    grant = PersonalDataAccess(conn, doel=Doel.VROEGSIGNALERING, actor="systeem:matching").check(
        MATCHING_FIELDS
    )
    pending = repo.unassigned_signals(grant, up_to=matchingsdatum)
    if not pending:
        return MatchResult(0, 0, 0, 0)
    persons = sorted({s.person_pseudonym for s in pending})
    history: dict[str, list[CaseRecord]] = {}
    for row in repo.cases_of_persons(grant, persons):
        history.setdefault(row.person_pseudonym, []).append(row)

    period = timedelta(days=config.matching_period_days - 1)
    created: list[int] = []
    touched: set[int] = set()
    previous_start: dict[int, date | None] = {}
    case_starts: dict[str, list[tuple[int, date]]] = {
        person: [(c.id, c.startdatum_matchingperiode) for c in rows]
        for person, rows in history.items()
    }
    for person, person_signals in groupby(pending, key=lambda s: s.person_pseudonym):
        cases_here = history.get(person, [])
        open_cases = [
            (c.id, c.startdatum_matchingperiode, c.einddatum_matchingperiode)
            for c in cases_here
            if c.eindresultaat is None
        ]
        last_start = max((c.startdatum_matchingperiode for c in cases_here), default=None)
        assignments: dict[int, list[int]] = {}
        for signal in person_signals:
            target = next(
                (cid for cid, start, end in open_cases if start <= signal.signaaldatum <= end),
                None,
            )
            if target is None:
                start = signal.signaaldatum
                target = repo.create_case(
                    conn,
                    {
                        "person_pseudonym": person,
                        "matchingsdatum": matchingsdatum,
                        "startdatum_matchingperiode": start,
                        "einddatum_matchingperiode": start + period,
                        "priority": 0,
                        "priority_reasons": "[]",
                    },
                )
                open_cases.append((target, start, start + period))
                case_starts.setdefault(person, []).append((target, start))
                created.append(target)
                previous_start[target] = last_start
                last_start = start
            assignments.setdefault(target, []).append(signal.id)
            touched.add(target)
        for case_id, signal_row_ids in assignments.items():
            repo.assign_signals(conn, case_id=case_id, signal_row_ids=signal_row_ids)

    signal_rows = repo.signals_by_case(grant, sorted(touched))
    filtered = 0
    created_set = set(created)
    for case_id in sorted(touched):
        rows = signal_rows[case_id]
        starts = case_starts[rows[0].person_pseudonym]
        own_start = next(start for cid, start in starts if cid == case_id)
        earlier = sum(
            1
            for cid, start in starts
            if cid != case_id and own_start - timedelta(days=365) <= start < own_start
        )
        measures = CaseMeasures.of(rows, eerdere_zaken_12m=earlier)
        total, reasons = score(config.rules, measures)
        values: dict[str, object] = {
            "priority": total,
            "priority_reasons": json.dumps([asdict(r) for r in reasons], ensure_ascii=False),
        }
        if case_id in created_set:
            result = _filter_result(config, measures, rows, previous_start.get(case_id))
            if result is not None:
                values.update(eindresultaat=result.value, einddatum=matchingsdatum)
                filtered += 1
        repo.update_case(conn, case_id, **values)
    return MatchResult(
        signals_matched=len(pending),
        cases_created=len(created),
        cases_extended=len(touched - created_set),
        cases_filtered=filtered,
    )


def _filter_result(
    config: WorkQueueConfig,
    measures: CaseMeasures,
    rows: list[SignalRecord],
    previous_start: date | None,
) -> Eindresultaat | None:
    start = min(r.signaaldatum for r in rows)
    if (
        config.repeat_within_days > 0
        and previous_start is not None
        and (start - previous_start).days < config.repeat_within_days
        and not (config.repeat_except_crisis and measures.crisis)
    ):
        return config.repeat_result
    if measures.totaal_bedrag < config.minimum_amount and not (
        config.minimum_amount_except_crisis and measures.crisis
    ):
        return config.minimum_amount_result
    return None


def work_queue(
    *,
    conn: Connection,
    limit: int | None = None,
    actor: str = "medewerker",
    partner: str | None = None,
    crisis: bool = False,
) -> list[WorkQueueItem]:
    """Open cases in the order the team should handle them, with their reasons;
    optionally only those with a signal of ``partner``, or with a crisis signal."""
    grant = PersonalDataAccess(conn, doel=Doel.VROEGSIGNALERING, actor=actor).check(QUEUE_FIELDS)
    rows = repo.open_case_rows(grant, limit=limit, partner=partner, crisis=crisis)
    ids = [r.id for r in rows]
    signals_by_case = repo.signals_by_case(grant, ids)
    attempts_by_case: dict[int, list[AttemptRecord]] = {}
    for a in repo.attempts_of_cases(grant, ids):
        attempts_by_case.setdefault(a.case_id, []).append(a)
    items = []
    for row in rows:
        sigs = sorted(signals_by_case.get(row.id, []), key=lambda s: s.signaaldatum)
        items.append(
            WorkQueueItem(
                case=repo.case_from_rows(row, sigs, attempts_by_case.get(row.id, [])),
                measures=CaseMeasures.of(sigs),
                partners=tuple(sorted({s.signaalpartner for s in sigs})),
                first_signal=sigs[0].signaaldatum if sigs else row.startdatum_matchingperiode,
                eigenaar_id=row.eigenaar_id,
            )
        )
    return items

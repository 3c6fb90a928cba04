"""Retention: delete personal data when its purpose's period ends, keep the counts that
reports need, and record every deletion in the audit trail.

Idempotent and safe to interrupt: each batch of cases is aggregated and deleted in one
transaction, so a run that stops leaves whole batches done and the next run continues.
Preference events are kept: an opt-out must keep holding.
"""

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Connection, Engine

from proactief.domain import Doel
from proactief.domain.funnel import (
    HELP_RESULTS,
    CaseFacts,
    days_to_reached,
    funnel_steps,
    kept_keys,
)
from proactief.domain.records import SignalSummaryRecord
from proactief.trust import repository as repo
from proactief.trust.audit import append_audit
from proactief.trust.purposes import load_purposes

__all__ = ["HELP_RESULTS", "RetentionResult", "run_retention"]


_BATCH = 500


@dataclass
class RetentionResult:
    """What one run deleted, per class of data."""

    deleted: Counter[str] = field(default_factory=Counter)
    batches: int = 0


def _aggregate(rows: Sequence[SignalSummaryRecord], now: datetime) -> list[dict[str, object]]:
    groups: dict[tuple[str, str, str | None], list[int]] = {}
    for r in rows:
        key = (r.signaaldatum.strftime("%Y-%m"), r.signaalpartner, r.eindresultaat)
        g = groups.setdefault(key, [0, 0, 0, 0, 0])
        g[0] += 1
        g[1] += int(r.bedrag)
        g[2] += int(r.datum_opgepakt is not None)
        g[3] += int(r.bereikt is not None)
        g[4] += int(r.datum_hulp_geaccepteerd is not None)
    return [
        {
            "maand": maand,
            "signaalpartner": partner,
            "eindresultaat": resultaat,
            "signalen": g[0],
            "bedrag": g[1],
            "opgepakt": g[2],
            "bereikt": g[3],
            "geaccepteerd": g[4],
            "verwijderd_op": now,
        }
        for (maand, partner, resultaat), g in groups.items()
    ]


def _start_of(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time(), tzinfo=UTC)


def _funnel_aggregate(facts: Sequence[CaseFacts], now: datetime) -> list[dict[str, object]]:
    """The cases' counts per breakdown and month (domain.funnel: the evaluation counts
    live cases by the same rules, so nothing shifts when a case goes)."""
    groups: dict[tuple[str, str, str], list[int]] = {}
    for case in facts:
        steps = funnel_steps(case)
        days = days_to_reached(case)
        for dimensie, waarde, received in kept_keys(case):
            key = (case.matchingsdatum.strftime("%Y-%m"), dimensie, waarde[:200])
            g = groups.setdefault(key, [0, 0, 0, 0, 0, 0, 0])
            g[0] += 1
            for i, made in enumerate(steps, start=1):
                g[i] += int(made)
            if days is not None:
                g[4] += days
                g[5] += 1
            g[6] += received
    return [
        {
            "maand": maand,
            "dimensie": dimensie,
            "waarde": waarde,
            "zaken": g[0],
            "bereikt": g[1],
            "geaccepteerd": g[2],
            "geholpen": g[3],
            "dagen_bereikt_som": g[4],
            "dagen_bereikt_n": g[5],
            "ontvangen": g[6],
            "verwijderd_op": now,
        }
        for (maand, dimensie, waarde), g in groups.items()
    ]


def _delete_older(
    engine: Engine,
    result: RetentionResult,
    delete: Callable[[Connection, datetime], int],
    gegevens: str,
    doel: Doel,
    before: datetime,
    now: datetime,
) -> None:
    """Delete one class of data from before ``before`` and log it (in one transaction)."""
    with engine.begin() as conn:
        removed = delete(conn, before)
        if removed:
            append_audit(
                conn,
                actor="systeem:bewaartermijn",
                actie="verwijder",
                doel=doel.value,
                gegevens=gegevens,
                details={"aantallen": {gegevens: removed}, "van_voor": before.isoformat()},
                now=now,
            )
            result.deleted[gegevens] += removed


def run_retention(*, engine: Engine, today: date | None = None) -> RetentionResult:
    """Delete what is past its period (per config/doelen.yaml) and keep aggregate counts."""
    today = today or date.today()
    now = datetime.now(UTC)
    purpose = load_purposes()[Doel.VROEGSIGNALERING]
    result = RetentionResult()
    periods = [(False, purpose.bewaartermijn_dagen)]
    if purpose.bewaartermijn_dagen_met_hulp:
        periods.append((True, int(purpose.bewaartermijn_dagen_met_hulp)))
    for with_help, days in periods:
        cutoff = today - timedelta(days=days)
        while True:
            with engine.begin() as conn:
                ids = repo.expired_case_ids(
                    conn, closed_before=cutoff, help_results=HELP_RESULTS, with_help=with_help
                )[:_BATCH]
                if not ids:
                    break
                repo.insert_report_aggregates(
                    conn, _aggregate(repo.case_signal_summary(conn, ids), now)
                )
                repo.insert_funnel_aggregates(
                    conn, _funnel_aggregate(repo.case_funnel_facts(conn, ids), now)
                )
                counts = repo.delete_cases(conn, ids)
                counts["client_identities"] = repo.delete_orphan_identities(conn)
                append_audit(
                    conn,
                    actor="systeem:bewaartermijn",
                    actie="verwijder",
                    doel=Doel.VROEGSIGNALERING.value,
                    gegevens=",".join(sorted(k for k, v in counts.items() if v)),
                    details={
                        "aantallen": counts,
                        "bewaartermijn_dagen": days,
                        "met_hulp": with_help,
                        "afgesloten_voor": cutoff.isoformat(),
                    },
                    now=now,
                )
                result.deleted.update(counts)
                result.batches += 1
    purposes = load_purposes()
    # an entitlement scan keeps household values (income, assets): gone after its period
    _delete_older(
        engine,
        result,
        repo.delete_entitlements_before,
        "entitlements",
        Doel.REGELINGENCHECK,
        _start_of(today - timedelta(days=purposes[Doel.REGELINGENCHECK].bewaartermijn_dagen)),
        now,
    )
    # life events and contact moments: as long as the scan they are checked against
    _delete_older(
        engine,
        result,
        repo.delete_life_events_before,
        "levensgebeurtenissen",
        Doel.REGELINGENCHECK,
        _start_of(today - timedelta(days=purposes[Doel.REGELINGENCHECK].bewaartermijn_dagen)),
        now,
    )
    # a campaign's record of the households it wrote to: until the day its letter named
    _delete_older(
        engine,
        result,
        repo.delete_campaign_members_before,
        "campagne_leden",
        Doel.REGELINGENCHECK,
        _start_of(today),
        now,
    )
    # rejected records are kept as long as the CBS report may need them
    _delete_older(
        engine,
        result,
        repo.delete_quarantine_before,
        "quarantine",
        Doel.VROEGSIGNALERING,
        _start_of(today - timedelta(days=purposes[Doel.CBS_RAPPORTAGE].bewaartermijn_dagen)),
        now,
    )
    return result

"""Randomised comparisons of how offers are made (``proactief experiment``).

A municipality defines an experiment in YAML (``domain.experiments.ExperimentSpec``;
example: config/experimenten/woordkeus.yaml): two or more arms that differ in wording,
channel order or waiting time, the unit, the strata, the primary outcome, the expected
rates behind the power calculation, and a start and stop date.

When a signal case is about to get its first message, ``assign`` gives its unit an arm by
the seeded draw and records it, before anything is sent; the approach engine then uses the
arm in place of the safe default only (``offers.approach.choose_approach``): a resident's
stated channels, opt-out, Wmebv agreement and own segment always go first, and no arm's
ladder stays at letters alone. An arm whose share of opt-outs or complaints exceeds the
control's by the configured margin is stopped: its new units get the control.

The analysis is in ``proactief.evaluation.experiments``.
"""

import functools
import json
import math
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Row

from proactief.config import load_policy
from proactief.domain import PreferenceState
from proactief.domain.experiments import (
    Arm,
    ArmCounts,
    Eenheid,
    ExperimentSpec,
    Stratum,
    arm_for,
    draw_arm,
    guardrail_stops,
)
from proactief.domain.records import SignalRecord
from proactief.offers import repository as repo
from proactief.offers.approach import load_approach_config
from proactief.offers.questionnaire import own_segment
from proactief.trust.consent import current_state

__all__ = [
    "Assignment",
    "ExperimentError",
    "ExperimentState",
    "add_complaint",
    "assign",
    "assignment_of_case",
    "experiment_states",
    "load_experiment",
    "planned_sample",
    "save_result",
    "start_experiment",
    "stop_experiment",
]


class ExperimentError(ValueError):
    """An experiment that cannot start, stop or be found; the message says why (Dutch)."""


@dataclass(frozen=True, slots=True)
class Assignment:
    """A unit's arm, as recorded before its first message."""

    experiment: ExperimentSpec
    arm: Arm
    getrokken: str
    """The arm the seeded draw gave (differs from ``arm`` only if that one was stopped)."""
    stratum: str
    toegewezen: datetime


@dataclass(frozen=True, slots=True)
class ExperimentState:
    """An experiment as started, with its stops."""

    spec: ExperimentSpec
    gestart: datetime
    gestopt: datetime | None
    stop_reden: str | None
    gestopte_armen: dict[str, str]
    resultaat: dict[str, object] | None
    vangrails_getoetst: datetime | None = None
    """When an assignment last checked the guardrails."""

    def running_on(self, day: date) -> bool:
        return self.gestopt is None and self.spec.running_on(day)


def load_experiment(path: Path) -> ExperimentSpec:
    """Read an experiment's YAML; a mistake names the file and the key (PolicyError)."""
    return load_policy(path, ExperimentSpec)


def planned_sample(spec: ExperimentSpec) -> int:
    """Units per arm to find the expected difference with the stated power at the stated
    alpha (two-sided), for two proportions (Cohen's h, normal approximation)."""
    # statsmodels is imported here: only starting an experiment needs it
    from statsmodels.stats.power import NormalIndPower
    from statsmodels.stats.proportion import proportion_effectsize

    v = spec.vermogen
    effect = abs(proportion_effectsize(v.verwacht_arm, v.verwacht_controle))
    n = NormalIndPower().solve_power(
        effect_size=effect, alpha=v.alpha, power=v.onderscheidend_vermogen, ratio=1.0
    )
    return math.ceil(float(n))


@functools.lru_cache(maxsize=64)
def _spec_of(definitie: str) -> ExperimentSpec:
    # every assignment reads the running experiments: parse each stored definition once
    # (a spec is frozen, so one instance serves every caller)
    return ExperimentSpec.model_validate_json(definitie)


def _utc(moment: datetime | None) -> datetime | None:
    # SQLite gives the stored UTC time back without its zone
    return moment if moment is None or moment.tzinfo else moment.replace(tzinfo=UTC)


def _state(row: Row[Any]) -> ExperimentState:
    return ExperimentState(
        spec=_spec_of(row.definitie),
        gestart=row.gestart,
        gestopt=row.gestopt,
        stop_reden=row.stop_reden,
        gestopte_armen={},
        resultaat=None if row.resultaat is None else json.loads(row.resultaat),
        vangrails_getoetst=_utc(row.vangrails_getoetst),
    )


def experiment_states(conn: Connection, naam: str | None = None) -> list[ExperimentState]:
    """Every experiment (or the one named), with its stopped arms."""
    rows = repo.experiment_rows(conn)
    out = []
    for row in rows:
        if naam is not None and row.naam != naam:
            continue
        state = _state(row)
        state.gestopte_armen.update(repo.stopped_arms(conn, row.naam))
        out.append(state)
    if naam is not None and not out:
        raise ExperimentError(f"Er is geen experiment met de naam '{naam}'.")
    return out


def start_experiment(conn: Connection, spec: ExperimentSpec, *, now: datetime) -> ExperimentSpec:
    """Register the experiment with its planned sample; from its start date its units get
    their arms. Starting the same definition again changes nothing; another definition
    under a started name is refused (assignments were made under the first)."""
    if spec.stop < now.date():
        raise ExperimentError(
            f"Het experiment '{spec.naam}' stopt op {spec.stop.isoformat()}: dat is voorbij."
        )
    planned = spec.model_copy(update={"geplande_steekproef": planned_sample(spec)})
    definitie = planned.model_dump_json()
    if repo.insert_experiment(conn, {"naam": spec.naam, "definitie": definitie, "gestart": now}):
        return planned
    existing = repo.experiment_row(conn, spec.naam)
    assert existing is not None
    if ExperimentSpec.model_validate_json(existing.definitie) != planned:
        raise ExperimentError(
            f"Er loopt al een experiment '{spec.naam}' met een andere opzet. Een opzet "
            "verandert niet meer nadat het experiment is gestart: geef het een nieuwe naam."
        )
    return planned


def stop_experiment(conn: Connection, naam: str, *, reden: str, now: datetime) -> None:
    """Stop the whole experiment: no new assignments; what was assigned stays."""
    experiment_states(conn, naam)
    repo.update_experiment(conn, naam, gestopt=now, stop_reden=reden[:300])


def add_complaint(conn: Connection, *, case_id: int, door: str, now: datetime) -> int:
    """Record a complaint about how a case's resident was approached (no text)."""
    return repo.insert_complaint(conn, {"case_id": case_id, "ontvangen": now, "door": door})


def _stratum(
    spec: ExperimentSpec,
    *,
    conn: Connection,
    person: str,
    signals: tuple[SignalRecord, ...],
    state: PreferenceState,
) -> str:
    parts = []
    for s in spec.strata:
        if s is Stratum.SIGNAALPARTNER:
            names = sorted({x.signaalpartner for x in signals})
            parts.append("partner=" + ("+".join(names) or "geen"))
        else:
            segment = own_segment(conn=conn, person_pseudonym=person, state=state)
            threshold = load_approach_config().segment_drempel
            best = (
                max(segment.kansen.items(), key=lambda kv: kv[1])
                if segment is not None and segment.kansen
                else None
            )
            parts.append(
                "segment=" + (best[0] if best is not None and best[1] >= threshold else "geen")
            )
    return "; ".join(parts)[:200] or "alle"


def _unit(spec: ExperimentSpec, conn: Connection, case_id: int) -> str:
    if spec.eenheid is Eenheid.HUISHOUDEN:
        household = repo.case_household_key(conn, case_id)
        if household:
            return f"huishouden:{household}"
    return f"zaak:{case_id}"


def _as_assignment(spec: ExperimentSpec, row: Row[Any]) -> Assignment:
    return Assignment(
        experiment=spec,
        arm=spec.arm(row.arm),
        getrokken=row.getrokken,
        stratum=row.stratum,
        toegewezen=row.toegewezen,
    )


def _check_guardrails(conn: Connection, state: ExperimentState, now: datetime) -> dict[str, str]:
    """Stop every arm its guardrail now stops, when a check is due (``toets_elke_minuten``
    since the last); the stopped arms with their reasons."""
    interval = timedelta(minutes=state.spec.vangrails.toets_elke_minuten)
    last = state.vangrails_getoetst
    if last is not None and last <= now < last + interval:
        return state.gestopte_armen  # not due as read; the claim below decides a race
    if not repo.claim_guardrail_check(conn, state.spec.naam, now, interval):
        return state.gestopte_armen
    counts = {arm: ArmCounts(*c) for arm, c in repo.arm_counts(conn, state.spec.naam).items()}
    for arm, reden in guardrail_stops(state.spec, counts).items():
        if arm not in state.gestopte_armen and repo.insert_arm_stop(
            conn, {"experiment": state.spec.naam, "arm": arm, "gestopt": now, "reden": reden}
        ):
            state.gestopte_armen[arm] = reden
    return state.gestopte_armen


def assign(
    conn: Connection,
    *,
    case_id: int,
    person_pseudonym: str,
    signals: tuple[SignalRecord, ...],
    now: datetime,
) -> Assignment | None:
    """Give a signal case (about to get its first message) an arm of the running
    experiment, recorded now; None when no experiment runs or the resident does not want
    to be approached (they take no part). A unit already assigned keeps its arm."""
    found = assignment_of_case(conn, case_id)
    if found is not None:
        return found
    running = [s for s in experiment_states(conn) if s.running_on(now.date())]
    if not running:
        return None
    preferences = current_state(conn=conn, person_pseudonym=person_pseudonym)
    if not preferences.may_contact():
        return None
    state = running[0]
    spec = state.spec
    eenheid = _unit(spec, conn, case_id)
    row = repo.assignment_of_unit(conn, eenheid)
    if row is not None:
        # another case of the same household: the same arm (or no part in a second one)
        return _as_assignment(spec, row) if row.experiment == spec.naam else None
    stopped = _check_guardrails(conn, state, now)
    drawn = draw_arm(spec, eenheid)
    repo.insert_assignment(
        conn,
        {
            "experiment": spec.naam,
            "eenheid": eenheid,
            "case_id": case_id,
            "arm": arm_for(spec, eenheid, stopped),
            "getrokken": drawn,
            "stratum": _stratum(
                spec, conn=conn, person=person_pseudonym, signals=signals, state=preferences
            ),
            "toegewezen": now,
        },
    )
    row = repo.assignment_row(conn, spec.naam, eenheid)
    assert row is not None
    return _as_assignment(spec, row)


def assignment_of_case(conn: Connection, case_id: int) -> Assignment | None:
    """The arm the case's unit got, if it takes part in an experiment."""
    row = repo.assignment_of_unit(conn, f"zaak:{case_id}")
    if row is None:
        household = repo.case_household_key(conn, case_id)
        if household:
            row = repo.assignment_of_unit(conn, f"huishouden:{household}")
    if row is None:
        return None
    definitie = repo.experiment_row(conn, row.experiment)
    assert definitie is not None
    return _as_assignment(_spec_of(definitie.definitie), row)


def save_result(conn: Connection, naam: str, result: dict[str, object]) -> None:
    """Keep the experiment's analysis (aggregates only) with it."""
    experiment_states(conn, naam)
    repo.update_experiment(conn, naam, resultaat=json.dumps(result, ensure_ascii=False))

"""The analysis of a randomised comparison (``proactief experiment analyse``).

Per arm: the units whose outcome window has passed, how many had the primary outcome, the
share with its 95% interval (Wilson), and against the control the difference in
percentage points with its 95% interval (Newcombe's hybrid score); kept apart by the
experiment's strata, the Cochran-Mantel-Haenszel pooled odds ratio with its interval and
test. A conclusion is drawn only when every arm has the planned sample: before that the
figures are an interim count, said as such. Everything is read under the evaluation
purpose, by case number only; the result is aggregates and outlives the cases.
"""

import math
from collections import defaultdict
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta

import numpy as np
from sqlalchemy import Connection

from proactief.domain import Doel
from proactief.domain.experiments import (
    ExperimentSpec,
    Uitkomst,
    percent,
    points,
    ready_for_verdict,
)
from proactief.trust.access import PersonalDataAccess

__all__ = ["UITKOMST_NL", "ArmResult", "ExperimentResult", "analyse"]

UITKOMST_NL = {
    Uitkomst.BEREIKT_28_DAGEN: "bereikt binnen 28 dagen",
    Uitkomst.HULP_GEACCEPTEERD: "hulp geaccepteerd",
    Uitkomst.GELD_ONTVANGEN: "geld ontvangen na het aanbod",
}


@dataclass(frozen=True, slots=True)
class _Assignment:
    experiment: str
    case_id: int | None
    arm: str
    stratum: str
    toegewezen: datetime


@dataclass(frozen=True, slots=True)
class _Case:
    id: int
    datum_hulp_geaccepteerd: date | None


@dataclass(frozen=True, slots=True)
class _Attempt:
    case_id: int
    bereikt: bool
    datum: date


@dataclass(frozen=True, slots=True)
class _Outcome:
    case_id: int | None
    ontvangen_op: datetime | None


@dataclass(frozen=True, slots=True)
class ArmResult:
    """One arm's figures (shares as fractions; differences in fractions too)."""

    arm: str
    beschrijving: str
    controle: bool
    toegewezen: int
    """Units assigned so far."""
    eenheden: int
    """Units whose outcome window has passed: the ones analysed."""
    met_uitkomst: int
    aandeel: float | None
    interval: tuple[float, float] | None
    verschil: float | None = None
    verschil_interval: tuple[float, float] | None = None
    odds_ratio_cmh: float | None = None
    odds_ratio_interval: tuple[float, float] | None = None
    p_cmh: float | None = None
    gestopt: str | None = None


@dataclass(frozen=True, slots=True)
class ExperimentResult:
    """The analysis of one experiment on one day."""

    naam: str
    uitkomst: str
    datum: date
    geplande_steekproef: int | None
    strata: int
    armen: tuple[ArmResult, ...]
    oordeel: bool
    """Every arm has the planned sample: the conclusion is a verdict, not an interim count."""
    conclusie: tuple[str, ...]

    def as_json(self) -> dict[str, object]:
        out = asdict(self)
        out["datum"] = self.datum.isoformat()
        return out


def _outcomes(
    spec: ExperimentSpec, conn: Connection, actor: str, today: date
) -> tuple[dict[str, int], list[tuple[str, str, bool]]]:
    """Units assigned per arm, and (arm, stratum, outcome) of every unit whose window
    has passed."""
    access = PersonalDataAccess(conn, doel=Doel.EVALUATIE, actor=actor)
    rows = access.read(_Assignment, "experiment_toewijzingen", experiment=spec.naam)
    ids = {r.case_id for r in rows if r.case_id is not None}
    reached: dict[int, list[date]] = defaultdict(list)
    accepted: dict[int, date | None] = {}
    money: set[int] = set()
    if spec.uitkomst is Uitkomst.BEREIKT_28_DAGEN:
        for a in access.read(_Attempt, "contact_attempts"):
            if a.bereikt and a.case_id in ids:
                reached[a.case_id].append(a.datum)
    elif spec.uitkomst is Uitkomst.HULP_GEACCEPTEERD:
        accepted = {c.id: c.datum_hulp_geaccepteerd for c in access.read(_Case, "cases")}
    else:
        money = {
            o.case_id
            for o in access.read(_Outcome, "aanbod_uitkomsten")
            if o.case_id in ids and o.ontvangen_op is not None
        }
    assigned: dict[str, int] = defaultdict(int)
    units: list[tuple[str, str, bool]] = []
    for r in rows:
        assigned[r.arm] += 1
        if r.case_id is None:
            continue
        start = r.toegewezen.date()
        end = start + timedelta(days=spec.venster_dagen)
        if today < end:
            continue  # the window is still open: no outcome yet
        if spec.uitkomst is Uitkomst.BEREIKT_28_DAGEN:
            hit = any(start <= d <= end for d in reached.get(r.case_id, ()))
        elif spec.uitkomst is Uitkomst.HULP_GEACCEPTEERD:
            day = accepted.get(r.case_id)
            hit = day is not None and day <= end
        else:
            hit = r.case_id in money
        units.append((r.arm, r.stratum, hit))
    return dict(assigned), units


def _wilson(k: int, n: int) -> tuple[float, float]:
    from statsmodels.stats.proportion import proportion_confint

    lo, hi = proportion_confint(k, n, alpha=0.05, method="wilson")
    return float(lo), float(hi)


def _newcombe(k1: int, n1: int, k0: int, n0: int) -> tuple[float, float]:
    from statsmodels.stats.proportion import confint_proportions_2indep

    lo, hi = confint_proportions_2indep(k1, n1, k0, n0, method="newcomb", compare="diff")
    return float(lo), float(hi)


def _cmh(
    units: list[tuple[str, str, bool]], arm: str, control: str
) -> tuple[float, tuple[float, float], float] | None:
    """Pooled odds ratio (arm against control) over the strata, its 95% interval and the
    Mantel-Haenszel test's p; None when no stratum holds both arms or an odds ratio is
    not defined (no unit, or every unit, with the outcome)."""
    from statsmodels.stats.contingency_tables import StratifiedTable

    cells: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for a, stratum, hit in units:
        if a == arm:
            cells[stratum][0 if hit else 1] += 1
        elif a == control:
            cells[stratum][2 if hit else 3] += 1
    tables = [
        np.array([[c[0], c[1]], [c[2], c[3]]])
        for c in cells.values()
        if c[0] + c[1] > 0 and c[2] + c[3] > 0
    ]
    if not tables:
        return None
    with np.errstate(divide="ignore", invalid="ignore"):
        table = StratifiedTable(tables)
        ratio = float(table.oddsratio_pooled)
        lo, hi = (float(x) for x in table.oddsratio_pooled_confint())
        p = float(table.test_null_odds(correction=False).pvalue)
    if not all(math.isfinite(x) and x > 0 for x in (ratio, lo, hi)) or not math.isfinite(p):
        return None
    return ratio, (lo, hi), p


def _p(p: float) -> str:
    return "< 0,001" if p < 0.001 else "= " + f"{p:.3f}".replace(".", ",")


def _number(x: float) -> str:
    return f"{x:.2f}".replace(".", ",")


def analyse(
    conn: Connection,
    spec: ExperimentSpec,
    *,
    today: date,
    stopped: dict[str, str] | None = None,
    actor: str = "systeem:evaluatie",
) -> ExperimentResult:
    """The experiment's figures and its plain-Dutch conclusion on ``today``."""
    stopped = stopped or {}
    assigned, units = _outcomes(spec, conn, actor, today)
    control = spec.controle
    n_of: dict[str, int] = defaultdict(int)
    k_of: dict[str, int] = defaultdict(int)
    for name, _stratum, hit in units:
        n_of[name] += 1
        k_of[name] += hit
    verdict = ready_for_verdict(spec, n_of)
    n0, k0 = n_of[control.naam], k_of[control.naam]
    results: list[ArmResult] = []
    lines: list[str] = []
    wat = UITKOMST_NL[spec.uitkomst]
    for arm in spec.armen:
        n, k = n_of[arm.naam], k_of[arm.naam]
        share = k / n if n else None
        result = ArmResult(
            arm=arm.naam,
            beschrijving=arm.beschrijving,
            controle=arm.controle,
            toegewezen=assigned.get(arm.naam, 0),
            eenheden=n,
            met_uitkomst=k,
            aandeel=share,
            interval=_wilson(k, n) if n else None,
            gestopt=stopped.get(arm.naam),
        )
        if not arm.controle and n and n0:
            diff = k / n - k0 / n0
            cmh = _cmh(units, arm.naam, control.naam) if spec.strata else None
            result = ArmResult(
                **{
                    **asdict(result),
                    "verschil": diff,
                    "verschil_interval": _newcombe(k, n, k0, n0),
                    "odds_ratio_cmh": None if cmh is None else cmh[0],
                    "odds_ratio_interval": None if cmh is None else cmh[1],
                    "p_cmh": None if cmh is None else cmh[2],
                }
            )
        results.append(result)
    strata = len({s for _a, s, _h in units})
    if not verdict:
        smallest = min((n_of[a.naam] for a in spec.armen), default=0)
        lines.append(
            f"Nog geen conclusie: de kleinste groep heeft {smallest} van de geplande "
            f"{spec.geplande_steekproef} eenheden met een uitkomst. Pas als elke groep de "
            "geplande aantallen heeft, zeggen we of een groep beter werkt; eerder kijken "
            "geeft te vaak een toevalstreffer. De cijfers zijn een tussenstand."
        )
    for r in results:
        if r.controle or r.verschil is None or r.verschil_interval is None:
            continue
        lo, hi = r.verschil_interval
        head = (
            f"Groep '{r.arm}': {percent(r.aandeel or 0)} {wat}, tegen "
            f"{percent(k0 / n0)} in de controlegroep '{control.naam}'. Het verschil is "
            f"{points(r.verschil)} procentpunt (95%-interval {points(lo)} tot "
            f"{points(hi)})."
        )
        if not verdict:
            judged = ""
        elif lo > 0:
            judged = f" Groep '{r.arm}' werkt waarschijnlijk beter dan de controlegroep."
        elif hi < 0:
            judged = f" Groep '{r.arm}' werkt waarschijnlijk slechter dan de controlegroep."
        else:
            judged = (
                " Een verschil is niet aangetoond: het kan ook nul zijn, of klein in beide "
                "richtingen."
            )
        strat = ""
        if r.odds_ratio_cmh is not None and r.odds_ratio_interval is not None:
            strat = (
                f" Per {' en '.join(spec.strata)} apart bekeken (Cochran-Mantel-Haenszel, "
                f"{strata} {'laag' if strata == 1 else 'lagen'}): odds ratio "
                f"{_number(r.odds_ratio_cmh)} (95%-interval "
                f"{_number(r.odds_ratio_interval[0])} tot {_number(r.odds_ratio_interval[1])}"
                f"), p {_p(r.p_cmh or 0)}."
            )
        lines.append(head + judged + strat)
    for r in results:
        if r.gestopt:
            lines.append(f"Groep '{r.arm}' is gestopt door de vangrail: {r.gestopt}.")
    return ExperimentResult(
        naam=spec.naam,
        uitkomst=spec.uitkomst.value,
        datum=today,
        geplande_steekproef=spec.geplande_steekproef,
        strata=strata,
        armen=tuple(results),
        oordeel=verdict,
        conclusie=tuple(lines),
    )

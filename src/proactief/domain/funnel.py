"""The funnel's rules, shared by the evaluation (which counts live cases) and retention
(which keeps the counts of the cases it deletes): which steps a case made, and the key of
a case in each breakdown. One definition, so the counts before and after retention agree.
"""

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from proactief.domain.enums import Eindresultaat

__all__ = [
    "HELP_RESULTS",
    "MOMENT_NL",
    "CaseFacts",
    "StepFacts",
    "case_keys",
    "days_to_reached",
    "funnel_steps",
    "kept_keys",
]

HELP_RESULTS = tuple(
    r.value
    for r in (
        Eindresultaat.BUDGETADVIES_QUICK_FIX,
        Eindresultaat.VERVOLGHULP,
        Eindresultaat.VERVOLGHULP_FINANCIEEL,
        Eindresultaat.VERVOLGHULP_NIET_FINANCIEEL,
        Eindresultaat.VERWIJZING_ZONDER_TUSSENKOMST,
    )
)
"""End results that mean the resident was helped."""

MOMENT_NL = {"nu": "meteen", "bij_bestaand_contact": "bij contact dat er al was"}


@dataclass(frozen=True, slots=True)
class StepFacts:
    """One ladder step as the funnel sees it."""

    kanaal: str
    toon: str
    moment: str | None = None


@dataclass(frozen=True, slots=True)
class CaseFacts:
    """What the funnel needs of one case (no person in it)."""

    matchingsdatum: date
    campagne: str | None
    datum_opgepakt: date | None
    datum_hulp_geaccepteerd: date | None
    eindresultaat: str | None
    reached: bool
    """An attempt reached the resident."""
    steps: Sequence[StepFacts] = ()
    """The ladder steps taken, in order."""
    arm: str | None = None
    """'experiment: arm' of the case's unit, if any."""
    kansen: str | None = None
    """The segment probabilities from the resident's own answers (JSON), if kept."""
    first_reached: date | None = None
    """The day of the first attempt that reached the resident."""
    regelingen: tuple[tuple[str, bool], ...] = ()
    """Each regulation an offer named, and whether a later scan found it received."""
    eigenaar_id: int | None = None
    """The case owner (a user id)."""


def funnel_steps(case: CaseFacts) -> tuple[bool, bool, bool]:
    """(reached, accepted, helped), each only if the step before holds: never widens."""
    helped_result = case.eindresultaat in HELP_RESULTS
    reached = case.reached and case.datum_opgepakt is not None
    accepted = reached and (case.datum_hulp_geaccepteerd is not None or helped_result)
    return reached, accepted, accepted and helped_result


def days_to_reached(case: CaseFacts) -> int | None:
    """Days from the case's start to reaching the resident (a lead time), for a case the
    funnel counts as reached."""
    if not funnel_steps(case)[0] or case.first_reached is None:
        return None
    return max(0, (case.first_reached - case.matchingsdatum).days)


def _moment(steps: Sequence[StepFacts]) -> str:
    if not steps:
        return "geen bericht"
    moment = steps[0].moment
    return MOMENT_NL.get(moment, moment) if moment else "onbekend (van voor de meting)"


def case_keys(case: CaseFacts) -> dict[str, str]:
    """The case's key in each breakdown with one key per case (origin, segment, tone,
    moment, ladder, experiment arm; the per-partner funnel keeps report_aggregates)."""
    segment = "geen antwoorden"
    if case.kansen:
        kansen: dict[str, float] = json.loads(case.kansen)
        if kansen:
            segment = max(kansen, key=kansen.__getitem__)
    return {
        "herkomst": "signalen" if case.campagne is None else f"campagne: {case.campagne}",
        "segment": segment,
        "toon": case.steps[0].toon if case.steps else "geen bericht",
        "moment": _moment(case.steps),
        "ladder": " > ".join(s.kanaal for s in case.steps) or "nog geen stap",
        "experiment": case.arm or "geen experiment",
    }


def kept_keys(case: CaseFacts) -> list[tuple[str, str, int]]:
    """Every (breakdown, key, received) a deleted case's counts are kept under: one key
    per case for each breakdown of ``case_keys``, its owner ('medewerker', '' for none), and each
    regulation its offer named ('regeling', with 1 when a later scan found it received)."""
    keys = [(d, v, 0) for d, v in case_keys(case).items()]
    keys.append(("medewerker", "" if case.eigenaar_id is None else str(case.eigenaar_id), 0))
    keys.extend(("regeling", r, int(received)) for r, received in case.regelingen)
    return keys

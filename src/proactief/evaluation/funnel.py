"""Evaluation works on pseudonymised or aggregated data only: the funnel
(signals -> picked up -> reached -> accepted -> helped) per signal partner, per kind of
contact attempt and per segment, including the counts kept after retention deleted the
personal data behind them.

'Accepted' is a registered acceptance of help (``cases.datum_hulp_geaccepteerd``) or an
end result that means help: every helped case counts as accepted, so the funnel never
widens.
"""

import json
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection

from proactief.domain import Doel
from proactief.trust.access import PersonalDataAccess
from proactief.trust.retention import HELP_RESULTS

__all__ = ["Funnels", "funnel", "funnel_by_channel", "funnel_by_segment", "funnels"]

_CASE_FIELDS = [
    "id",
    "eindresultaat",
    "datum_opgepakt",
    "datum_hulp_geaccepteerd",
    "person_pseudonym",
]
_AGGREGATE_FIELDS = [
    "signaalpartner",
    "eindresultaat",
    "signalen",
    "opgepakt",
    "bereikt",
    "geaccepteerd",
]

Counts = dict[str, dict[str, int]]


@dataclass(frozen=True)
class Funnels:
    """The funnel three ways, from one read of the data."""

    per_partner: Counts
    per_channel: Counts
    per_segment: Counts


def _helped(case: Any) -> bool:
    return case is not None and case.eindresultaat in HELP_RESULTS


def _accepted(case: Any) -> bool:
    return case is not None and (case.datum_hulp_geaccepteerd is not None or _helped(case))


def _empty() -> dict[str, int]:
    return {"zaken": 0, "bereikt": 0, "geaccepteerd": 0, "geholpen": 0}


@dataclass(frozen=True)
class _Facts:
    cases: dict[int, Any]
    attempts: list[Any]
    reached: set[int]
    signals: list[Any]
    aggregates: list[Any]
    segment_of: dict[str, str]


def _facts(conn: Connection, actor: str) -> _Facts:
    """Everything the funnels count, read once under the evaluation purpose."""
    access = PersonalDataAccess(conn, doel=Doel.EVALUATIE, actor=actor)
    attempts = access.read("contact_attempts", ["case_id", "soort", "bereikt"])
    segment_of: dict[str, str] = {}
    for r in access.read("segment_kansen", ["person_pseudonym", "kansen"]):
        kansen: dict[str, float] = json.loads(r.kansen)
        segment_of[r.person_pseudonym] = max(kansen, key=kansen.__getitem__)
    return _Facts(
        cases={r.id: r for r in access.read("cases", _CASE_FIELDS)},
        attempts=attempts,
        reached={a.case_id for a in attempts if a.bereikt},
        signals=access.read("signals", ["signaalpartner", "case_id"]),
        aggregates=access.read("report_aggregates", _AGGREGATE_FIELDS),
        segment_of=segment_of,
    )


def _per_partner(f: _Facts) -> Counts:
    out: Counts = defaultdict(
        lambda: {"signalen": 0, "opgepakt": 0, "bereikt": 0, "geaccepteerd": 0, "geholpen": 0}
    )
    for s in f.signals:
        row = out[s.signaalpartner]
        row["signalen"] += 1
        case: Any = f.cases.get(s.case_id)
        if case is not None:
            row["opgepakt"] += int(case.datum_opgepakt is not None)
            row["bereikt"] += int(case.id in f.reached)
            row["geaccepteerd"] += int(_accepted(case))
            row["geholpen"] += int(_helped(case))
    for a in f.aggregates:
        row = out[a.signaalpartner]
        helped = a.eindresultaat in HELP_RESULTS
        row["signalen"] += a.signalen
        row["opgepakt"] += a.opgepakt
        row["bereikt"] += a.bereikt
        row["geaccepteerd"] += a.signalen if helped else a.geaccepteerd
        row["geholpen"] += a.signalen if helped else 0
    return dict(out)


def _per_channel(f: _Facts) -> Counts:
    out: Counts = defaultdict(_empty)
    seen = {(a.soort, a.case_id) for a in f.attempts}
    reached_by = {(a.soort, a.case_id) for a in f.attempts if a.bereikt}
    for soort, case_id in seen:
        row = out[soort]
        row["zaken"] += 1
        row["bereikt"] += int((soort, case_id) in reached_by)
        case = f.cases.get(case_id)
        row["geaccepteerd"] += int(_accepted(case))
        row["geholpen"] += int(_helped(case))
    return dict(out)


def _per_segment(f: _Facts) -> Counts:
    out: Counts = defaultdict(_empty)
    for case in f.cases.values():
        row = out[f.segment_of.get(case.person_pseudonym, "geen antwoorden")]
        row["zaken"] += 1
        row["bereikt"] += int(case.id in f.reached)
        row["geaccepteerd"] += int(_accepted(case))
        row["geholpen"] += int(_helped(case))
    return dict(out)


def funnels(*, conn: Connection, actor: str = "systeem:evaluatie") -> Funnels:
    """The funnel per signal partner, per kind of contact attempt and per segment, from
    one read (the dashboard)."""
    f = _facts(conn, actor)
    return Funnels(_per_partner(f), _per_channel(f), _per_segment(f))


def funnel(*, conn: Connection, actor: str = "systeem:evaluatie") -> Counts:
    """Per signaalpartner: signalen, opgepakt, bereikt, geaccepteerd, geholpen (live +
    kept counts)."""
    return _per_partner(_facts(conn, actor))


def funnel_by_channel(*, conn: Connection, actor: str = "systeem:evaluatie") -> Counts:
    """Per kind of contact attempt (DDAS): cases with such an attempt, reached by it, and
    accepted and helped in the end."""
    return _per_channel(_facts(conn, actor))


def funnel_by_segment(*, conn: Connection, actor: str = "systeem:evaluatie") -> Counts:
    """Per most likely segment, for residents who answered the questionnaire and agreed:
    cases, reached, accepted, helped. Everyone else is counted as 'geen antwoorden'."""
    return _per_segment(_facts(conn, actor))

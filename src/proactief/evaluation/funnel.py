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
from datetime import date

from sqlalchemy import Connection

from proactief.domain import Doel
from proactief.trust.access import PersonalDataAccess
from proactief.trust.retention import HELP_RESULTS

__all__ = ["Funnels", "funnel", "funnel_by_channel", "funnel_by_segment", "funnels"]


# What the funnel reads, table by table: these fields and no others (the evaluation
# purpose in config/doelen.yaml allows them; PersonalDataAccess.read checks it).
@dataclass(frozen=True, slots=True)
class _Case:
    id: int
    eindresultaat: str | None
    datum_opgepakt: date | None
    datum_hulp_geaccepteerd: date | None
    person_pseudonym: str


@dataclass(frozen=True, slots=True)
class _Attempt:
    case_id: int
    soort: str
    bereikt: bool


@dataclass(frozen=True, slots=True)
class _Segment:
    person_pseudonym: str
    kansen: str


@dataclass(frozen=True, slots=True)
class _Signal:
    signaalpartner: str
    case_id: int | None


@dataclass(frozen=True, slots=True)
class _Aggregate:
    signaalpartner: str
    eindresultaat: str
    signalen: int
    opgepakt: int
    bereikt: int
    geaccepteerd: int


Counts = dict[str, dict[str, int]]


@dataclass(frozen=True)
class Funnels:
    """The funnel three ways, from one read of the data."""

    per_partner: Counts
    per_channel: Counts
    per_segment: Counts


def _helped(case: _Case | None) -> bool:
    return case is not None and case.eindresultaat in HELP_RESULTS


def _accepted(case: _Case | None) -> bool:
    return case is not None and (case.datum_hulp_geaccepteerd is not None or _helped(case))


def _empty() -> dict[str, int]:
    return {"zaken": 0, "bereikt": 0, "geaccepteerd": 0, "geholpen": 0}


@dataclass(frozen=True)
class _Facts:
    cases: dict[int, _Case]
    attempts: list[_Attempt]
    reached: set[int]
    signals: list[_Signal]
    aggregates: list[_Aggregate]
    segment_of: dict[str, str]


def _facts(conn: Connection, actor: str) -> _Facts:
    """Everything the funnels count, read once under the evaluation purpose."""
    access = PersonalDataAccess(conn, doel=Doel.EVALUATIE, actor=actor)
    attempts = access.read(_Attempt, "contact_attempts")
    segment_of: dict[str, str] = {}
    for r in access.read(_Segment, "segment_kansen"):
        kansen: dict[str, float] = json.loads(r.kansen)
        segment_of[r.person_pseudonym] = max(kansen, key=kansen.__getitem__)
    return _Facts(
        cases={r.id: r for r in access.read(_Case, "cases")},
        attempts=attempts,
        reached={a.case_id for a in attempts if a.bereikt},
        signals=access.read(_Signal, "signals"),
        aggregates=access.read(_Aggregate, "report_aggregates"),
        segment_of=segment_of,
    )


def _per_partner(f: _Facts) -> Counts:
    out: Counts = defaultdict(
        lambda: {"signalen": 0, "opgepakt": 0, "bereikt": 0, "geaccepteerd": 0, "geholpen": 0}
    )
    for s in f.signals:
        row = out[s.signaalpartner]
        row["signalen"] += 1
        case = None if s.case_id is None else f.cases.get(s.case_id)
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

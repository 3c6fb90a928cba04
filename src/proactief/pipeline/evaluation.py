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
from typing import Any

from sqlalchemy import Connection

from proactief.domain import Doel
from proactief.pipeline.access import PersonalDataAccess
from proactief.pipeline.retention import HELP_RESULTS

__all__ = ["funnel", "funnel_by_channel", "funnel_by_segment"]

_CASE_FIELDS = ["id", "eindresultaat", "datum_opgepakt", "datum_hulp_geaccepteerd"]


def _helped(case: Any) -> bool:
    return case is not None and case.eindresultaat in HELP_RESULTS


def _accepted(case: Any) -> bool:
    return case is not None and (case.datum_hulp_geaccepteerd is not None or _helped(case))


def funnel(*, conn: Connection, actor: str = "systeem:evaluatie") -> dict[str, dict[str, int]]:
    """Per signaalpartner: signalen, opgepakt, bereikt, geaccepteerd, geholpen (live +
    kept counts)."""
    access = PersonalDataAccess(conn, doel=Doel.EVALUATIE, actor=actor)
    cases = {r.id: r for r in access.read("cases", _CASE_FIELDS)}
    reached = {
        r.case_id for r in access.read("contact_attempts", ["case_id", "bereikt"]) if r.bereikt
    }
    out: dict[str, dict[str, int]] = defaultdict(
        lambda: {"signalen": 0, "opgepakt": 0, "bereikt": 0, "geaccepteerd": 0, "geholpen": 0}
    )
    for s in access.read("signals", ["signaalpartner", "case_id"]):
        row = out[s.signaalpartner]
        row["signalen"] += 1
        case: Any = cases.get(s.case_id)
        if case is not None:
            row["opgepakt"] += int(case.datum_opgepakt is not None)
            row["bereikt"] += int(case.id in reached)
            row["geaccepteerd"] += int(_accepted(case))
            row["geholpen"] += int(_helped(case))
    for a in access.read(
        "report_aggregates",
        ["signaalpartner", "eindresultaat", "signalen", "opgepakt", "bereikt", "geaccepteerd"],
    ):
        row = out[a.signaalpartner]
        helped = a.eindresultaat in HELP_RESULTS
        row["signalen"] += a.signalen
        row["opgepakt"] += a.opgepakt
        row["bereikt"] += a.bereikt
        row["geaccepteerd"] += a.signalen if helped else a.geaccepteerd
        row["geholpen"] += a.signalen if helped else 0
    return dict(out)


def _case_outcomes(access: PersonalDataAccess) -> tuple[dict[int, Any], set[int]]:
    cases = {r.id: r for r in access.read("cases", [*_CASE_FIELDS, "person_pseudonym"])}
    reached = {
        r.case_id for r in access.read("contact_attempts", ["case_id", "bereikt"]) if r.bereikt
    }
    return cases, reached


def _empty() -> dict[str, int]:
    return {"zaken": 0, "bereikt": 0, "geaccepteerd": 0, "geholpen": 0}


def funnel_by_channel(
    *, conn: Connection, actor: str = "systeem:evaluatie"
) -> dict[str, dict[str, int]]:
    """Per kind of contact attempt (DDAS): cases with such an attempt, reached by it, and
    accepted and helped in the end."""
    access = PersonalDataAccess(conn, doel=Doel.EVALUATIE, actor=actor)
    cases, _reached = _case_outcomes(access)
    out: dict[str, dict[str, int]] = defaultdict(_empty)
    seen: set[tuple[str, int]] = set()
    reached_by: set[tuple[str, int]] = set()
    for a in access.read("contact_attempts", ["case_id", "soort", "bereikt"]):
        seen.add((a.soort, a.case_id))
        if a.bereikt:
            reached_by.add((a.soort, a.case_id))
    for soort, case_id in seen:
        row = out[soort]
        row["zaken"] += 1
        row["bereikt"] += int((soort, case_id) in reached_by)
        case = cases.get(case_id)
        row["geaccepteerd"] += int(_accepted(case))
        row["geholpen"] += int(_helped(case))
    return dict(out)


def funnel_by_segment(
    *, conn: Connection, actor: str = "systeem:evaluatie"
) -> dict[str, dict[str, int]]:
    """Per most likely segment, for residents who answered the questionnaire and agreed:
    cases, reached, accepted, helped. Everyone else is counted as 'geen antwoorden'."""
    access = PersonalDataAccess(conn, doel=Doel.EVALUATIE, actor=actor)
    cases, reached = _case_outcomes(access)
    segment_of: dict[str, str] = {}
    for r in access.read("segment_kansen", ["person_pseudonym", "kansen"]):
        kansen: dict[str, float] = json.loads(r.kansen)
        segment_of[r.person_pseudonym] = max(kansen, key=kansen.__getitem__)
    out: dict[str, dict[str, int]] = defaultdict(_empty)
    for case in cases.values():
        row = out[segment_of.get(case.person_pseudonym, "geen antwoorden")]
        row["zaken"] += 1
        row["bereikt"] += int(case.id in reached)
        row["geaccepteerd"] += int(_accepted(case))
        row["geholpen"] += int(_helped(case))
    return dict(out)

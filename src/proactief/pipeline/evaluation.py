"""Evaluation works on pseudonymised or aggregated data only: the funnel per signal
partner (signals -> picked up -> reached -> helped), including the counts kept after
retention deleted the personal data behind them."""

import json
from collections import defaultdict
from typing import Any

from sqlalchemy import Connection

from proactief.domain import Doel
from proactief.pipeline.access import PersonalDataAccess
from proactief.pipeline.retention import HELP_RESULTS

__all__ = ["funnel", "funnel_by_channel", "funnel_by_segment"]


def funnel(*, conn: Connection, actor: str = "systeem:evaluatie") -> dict[str, dict[str, int]]:
    """Per signaalpartner: signalen, opgepakt, bereikt, geholpen (live + kept counts)."""
    access = PersonalDataAccess(conn, doel=Doel.EVALUATIE, actor=actor)
    cases = {r.id: r for r in access.read("cases", ["id", "eindresultaat", "datum_opgepakt"])}
    reached = {
        r.case_id for r in access.read("contact_attempts", ["case_id", "bereikt"]) if r.bereikt
    }
    out: dict[str, dict[str, int]] = defaultdict(
        lambda: {"signalen": 0, "opgepakt": 0, "bereikt": 0, "geholpen": 0}
    )
    for s in access.read("signals", ["signaalpartner", "case_id"]):
        row = out[s.signaalpartner]
        row["signalen"] += 1
        case: Any = cases.get(s.case_id)
        if case is not None:
            row["opgepakt"] += int(case.datum_opgepakt is not None)
            row["bereikt"] += int(case.id in reached)
            row["geholpen"] += int(case.eindresultaat in HELP_RESULTS)
    for a in access.read(
        "report_aggregates", ["signaalpartner", "eindresultaat", "signalen", "opgepakt", "bereikt"]
    ):
        row = out[a.signaalpartner]
        row["signalen"] += a.signalen
        row["opgepakt"] += a.opgepakt
        row["bereikt"] += a.bereikt
        row["geholpen"] += a.signalen if a.eindresultaat in HELP_RESULTS else 0
    return dict(out)


def _case_outcomes(access: PersonalDataAccess) -> tuple[dict[int, Any], set[int]]:
    cases = {
        r.id: r
        for r in access.read("cases", ["id", "eindresultaat", "datum_opgepakt", "person_pseudonym"])
    }
    reached = {
        r.case_id for r in access.read("contact_attempts", ["case_id", "bereikt"]) if r.bereikt
    }
    return cases, reached


def funnel_by_channel(
    *, conn: Connection, actor: str = "systeem:evaluatie"
) -> dict[str, dict[str, int]]:
    """Per kind of contact attempt (DDAS): cases with such an attempt, reached by it, and
    helped in the end."""
    access = PersonalDataAccess(conn, doel=Doel.EVALUATIE, actor=actor)
    cases, _reached = _case_outcomes(access)
    out: dict[str, dict[str, int]] = defaultdict(lambda: {"zaken": 0, "bereikt": 0, "geholpen": 0})
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
        row["geholpen"] += int(case is not None and case.eindresultaat in HELP_RESULTS)
    return dict(out)


def funnel_by_segment(
    *, conn: Connection, actor: str = "systeem:evaluatie"
) -> dict[str, dict[str, int]]:
    """Per most likely segment, for residents who answered the questionnaire and agreed:
    cases, reached, helped. Everyone else is counted as 'geen antwoorden'."""
    access = PersonalDataAccess(conn, doel=Doel.EVALUATIE, actor=actor)
    cases, reached = _case_outcomes(access)
    segment_of: dict[str, str] = {}
    for r in access.read("segment_kansen", ["person_pseudonym", "kansen"]):
        kansen: dict[str, float] = json.loads(r.kansen)
        segment_of[r.person_pseudonym] = max(kansen, key=kansen.__getitem__)
    out: dict[str, dict[str, int]] = defaultdict(lambda: {"zaken": 0, "bereikt": 0, "geholpen": 0})
    for case in cases.values():
        row = out[segment_of.get(case.person_pseudonym, "geen antwoorden")]
        row["zaken"] += 1
        row["bereikt"] += int(case.id in reached)
        row["geholpen"] += int(case.eindresultaat in HELP_RESULTS)
    return dict(out)

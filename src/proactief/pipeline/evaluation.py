"""Evaluation works on pseudonymised or aggregated data only: the funnel per signal
partner (signals -> picked up -> reached -> helped), including the counts kept after
retention deleted the personal data behind them."""

from collections import defaultdict
from typing import Any

from sqlalchemy import Connection

from proactief.domain import Doel
from proactief.pipeline.access import PersonalDataAccess
from proactief.pipeline.retention import HELP_RESULTS

__all__ = ["funnel"]


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

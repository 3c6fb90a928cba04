"""The evaluation's tables as the dashboard and ``proactief evaluate`` show them: rows as
dicts (counts and sums only), the funnel, and the CSV columns of each table."""

from typing import Any

from proactief.domain import signaalpartner_team
from proactief.evaluation.funnel import Funnels

__all__ = ["FUNNEL", "TABLES", "TITLES", "funnel_tables"]

FUNNEL = (
    ("Signalen", "signalen"),
    ("Opgepakt", "opgepakt"),
    ("Bereikt", "bereikt"),
    ("Hulp aangenomen", "geaccepteerd"),
    ("Geholpen", "geholpen"),
)
"""The steps of the funnel, as the team reads them, and their key in the counts."""

TABLES = {
    "partners": ("naam", "signalen", "opgepakt", "bereikt", "geaccepteerd", "geholpen"),
    "kanalen": ("naam", "zaken", "bereikt", "geaccepteerd", "geholpen"),
    "segmenten": ("naam", "zaken", "bereikt", "geaccepteerd", "geholpen", "dagen_tot_bereikt"),
    "herkomst": ("naam", "zaken", "bereikt", "geaccepteerd", "geholpen", "dagen_tot_bereikt"),
    "regelingen": ("naam", "zaken", "bereikt", "geaccepteerd", "geholpen", "ontvangen"),
    "tonen": ("naam", "zaken", "bereikt", "geaccepteerd", "geholpen", "dagen_tot_bereikt"),
    "ladders": ("naam", "zaken", "bereikt", "geaccepteerd", "geholpen", "dagen_tot_bereikt"),
    "experimenten": ("naam", "zaken", "bereikt", "geaccepteerd", "geholpen", "dagen_tot_bereikt"),
    "momenten": ("naam", "zaken", "bereikt", "geaccepteerd", "geholpen", "dagen_tot_bereikt"),
    "geld": ("naam", "aangeboden", "ontvangen", "bedrag_per_jaar"),
    "medewerkers": ("naam", "zaken", "open", "bereikt", "geaccepteerd", "geholpen"),
    "doorlooptijden": ("naam", "zaken", "mediaan", "p90"),
}
"""Each table and its columns (the CSV of the dashboard and of ``proactief evaluate``)."""

TITLES = {
    "partners": "Per signaalpartner",
    "kanalen": "Per soort contactpoging",
    "segmenten": "Per segment (eigen antwoorden)",
    "herkomst": "Vroegsignalen en campagnes apart",
    "regelingen": "Per regeling in het aanbod",
    "tonen": "Per toon van het eerste bericht",
    "ladders": "Per contactladder zoals die liep",
    "experimenten": "Per groep van een experiment",
    "momenten": "Per moment van het eerste bericht",
    "geld": "Geld na een aanbod",
    "medewerkers": "Per medewerker",
    "doorlooptijden": "Doorlooptijden in dagen",
}


def funnel_tables(counted: Funnels, worker_names: dict[int, str]) -> dict[str, Any]:
    """Every table for one period, plus 'trechter' (step, count) over all partners."""
    rows = counted.per_partner
    return {
        "partners": [
            {"naam": signaalpartner_team(p), "zaken": c["signalen"], **c}
            for p, c in sorted(rows.items())
        ],
        "trechter": [(naam, sum(c[key] for c in rows.values())) for naam, key in FUNNEL],
        "kanalen": [{"naam": k, **c} for k, c in sorted(counted.per_channel.items())],
        "segmenten": [{"naam": k, **c} for k, c in sorted(counted.per_segment.items())],
        "herkomst": [{"naam": k, **c} for k, c in sorted(counted.per_origin.items())],
        "regelingen": [{"naam": k, **c} for k, c in sorted(counted.per_regulation.items())],
        "tonen": [{"naam": k, **c} for k, c in sorted(counted.per_tone.items())],
        "ladders": [
            {"naam": k, **c}
            for k, c in sorted(counted.per_ladder.items(), key=lambda kv: -kv[1]["zaken"])
        ],
        "experimenten": [{"naam": k, **c} for k, c in sorted(counted.per_arm.items())],
        "momenten": [{"naam": k, **c} for k, c in sorted(counted.per_moment.items())],
        "geld": [
            {"naam": k, **{n: round(v, 2) for n, v in c.items()}}
            for k, c in sorted(counted.money.items(), key=lambda kv: (kv[0] == "alle", kv[0]))
        ],
        "medewerkers": sorted(
            (
                {"naam": worker_names.get(k, "onbekend") if k is not None else "Nog niemand", **c}
                for k, c in counted.per_worker.items()
            ),
            key=lambda r: str(r["naam"]),
        ),
        "doorlooptijden": [
            {
                "naam": t.stap,
                "zaken": t.zaken,
                "mediaan": "" if t.mediaan is None else f"{t.mediaan:g}",
                "p90": "" if t.p90 is None else f"{t.p90:g}",
            }
            for t in counted.lead_times
        ],
    }

"""Bijzondere bijstand (Participatiewet art. 35): only a 'possibly entitled - ask' flag.

Discretionary help is decided by a person, never by this engine: a household whose income
is within the municipality's test value is flagged so that someone can ask.
"""

import numpy as np

from proactief.entitlements.engine import Outcome, Params, Step
from proactief.entitlements.regelingen.bijstandsnorm.norm import bijstandsnorm_per_maand
from proactief.entitlements.settings import MunicipalSettings

TITEL = "Bijzondere bijstand"
USES = ("bijzondere_bijstand", "bijstandsnorm")
INPUTS = {
    "netto_inkomen_maand": np.nan,
    "toeslagpartner": 0.0,
    "leeftijd_aanvrager": np.nan,
    "aantal_volwassenen": np.nan,
}
STEPS = [
    Step("inkomen_onbekend", "We weten uw netto inkomen niet.", "Participatiewet, art. 35"),
    Step(
        "kostendelers",
        "In uw huis wonen {aantal_volwassenen} volwassenen. Dan kijken we niet "
        "automatisch; u kunt het wel zelf vragen.",
        "uitgesloten_vanaf_volwassenen",
    ),
    Step(
        "binnen_grens",
        "Uw netto inkomen {netto_inkomen_maand} per maand is niet hoger dan "
        "{inkomensgrens} ({grens_pct} van de bijstandsnorm). Misschien kunt u bijzondere "
        "bijstand krijgen voor kosten die u niet kunt betalen. Vraag het ons.",
        "norm_alleenstaand",
    ),
    Step(
        "boven_grens",
        "Uw netto inkomen {netto_inkomen_maand} is hoger dan {inkomensgrens}. "
        "We zien geen aanleiding om het u te vragen. U kunt het altijd zelf aanvragen.",
        "norm_alleenstaand",
    ),
]


def income_limit(h: dict[str, np.ndarray], p: Params, settings: MunicipalSettings) -> np.ndarray:
    """The municipality's income test value per month (a share of the bijstandsnorm)."""
    norm = bijstandsnorm_per_maand(h, p)
    return np.asarray(settings.inkomensgrens_bijzondere_bijstand_pct * norm)


def evaluate(h: dict[str, np.ndarray], p: Params, settings: MunicipalSettings) -> Outcome:
    """Flag households to ask about bijzondere bijstand."""
    n = len(h["netto_inkomen_maand"])
    mark = p.marker(STEPS, n)

    inkomen = h["netto_inkomen_maand"]
    grens = income_limit(h, p, settings)
    onbekend = np.isnan(inkomen)
    mark(onbekend, "inkomen_onbekend")
    kostendelers = ~onbekend & (h["aantal_volwassenen"] >= p("uitgesloten_vanaf_volwassenen"))
    mark(kostendelers, "kostendelers")
    binnen = ~onbekend & ~kostendelers & (inkomen <= grens)
    mark(binnen, "binnen_grens")
    mark(~onbekend & ~kostendelers & ~binnen, "boven_grens")
    return Outcome(
        entitled=np.zeros(n, dtype=bool),
        needs_data=binnen | onbekend,
        amount=np.full(n, np.nan),
        steps=mark.bits,
        values={
            "netto_inkomen_maand": inkomen,
            "inkomensgrens": grens,
            "grens_pct": settings.inkomensgrens_bijzondere_bijstand_pct,
            "aantal_volwassenen": h["aantal_volwassenen"],
        },
    )

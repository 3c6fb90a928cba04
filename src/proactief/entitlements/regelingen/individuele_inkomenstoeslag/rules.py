"""Individuele inkomenstoeslag (Participatiewet art. 36): only a 'possibly entitled - ask'
flag, for people aged 21 to the AOW age with a long-term low income."""

import numpy as np

from proactief.entitlements.engine import Outcome, Params, Step
from proactief.entitlements.regelingen.bijzondere_bijstand.rules import income_limit
from proactief.entitlements.settings import MunicipalSettings

TITEL = "Individuele inkomenstoeslag"
USES = ("bijzondere_bijstand", "bijstandsnorm")
INPUTS = {
    "netto_inkomen_maand": np.nan,
    "toeslagpartner": 0.0,
    "leeftijd_aanvrager": np.nan,
    "jaren_laag_inkomen": np.nan,
}
STEPS = [
    Step(
        "leeftijd",
        "De individuele inkomenstoeslag is voor mensen van {leeftijd_minimum} "
        "jaar tot de AOW-leeftijd.",
        "minimumleeftijd_iit",
    ),
    Step("inkomen_onbekend", "We weten uw netto inkomen niet.", "Participatiewet, art. 36"),
    Step(
        "boven_grens",
        "Uw netto inkomen {netto_inkomen_maand} is hoger dan {inkomensgrens}.",
        "norm_alleenstaand",
    ),
    Step(
        "te_kort_laag",
        "U heeft {aantal_jaren_laag} jaar een laag inkomen; de gemeente vraagt "
        "{aantal_jaren_nodig} jaar.",
        "Participatiewet, art. 36",
    ),
    Step(
        "duur_onbekend",
        "Uw inkomen is laag. We weten niet hoe lang al; de gemeente vraagt "
        "{aantal_jaren_nodig} jaar. Vraag het ons.",
        "Participatiewet, art. 36",
    ),
    Step(
        "vraag_het",
        "Uw inkomen is al {aantal_jaren_laag} jaar laag. Misschien kunt u een "
        "individuele inkomenstoeslag krijgen. Vraag het ons.",
        "Participatiewet, art. 36",
    ),
]


def evaluate(h: dict[str, np.ndarray], p: Params, settings: MunicipalSettings) -> Outcome:
    """Flag households to ask about individuele inkomenstoeslag."""
    n = len(h["netto_inkomen_maand"])
    mark = p.marker(STEPS, n)

    leeftijd = h["leeftijd_aanvrager"]
    buiten = (leeftijd < p("minimumleeftijd_iit")) | (leeftijd >= p("aow_leeftijd"))
    mark(buiten, "leeftijd")
    inkomen = h["netto_inkomen_maand"]
    onbekend = ~buiten & np.isnan(inkomen)
    mark(onbekend, "inkomen_onbekend")
    grens = income_limit(h, p, settings)
    boven = ~buiten & ~onbekend & (inkomen > grens)
    mark(boven, "boven_grens")
    laag = ~buiten & ~onbekend & ~boven
    jaren = h["jaren_laag_inkomen"]
    nodig = settings.iit_referteperiode_jaar
    kort = laag & (jaren < nodig)
    duur_onbekend = laag & np.isnan(jaren)
    vraag = laag & (jaren >= nodig)
    mark(kort, "te_kort_laag")
    mark(duur_onbekend, "duur_onbekend")
    mark(vraag, "vraag_het")
    return Outcome(
        entitled=np.zeros(n, dtype=bool),
        needs_data=onbekend | duur_onbekend | vraag,
        amount=np.full(n, np.nan),
        steps=mark.bits,
        values={
            "leeftijd_minimum": p("minimumleeftijd_iit"),
            "netto_inkomen_maand": inkomen,
            "inkomensgrens": grens,
            "aantal_jaren_laag": jaren,
            "aantal_jaren_nodig": nodig,
        },
    )

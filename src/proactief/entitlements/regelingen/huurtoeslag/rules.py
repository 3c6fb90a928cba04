"""Huurtoeslag (Wet op de huurtoeslag, BWBR0008659), vectorised.

The basishuur factors are not sourced, so no amount is ever computed: households that pass
every limit are 'possibly entitled - needs data', never a guessed amount.
"""

import numpy as np

from proactief.entitlements.engine import Outcome, Params, Step
from proactief.entitlements.settings import MunicipalSettings

TITEL = "Huurtoeslag"
USES = ("huurtoeslag",)
INPUTS = {
    "huurwoning": np.nan,
    "kale_huur": np.nan,
    "leeftijd_aanvrager": np.nan,
    "toeslagpartner": 0.0,
    "vermogen": np.nan,
}
STEPS = [
    Step(
        "geen_huurwoning",
        "U woont niet in een huurwoning. Dan is er geen huurtoeslag.",
        "Wet op de huurtoeslag, art. 7",
    ),
    Step("huur_onbekend", "We weten uw huur niet.", "maximale_huurgrens"),
    Step(
        "huur_te_hoog",
        "Uw huur {kale_huur} per maand is hoger dan de grens van {huurgrens}. "
        "Dan is er geen huurtoeslag.",
        "maximale_huurgrens",
    ),
    Step(
        "jong_huur_boven_grens",
        "U bent jonger dan {leeftijd_grens} en uw huur {kale_huur} is "
        "hoger dan {huurgrens}. Soms is er dan toch recht, bijvoorbeeld met kinderen. Dat "
        "moeten we navragen.",
        "kwaliteitskortingsgrens",
    ),
    Step(
        "vermogen_onbekend",
        "We weten uw vermogen niet. Boven {vermogensgrens} is er geen huurtoeslag.",
        "vermogensgrens_alleenstaand",
    ),
    Step(
        "vermogen_te_hoog",
        "Uw vermogen {vermogen} is hoger dan {vermogensgrens}.",
        "vermogensgrens_alleenstaand",
    ),
    Step(
        "binnen_grenzen",
        "Uw huur en vermogen blijven binnen de grenzen. Misschien heeft u "
        "recht op huurtoeslag. Het bedrag hangt af van uw inkomen; dat rekenen we niet uit, "
        "omdat de rekenregels voor de basishuur nog niet zijn gecontroleerd.",
        "basishuur_factoren",
    ),
]


def evaluate(h: dict[str, np.ndarray], p: Params, _settings: MunicipalSettings) -> Outcome:
    """Screening for huurtoeslag: which limits are passed; never an amount."""
    n = len(h["kale_huur"])
    mark = p.marker(STEPS, n)

    p.entry("basishuur_factoren")  # recorded: the reason no amount is computed
    huur = h["kale_huur"]
    geen_huur = h["huurwoning"] == 0
    mark(geen_huur, "geen_huurwoning")
    onbekend = ~geen_huur & np.isnan(huur)
    mark(onbekend, "huur_onbekend")
    jong = h["leeftijd_aanvrager"] < p("leeftijd_maximale_huurgrens")
    grens = np.where(jong, p("kwaliteitskortingsgrens"), p("maximale_huurgrens"))
    boven = ~geen_huur & ~onbekend & (huur > grens)
    mark(boven & ~jong, "huur_te_hoog")
    mark(boven & jong, "jong_huur_boven_grens")
    partner = h["toeslagpartner"] > 0
    vgrens = np.where(partner, p("vermogensgrens_partners"), p("vermogensgrens_alleenstaand"))
    verder = ~geen_huur & ~(boven & ~jong)
    vermogen = h["vermogen"]
    v_onbekend = verder & np.isnan(vermogen)
    v_hoog = verder & (vermogen > vgrens)
    mark(v_onbekend, "vermogen_onbekend")
    mark(v_hoog, "vermogen_te_hoog")
    mogelijk = verder & ~v_hoog
    mark(mogelijk & ~onbekend & ~v_onbekend & ~(boven & jong), "binnen_grenzen")
    return Outcome(
        entitled=np.zeros(n, dtype=bool),
        needs_data=mogelijk,
        amount=np.full(n, np.nan),
        steps=mark.bits,
        values={
            "kale_huur": huur,
            "huurgrens": grens,
            "leeftijd_grens": p("leeftijd_maximale_huurgrens"),
            "vermogen": vermogen,
            "vermogensgrens": vgrens,
        },
    )

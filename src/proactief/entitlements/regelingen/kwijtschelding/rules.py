"""Kwijtschelding gemeentelijke belastingen (Invorderingswet 1990 art. 26; Uitvoeringsregeling
Invorderingswet 1990; Regeling kwijtschelding belastingen medeoverheden), vectorised.

Full remission is computed when the household has no payment capacity and its assets stay
within the free amount; partial remission depends on unverified parts and is 'needs data'.
"""

import numpy as np

from proactief.entitlements.engine import Outcome, Params, Step
from proactief.entitlements.regelingen.bijstandsnorm.norm import bijstandsnorm_per_maand
from proactief.entitlements.settings import MunicipalSettings

TITEL = "Kwijtschelding gemeentelijke belastingen"
USES = ("kwijtschelding", "bijstandsnorm")
INPUTS = {
    "netto_inkomen_maand": np.nan,
    "toeslagpartner": 0.0,
    "leeftijd_aanvrager": np.nan,
    "vermogen": np.nan,
    "auto_waarde": 0.0,
    "kale_huur": 0.0,
    "aanslag_gemeentelijke_belastingen": np.nan,
}
STEPS = [
    Step(
        "gegevens_onbekend",
        "We weten uw netto inkomen of uw vermogen niet. Dat is nodig "
        "om te zien of u kwijtschelding kunt krijgen.",
        "Invorderingswet 1990, art. 26",
    ),
    Step(
        "kosten_van_bestaan",
        "Voor de kosten van bestaan rekent de gemeente met "
        "{kosten_van_bestaan} per maand ({norm_pct} van de bijstandsnorm {bijstandsnorm}).",
        "norm_alleenstaand",
    ),
    Step(
        "auto",
        "Van uw auto telt alleen de waarde boven {vrijstelling_auto} mee.",
        "vrijstelling_auto",
    ),
    Step(
        "vermogen_te_hoog",
        "Uw vermogen {vermogen_telt} is hoger dan wat vrij blijft "
        "({vrij_vermogen}). Dan is er geen kwijtschelding.",
        "vrijstelling_auto",
    ),
    Step(
        "vermogen_twijfel",
        "Uw vermogen {vermogen_telt} is iets hoger dan wat vrij blijft "
        "({vrij_vermogen}). De ruimte voor uw zorgpremie hebben we niet berekend. Dat "
        "moeten we navragen.",
        "marge_zorgpremie",
    ),
    Step(
        "geen_capaciteit",
        "Uw netto inkomen {netto_inkomen_maand} is niet hoger dan de kosten "
        "van bestaan. U kunt de belasting niet betalen: volledige kwijtschelding.",
        "Invorderingswet 1990, art. 26",
    ),
    Step(
        "wel_capaciteit",
        "Uw netto inkomen {netto_inkomen_maand} is hoger dan de kosten van "
        "bestaan. Misschien krijgt u een deel kwijtgescholden. Dat rekenen we niet uit, "
        "omdat die regel nog niet is gecontroleerd.",
        "aandeel_betalingscapaciteit",
    ),
    Step("aanslag_onbekend", "We weten het bedrag van uw aanslag niet.", "Gemeentewet, art. 255"),
    Step("bedrag", "Kwijtschelding: {bedrag_per_jaar} (uw aanslag).", "Gemeentewet, art. 255"),
]


def evaluate(h: dict[str, np.ndarray], p: Params, settings: MunicipalSettings) -> Outcome:
    """Kwijtschelding per household for one year."""
    n = len(h["netto_inkomen_maand"])
    mark = p.marker(STEPS, n)

    norm = bijstandsnorm_per_maand(h, p)
    pct = settings.kwijtschelding_kosten_van_bestaan_pct
    kvb = pct * norm
    inkomen, vermogen = h["netto_inkomen_maand"], h["vermogen"]
    onbekend = np.isnan(inkomen) | np.isnan(vermogen)
    mark(onbekend, "gegevens_onbekend")
    bekend = ~onbekend
    mark(bekend, "kosten_van_bestaan")
    auto = np.nan_to_num(h["auto_waarde"])
    mark(bekend & (auto > 0), "auto")
    telt = np.nan_to_num(vermogen) + np.maximum(0.0, auto - p("vrijstelling_auto"))
    vrij = kvb + np.nan_to_num(h["kale_huur"])
    twijfel = bekend & (telt > vrij) & (telt <= vrij + p("marge_zorgpremie"))
    te_hoog = bekend & (telt > vrij + p("marge_zorgpremie"))
    mark(te_hoog, "vermogen_te_hoog")
    mark(twijfel, "vermogen_twijfel")
    verder = bekend & ~te_hoog & ~twijfel
    geen_capaciteit = verder & (inkomen <= kvb)
    mark(geen_capaciteit, "geen_capaciteit")
    capaciteit = verder & (inkomen > kvb)
    mark(capaciteit, "wel_capaciteit")
    p.entry("aandeel_betalingscapaciteit")
    aanslag = h["aanslag_gemeentelijke_belastingen"]
    aanslag_onbekend = geen_capaciteit & np.isnan(aanslag)
    mark(aanslag_onbekend, "aanslag_onbekend")
    entitled = geen_capaciteit & ~aanslag_onbekend
    mark(entitled, "bedrag")
    return Outcome(
        entitled=entitled,
        needs_data=onbekend | twijfel | capaciteit | aanslag_onbekend,
        amount=np.where(entitled, aanslag, np.nan),
        steps=mark.bits,
        values={
            "kosten_van_bestaan": kvb,
            "norm_pct": pct,
            "bijstandsnorm": norm,
            "vrijstelling_auto": p("vrijstelling_auto"),
            "vermogen_telt": telt,
            "vrij_vermogen": vrij,
            "netto_inkomen_maand": inkomen,
            "bedrag_per_jaar": aanslag,
        },
    )

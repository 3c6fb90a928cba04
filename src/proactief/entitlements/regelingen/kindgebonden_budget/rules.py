"""Kindgebonden budget (Wet op het kindgebonden budget, BWBR0022751 art. 2), vectorised."""

import numpy as np

from proactief.entitlements.engine import Outcome, Params, Step
from proactief.entitlements.settings import MunicipalSettings

TITEL = "Kindgebonden budget"
USES = ("kindgebonden_budget",)
INPUTS = {
    "toetsingsinkomen": np.nan,
    "toeslagpartner": 0.0,
    "vermogen": np.nan,
    "kinderen_0_11": 0.0,
    "kinderen_12_15": 0.0,
    "kinderen_16_17": 0.0,
}
STEPS = [
    Step(
        "geen_kinderen",
        "Er wonen geen kinderen onder de 18 bij u. Dan is er geen kindgebonden budget.",
        "bedrag_per_kind",
    ),
    Step(
        "inkomen_onbekend",
        "We weten uw toetsingsinkomen niet. Dat is nodig voor de berekening.",
        "afbouwpercentage",
    ),
    Step(
        "basisbedrag",
        "Voor {aantal_kinderen} kind(eren) is het bedrag {basisbedrag} per jaar "
        "(inclusief verhogingen voor kinderen van 12 jaar en ouder).",
        "bedrag_per_kind",
    ),
    Step(
        "alleenstaande_ouder",
        "U bent alleenstaande ouder. Daarvoor komt er {ouderkop} bij.",
        "alleenstaande_ouderkop",
    ),
    Step(
        "afbouw",
        "Uw inkomen {toetsingsinkomen} is hoger dan {drempel}. Daarom gaat er "
        "{afbouw_pct} van het verschil af: {vermindering}.",
        "afbouwpercentage",
    ),
    Step(
        "geen_afbouw",
        "Uw inkomen {toetsingsinkomen} is niet hoger dan {drempel}. Er gaat niets af.",
        "drempelinkomen",
    ),
    Step(
        "onder_minimum",
        "Het bedrag {bedrag_per_jaar} is minder dan {minimum_uitbetaling}. "
        "Zo'n klein bedrag wordt niet uitbetaald.",
        "minimum_uitbetaling",
    ),
    Step(
        "vermogen_onbekend",
        "We weten uw vermogen niet. Boven {vermogensgrens} is er geen recht.",
        "vermogensgrens_alleenstaand",
    ),
    Step(
        "vermogen_te_hoog",
        "Uw vermogen {vermogen} is hoger dan {vermogensgrens}.",
        "vermogensgrens_alleenstaand",
    ),
    Step(
        "bedrag",
        "Kindgebonden budget: {bedrag_per_jaar} per jaar.",
        "Wet op het kindgebonden budget, art. 2",
    ),
]


def evaluate(h: dict[str, np.ndarray], p: Params, _settings: MunicipalSettings) -> Outcome:
    """Kindgebonden budget per household for one year."""
    n = len(h["toetsingsinkomen"])
    mark = p.marker(STEPS, n)

    k0, k12, k16 = (
        np.nan_to_num(h[c]) for c in ("kinderen_0_11", "kinderen_12_15", "kinderen_16_17")
    )
    kinderen = k0 + k12 + k16
    partner = h["toeslagpartner"] > 0
    inkomen = h["toetsingsinkomen"]
    geen_kinderen = kinderen <= 0
    mark(geen_kinderen, "geen_kinderen")
    onbekend = ~geen_kinderen & np.isnan(inkomen)
    mark(onbekend, "inkomen_onbekend")
    rekenen = ~geen_kinderen & ~onbekend
    basis = (
        kinderen * p("bedrag_per_kind") + k12 * p("verhoging_12_15") + k16 * p("verhoging_16_17")
    )
    ouderkop = np.where(~partner, p("alleenstaande_ouderkop"), 0.0)
    drempel = p("drempelinkomen") + np.where(partner, p("extra_drempel_partners"), 0.0)
    vermindering = p("afbouwpercentage") * np.maximum(0.0, np.nan_to_num(inkomen) - drempel)
    bedrag = np.maximum(0.0, basis + ouderkop - vermindering)
    mark(rekenen, "basisbedrag")
    mark(rekenen & ~partner, "alleenstaande_ouder")
    mark(rekenen & (vermindering > 0), "afbouw")
    mark(rekenen & (vermindering <= 0), "geen_afbouw")
    betaalbaar = np.floor(bedrag + 0.5) >= p("minimum_uitbetaling")
    mark(rekenen & ~betaalbaar, "onder_minimum")
    grens = np.where(partner, p("vermogensgrens_partners"), p("vermogensgrens_alleenstaand"))
    toets = rekenen & betaalbaar
    vermogen = h["vermogen"]
    vermogen_onbekend = toets & np.isnan(vermogen)
    te_hoog = toets & (vermogen > grens)
    mark(vermogen_onbekend, "vermogen_onbekend")
    mark(te_hoog, "vermogen_te_hoog")
    entitled = toets & ~vermogen_onbekend & ~te_hoog
    mark(entitled, "bedrag")
    return Outcome(
        entitled=entitled,
        needs_data=onbekend | vermogen_onbekend,
        amount=np.where(entitled, bedrag, np.nan),
        steps=mark.bits,
        values={
            "aantal_kinderen": kinderen,
            "basisbedrag": basis,
            "ouderkop": ouderkop,
            "toetsingsinkomen": inkomen,
            "drempel": drempel,
            "afbouw_pct": p("afbouwpercentage"),
            "vermindering": vermindering,
            "bedrag_per_jaar": bedrag,
            "bedrag_per_maand": np.where(entitled, np.floor(bedrag / 12), np.nan),
            "minimum_uitbetaling": p("minimum_uitbetaling"),
            "vermogen": vermogen,
            "vermogensgrens": grens,
        },
    )

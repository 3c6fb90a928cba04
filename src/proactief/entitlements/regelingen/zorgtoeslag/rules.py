"""Zorgtoeslag (Wet op de zorgtoeslag, BWBR0018451), vectorised over households.

normpremie = percentage x drempelinkomen + percentage x (toetsingsinkomen - drempelinkomen)
zorgtoeslag = standaardpremie (x2 with a toeslagpartner) - normpremie      (art. 2)
"""

import numpy as np

from proactief.entitlements.engine import Outcome, Params, Step
from proactief.entitlements.settings import MunicipalSettings

TITEL = "Zorgtoeslag"
USES = ("zorgtoeslag",)
INPUTS = {
    # column: default when the column is absent (NaN = unknown)
    "toetsingsinkomen": np.nan,
    "toeslagpartner": 0.0,
    "vermogen": np.nan,
    "leeftijd_aanvrager": np.nan,
    "verzekerd": 1.0,
    "partner_verzekerd": 1.0,
}
STEPS = [
    Step(
        "te_jong",
        "U bent jonger dan {leeftijd_minimum} jaar. Dan krijgt u geen zorgtoeslag.",
        "minimumleeftijd",
    ),
    Step(
        "niet_verzekerd",
        "U heeft geen Nederlandse zorgverzekering. Dan krijgt u geen zorgtoeslag.",
        "Wet op de zorgtoeslag, art. 2 lid 1",
    ),
    Step(
        "inkomen_onbekend",
        "We weten uw toetsingsinkomen niet. Dat is nodig om uw zorgtoeslag te berekenen.",
        "normpercentage_toets",
    ),
    Step(
        "inkomen_onder_drempel",
        "Uw toetsingsinkomen {toetsingsinkomen} is niet hoger dan "
        "het drempelinkomen {drempelinkomen}.",
        "drempelinkomen",
    ),
    Step(
        "inkomen_boven_drempel",
        "Uw toetsingsinkomen {toetsingsinkomen} is hoger dan het drempelinkomen {drempelinkomen}.",
        "drempelinkomen",
    ),
    Step(
        "normpremie",
        "Uw normpremie is {normpremie}: {drempel_pct} van het drempelinkomen, "
        "plus {toets_pct} van uw inkomen boven het drempelinkomen.",
        "normpercentage_toets",
    ),
    Step(
        "standaardpremie",
        "De standaardpremie is {standaardpremie} per verzekerde. U telt "
        "met {aantal_premies} standaardpremie(s): samen {premies}.",
        "standaardpremie",
    ),
    Step(
        "partner_onverzekerd",
        "Uw toeslagpartner is niet verzekerd. Daarom krijgt u de helft.",
        "aandeel_onverzekerde_partner",
    ),
    Step(
        "bedrag",
        "Zorgtoeslag: {premies} min {normpremie} = {bedrag_per_jaar} per jaar.",
        "Wet op de zorgtoeslag, art. 2",
    ),
    Step(
        "onder_minimum",
        "Dat is minder dan {minimum_uitbetaling} per jaar. Zo'n klein bedrag "
        "wordt niet uitbetaald.",
        "minimum_uitbetaling",
    ),
    Step(
        "vermogen_onbekend",
        "We weten uw vermogen niet. Boven {vermogensgrens} krijgt u geen zorgtoeslag.",
        "vermogensgrens_alleenstaand",
    ),
    Step(
        "vermogen_te_hoog",
        "Uw vermogen {vermogen} is hoger dan de grens van {vermogensgrens}."
        " Dan krijgt u geen zorgtoeslag.",
        "vermogensgrens_alleenstaand",
    ),
    Step(
        "vermogen_onder_grens",
        "Uw vermogen {vermogen} is niet hoger dan de grens van {vermogensgrens}.",
        "vermogensgrens_alleenstaand",
    ),
    Step(
        "vermogensgrens_onzeker",
        "De vermogensgrens voor dit jaar is nog niet gecontroleerd. "
        "Uw vermogen {vermogen} is hoger dan de grens van vorig jaar ({vermogensgrens}). We "
        "kunnen daarom nog niet zeggen of u recht heeft.",
        "vermogensgrens_alleenstaand",
    ),
    Step(
        "per_maand",
        "Per maand is dat {bedrag_per_maand} (afgerond naar beneden op hele euro's).",
        "Algemene wet inkomensafhankelijke regelingen",
    ),
]


def normpremie(
    inkomen: np.ndarray, partner: np.ndarray, p: Params
) -> tuple[np.ndarray, np.ndarray]:
    """Normpremie per jaar and the drempel percentage used (Wzt art. 2 lid 3)."""
    drempel_pct = np.where(
        partner > 0, p("normpercentage_drempel_partners"), p("normpercentage_drempel_alleenstaand")
    )
    boven = np.maximum(0.0, inkomen - p("drempelinkomen"))
    return drempel_pct * p("drempelinkomen") + p("normpercentage_toets") * boven, drempel_pct


def is_payable(bedrag: np.ndarray, p: Params) -> np.ndarray:
    """Awir minimum: the amount rounded half up to whole euros must reach the minimum."""
    return np.asarray(np.floor(bedrag + 0.5) >= p("minimum_uitbetaling"))


def evaluate(h: dict[str, np.ndarray], p: Params, _settings: MunicipalSettings) -> Outcome:
    """Zorgtoeslag per household for one year."""
    n = len(h["toetsingsinkomen"])
    mark = p.marker(STEPS, n)

    inkomen = h["toetsingsinkomen"]
    partner = h["toeslagpartner"] > 0
    leeftijd = h["leeftijd_aanvrager"]
    te_jong = leeftijd < p("minimumleeftijd")  # NaN age: assumed adult
    niet_verzekerd = h["verzekerd"] <= 0
    mark(te_jong, "te_jong")
    mark(niet_verzekerd & ~te_jong, "niet_verzekerd")
    uitgesloten = te_jong | niet_verzekerd
    onbekend = np.isnan(inkomen) & ~uitgesloten
    mark(onbekend, "inkomen_onbekend")
    rekenen = ~uitgesloten & ~onbekend

    premie, drempel_pct = normpremie(np.nan_to_num(inkomen), partner, p)
    aantal = np.where(partner, 2.0, 1.0)
    premies = aantal * p("standaardpremie")
    bedrag = np.maximum(0.0, premies - premie)
    onverzekerd_partner = partner & (h["partner_verzekerd"] <= 0)
    bedrag = np.where(onverzekerd_partner, bedrag * p("aandeel_onverzekerde_partner"), bedrag)
    boven = inkomen > p("drempelinkomen")
    mark(rekenen & boven, "inkomen_boven_drempel")
    mark(rekenen & ~boven, "inkomen_onder_drempel")
    mark(rekenen, "normpremie")
    mark(rekenen, "standaardpremie")
    mark(rekenen & onverzekerd_partner, "partner_onverzekerd")
    mark(rekenen, "bedrag")
    betaalbaar = is_payable(bedrag, p)
    mark(rekenen & ~betaalbaar, "onder_minimum")

    grens_p, grens_s = p.maybe("vermogensgrens_partners"), p.maybe("vermogensgrens_alleenstaand")
    known = grens_p is not None and grens_s is not None
    grens: np.ndarray
    if grens_p is not None and grens_s is not None:
        grens = np.where(partner, grens_p, grens_s)
        grens_onzeker = np.zeros(n, dtype=bool)
    else:
        # this year's limit is not verified: only last year's limit can clear a household
        grens = np.where(
            partner,
            p.previous_known("vermogensgrens_partners") or 0.0,
            p.previous_known("vermogensgrens_alleenstaand") or 0.0,
        )
        grens_onzeker = ~np.isnan(h["vermogen"]) & (h["vermogen"] > grens)
    vermogen = h["vermogen"]
    toets = rekenen & betaalbaar
    vermogen_onbekend = toets & np.isnan(vermogen)
    te_hoog = toets & known & (vermogen > grens)
    onzeker = toets & grens_onzeker
    mark(vermogen_onbekend, "vermogen_onbekend")
    mark(te_hoog, "vermogen_te_hoog")
    mark(onzeker, "vermogensgrens_onzeker")
    vermogen_ok = toets & ~vermogen_onbekend & ~te_hoog & ~onzeker
    mark(vermogen_ok, "vermogen_onder_grens")
    mark(vermogen_ok, "per_maand")

    entitled = vermogen_ok
    needs_data = onbekend | vermogen_onbekend | onzeker
    amount = np.where(entitled, bedrag, np.nan)
    return Outcome(
        entitled=entitled,
        needs_data=needs_data,
        amount=amount,
        steps=mark.bits,
        values={
            "toetsingsinkomen": inkomen,
            "drempelinkomen": p("drempelinkomen"),
            "normpremie": premie,
            "drempel_pct": drempel_pct,
            "toets_pct": p("normpercentage_toets"),
            "standaardpremie": p("standaardpremie"),
            "premies": premies,
            "aantal_premies": aantal,
            "bedrag_per_jaar": bedrag,
            "bedrag_per_maand": np.where(entitled, np.floor(bedrag / 12), np.nan),
            "minimum_uitbetaling": p("minimum_uitbetaling"),
            "leeftijd_minimum": p("minimumleeftijd"),
            "vermogen": vermogen,
            "vermogensgrens": grens,
        },
    )

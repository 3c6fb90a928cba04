"""The peer for the rules benchmark: every regulation Proactief evaluates, written as one
OpenFisca-core tax-benefit system with the same formulas and the same dated parameters
(read from Proactief's own parameters.yaml files), so that both engines compute the same
thing in the same run.

Only for the benchmark (``pip install -e .[bench]``); nothing in ``src`` imports it.
Each regulation follows its rules.py under src/proactief/entitlements/regelingen/ for a
year whose parameters are known (2025): the status (no right, right not received,
receives, possibly entitled - needs data) and the amount where there is a right. The
municipality's own choices (config/gemeente.yaml) are a parameter node ``gemeente`` with
the defaults of ``MunicipalSettings``. OpenFisca stores floats as float32; amounts are
compared to the cent in the benchmark.
"""

from collections.abc import Callable
from dataclasses import fields

import numpy as np
from openfisca_core.entities import build_entity
from openfisca_core.parameters import ParameterNode
from openfisca_core.periods import YEAR
from openfisca_core.simulations import Simulation, SimulationBuilder
from openfisca_core.taxbenefitsystems import TaxBenefitSystem
from openfisca_core.variables import Variable

from proactief.entitlements.parameters import load_parameters
from proactief.entitlements.settings import MunicipalSettings

# the same codes as proactief.entitlements.Status
GEEN_RECHT, RECHT_NIET_ONTVANGEN, ONTVANGT, GEGEVENS_NODIG = 0, 1, 2, 3

REGELINGEN = (
    "zorgtoeslag",
    "huurtoeslag",
    "kindgebonden_budget",
    "kwijtschelding",
    "bijzondere_bijstand",
    "individuele_inkomenstoeslag",
)
"""The regulations, each with a variable ``<r>_status`` and ``<r>`` (amount per year)."""

PARAMETER_SETS = (
    "zorgtoeslag",
    "huurtoeslag",
    "kindgebonden_budget",
    "kwijtschelding",
    "bijstandsnorm",
    "bijzondere_bijstand",
)

Huishouden = build_entity(
    key="huishouden", plural="huishoudens", label="Huishouden", is_person=True
)

INPUTS = {
    # every input is a number, NaN = unknown, with Proactief's default when the column is
    # absent (a yes/no is 1/0 and read as > 0, as Proactief reads it)
    "toetsingsinkomen": float("nan"),
    "toeslagpartner": 0.0,
    "vermogen": float("nan"),
    "leeftijd_aanvrager": float("nan"),
    "verzekerd": 1.0,
    "partner_verzekerd": 1.0,
    "huurwoning": float("nan"),
    # Proactief's kwijtschelding defaults kale_huur to 0 and reads NaN as 0; huurtoeslag
    # reads NaN as unknown: NaN here gives both
    "kale_huur": float("nan"),
    "kinderen_0_11": 0.0,
    "kinderen_12_15": 0.0,
    "kinderen_16_17": 0.0,
    "netto_inkomen_maand": float("nan"),
    "auto_waarde": 0.0,
    "aanslag_gemeentelijke_belastingen": float("nan"),
    "aantal_volwassenen": float("nan"),
    "jaren_laag_inkomen": float("nan"),
    **{f"ontvangt_{r}": 0.0 for r in REGELINGEN},
}


def _variable(
    name: str, kind: type, label: str, formula: Callable[..., object] | None = None
) -> type[Variable]:
    body: dict[str, object] = {
        "value_type": kind,
        "entity": Huishouden,
        "definition_period": YEAR,
        "label": label,
    }
    if formula is None:
        body["default_value"] = INPUTS[name]
    else:
        body["formula"] = formula
    return type(name, (Variable,), body)


def _status(entitled: np.ndarray, needs_data: np.ndarray, receives: np.ndarray) -> np.ndarray:
    """As Proactief's engine: needs data wins over entitled; 'receives' where not 'no right'."""
    status = np.where(needs_data, GEGEVENS_NODIG, np.where(entitled, RECHT_NIET_ONTVANGEN, 0))
    return np.where((np.nan_to_num(receives) > 0) & (status != GEEN_RECHT), ONTVANGT, status)


def _amount(regeling: str, berekend: str) -> Callable[..., object]:
    def formula(h, period, _parameters):
        status = h(f"{regeling}_status", period)
        recht = (status == RECHT_NIET_ONTVANGEN) | (status == ONTVANGT)
        return np.where(recht, h(berekend, period), 0.0)

    return formula


# -- zorgtoeslag (Wet op de zorgtoeslag art. 1-4; Awir art. 26) -----------------------


def zt_normpremie(h, period, parameters):
    p = parameters(period).zorgtoeslag
    inkomen = np.nan_to_num(h("toetsingsinkomen", period))
    drempel_pct = np.where(
        h("toeslagpartner", period) > 0,
        p.normpercentage_drempel_partners,
        p.normpercentage_drempel_alleenstaand,
    )
    boven = np.maximum(0.0, inkomen - p.drempelinkomen)
    return drempel_pct * p.drempelinkomen + p.normpercentage_toets * boven


def zt_berekend(h, period, parameters):
    p = parameters(period).zorgtoeslag
    partner = h("toeslagpartner", period) > 0
    premies = np.where(partner, 2.0, 1.0) * p.standaardpremie
    bedrag = np.maximum(0.0, premies - h("zt_normpremie", period))
    onverzekerd = partner & ~(h("partner_verzekerd", period) > 0)
    return np.where(onverzekerd, bedrag * p.aandeel_onverzekerde_partner, bedrag)


def zorgtoeslag_status(h, period, parameters):
    p = parameters(period).zorgtoeslag
    uitgesloten = (h("leeftijd_aanvrager", period) < p.minimumleeftijd) | ~(
        h("verzekerd", period) > 0
    )
    onbekend = np.isnan(h("toetsingsinkomen", period)) & ~uitgesloten
    rekenen = ~uitgesloten & ~onbekend
    toets = rekenen & (np.floor(h("zt_berekend", period) + 0.5) >= p.minimum_uitbetaling)
    vermogen = h("vermogen", period)
    grens = np.where(
        h("toeslagpartner", period) > 0, p.vermogensgrens_partners, p.vermogensgrens_alleenstaand
    )
    vermogen_onbekend = toets & np.isnan(vermogen)
    recht = toets & ~vermogen_onbekend & ~(vermogen > grens)
    return _status(recht, onbekend | vermogen_onbekend, h("ontvangt_zorgtoeslag", period))


# -- huurtoeslag (Wet op de huurtoeslag): screening only, never an amount ---------------


def huurtoeslag_status(h, period, parameters):
    p = parameters(period).huurtoeslag
    huur = h("kale_huur", period)
    geen_huur = h("huurwoning", period) == 0
    onbekend = ~geen_huur & np.isnan(huur)
    jong = h("leeftijd_aanvrager", period) < p.leeftijd_maximale_huurgrens
    grens = np.where(jong, p.kwaliteitskortingsgrens, p.maximale_huurgrens)
    boven = ~geen_huur & ~onbekend & (huur > grens)
    vgrens = np.where(
        h("toeslagpartner", period) > 0, p.vermogensgrens_partners, p.vermogensgrens_alleenstaand
    )
    verder = ~geen_huur & ~(boven & ~jong)
    mogelijk = verder & ~(verder & (h("vermogen", period) > vgrens))
    nooit = np.zeros(len(huur), dtype=bool)
    return _status(nooit, mogelijk, h("ontvangt_huurtoeslag", period))


# -- kindgebonden budget (Wet op het kindgebonden budget art. 2) -----------------------


def kgb_berekend(h, period, parameters):
    p = parameters(period).kindgebonden_budget
    k0, k12, k16 = (
        np.nan_to_num(h(c, period)) for c in ("kinderen_0_11", "kinderen_12_15", "kinderen_16_17")
    )
    partner = h("toeslagpartner", period) > 0
    basis = (k0 + k12 + k16) * p.bedrag_per_kind + k12 * p.verhoging_12_15
    basis = basis + k16 * p.verhoging_16_17
    ouderkop = np.where(~partner, p.alleenstaande_ouderkop, 0.0)
    drempel = p.drempelinkomen + np.where(partner, p.extra_drempel_partners, 0.0)
    inkomen = np.nan_to_num(h("toetsingsinkomen", period))
    vermindering = p.afbouwpercentage * np.maximum(0.0, inkomen - drempel)
    return np.maximum(0.0, basis + ouderkop - vermindering)


def kindgebonden_budget_status(h, period, parameters):
    p = parameters(period).kindgebonden_budget
    kinderen = sum(
        np.nan_to_num(h(c, period)) for c in ("kinderen_0_11", "kinderen_12_15", "kinderen_16_17")
    )
    onbekend = (kinderen > 0) & np.isnan(h("toetsingsinkomen", period))
    rekenen = (kinderen > 0) & ~onbekend
    toets = rekenen & (np.floor(h("kgb_berekend", period) + 0.5) >= p.minimum_uitbetaling)
    grens = np.where(
        h("toeslagpartner", period) > 0, p.vermogensgrens_partners, p.vermogensgrens_alleenstaand
    )
    vermogen = h("vermogen", period)
    vermogen_onbekend = toets & np.isnan(vermogen)
    recht = toets & ~vermogen_onbekend & ~(vermogen > grens)
    return _status(recht, onbekend | vermogen_onbekend, h("ontvangt_kindgebonden_budget", period))


# -- the bijstandsnorm (Participatiewet art. 21-22), shared by the three below ---------


def bijstandsnorm_maand(h, period, parameters):
    p = parameters(period).bijstandsnorm
    partner = h("toeslagpartner", period) > 0
    aow = h("leeftijd_aanvrager", period) >= p.aow_leeftijd
    return np.where(
        partner,
        np.where(aow, p.norm_gehuwden_aow, p.norm_gehuwden),
        np.where(aow, p.norm_alleenstaand_aow, p.norm_alleenstaand),
    )


# -- kwijtschelding (Invorderingswet 1990 art. 26) --------------------------------------


def kwijtschelding_status(h, period, parameters):
    p = parameters(period).kwijtschelding
    kvb = parameters(period).gemeente.kwijtschelding_kosten_van_bestaan_pct * h(
        "bijstandsnorm_maand", period
    )
    inkomen, vermogen = h("netto_inkomen_maand", period), h("vermogen", period)
    bekend = ~(np.isnan(inkomen) | np.isnan(vermogen))
    auto = np.nan_to_num(h("auto_waarde", period))
    telt = np.nan_to_num(vermogen) + np.maximum(0.0, auto - p.vrijstelling_auto)
    vrij = kvb + np.nan_to_num(h("kale_huur", period))
    twijfel = bekend & (telt > vrij) & (telt <= vrij + p.marge_zorgpremie)
    te_hoog = bekend & (telt > vrij + p.marge_zorgpremie)
    verder = bekend & ~te_hoog & ~twijfel
    geen_capaciteit = verder & (inkomen <= kvb)
    capaciteit = verder & (inkomen > kvb)
    aanslag_onbekend = geen_capaciteit & np.isnan(h("aanslag_gemeentelijke_belastingen", period))
    recht = geen_capaciteit & ~aanslag_onbekend
    nodig = ~bekend | twijfel | capaciteit | aanslag_onbekend
    return _status(recht, nodig, h("ontvangt_kwijtschelding", period))


# -- bijzondere bijstand (Participatiewet art. 35): a flag to ask, never an amount ------


def inkomensgrens_bijstand(h, period, parameters):
    pct = parameters(period).gemeente.inkomensgrens_bijzondere_bijstand_pct
    return pct * h("bijstandsnorm_maand", period)


def bijzondere_bijstand_status(h, period, parameters):
    p = parameters(period).bijzondere_bijstand
    inkomen = h("netto_inkomen_maand", period)
    onbekend = np.isnan(inkomen)
    kostendelers = ~onbekend & (h("aantal_volwassenen", period) >= p.uitgesloten_vanaf_volwassenen)
    binnen = ~onbekend & ~kostendelers & (inkomen <= h("inkomensgrens_bijstand", period))
    nooit = np.zeros(len(inkomen), dtype=bool)
    return _status(nooit, binnen | onbekend, h("ontvangt_bijzondere_bijstand", period))


# -- individuele inkomenstoeslag (Participatiewet art. 36): a flag to ask --------------


def individuele_inkomenstoeslag_status(h, period, parameters):
    leeftijd = h("leeftijd_aanvrager", period)
    buiten = (leeftijd < parameters(period).bijzondere_bijstand.minimumleeftijd_iit) | (
        leeftijd >= parameters(period).bijstandsnorm.aow_leeftijd
    )
    inkomen = h("netto_inkomen_maand", period)
    onbekend = ~buiten & np.isnan(inkomen)
    boven = ~buiten & ~onbekend & (inkomen > h("inkomensgrens_bijstand", period))
    laag = ~buiten & ~onbekend & ~boven
    jaren = h("jaren_laag_inkomen", period)
    nodig = parameters(period).gemeente.iit_referteperiode_jaar
    duur_onbekend = laag & np.isnan(jaren)
    vraag = laag & (jaren >= nodig)
    nooit = np.zeros(len(inkomen), dtype=bool)
    return _status(
        nooit, onbekend | duur_onbekend | vraag, h("ontvangt_individuele_inkomenstoeslag", period)
    )


def geen_bedrag(h, period, _parameters):
    # huurtoeslag, bijzondere bijstand and individuele inkomenstoeslag screen only: no amount
    return np.full(len(h("netto_inkomen_maand", period)), np.nan)


FORMULAS: list[tuple[str, type, str, Callable[..., object]]] = [
    ("zt_normpremie", float, "normpremie (Wzt art. 2 lid 3)", zt_normpremie),
    ("zt_berekend", float, "standaardpremie(s) min normpremie (Wzt art. 2)", zt_berekend),
    ("zorgtoeslag_status", int, "status zorgtoeslag", zorgtoeslag_status),
    ("zorgtoeslag", float, "zorgtoeslag per jaar", _amount("zorgtoeslag", "zt_berekend")),
    ("geen_bedrag", float, "geen bedrag: alleen een toets", geen_bedrag),
    ("huurtoeslag_status", int, "status huurtoeslag", huurtoeslag_status),
    ("huurtoeslag", float, "huurtoeslag", _amount("huurtoeslag", "geen_bedrag")),
    ("kgb_berekend", float, "kindgebonden budget voor de vermogenstoets", kgb_berekend),
    ("kindgebonden_budget_status", int, "status kindgebonden budget", kindgebonden_budget_status),
    (
        "kindgebonden_budget",
        float,
        "kindgebonden budget per jaar",
        _amount("kindgebonden_budget", "kgb_berekend"),
    ),
    ("bijstandsnorm_maand", float, "bijstandsnorm per maand (Pw art. 21-22)", bijstandsnorm_maand),
    ("kwijtschelding_status", int, "status kwijtschelding", kwijtschelding_status),
    (
        "kwijtschelding",
        float,
        "kwijtschelding: de aanslag",
        _amount("kwijtschelding", "aanslag_gemeentelijke_belastingen"),
    ),
    ("inkomensgrens_bijstand", float, "toetsingsinkomen per maand", inkomensgrens_bijstand),
    ("bijzondere_bijstand_status", int, "status bijzondere bijstand", bijzondere_bijstand_status),
    (
        "bijzondere_bijstand",
        float,
        "bijzondere bijstand",
        _amount("bijzondere_bijstand", "geen_bedrag"),
    ),
    (
        "individuele_inkomenstoeslag_status",
        int,
        "status individuele inkomenstoeslag",
        individuele_inkomenstoeslag_status,
    ),
    (
        "individuele_inkomenstoeslag",
        float,
        "individuele inkomenstoeslag",
        _amount("individuele_inkomenstoeslag", "geen_bedrag"),
    ),
]


def _parameter_data(regeling: str) -> dict[str, object]:
    data: dict[str, object] = {}
    for name, parameter in load_parameters(regeling).parameters.items():
        values = {
            str(v.vanaf): {"value": v.waarde} for v in parameter.waarden if v.waarde is not None
        }
        if values:
            data[name] = {"values": values, "description": parameter.omschrijving}
    return data


def _gemeente(settings: MunicipalSettings) -> dict[str, object]:
    return {
        f.name: {"values": {"2000-01-01": {"value": float(getattr(settings, f.name))}}}
        for f in fields(settings)
    }


def tax_benefit_system(settings: MunicipalSettings | None = None) -> TaxBenefitSystem:
    """Every regulation as an OpenFisca-core system, with Proactief's parameters."""
    system = TaxBenefitSystem([Huishouden])
    for name in INPUTS:
        system.add_variable(_variable(name, float, name))
    for name, kind, label, formula in FORMULAS:
        system.add_variable(_variable(name, kind, label, formula))
    data = {regeling: _parameter_data(regeling) for regeling in PARAMETER_SETS}
    data["gemeente"] = _gemeente(settings or MunicipalSettings())
    system.parameters = ParameterNode("", data=data)
    return system


def simulation(system: TaxBenefitSystem, columns: dict[str, np.ndarray], jaar: int) -> Simulation:
    """A simulation of every household, with the inputs set for ``jaar``."""
    n = len(next(iter(columns.values())))
    sim = SimulationBuilder().build_default_simulation(system, n)
    for name in INPUTS:
        if name in columns:
            sim.set_input(name, str(jaar), np.asarray(columns[name], dtype=float))
    return sim


def calculate(sim: Simulation, regeling: str, jaar: int) -> tuple[np.ndarray, np.ndarray]:
    """Status codes and amounts (euros per year; 0 where no right) of one regulation."""
    return sim.calculate(f"{regeling}_status", str(jaar)), sim.calculate(regeling, str(jaar))

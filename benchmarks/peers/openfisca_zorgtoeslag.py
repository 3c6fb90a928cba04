"""The peer for the rules benchmark: zorgtoeslag written as an OpenFisca-core tax-benefit
system, with the same formula and the same dated parameters (read from Proactief's own
parameters.yaml), so that both engines compute the same thing in the same run.

Only for the benchmark (``pip install -e .[bench]``); nothing in ``src`` imports it.
The formula follows src/proactief/entitlements/regelingen/zorgtoeslag/rules.py for a
year whose wealth limits are known (2024, 2025): Wet op de zorgtoeslag art. 1-4 and the
Awir minimum payment (art. 26). OpenFisca stores floats as float32; amounts are compared
to the cent in the benchmark.
"""

import numpy as np
from openfisca_core.entities import build_entity
from openfisca_core.parameters import ParameterNode
from openfisca_core.periods import YEAR
from openfisca_core.simulations import Simulation, SimulationBuilder
from openfisca_core.taxbenefitsystems import TaxBenefitSystem
from openfisca_core.variables import Variable

from proactief.entitlements.parameters import load_parameters

# the same codes as proactief.entitlements.Status
GEEN_RECHT, RECHT_NIET_ONTVANGEN, ONTVANGT, GEGEVENS_NODIG = 0, 1, 2, 3

Huishouden = build_entity(
    key="huishouden", plural="huishoudens", label="Huishouden", is_person=True
)


def _input(name: str, kind: type, default: object) -> type[Variable]:
    return type(
        name,
        (Variable,),
        {
            "value_type": kind,
            "entity": Huishouden,
            "definition_period": YEAR,
            "default_value": default,
            "label": name,
        },
    )


INPUTS = {
    "toetsingsinkomen": (float, float("nan")),
    "toeslagpartner": (bool, False),
    "vermogen": (float, float("nan")),
    "leeftijd_aanvrager": (float, float("nan")),
    "verzekerd": (bool, True),
    "partner_verzekerd": (bool, True),
    "ontvangt_zorgtoeslag": (bool, False),
}


class zt_uitgesloten(Variable):
    value_type = bool
    entity = Huishouden
    definition_period = YEAR
    label = "te jong of niet verzekerd (Wzt art. 1, 2 lid 1)"

    def formula(h, period, parameters):
        p = parameters(period).zorgtoeslag
        te_jong = h("leeftijd_aanvrager", period) < p.minimumleeftijd
        return te_jong | ~h("verzekerd", period)


class zt_normpremie(Variable):
    value_type = float
    entity = Huishouden
    definition_period = YEAR
    label = "normpremie (Wzt art. 2 lid 3)"

    def formula(h, period, parameters):
        p = parameters(period).zorgtoeslag
        inkomen = np.nan_to_num(h("toetsingsinkomen", period))
        drempel_pct = np.where(
            h("toeslagpartner", period),
            p.normpercentage_drempel_partners,
            p.normpercentage_drempel_alleenstaand,
        )
        boven = np.maximum(0.0, inkomen - p.drempelinkomen)
        return drempel_pct * p.drempelinkomen + p.normpercentage_toets * boven


class zt_berekend(Variable):
    value_type = float
    entity = Huishouden
    definition_period = YEAR
    label = "standaardpremie(s) min normpremie (Wzt art. 2)"

    def formula(h, period, parameters):
        p = parameters(period).zorgtoeslag
        partner = h("toeslagpartner", period)
        premies = np.where(partner, 2.0, 1.0) * p.standaardpremie
        bedrag = np.maximum(0.0, premies - h("zt_normpremie", period))
        onverzekerd = partner & ~h("partner_verzekerd", period)
        return np.where(onverzekerd, bedrag * p.aandeel_onverzekerde_partner, bedrag)


class zt_status(Variable):
    value_type = int
    entity = Huishouden
    definition_period = YEAR
    label = "status: geen recht, recht, ontvangt, gegevens nodig"

    def formula(h, period, parameters):
        p = parameters(period).zorgtoeslag
        uitgesloten = h("zt_uitgesloten", period)
        onbekend = np.isnan(h("toetsingsinkomen", period)) & ~uitgesloten
        rekenen = ~uitgesloten & ~onbekend
        bedrag = h("zt_berekend", period)
        toets = rekenen & (np.floor(bedrag + 0.5) >= p.minimum_uitbetaling)
        vermogen = h("vermogen", period)
        grens = np.where(
            h("toeslagpartner", period),
            p.vermogensgrens_partners,
            p.vermogensgrens_alleenstaand,
        )
        vermogen_onbekend = toets & np.isnan(vermogen)
        recht = toets & ~vermogen_onbekend & ~(vermogen > grens)
        status = np.where(
            onbekend | vermogen_onbekend,
            GEGEVENS_NODIG,
            np.where(recht, RECHT_NIET_ONTVANGEN, GEEN_RECHT),
        )
        ontvangt = h("ontvangt_zorgtoeslag", period) & (status != GEEN_RECHT)
        return np.where(ontvangt, ONTVANGT, status)


class zorgtoeslag(Variable):
    value_type = float
    entity = Huishouden
    definition_period = YEAR
    label = "zorgtoeslag per jaar, waar recht (anders 0)"

    def formula(h, period, _parameters):
        status = h("zt_status", period)
        recht = (status == RECHT_NIET_ONTVANGEN) | (status == ONTVANGT)
        return np.where(recht, h("zt_berekend", period), 0.0)


def _parameter_data(regeling: str) -> dict[str, object]:
    data: dict[str, object] = {}
    for name, parameter in load_parameters(regeling).parameters.items():
        values = {
            str(v.vanaf): {"value": v.waarde} for v in parameter.waarden if v.waarde is not None
        }
        data[name] = {"values": values, "description": parameter.omschrijving}
    return data


def tax_benefit_system() -> TaxBenefitSystem:
    """Zorgtoeslag as an OpenFisca-core system, with Proactief's parameters."""
    system = TaxBenefitSystem([Huishouden])
    for name, (kind, default) in INPUTS.items():
        system.add_variable(_input(name, kind, default))
    for variable in (zt_uitgesloten, zt_normpremie, zt_berekend, zt_status, zorgtoeslag):
        system.add_variable(variable)
    system.parameters = ParameterNode("", data={"zorgtoeslag": _parameter_data("zorgtoeslag")})
    return system


def simulation(system: TaxBenefitSystem, columns: dict[str, np.ndarray], jaar: int) -> Simulation:
    """A simulation of every household, with the inputs set for ``jaar``."""
    n = len(next(iter(columns.values())))
    sim = SimulationBuilder().build_default_simulation(system, n)
    for name, (kind, default) in INPUTS.items():
        if name in columns:
            values = np.asarray(columns[name], dtype=float)
            if kind is bool:
                values = np.where(np.isnan(values), float(bool(default)), values) > 0
            sim.set_input(name, str(jaar), values)
    return sim


def calculate(sim: Simulation, jaar: int) -> tuple[np.ndarray, np.ndarray]:
    """Status codes and amounts (euros per year; 0 where no right)."""
    return sim.calculate("zt_status", str(jaar)), sim.calculate("zorgtoeslag", str(jaar))

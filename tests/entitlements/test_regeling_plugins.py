"""A municipality's own regulation, installed as a package: found by its entry point,
evaluated, explained down to its article and scanned like a built-in."""

import math
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from conftest import install_distribution
from proactief.entitlements import explain, scan_non_take_up
from proactief.entitlements.catalog import installed_regelingen, regeling_names, rules_module_name
from proactief.entitlements.engine import evaluate_population

RULES = """
import numpy as np

from proactief.entitlements.engine import Outcome, Params, Step, StepMarker

TITEL = "Energietoeslag"
USES = ("energietoeslag",)
INPUTS = {"netto_inkomen_maand": np.nan}
STEPS = [
    Step("inkomen_onbekend", "We weten uw netto inkomen niet.", "inkomensgrens"),
    Step(
        "onder_grens",
        "Uw netto inkomen {netto_inkomen_maand} is niet hoger dan {inkomensgrens}.",
        "inkomensgrens",
    ),
    Step("boven_grens", "Uw netto inkomen is hoger dan {inkomensgrens}.", "inkomensgrens"),
]


def evaluate(h, p: Params, settings) -> Outcome:
    inkomen = h["netto_inkomen_maand"]
    n = len(inkomen)
    mark = StepMarker(STEPS, n)
    onbekend = np.isnan(inkomen)
    grens = p("inkomensgrens")
    onder = ~onbekend & (inkomen <= grens)
    mark(onbekend, "inkomen_onbekend")
    mark(onder, "onder_grens")
    mark(~onbekend & ~onder, "boven_grens")
    amount = np.where(onbekend, np.nan, np.where(onder, p("bedrag"), 0.0))
    return Outcome(
        entitled=onder,
        needs_data=onbekend,
        amount=amount,
        steps=mark.bits,
        values={"netto_inkomen_maand": inkomen, "inkomensgrens": np.full(n, grens)},
    )
"""

PARAMETERS = """
regeling: energietoeslag
titel: Energietoeslag
jaren: [2025]
parameters:
  inkomensgrens:
    omschrijving: netto inkomen per maand tot waar de toeslag geldt
    eenheid: EUR/maand
    bron: {wet: Verordening energietoeslag Gemeente Voorbeeld 2025, artikel: "3"}
    waarden:
      - {vanaf: "2025-01-01", waarde: 1800, zekerheid: unverified}
  bedrag:
    omschrijving: toeslag per jaar
    eenheid: EUR
    bron: {wet: Verordening energietoeslag Gemeente Voorbeeld 2025, artikel: "4"}
    waarden:
      - {vanaf: "2025-01-01", waarde: 400, zekerheid: unverified}
"""


@pytest.fixture
def installed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Installed the way a municipality would: a package and a dist-info folder whose
    entry_points.txt declares its rules module in proactief.regelingen."""
    package = tmp_path / "gemeente_energie"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "rules.py").write_text(RULES, encoding="utf-8")
    (package / "parameters.yaml").write_text(PARAMETERS, encoding="utf-8")
    (package / "kapot.py").write_text("TITEL = 'Kapot'\n")
    install_distribution(
        tmp_path,
        "gemeente-energie",
        "[proactief.regelingen]\n"
        "energietoeslag = gemeente_energie.rules\n"
        "zorgtoeslag = gemeente_energie.rules\n",
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    installed_regelingen.refresh()
    yield
    installed_regelingen.refresh()


def test_an_installed_regulation_is_evaluated_and_explained(installed: None) -> None:
    assert "energietoeslag" in regeling_names()
    frame = pd.DataFrame(
        {"household_id": ["A", "B", "C"], "netto_inkomen_maand": [1500, 2500, math.nan]}
    )
    out = evaluate_population(frame, jaar=2025, regelingen=["energietoeslag"])
    assert list(out["energietoeslag_status"]) == [
        "recht_niet_ontvangen",
        "geen_recht",
        "mogelijk_recht_gegevens_nodig",
    ]
    assert out["energietoeslag_bedrag_centen"].iloc[0] == 40000
    uitleg = explain("energietoeslag", {"netto_inkomen_maand": 1500}, jaar=2025)
    assert uitleg.titel == "Energietoeslag" and uitleg.bedrag_per_jaar == 400
    (step,) = uitleg.stappen
    assert "1.500" in step["tekst"] and "1.800" in step["tekst"]
    assert step["bron"] == "Verordening energietoeslag Gemeente Voorbeeld 2025, art. 3"


def test_the_scan_includes_installed_regulations(installed: None) -> None:
    frame = pd.DataFrame({"household_id": ["A"], "netto_inkomen_maand": [1000.0]})
    scan = scan_non_take_up(frame, jaar=2025)
    assert set(scan.summary["regeling"]) == set(regeling_names())
    row = scan.missed[scan.missed["regeling"] == "energietoeslag"]
    assert list(row["bedrag_per_jaar"]) == [400.0]


def test_a_builtin_cannot_be_taken_over_and_a_broken_one_is_named(
    installed: None, tmp_path: Path
) -> None:
    assert regeling_names().count("zorgtoeslag") == 1
    assert rules_module_name("zorgtoeslag") == "proactief.entitlements.regelingen.zorgtoeslag.rules"
    install_distribution(
        tmp_path, "gemeente-kapot", "[proactief.regelingen]\nkapot = gemeente_energie.kapot\n"
    )
    installed_regelingen.refresh()
    frame = pd.DataFrame({"household_id": ["A"]})
    with pytest.raises(TypeError, match=r"'kapot' .* lacks USES, INPUTS, STEPS, evaluate"):
        evaluate_population(frame, jaar=2025, regelingen=["kapot"])

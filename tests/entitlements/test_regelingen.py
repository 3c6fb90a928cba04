"""Every plain-language case in regelingen/*/tests.yaml, the parameter files against their
schema, and the rule: no legal number in Python."""

import ast
import math
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml
from jsonschema import Draft202012Validator, FormatChecker

from proactief.config import PolicyError, load_policy
from proactief.entitlements.engine import REGELINGEN, evaluate_population, explain
from proactief.entitlements.parameters import REGELINGEN_DIR, ParameterFile, parameter_schema
from proactief.entitlements.settings import MunicipalSettings


def cases() -> list[Any]:
    found = []
    for path in sorted(REGELINGEN_DIR.glob("*/tests.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for case in data["gevallen"]:
            found.append(
                pytest.param(data["regeling"], case, id=f"{data['regeling']}: {case['naam']}")
            )
    return found


CASES = cases()


def settings_for(case: dict[str, Any]) -> MunicipalSettings:
    return MunicipalSettings(**case.get("instellingen", {}))


@pytest.mark.parametrize(("regeling", "case"), CASES)
def test_case(regeling: str, case: dict[str, Any]) -> None:
    result = explain(regeling, case["invoer"], jaar=case["jaar"], settings=settings_for(case))
    expected = case["verwacht"]
    tolerance = case.get("tolerantie", 0.005)
    assert expected["status"] == result.as_json()["status"], result.stappen
    if "bedrag_per_jaar" in expected:
        assert result.bedrag_per_jaar is not None
        assert math.isclose(result.bedrag_per_jaar, expected["bedrag_per_jaar"], abs_tol=tolerance)
    if "bedrag_per_maand" in expected:
        assert expected["bedrag_per_maand"] == result.bedrag_per_maand
    ids = [s["id"] for s in result.stappen]
    for step in expected.get("stappen_bevatten", []):
        assert step in ids
    assert result.stappen, "every outcome is explained"
    assert all(s["bron"] for s in result.stappen)


def test_population_run_agrees_with_explanations() -> None:
    """The vectorised run over all cases gives the same status as one-by-one."""
    by_key: dict[tuple[str, int], list[dict[str, Any]]] = {}
    for param in CASES:
        regeling, case = param.values
        if "instellingen" not in case:
            by_key.setdefault((regeling, case["jaar"]), []).append(case)
    for (regeling, jaar), group in by_key.items():
        frame = pd.DataFrame([c["invoer"] for c in group])
        result = evaluate_population(frame, jaar=jaar, regelingen=[regeling])
        assert list(result[f"{regeling}_status"]) == [c["verwacht"]["status"] for c in group]


def test_every_regulation_has_cases_for_every_step() -> None:
    """Each rule step is reached by at least one plain-language case."""
    import importlib

    for regeling in REGELINGEN:
        module = importlib.import_module(f"proactief.entitlements.regelingen.{regeling}.rules")
        seen: set[str] = set()
        for param in CASES:
            reg, case = param.values
            if reg == regeling:
                result = explain(
                    reg, case["invoer"], jaar=case["jaar"], settings=settings_for(case)
                )
                seen.update(s["id"] for s in result.stappen)
        missing = {s.id for s in module.STEPS} - seen
        assert missing == set(), f"{regeling}: no case reaches {missing}"


@pytest.mark.parametrize(
    "path", sorted(REGELINGEN_DIR.glob("*/parameters.yaml")), ids=lambda p: p.parent.name
)
def test_parameter_file_matches_schema(path: Path) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    # YAML reads dates as dates; the schema wants the ISO text
    for spec in data["parameters"].values():
        for value in spec["waarden"]:
            value["vanaf"] = str(value["vanaf"])
    validator = Draft202012Validator(parameter_schema(), format_checker=FormatChecker())
    errors = [f"{'/'.join(map(str, e.path))}: {e.message}" for e in validator.iter_errors(data)]
    assert errors == []


ALLOWED_NUMBERS = {0, 1, 2, 12, 100, 0.5}
"""Structural numbers (months per year, two premiums for partners, rounding half up)."""


@pytest.mark.parametrize(
    "path", sorted(REGELINGEN_DIR.glob("*/rules.py")), ids=lambda p: p.parent.name
)
def test_no_legal_number_in_python(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    numbers = {
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, int | float)
        and not isinstance(node.value, bool)
    }
    assert numbers <= ALLOWED_NUMBERS, f"put {numbers - ALLOWED_NUMBERS} in parameters.yaml"


@pytest.mark.parametrize(
    ("change", "key"),
    [
        ({"eenheid": "gulden"}, r"parameters\.standaardpremie\.eenheid: Input should be 'EUR'"),
        ({"bron": {"wet": "Wet op de zorgtoeslag"}}, r"standaardpremie\.bron\.artikel"),
        ({"waarden": []}, r"standaardpremie\.waarden: List should have at least 1 item"),
    ],
)
def test_a_wrong_parameter_file_names_the_key(
    tmp_path: Path, change: dict[str, object], key: str
) -> None:
    """The schema and the model agree: what the schema refuses, loading refuses too, with
    the file and the key."""
    data = yaml.safe_load((REGELINGEN_DIR / "zorgtoeslag/parameters.yaml").read_text("utf-8"))
    data["parameters"]["standaardpremie"].update(change)
    path = tmp_path / "parameters.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(PolicyError, match=key):
        load_policy(path, ParameterFile)

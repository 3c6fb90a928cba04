"""Regulations as code: dated parameters with their legal source, vectorised rules over a
whole population, and explanations down to the article. No web or database imports."""

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from proactief.entitlements.engine import (
        ENGINE_VERSION,
        REGELINGEN,
        STATUS_NAMES,
        Computed,
        Explanation,
        Status,
        compute_population,
        evaluate_population,
        explain,
        inputs_of,
        provenance,
        rules_hash,
        step_ids,
    )
    from proactief.entitlements.parameters import ParameterMissingError, load_parameters
    from proactief.entitlements.population import PopulationError, load_population, scan_non_take_up
    from proactief.entitlements.settings import (
        MunicipalSettings,
        SettingsError,
        load_municipal_settings,
    )

# what each name is imported from: loaded on first use, so that a command which does
# not evaluate rules starts without NumPy and pandas (PEP 562)
_EXPORTS = {
    "ENGINE_VERSION": "proactief.entitlements.engine",
    "REGELINGEN": "proactief.entitlements.engine",
    "STATUS_NAMES": "proactief.entitlements.engine",
    "Computed": "proactief.entitlements.engine",
    "Explanation": "proactief.entitlements.engine",
    "Status": "proactief.entitlements.engine",
    "compute_population": "proactief.entitlements.engine",
    "evaluate_population": "proactief.entitlements.engine",
    "explain": "proactief.entitlements.engine",
    "inputs_of": "proactief.entitlements.engine",
    "provenance": "proactief.entitlements.engine",
    "rules_hash": "proactief.entitlements.engine",
    "step_ids": "proactief.entitlements.engine",
    "ParameterMissingError": "proactief.entitlements.parameters",
    "load_parameters": "proactief.entitlements.parameters",
    "PopulationError": "proactief.entitlements.population",
    "load_population": "proactief.entitlements.population",
    "scan_non_take_up": "proactief.entitlements.population",
    "MunicipalSettings": "proactief.entitlements.settings",
    "SettingsError": "proactief.entitlements.settings",
    "load_municipal_settings": "proactief.entitlements.settings",
}


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


__all__ = [
    "ENGINE_VERSION",
    "REGELINGEN",
    "STATUS_NAMES",
    "Computed",
    "Explanation",
    "MunicipalSettings",
    "ParameterMissingError",
    "PopulationError",
    "SettingsError",
    "Status",
    "compute_population",
    "evaluate_population",
    "explain",
    "inputs_of",
    "load_municipal_settings",
    "load_parameters",
    "load_population",
    "provenance",
    "rules_hash",
    "scan_non_take_up",
    "step_ids",
]

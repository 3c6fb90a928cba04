"""Regulations as code: dated parameters with their legal source, vectorised rules over a
whole population, and explanations down to the article. No web or database imports."""

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

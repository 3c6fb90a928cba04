"""Citizen segmentation: the HU segment model and a toolkit to redo the study.

Independent of the rest of Proactief (it imports nothing else from the package, a test
checks this), so it can become a package of its own. Estimators follow the scikit-learn
contract.
"""

from proactief.segmentation.generator import SyntheticSurvey, generate_survey
from proactief.segmentation.hu_model import (
    ShortForm,
    exact_accuracy,
    hu_reference_model,
    hu_short_form,
    posteriors_for_items,
    select_short_form,
    simulated_accuracy,
)
from proactief.segmentation.instrument import Instrument, Segment, Statement, hu_instrument
from proactief.segmentation.lca import LatentClassModel, binary_posteriors
from proactief.segmentation.profiles import Profile, profile
from proactief.segmentation.report import render_report
from proactief.segmentation.scenarios import (
    Scenario,
    ScenarioAnalysis,
    fit_scenario,
    run_scenarios,
)
from proactief.segmentation.survey import SurveyData, SurveyError, load_survey, to_agree
from proactief.segmentation.typing_tool import TypingTool, TypingToolFileError

__all__ = [
    "Instrument",
    "LatentClassModel",
    "Profile",
    "Scenario",
    "ScenarioAnalysis",
    "Segment",
    "ShortForm",
    "Statement",
    "SurveyData",
    "SurveyError",
    "SyntheticSurvey",
    "TypingTool",
    "TypingToolFileError",
    "binary_posteriors",
    "exact_accuracy",
    "fit_scenario",
    "generate_survey",
    "hu_instrument",
    "hu_reference_model",
    "hu_short_form",
    "load_survey",
    "posteriors_for_items",
    "profile",
    "render_report",
    "run_scenarios",
    "select_short_form",
    "simulated_accuracy",
    "to_agree",
]

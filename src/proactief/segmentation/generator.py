"""Synthetic surveys calibrated to the published HU table.

Two modes:

``independent``
    Local independence: a respondent's segment is drawn with the published shares; each
    answer is agree (1) or disagree (0) with the published probability for that segment.

``likert``
    5-point Likert answers driven by five latent dimension scores: trust, competence,
    privacy need, autonomy and slow/fast service. Within a segment each respondent has a
    score z_d ~ N(0, 1) per dimension; the propensity of item j (dimension d, sign s) is
    y = s * sqrt(rho) * z_d + sqrt(1 - rho) * e, e ~ N(0, 1), so that two items of the same
    dimension correlate rho (in absolute value) within a segment: the documented
    within-segment correlation. The propensity is cut at the segment's quantile so that the
    top-2 box (4 or 5) has exactly the published agreement rate; the rest of the scale is
    cut at fixed fractions (see ``_LIKERT_SPLIT``). rho = 0 gives local independence.

Both modes are seeded and reproducible.
"""

from dataclasses import dataclass

import numpy as np
from scipy.stats import norm

from proactief.segmentation.instrument import Instrument, hu_instrument

__all__ = ["LATENT_DIMENSIONS", "SyntheticSurvey", "generate_survey"]

LATENT_DIMENSIONS: dict[str, tuple[str, int]] = {
    # item dimension -> (latent dimension, sign of its loading)
    "trust": ("trust", 1),
    "doing_ability": ("competence", 1),
    "thinking_ability": ("competence", 1),
    "digital_skills": ("competence", 1),
    "language": ("competence", 1),
    "privacy_protect": ("privacy_need", 1),
    "privacy_give": ("privacy_need", -1),
    "self_do": ("autonomy", 1),
    "self_choose": ("autonomy", 1),
    "slow_service": ("slow_fast_service", 1),
    "fast_service": ("slow_fast_service", -1),
}
_DIMENSIONS = sorted({d for d, _ in LATENT_DIMENSIONS.values()})
# Of the agreeing mass, the share answering 5; of the disagreeing mass, the shares
# answering 1 and 1-or-2. Assumed (the study publishes only the top-2 box).
_LIKERT_SPLIT = {"five_of_agree": 0.4, "one_of_disagree": 0.2, "two_or_less_of_disagree": 0.55}


@dataclass(frozen=True)
class SyntheticSurvey:
    """Generated answers with the true segment of every respondent (0-based)."""

    answers: np.ndarray
    items: tuple[str, ...]
    segments: np.ndarray
    mode: str
    correlation: float


def generate_survey(
    n: int,
    *,
    mode: str = "independent",
    correlation: float = 0.0,
    seed: int | None = 0,
    instrument: Instrument | None = None,
) -> SyntheticSurvey:
    """Generate ``n`` respondents answering the 26 published statements.

    Args:
        n: number of respondents.
        mode: ``independent`` (0/1 answers) or ``likert`` (1-5 answers).
        correlation: within-segment correlation rho of items of the same latent dimension
            (``likert`` mode only; 0 <= rho < 1).
        seed: random seed.
        instrument: the instrument (default: the HU instrument).
    """
    if n < 1:
        raise ValueError(f"n must be at least 1, got {n}")
    if mode not in ("independent", "likert"):
        raise ValueError(f"mode must be 'independent' or 'likert', got {mode!r}")
    if not 0.0 <= correlation < 1.0:
        raise ValueError(f"correlation must be in [0, 1), got {correlation}")
    if mode == "independent" and correlation:
        raise ValueError("correlation applies to mode 'likert' only")
    inst = instrument or hu_instrument()
    rng = np.random.default_rng(seed)
    shares = inst.shares()
    probs = inst.agree_probabilities()
    items = tuple(s.item_id for s in inst.published)
    segments = rng.choice(len(shares), size=n, p=shares)
    p = probs[segments]  # (n, d)
    if mode == "independent":
        answers = (rng.random(p.shape) < p).astype(float)
        return SyntheticSurvey(answers, items, segments, mode, 0.0)

    scores = rng.standard_normal((n, len(_DIMENSIONS)))
    columns = []
    for statement in inst.published:
        dimension, sign = LATENT_DIMENSIONS[statement.dimension]
        columns.append((_DIMENSIONS.index(dimension), sign))
    dim_index = np.array([c[0] for c in columns])
    signs = np.array([c[1] for c in columns], dtype=float)
    noise = rng.standard_normal(p.shape)
    propensity = (
        signs * np.sqrt(correlation) * scores[:, dim_index] + np.sqrt(1 - correlation) * noise
    )
    u = norm.cdf(propensity)  # uniform within a segment, whatever rho
    disagree_mass = 1 - p
    answers = np.select(
        [
            u >= 1 - p * _LIKERT_SPLIT["five_of_agree"],
            u >= disagree_mass,
            u >= disagree_mass * _LIKERT_SPLIT["two_or_less_of_disagree"],
            u >= disagree_mass * _LIKERT_SPLIT["one_of_disagree"],
        ],
        [5.0, 4.0, 3.0, 2.0],
        default=1.0,
    )
    return SyntheticSurvey(answers, items, segments, mode, correlation)

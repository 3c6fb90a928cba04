"""The HU reference model: the published table used as a latent class model.

Segment shares and the probability of agreeing with each statement per segment come from
the study (seed 001). For a person's own answers to any subset of the statements it gives
the probability of each segment. It is a tool to understand, never a label: even with all
26 statements about 1 in 5 people would be put in the wrong segment, so results are always
shown as probabilities (PRODUCT.md principle 12).
"""

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from proactief.segmentation.instrument import Instrument, hu_instrument
from proactief.segmentation.lca import LatentClassModel, binary_posteriors
from proactief.segmentation.survey import to_agree

__all__ = [
    "ShortForm",
    "exact_accuracy",
    "hu_reference_model",
    "hu_short_form",
    "posteriors_for_items",
    "select_short_form",
    "simulated_accuracy",
]


def hu_reference_model(instrument: Instrument | None = None) -> LatentClassModel:
    """The published table as a fitted LatentClassModel over the 26 published items."""
    inst = instrument or hu_instrument()
    return LatentClassModel.from_parameters(inst.shares(), inst.agree_probabilities())


def posteriors_for_items(
    answers: np.ndarray | Sequence[Sequence[float]],
    items: Sequence[str],
    *,
    agree_from: float | None = None,
    instrument: Instrument | None = None,
) -> np.ndarray:
    """Segment probabilities for answers to ``items`` (any subset, NaN = not answered).

    Args:
        answers: (n, len(items)); 0/1, or Likert values when ``agree_from`` is given.
        items: item ids of the columns; each must be a published statement.
        agree_from: answers at or above this count as agree (4 for the 5-point scale).
    """
    inst = instrument or hu_instrument()
    published = [s.item_id for s in inst.published]
    unknown = [i for i in items if i not in published]
    if unknown:
        raise KeyError(
            f"no published figures for {', '.join(unknown)}; usable items: {', '.join(published)}"
        )
    data = np.asarray(answers, dtype=float)
    if data.ndim != 2 or data.shape[1] != len(items):
        raise ValueError(f"answers must have shape (n, {len(items)}), got {data.shape}")
    if agree_from is not None:
        data = to_agree(data, agree_from)
    columns = [published.index(i) for i in items]
    probs = inst.agree_probabilities()[:, columns]
    posteriors, _ = binary_posteriors(data, inst.shares(), probs)
    return posteriors


def exact_accuracy(weights: np.ndarray, probs: np.ndarray) -> float:
    """Expected share correctly assigned by the most probable segment, computed exactly by
    enumerating every answer pattern (use for up to about 16 items)."""
    d = probs.shape[1]
    if d > 20:
        raise ValueError(f"{d} items give 2**{d} patterns; use simulated_accuracy")
    patterns = np.array(list(itertools.product((0.0, 1.0), repeat=d)))
    p = np.clip(probs, 1e-12, 1 - 1e-12)
    log_joint = patterns @ np.log(p).T + (1 - patterns) @ np.log1p(-p).T + np.log(weights)
    return float(np.exp(log_joint).max(axis=1).sum())


def simulated_accuracy(
    weights: np.ndarray, probs: np.ndarray, *, n: int = 200_000, seed: int = 0
) -> float:
    """Expected share correctly assigned, by simulating ``n`` people under the model."""
    rng = np.random.default_rng(seed)
    truth = rng.choice(len(weights), size=n, p=weights / weights.sum())
    answers = (rng.random((n, probs.shape[1])) < probs[truth]).astype(float)
    posteriors, _ = binary_posteriors(answers, weights, probs)
    return float((posteriors.argmax(axis=1) == truth).mean())


@dataclass(frozen=True)
class ShortForm:
    """A short typing questionnaire and its honest expected accuracy."""

    items: tuple[str, ...]
    accuracy: float
    full_accuracy: float
    chance_accuracy: float
    """Accuracy of always naming the largest segment: the floor to beat."""


def select_short_form(
    weights: np.ndarray, probs: np.ndarray, items: Sequence[str], *, max_items: int = 8
) -> tuple[tuple[str, ...], float]:
    """Choose up to ``max_items`` items that maximise exact expected accuracy: greedy
    forward selection, then swaps of one item until no swap improves."""
    if not 1 <= max_items <= min(len(items), 16):
        raise ValueError(f"max_items must be between 1 and {min(len(items), 16)}")
    chosen: list[int] = []
    remaining = list(range(len(items)))
    for _ in range(max_items):
        best = max(remaining, key=lambda j: exact_accuracy(weights, probs[:, [*chosen, j]]))
        chosen.append(best)
        remaining.remove(best)
    current = exact_accuracy(weights, probs[:, chosen])
    improved = True
    while improved:
        improved = False
        for pos in range(len(chosen)):
            for j in remaining:
                trial = chosen.copy()
                trial[pos] = j
                accuracy = exact_accuracy(weights, probs[:, trial])
                if accuracy > current + 1e-12:
                    remaining.remove(j)
                    remaining.append(chosen[pos])
                    chosen, current, improved = trial, accuracy, True
                    break
            if improved:
                break
    return tuple(items[j] for j in chosen), current


def hu_short_form(
    max_items: int = 8, *, instrument: Instrument | None = None, n_simulated: int = 200_000
) -> ShortForm:
    """The best short form of the HU table with its accuracy and the full-form accuracy."""
    inst = instrument or hu_instrument()
    weights, probs = inst.shares(), inst.agree_probabilities()
    ids = [s.item_id for s in inst.published]
    chosen, accuracy = select_short_form(weights, probs, ids, max_items=max_items)
    return ShortForm(
        items=chosen,
        accuracy=accuracy,
        full_accuracy=simulated_accuracy(weights, probs, n=n_simulated),
        chance_accuracy=float(weights.max()),
    )

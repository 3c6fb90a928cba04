"""Segment profiles as in the report: % agreeing per statement per segment, with the marks
for a segment that is more than 0.1 SD above (+) or below (-) both other segments."""

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from proactief.segmentation.survey import to_agree

__all__ = ["MARK_THRESHOLD_SD", "Profile", "profile"]

MARK_THRESHOLD_SD = 0.1
"""The study's rule: 'relatively high/low' means > .1 SD above/below the other two."""


@dataclass(frozen=True)
class Profile:
    """The profile table of one segmentation."""

    items: tuple[str, ...]
    shares: np.ndarray
    """(k,) share of respondents per segment."""
    pct_agree: np.ndarray
    """(k, d) percentage agreeing per segment and item."""
    marks: np.ndarray
    """(k, d): +1 more than 0.1 SD above both others, -1 below both, 0 otherwise."""
    weighting: str
    """'posterior' (each respondent counts by probability) or 'hard' (assigned segment)."""
    background: dict[str, pd.DataFrame] = field(default_factory=dict)
    """Per background variable: % per category (rows) per segment (columns)."""

    def segments_with_marks(self) -> int:
        """How many segments stand out on at least one item."""
        return int((np.abs(self.marks).sum(axis=1) > 0).sum())

    def as_frame(self, segment_names: Sequence[str] | None = None) -> pd.DataFrame:
        """The table: one row per item, per segment '% agree' with its mark."""
        names = list(segment_names or [f"segment {i + 1}" for i in range(len(self.shares))])
        cells = {
            name: [
                f"{self.pct_agree[s, j]:.0f}{'+' if self.marks[s, j] > 0 else ''}"
                f"{'-' if self.marks[s, j] < 0 else ''}"
                for j in range(len(self.items))
            ]
            for s, name in enumerate(names)
        }
        return pd.DataFrame(cells, index=list(self.items))


def _weighted_means(values: np.ndarray, weights: np.ndarray) -> np.ndarray:
    observed = ~np.isnan(values)
    filled = np.where(observed, values, 0.0)
    totals = weights.T @ observed.astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.asarray((weights.T @ filled) / totals)


def profile(
    X: np.ndarray,
    items: Sequence[str],
    *,
    labels: np.ndarray | None = None,
    posteriors: np.ndarray | None = None,
    agree_from: float = 4,
    background: pd.DataFrame | None = None,
) -> Profile:
    """Profile a segmentation of the answers ``X`` (n x d).

    Give ``posteriors`` (n x k) to weight every respondent by their segment probabilities:
    that estimates the segments' real agreement rates. A table of hard-assigned respondents
    (``labels``) exaggerates the differences, because uncertain respondents are pushed into
    the segment they most resemble.
    """
    X = np.asarray(X, dtype=float)
    if posteriors is not None:
        weights = np.asarray(posteriors, dtype=float)
        weighting = "posterior"
    elif labels is not None:
        k = int(np.max(labels)) + 1
        weights = np.eye(k)[np.asarray(labels, dtype=int)]
        weighting = "hard"
    else:
        raise ValueError("give labels or posteriors")
    agree = to_agree(X, agree_from)
    pct = _weighted_means(agree, weights) * 100
    sd = np.nanstd(X, axis=0)
    sd[sd == 0] = 1.0
    standardised = (X - np.nanmean(X, axis=0)) / sd
    means = _weighted_means(standardised, weights)
    k = means.shape[0]
    marks = np.zeros_like(means, dtype=int)
    for s in range(k):
        others = np.delete(means, s, axis=0)
        marks[s] = np.where(
            means[s] - others.max(axis=0) > MARK_THRESHOLD_SD,
            1,
            np.where(others.min(axis=0) - means[s] > MARK_THRESHOLD_SD, -1, 0),
        )
    shares = weights.sum(axis=0) / weights.sum()
    tables: dict[str, pd.DataFrame] = {}
    if background is not None:
        for column in background.columns:
            values = background[column].astype(str).to_numpy()
            categories = sorted(set(values))
            table = np.array(
                [[weights[values == c, s].sum() for s in range(k)] for c in categories]
            )
            totals = table.sum(axis=0, keepdims=True)
            totals[totals == 0] = 1.0
            tables[str(column)] = pd.DataFrame(
                table / totals * 100,
                index=categories,
                columns=[f"segment {s + 1}" for s in range(k)],
            )
    return Profile(
        items=tuple(items),
        shares=shares,
        pct_agree=pct,
        marks=marks,
        weighting=weighting,
        background=tables,
    )

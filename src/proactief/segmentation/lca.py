"""Latent class analysis for agree/disagree answers, as a scikit-learn estimator.

Fitting uses StepMix (Morin et al., the checked library for latent class models); scoring
is a vectorised NumPy posterior that accepts missing answers (NaN), so that a model can
also be built directly from published parameters (``from_parameters``).
"""

from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike
from scipy.special import logsumexp
from sklearn.base import BaseEstimator, ClusterMixin
from sklearn.utils import Tags
from sklearn.utils.validation import check_is_fitted, validate_data

from proactief.segmentation.survey import to_agree

__all__ = ["LatentClassModel", "binary_posteriors", "quick_em"]

_EPS = 1e-9


def binary_posteriors(
    answers: np.ndarray, weights: np.ndarray, probs: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Posterior class probabilities and per-row log-likelihood under local independence.

    Args:
        answers: (n, d) with 1 = agree, 0 = disagree, NaN = not answered.
        weights: (k,) class shares.
        probs: (k, d) probability of agreeing per class and item.

    Returns:
        (posteriors (n, k), log-likelihood per row (n,)).
    """
    p = np.clip(probs, _EPS, 1 - _EPS)
    observed = ~np.isnan(answers)
    x = np.where(observed, answers, 0.0)
    joint = (
        x @ np.log(p).T
        + (observed.astype(float) - x) @ np.log1p(-p).T
        + np.log(np.clip(weights, _EPS, None))
    )
    row_ll = logsumexp(joint, axis=1)
    return np.exp(joint - row_ll[:, None]), row_ll


def quick_em(
    answers: np.ndarray,
    labels: np.ndarray,
    k: int,
    *,
    max_iter: int = 300,
    tol: float = 1e-6,
) -> tuple[np.ndarray, np.ndarray, float]:
    """A few EM steps for a binary latent class model, started from given labels.

    Used for the many bootstrap refits of the scenario analysis, where StepMix's per-fit
    overhead dominates; the main fits use StepMix. Returns (weights, probs, log-likelihood).
    """
    observed = ~np.isnan(answers)
    x = np.where(observed, answers, 0.0)
    obs = observed.astype(float)
    post = np.eye(k)[labels]
    post = 0.98 * post + 0.02 / k  # soften the start so no class collapses at once
    previous = -np.inf
    ll = previous
    for _ in range(max_iter):
        weights = post.mean(axis=0)
        with np.errstate(invalid="ignore", divide="ignore"):
            probs = np.nan_to_num((post.T @ x) / (post.T @ obs), nan=0.5)
        post, row_ll = binary_posteriors(answers, weights, probs)
        ll = float(row_ll.sum())
        if ll - previous < tol * len(answers):
            break
        previous = ll
    return weights, probs, ll


class LatentClassModel(ClusterMixin, BaseEstimator):  # type: ignore[misc]
    """Latent class model for binary items (answers >= ``threshold`` count as agree).

    Args:
        n_components: number of latent classes.
        n_init: random starts; the best log-likelihood wins.
        max_iter: EM iterations per start.
        tol: convergence tolerance on the average log-likelihood.
        threshold: answers at or above this value count as 1 (agree). With 0/1 data keep
            0.5; with 5-point Likert answers use 4 (top-2 box).
        random_state: seed.

    Attributes:
        weights_: (k,) class shares.
        probs_: (k, d) probability of agreeing per class and item.
        log_likelihood_: total log-likelihood of the training data.
        n_features_in_: number of items.
    """

    def __init__(
        self,
        n_components: int = 3,
        *,
        n_init: int = 10,
        max_iter: int = 1000,
        tol: float = 1e-8,
        threshold: float = 0.5,
        random_state: int | None = None,
    ) -> None:
        self.n_components = n_components
        self.n_init = n_init
        self.max_iter = max_iter
        self.tol = tol
        self.threshold = threshold
        self.random_state = random_state

    def _binary(self, X: ArrayLike, *, reset: bool) -> np.ndarray:
        data = validate_data(self, X, reset=reset, ensure_all_finite="allow-nan", dtype=float)
        return to_agree(np.asarray(data), self.threshold)

    def fit(self, X: ArrayLike, y: ArrayLike | None = None) -> "LatentClassModel":
        """Estimate class shares and item probabilities with EM (StepMix)."""
        from stepmix.stepmix import StepMix

        data = self._binary(X, reset=True)
        if data.shape[0] < self.n_components:
            raise ValueError(
                f"n_samples={data.shape[0]} should be >= n_components={self.n_components}."
            )
        has_nan = bool(np.isnan(data).any())
        model = StepMix(
            n_components=self.n_components,
            measurement="binary_nan" if has_nan else "binary",
            n_init=self.n_init,
            max_iter=self.max_iter,
            abs_tol=self.tol,
            rel_tol=0.0,
            random_state=self.random_state,
            verbose=0,
            progress_bar=0,
        )
        model.fit(data)
        params = model.get_parameters()
        self.weights_ = np.asarray(params["weights"], dtype=float)
        self.probs_ = np.asarray(params["measurement"]["pis"], dtype=float).reshape(
            self.n_components, data.shape[1]
        )
        _, row_ll = binary_posteriors(data, self.weights_, self.probs_)
        self.log_likelihood_ = float(row_ll.sum())
        self.n_iter_ = int(getattr(model, "n_iter_", 0))
        self.labels_ = self.predict(X)
        return self

    @classmethod
    def from_parameters(
        cls,
        weights: Sequence[float] | np.ndarray,
        probs: Sequence[Sequence[float]] | np.ndarray,
        *,
        threshold: float = 0.5,
    ) -> "LatentClassModel":
        """A fitted model from known parameters (e.g. a published table)."""
        w = np.asarray(weights, dtype=float)
        p = np.asarray(probs, dtype=float)
        if p.ndim != 2 or p.shape[0] != w.shape[0]:
            raise ValueError(f"probs must have shape (k, d) with k={w.shape[0]}, got {p.shape}")
        if np.any((p < 0) | (p > 1)):
            raise ValueError("probabilities must lie between 0 and 1")
        model = cls(n_components=int(w.shape[0]), threshold=threshold)
        model.weights_ = w / w.sum()
        model.probs_ = p
        model.n_features_in_ = int(p.shape[1])
        model.log_likelihood_ = float("nan")
        return model

    def predict_proba(self, X: ArrayLike) -> np.ndarray:
        """Posterior probability of each class; missing answers (NaN) are skipped."""
        check_is_fitted(self, "probs_")
        posteriors, _ = binary_posteriors(self._binary(X, reset=False), self.weights_, self.probs_)
        return posteriors

    def predict(self, X: ArrayLike) -> np.ndarray:
        """Most probable class (for analysis only; people get probabilities)."""
        return np.asarray(self.predict_proba(X).argmax(axis=1))

    def score_samples(self, X: ArrayLike) -> np.ndarray:
        """Log-likelihood of each row."""
        check_is_fitted(self, "probs_")
        _, row_ll = binary_posteriors(self._binary(X, reset=False), self.weights_, self.probs_)
        return row_ll

    def score(self, X: ArrayLike, y: ArrayLike | None = None) -> float:
        """Average log-likelihood per row."""
        return float(self.score_samples(X).mean())

    def n_parameters(self) -> int:
        """Free parameters: k-1 shares plus k x d probabilities."""
        check_is_fitted(self, "probs_")
        k, d = self.probs_.shape
        return (k - 1) + k * d

    def bic(self, X: ArrayLike) -> float:
        """Bayesian information criterion on ``X`` (lower is better)."""
        n = np.asarray(X).shape[0]
        return float(-2 * self.score_samples(X).sum() + self.n_parameters() * np.log(n))

    def aic(self, X: ArrayLike) -> float:
        """Akaike information criterion on ``X``."""
        return float(-2 * self.score_samples(X).sum() + 2 * self.n_parameters())

    def __sklearn_tags__(self) -> Tags:
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        return tags

"""A short typing questionnaire for any segmentation: at most N items and a multinomial
logistic model, with cross-validated accuracy, saved as a versioned JSON file."""

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import ArrayLike
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from sklearn.utils import Tags
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

__all__ = ["FORMAT", "FORMAT_VERSION", "TypingTool", "TypingToolFileError"]

FORMAT = "proactief-typing-tool"
FORMAT_VERSION = 1


class TypingToolFileError(ValueError):
    """A typing-tool file cannot be used."""

    def __init__(self, path: Path | str, problem: str) -> None:
        super().__init__(f"{path}: {problem}")


def _impute(X: np.ndarray, means: np.ndarray) -> np.ndarray:
    return np.where(np.isnan(X), means, X)


def _lda_accuracy(
    Xtr: np.ndarray, ytr: np.ndarray, Xte: np.ndarray, yte: np.ndarray, classes: np.ndarray
) -> float:
    """Held-out accuracy of linear discriminant analysis with a small ridge (closed form;
    called hundreds of times during item selection, so kept free of per-call overhead)."""
    means = np.array([Xtr[ytr == c].mean(axis=0) for c in classes])
    priors = np.array([(ytr == c).mean() for c in classes])
    centred = Xtr - means[np.searchsorted(classes, ytr)]
    cov = centred.T @ centred / max(len(Xtr) - len(classes), 1)
    cov += np.eye(cov.shape[0]) * (1e-3 * np.trace(cov) / cov.shape[0] + 1e-9)
    solved = np.linalg.solve(cov, means.T)  # (d, k)
    scores = Xte @ solved - 0.5 * np.sum(means.T * solved, axis=0) + np.log(priors)
    return float((classes[scores.argmax(axis=1)] == yte).mean())


def _select(X: np.ndarray, y: np.ndarray, max_items: int, seed: int) -> list[int]:
    """Greedy forward selection of items by held-out accuracy of a ridge LDA."""
    n, d = X.shape
    rng = np.random.default_rng(seed)
    order = rng.permutation(n)
    cut = int(n * 0.7) if n >= 30 else n
    train, test = order[:cut], (order[cut:] if n >= 30 else order)
    classes = np.unique(y[train])
    chosen: list[int] = []
    for _ in range(min(max_items, d)):
        best, best_score = -1, -1.0
        for j in range(d):
            if j in chosen:
                continue
            cols = np.array([*chosen, j])
            try:
                score = _lda_accuracy(
                    X[np.ix_(train, cols)], y[train], X[np.ix_(test, cols)], y[test], classes
                )
            except np.linalg.LinAlgError:
                score = 0.0
            if score > best_score + 1e-12:
                best, best_score = j, score
        chosen.append(best)
    return chosen


class TypingTool(ClassifierMixin, BaseEstimator):  # type: ignore[misc]
    """Predicts segment probabilities from at most ``max_items`` answers.

    Args:
        max_items: largest number of items in the short questionnaire.
        C: inverse regularisation strength of the logistic model.
        cv: folds for the cross-validated accuracy (item selection is redone inside each
            fold, so the figure is honest); 0 or 1 skips it.
        random_state: seed.

    Attributes:
        selected_: column indices of the chosen items.
        means_, scales_: standardisation of the chosen items (missing answers get the mean).
        coef_, intercept_: the multinomial model.
        classes_: segment labels.
        cv_accuracy_: cross-validated share correctly typed (NaN when cv < 2).
    """

    def __init__(
        self, max_items: int = 8, *, C: float = 1.0, cv: int = 5, random_state: int = 0
    ) -> None:
        self.max_items = max_items
        self.C = C
        self.cv = cv
        self.random_state = random_state

    def _fit_once(
        self, X: np.ndarray, y: np.ndarray
    ) -> tuple[list[int], np.ndarray, np.ndarray, LogisticRegression]:
        means = np.nanmean(np.where(np.isnan(X).all(axis=0), 0.0, X), axis=0)
        means = np.nan_to_num(means)
        Xi = _impute(X, means)
        chosen = _select(Xi, y, self.max_items, self.random_state)
        sub = Xi[:, chosen]
        mu = sub.mean(axis=0)
        sd = sub.std(axis=0)
        sd[sd == 0] = 1.0
        model = LogisticRegression(C=self.C, max_iter=2000)
        model.fit((sub - mu) / sd, y)
        return chosen, mu, sd, model

    def fit(self, X: ArrayLike, y: ArrayLike) -> "TypingTool":
        """Choose the items and fit the model; estimate the accuracy by cross-validation."""
        checked_X, checked_y = validate_data(self, X, y, ensure_all_finite="allow-nan", dtype=float)
        check_classification_targets(checked_y)
        if self.max_items < 1:
            raise ValueError(f"max_items must be at least 1, got {self.max_items}")
        X, y = np.asarray(checked_X), np.asarray(checked_y)
        if np.unique(y).size < 2:
            raise ValueError("y has only one class; a typing tool needs at least two segments")
        chosen, mu, sd, model = self._fit_once(X, y)
        self.selected_ = np.array(chosen)
        self.means_, self.scales_ = mu, sd
        self.coef_ = model.coef_
        self.intercept_ = model.intercept_
        self.classes_ = model.classes_
        self.cv_accuracy_ = float("nan")
        counts = np.unique(y, return_counts=True)[1]
        folds = min(self.cv, int(counts.min()))
        if folds >= 2:
            correct = 0
            splitter = StratifiedKFold(folds, shuffle=True, random_state=self.random_state)
            for train, test in splitter.split(X, y):
                c, m, s, mdl = self._fit_once(X[train], y[train])
                Xt = _impute(X[test][:, c], m)
                correct += int((mdl.predict((Xt - m) / s) == y[test]).sum())
            self.cv_accuracy_ = correct / len(y)
        return self

    def _logits(self, X: np.ndarray) -> np.ndarray:
        sub = _impute(X[:, self.selected_], self.means_)
        z = (sub - self.means_) / self.scales_
        logits = z @ self.coef_.T + self.intercept_
        if logits.shape[1] == 1:  # binary logistic regression has one column
            logits = np.hstack([np.zeros_like(logits), logits])
        return np.asarray(logits)

    def predict_proba(self, X: ArrayLike) -> np.ndarray:
        """Probability of each segment; unanswered items (NaN) count as average."""
        check_is_fitted(self, "coef_")
        data = validate_data(self, X, reset=False, ensure_all_finite="allow-nan", dtype=float)
        logits = self._logits(np.asarray(data))
        logits -= logits.max(axis=1, keepdims=True)
        p = np.exp(logits)
        return np.asarray(p / p.sum(axis=1, keepdims=True))

    def predict(self, X: ArrayLike) -> np.ndarray:
        """Most probable segment (for evaluation; show people the probabilities)."""
        check_is_fitted(self, "coef_")
        return np.asarray(self.classes_[self.predict_proba(X).argmax(axis=1)])

    def __sklearn_tags__(self) -> Tags:
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        return tags

    # --- versioned file -------------------------------------------------------------

    def to_dict(
        self, *, items: Sequence[str], scenario: str, segment_names: Sequence[str] | None = None
    ) -> dict[str, object]:
        """The fitted tool as plain data (the JSON file's content)."""
        check_is_fitted(self, "coef_")
        if len(items) != self.n_features_in_:
            raise ValueError(f"expected {self.n_features_in_} item names, got {len(items)}")
        return {
            "format": FORMAT,
            "version": FORMAT_VERSION,
            "created": datetime.now(UTC).isoformat(timespec="seconds"),
            "scenario": scenario,
            "all_items": list(items),
            "items": [items[j] for j in self.selected_],
            "classes": [int(c) if isinstance(c, np.integer) else c for c in self.classes_],
            "segment_names": list(segment_names) if segment_names else None,
            "means": self.means_.tolist(),
            "scales": self.scales_.tolist(),
            "coef": self.coef_.tolist(),
            "intercept": self.intercept_.tolist(),
            "cv_accuracy": None if np.isnan(self.cv_accuracy_) else self.cv_accuracy_,
            "cv_folds": self.cv,
            "params": self.get_params(),
        }

    def save(
        self,
        path: Path | str,
        *,
        items: Sequence[str],
        scenario: str,
        segment_names: Sequence[str] | None = None,
    ) -> None:
        """Write the versioned JSON file."""
        data = self.to_dict(items=items, scenario=scenario, segment_names=segment_names)
        Path(path).write_text(json.dumps(data, indent=1), encoding="utf-8")

    @classmethod
    def load(cls, path: Path | str) -> tuple["TypingTool", dict[str, Any]]:
        """Read a typing-tool file; returns the tool (scoring ``all_items`` columns) and the
        file's content."""
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise TypingToolFileError(path, f"cannot read it ({exc})") from exc
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise TypingToolFileError(path, f"not a {FORMAT} file")
        if data.get("version") != FORMAT_VERSION:
            raise TypingToolFileError(
                path, f"version {data.get('version')} is not supported (expected {FORMAT_VERSION})"
            )
        tool = cls(**data["params"])
        all_items = data["all_items"]
        tool.selected_ = np.array([all_items.index(i) for i in data["items"]])
        tool.means_ = np.array(data["means"], dtype=float)
        tool.scales_ = np.array(data["scales"], dtype=float)
        tool.coef_ = np.array(data["coef"], dtype=float)
        tool.intercept_ = np.array(data["intercept"], dtype=float)
        tool.classes_ = np.array(data["classes"])
        tool.n_features_in_ = len(all_items)
        tool.cv_accuracy_ = (
            float(data["cv_accuracy"]) if data["cv_accuracy"] is not None else float("nan")
        )
        return tool, data

"""Scenario analysis as in the study: several methods x numbers of segments, each scored on
statistical differentiation, explainability and applicability. It recommends; the analyst
chooses. Data without structure comes out as 'no stable segments'.

Differentiation: BIC (model-based methods), silhouette, bootstrap stability (mean adjusted
Rand index between the segmentation and refits on bootstrap samples, and per segment the
mean best Jaccard overlap, Hennig 2007). A scenario must also beat structureless data: for
model-based methods its BIC must be lower than that of one segment; for k-means and Ward its
silhouette must exceed that of the same method on the data with every column shuffled
independently (same answers per item, no association between items).
Explainability: items on which a segment is > 0.1 SD above or below both others.
Applicability: the smallest segment's share and the cross-validated accuracy of a typing
tool with at most 8 items.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from joblib import Parallel, delayed
from sklearn.base import BaseEstimator
from sklearn.cluster import AgglomerativeClustering, KMeans
from sklearn.metrics import adjusted_rand_score, silhouette_score
from sklearn.mixture import GaussianMixture

from proactief.segmentation.lca import LatentClassModel, quick_em
from proactief.segmentation.profiles import profile
from proactief.segmentation.survey import to_agree
from proactief.segmentation.typing_tool import TypingTool

__all__ = [
    "DEFAULT_METHODS",
    "METHODS",
    "METHOD_NAMES_NL",
    "Scenario",
    "ScenarioAnalysis",
    "default_agree_from",
    "fit_scenario",
    "parse_scenario",
    "run_scenarios",
]

METHODS = ("kmeans", "gmm", "lca", "ward")
DEFAULT_METHODS = ("kmeans", "gmm", "lca")
MIN_STABILITY_ARI = 0.7
MIN_JACCARD = 0.6
MIN_SHARE = 0.05
MIN_SILHOUETTE_GAIN = 0.01
METHOD_NAMES_NL = {
    "kmeans": "k-means",
    "gmm": "latente profielen (Gaussian mixture)",
    "lca": "latente klassen (LCA)",
    "ward": "Ward (hiërarchisch)",
}


@dataclass
class Scenario:
    """One method with one number of segments, and its scores."""

    method: str
    k: int
    labels: np.ndarray
    posteriors: np.ndarray | None
    shares: np.ndarray
    bic: float | None
    bic_one_segment: float | None
    silhouette: float
    null_silhouette: float
    stability_ari: float
    jaccard: np.ndarray
    marked_items: int
    segments_with_marks: int
    typing_accuracy: float
    typing_items: tuple[str, ...]
    model: BaseEstimator | np.ndarray | None = field(repr=False, default=None)
    supported: bool = False
    reasons: list[str] = field(default_factory=list)
    bic_best: bool = False
    """This k has the lowest BIC of its (model-based) method."""

    @property
    def name(self) -> str:
        """Scenario id as used on the command line, e.g. ``lca-3``."""
        return f"{self.method}-{self.k}"

    @property
    def score(self) -> float:
        """Combined score used to rank scenarios (higher is better): stability, typing
        accuracy and share of recognisable segments, plus 0.1 for the BIC-best k of a
        model-based method."""
        base = (self.stability_ari + self.typing_accuracy + self.segments_with_marks / self.k) / 3
        return base + (0.1 if self.bic_best else 0.0)


@dataclass
class ScenarioAnalysis:
    """All scenarios with a recommendation."""

    scenarios: list[Scenario]
    items: tuple[str, ...]
    n: int
    agree_from: float
    recommended: str | None
    message: str

    def get(self, name: str) -> Scenario:
        """A scenario by name (``lca-3``)."""
        for s in self.scenarios:
            if s.name == name:
                return s
        raise KeyError(
            f"no scenario {name!r}; computed: {', '.join(s.name for s in self.scenarios)}"
        )

    def best(self, k: int | None = None) -> Scenario:
        """The best-ranked scenario (optionally with ``k`` segments); supported ones first."""
        pool = [s for s in self.scenarios if k is None or s.k == k]
        if not pool:
            raise KeyError(f"no scenario with {k} segments")
        return max(pool, key=lambda s: (s.supported, s.score))

    def scorecard(self) -> pd.DataFrame:
        """One row per scenario with every criterion."""
        rows = []
        for s in self.scenarios:
            rows.append(
                {
                    "scenario": s.name,
                    "methode": s.method,
                    "k": s.k,
                    "BIC": None if s.bic is None else round(s.bic, 1),
                    "BIC_laagste": s.bic_best,
                    "silhouette": round(s.silhouette, 3),
                    "silhouette_ruis": round(s.null_silhouette, 3),
                    "stabiliteit_ARI": round(s.stability_ari, 3),
                    "jaccard_min": round(float(s.jaccard.min()), 3),
                    "items_met_verschil": s.marked_items,
                    "segmenten_herkenbaar": f"{s.segments_with_marks}/{s.k}",
                    "kleinste_segment": round(float(s.shares.min()), 3),
                    "typeer_nauwkeurigheid": round(s.typing_accuracy, 3),
                    "ondersteund": s.supported,
                    "aanbevolen": s.name == self.recommended,
                    "opmerking": "; ".join(s.reasons),
                }
            )
        return pd.DataFrame(rows)


# --- methods ----------------------------------------------------------------------------


class _Fitted:
    def __init__(
        self,
        predict: Callable[[np.ndarray], np.ndarray],
        posteriors: np.ndarray | None,
        bic: float | None,
        model: BaseEstimator | np.ndarray,
    ) -> None:
        self.predict = predict
        self.posteriors = posteriors
        self.bic = bic
        self.model = model


def _nearest_centroid(centroids: np.ndarray) -> Callable[[np.ndarray], np.ndarray]:
    def predict(X: np.ndarray) -> np.ndarray:
        distances = ((X[:, None, :] - centroids[None, :, :]) ** 2).sum(axis=2)
        return np.asarray(distances.argmin(axis=1))

    return predict


def _fit(method: str, k: int, Xs: np.ndarray, Xb: np.ndarray, seed: int, quick: bool) -> _Fitted:
    if method == "kmeans":
        km = KMeans(n_clusters=k, n_init=3 if quick else 10, random_state=seed).fit(Xs)
        return _Fitted(km.predict, None, None, km)
    if method == "gmm":
        gm = GaussianMixture(
            n_components=k,
            covariance_type="diag",
            n_init=1 if quick else 3,
            reg_covar=1e-4,
            random_state=seed,
        ).fit(Xs)
        return _Fitted(gm.predict, None if quick else gm.predict_proba(Xs), gm.bic(Xs), gm)
    if method == "lca" and quick:
        start = KMeans(n_clusters=k, n_init=1, random_state=seed).fit_predict(np.nan_to_num(Xb))
        weights, probs, _ = quick_em(Xb, start, k)
        quick_model = LatentClassModel.from_parameters(weights, probs)
        return _Fitted(quick_model.predict, None, None, quick_model)
    if method == "lca":
        lca = LatentClassModel(
            n_components=k,
            n_init=1 if quick else 5,
            max_iter=300 if quick else 1000,
            tol=1e-5 if quick else 1e-7,
            random_state=seed,
        ).fit(Xb)
        return _Fitted(lca.predict, None if quick else lca.predict_proba(Xb), lca.bic(Xb), lca)
    if method == "ward":
        labels = AgglomerativeClustering(n_clusters=k, linkage="ward").fit_predict(Xs)
        centroids = np.array([Xs[labels == c].mean(axis=0) for c in range(k)])
        return _Fitted(_nearest_centroid(centroids), None, None, centroids)
    raise ValueError(f"unknown method {method!r}; choose from {', '.join(METHODS)}")


def _reference_fit(
    method: str, k: int, Xs: np.ndarray, Xb: np.ndarray, seed: int
) -> tuple[_Fitted, np.ndarray, np.ndarray | None]:
    fitted = _fit(method, k, Xs, Xb, seed, quick=False)
    labels = fitted.predict(Xb if method == "lca" else Xs)
    # number segments by size (largest first) so that names are stable across runs
    order = np.argsort(-np.bincount(labels, minlength=k))
    relabel = np.empty(k, dtype=int)
    relabel[order] = np.arange(k)
    posteriors = fitted.posteriors[:, order] if fitted.posteriors is not None else None
    return fitted, relabel[labels], posteriors


def parse_scenario(name: str) -> tuple[str, int]:
    """``lca-3`` -> ("lca", 3), with a clear error for anything else."""
    method, _, k = name.partition("-")
    if method not in METHODS or not k.isdigit() or int(k) < 2:
        raise ValueError(
            f"scenario {name!r} is not METHOD-K with METHOD one of {', '.join(METHODS)} "
            "and K >= 2 (e.g. lca-3)"
        )
    return method, int(k)


def fit_scenario(
    X: np.ndarray, name: str, *, agree_from: float | None = None, seed: int = 0
) -> tuple[np.ndarray, np.ndarray | None]:
    """Fit one scenario (``lca-3``) on all data: segment per respondent (0-based, largest
    segment first) and, for model-based methods, the posterior probabilities."""
    method, k = parse_scenario(name)
    X = np.asarray(X, dtype=float)
    agree_from = default_agree_from(X, agree_from)
    _fitted, labels, posteriors = _reference_fit(
        method, k, _standardise(X), to_agree(X, agree_from), seed
    )
    return labels, posteriors


def default_agree_from(X: np.ndarray, agree_from: float | None = None) -> float:
    """The given threshold, or 1 for 0/1 answers and 4 (top-2 box) for a 5-point scale."""
    if agree_from is not None:
        return agree_from
    values = np.unique(X[~np.isnan(X)])
    return 1.0 if set(values.tolist()) <= {0.0, 1.0} else 4.0


def _jaccard(reference: np.ndarray, other: np.ndarray, k: int) -> np.ndarray:
    out = np.zeros(k)
    others = np.unique(other)
    for c in range(k):
        a = reference == c
        best = 0.0
        for o in others:
            b = other == o
            union = np.logical_or(a, b).sum()
            if union:
                best = max(best, np.logical_and(a, b).sum() / union)
        out[c] = best
    return out


def _silhouette(X: np.ndarray, labels: np.ndarray, seed: int) -> float:
    if np.unique(labels).size < 2:
        return float("nan")
    return float(silhouette_score(X, labels, sample_size=min(len(X), 2000), random_state=seed))


def _scenario(
    method: str,
    k: int,
    X: np.ndarray,
    Xs: np.ndarray,
    Xb: np.ndarray,
    Xs_null: np.ndarray,
    Xb_null: np.ndarray,
    items: Sequence[str],
    agree_from: float,
    n_bootstrap: int,
    bic_one: float | None,
    seed: int,
) -> Scenario:
    fitted, labels, posteriors = _reference_fit(method, k, Xs, Xb, seed)
    data = Xb if method == "lca" else Xs
    rng = np.random.default_rng(seed)
    aris, jaccards = [], []
    for b in range(n_bootstrap):
        idx = rng.integers(0, len(X), len(X))
        refit = _fit(method, k, Xs[idx], Xb[idx], seed + 1 + b, quick=True)
        boot = refit.predict(data)
        aris.append(adjusted_rand_score(labels, boot))
        jaccards.append(_jaccard(labels, boot, k))
    null_fit = _fit(method, k, Xs_null, Xb_null, seed, quick=True)
    null_labels = null_fit.predict(Xb_null if method == "lca" else Xs_null)
    prof = profile(X, items, labels=labels, posteriors=posteriors, agree_from=agree_from)
    counts = np.bincount(labels, minlength=k)
    if counts.min() >= 2:
        tool = TypingTool(max_items=min(8, X.shape[1]), cv=3, random_state=seed).fit(X, labels)
        typing_accuracy = tool.cv_accuracy_
        typing_items = tuple(items[j] for j in tool.selected_)
    else:
        typing_accuracy, typing_items = float("nan"), ()
    scenario = Scenario(
        method=method,
        k=k,
        labels=labels,
        posteriors=posteriors,
        shares=prof.shares,
        bic=fitted.bic,
        bic_one_segment=bic_one,
        silhouette=_silhouette(Xs, labels, seed),
        null_silhouette=_silhouette(Xs_null, null_labels, seed),
        stability_ari=float(np.mean(aris)) if aris else float("nan"),
        jaccard=np.mean(jaccards, axis=0) if jaccards else np.full(k, np.nan),
        marked_items=int((np.abs(prof.marks).sum(axis=0) > 0).sum()),
        segments_with_marks=prof.segments_with_marks(),
        typing_accuracy=float(typing_accuracy),
        typing_items=typing_items,
        model=fitted.model,
    )
    _judge(scenario)
    return scenario


def _judge(s: Scenario) -> None:
    reasons = []
    if not s.stability_ari >= MIN_STABILITY_ARI:
        reasons.append(f"instabiel (ARI {s.stability_ari:.2f} < {MIN_STABILITY_ARI})")
    if not float(np.nanmin(s.jaccard)) >= MIN_JACCARD:
        reasons.append(f"een segment valt uiteen (Jaccard {np.nanmin(s.jaccard):.2f})")
    if s.shares.min() < MIN_SHARE:
        reasons.append(f"kleinste segment {s.shares.min():.1%} < {MIN_SHARE:.0%}")
    if s.bic is not None and s.bic_one_segment is not None:
        if not s.bic < s.bic_one_segment:
            reasons.append("BIC niet beter dan één segment")
    elif not s.silhouette >= s.null_silhouette + MIN_SILHOUETTE_GAIN:
        reasons.append("silhouette niet beter dan bij structuurloze data")
    if s.segments_with_marks < s.k:
        reasons.append(f"{s.k - s.segments_with_marks} segment(en) zonder eigen kenmerk")
    s.reasons = reasons
    s.supported = not reasons


def _standardise(X: np.ndarray) -> np.ndarray:
    mean = np.nanmean(X, axis=0)
    sd = np.nanstd(X, axis=0)
    sd[sd == 0] = 1.0
    return np.asarray(np.nan_to_num((X - mean) / sd))


def run_scenarios(
    X: np.ndarray,
    items: Sequence[str],
    *,
    methods: Sequence[str] = DEFAULT_METHODS,
    ks: Sequence[int] = (2, 3, 4, 5, 6),
    n_bootstrap: int = 20,
    agree_from: float | None = None,
    seed: int = 0,
    n_jobs: int = 2,
    on_done: Callable[[str], None] | None = None,
) -> ScenarioAnalysis:
    """Fit every method x k, score each scenario, and recommend.

    Args:
        X: answers (n x d, NaN = missing): 0/1 or a Likert scale.
        items: the item names.
        agree_from: answers at or above this count as 'agree' (default: 1 for 0/1 data,
            else 4, the top-2 box of a 5-point scale).
        n_jobs: scenarios computed in parallel.
        on_done: called with each scenario's name as it finishes.
    """
    X = np.asarray(X, dtype=float)
    if X.ndim != 2 or X.shape[1] != len(items):
        raise ValueError(f"X must have shape (n, {len(items)}), got {X.shape}")
    unknown = [m for m in methods if m not in METHODS]
    if unknown:
        raise ValueError(
            f"unknown method(s) {', '.join(unknown)}; choose from {', '.join(METHODS)}"
        )
    if min(ks) < 2:
        raise ValueError("k must be at least 2")
    agree_from = default_agree_from(X, agree_from)
    Xb = to_agree(X, agree_from)
    Xs = _standardise(X)
    rng = np.random.default_rng(seed)
    X_null = np.column_stack([rng.permutation(X[:, j]) for j in range(X.shape[1])])
    Xs_null, Xb_null = _standardise(X_null), to_agree(X_null, agree_from)
    bic_one: dict[str, float | None] = {
        "lca": LatentClassModel(1, n_init=1).fit(Xb).bic(Xb) if "lca" in methods else None,
        "gmm": GaussianMixture(1, covariance_type="diag", reg_covar=1e-4).fit(Xs).bic(Xs)
        if "gmm" in methods
        else None,
        "kmeans": None,
        "ward": None,
    }
    tasks = [(m, k) for m in methods for k in ks]
    results: list[Scenario] = []
    runner = Parallel(n_jobs=n_jobs, return_as="generator")
    for scenario in runner(
        delayed(_scenario)(
            m, k, X, Xs, Xb, Xs_null, Xb_null, items, agree_from, n_bootstrap, bic_one[m], seed
        )
        for m, k in tasks
    ):
        results.append(scenario)
        if on_done is not None:
            on_done(scenario.name)
    for method in methods:
        with_bic = [s for s in results if s.method == method and s.bic is not None]
        if with_bic:
            min(with_bic, key=lambda s: s.bic or 0.0).bic_best = True
    supported = [s for s in results if s.supported]
    if supported:
        best = max(supported, key=lambda s: (s.score, -s.k))
        recommended: str | None = best.name
        message = (
            f"Aanbevolen: {best.name} ({METHOD_NAMES_NL[best.method]}, {best.k} segmenten). "
            f"{len(supported)} van {len(results)} scenario's voldoen aan alle criteria; "
            "de analist kiest."
        )
    else:
        recommended = None
        message = (
            "Geen stabiele segmenten: geen enkel scenario is stabiel, herkenbaar en beter "
            "dan structuurloze data."
        )
    return ScenarioAnalysis(
        scenarios=results,
        items=tuple(items),
        n=len(X),
        agree_from=agree_from,
        recommended=recommended,
        message=message,
    )

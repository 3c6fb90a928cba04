"""Latent class fits against StepMix called directly, run on demand (never in the tests).

    .venv/bin/python benchmarks/bench_lca_peer.py [--respondents 1000] [--repetitions 3]

The same synthetic survey (26 statements, 0/1 answers), the same number of classes,
starts, iterations and tolerance:
1. `LatentClassModel.fit` (Proactief's estimator, which fits with StepMix and then
   scores with its own posterior) against `StepMix.fit` on the same 0/1 matrix;
2. `quick_em` (the refit of each bootstrap replication, one start from given labels)
   against a one-start `StepMix.fit`.
Interleaved (who goes first alternates), median of the repetitions, and the
log-likelihood each reached. Writes docs/benchmarks-lca-peer.md.
"""

import argparse
import os
import platform
import statistics
import time
import warnings
from datetime import date
from pathlib import Path

import numpy as np
from stepmix.stepmix import StepMix

from proactief.segmentation import LatentClassModel, generate_survey
from proactief.segmentation.lca import binary_posteriors, quick_em

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "benchmarks-lca-peer.md"
K = 3
N_INIT = 10
MAX_ITER = 1000
TOL = 1e-8


def stepmix(data: np.ndarray, n_init: int, seed: int) -> tuple[float, float]:
    start = time.perf_counter()
    model = StepMix(
        n_components=K,
        measurement="binary",
        n_init=n_init,
        max_iter=MAX_ITER,
        abs_tol=TOL,
        rel_tol=0.0,
        random_state=seed,
        verbose=0,
        progress_bar=0,
    ).fit(data)
    seconds = time.perf_counter() - start
    params = model.get_parameters()
    probs = np.asarray(params["measurement"]["pis"]).reshape(K, data.shape[1])
    _, row_ll = binary_posteriors(data, np.asarray(params["weights"]), probs)
    return seconds, float(row_ll.sum())


def ours(data: np.ndarray, seed: int) -> tuple[float, float]:
    start = time.perf_counter()
    model = LatentClassModel(K, n_init=N_INIT, max_iter=MAX_ITER, tol=TOL, random_state=seed)
    model.fit(data)
    return time.perf_counter() - start, model.log_likelihood_


def refit(data: np.ndarray, labels: np.ndarray) -> tuple[float, float]:
    start = time.perf_counter()
    _, _, ll = quick_em(data, labels, K)
    return time.perf_counter() - start, ll


def main(argv: list[str] | None = None) -> dict[str, float]:
    warnings.simplefilter("ignore")
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--respondents", type=int, default=1_000)
    parser.add_argument("--repetitions", type=int, default=3)
    args = parser.parse_args(argv)
    data = generate_survey(args.respondents, seed=1).answers.astype(float)
    runs: dict[str, list[tuple[float, float]]] = {k: [] for k in ("ours", "peer", "qe", "p1")}
    for rep in range(args.repetitions):
        seed = 100 + rep
        pairs = [
            ("ours", lambda s=seed: ours(data, s)),
            ("peer", lambda s=seed: stepmix(data, N_INIT, s)),
        ]
        for name, run in pairs if rep % 2 == 0 else pairs[::-1]:
            runs[name].append(run())
        labels = LatentClassModel(K, n_init=1, random_state=seed).fit(data).labels_
        one = [
            ("qe", lambda lab=labels: refit(data, lab)),
            ("p1", lambda s=seed: stepmix(data, 1, s)),
        ]
        for name, run in one if rep % 2 == 0 else one[::-1]:
            runs[name].append(run())
        print({k: v[-1] for k, v in runs.items()}, flush=True)

    def med(name: str) -> float:
        return statistics.median(s for s, _ in runs[name])

    def lls(name: str) -> str:
        return ", ".join(f"{ll:,.1f}" for _, ll in runs[name])

    n = args.respondents
    lines = [
        "# Latent class fits against StepMix",
        "",
        f"Measured {date.today().isoformat()} with `benchmarks/bench_lca_peer.py` on "
        f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}.",
        "Re-run with `.venv/bin/python benchmarks/bench_lca_peer.py`; it rewrites this file.",
        "",
        f"The same synthetic survey ({n:,} respondents x 26 statements, 0/1), {K} classes, "
        f"tolerance {TOL:g}, at most {MAX_ITER} iterations; {args.repetitions} interleaved "
        "repetitions with a new seed each, medians. The log-likelihood of each run is the",
        "fit's own, scored the same way for both (local independence).",
        "",
        "| what | Proactief | StepMix directly | ratio (time) | log-likelihood, Proactief "
        "| log-likelihood, StepMix |",
        "|---|---|---|---|---|---|",
        f"| the model fit, {N_INIT} starts (`LatentClassModel.fit` / `StepMix.fit`) | "
        f"**{med('ours'):.3f} s** | {med('peer'):.3f} s | **{med('ours') / med('peer'):.2f}x** | "
        f"{lls('ours')} | {lls('peer')} |",
        f"| a bootstrap refit, 1 start (`quick_em` from given labels / `StepMix.fit`, "
        f"`n_init=1`) | **{med('qe') * 1000:.1f} ms** | {med('p1') * 1000:.1f} ms | "
        f"**{med('qe') / med('p1'):.2f}x** | {lls('qe')} | {lls('p1')} |",
        "",
        "`LatentClassModel.fit` is StepMix plus Proactief's checks and one posterior pass, so",
        "its ratio shows the cost of the wrapper. `quick_em` starts from the labels of the",
        "main fit (as the scenario analysis does for each bootstrap sample), so it needs fewer",
        "iterations than a fresh start; that is why the bootstrap uses it. It stops at a",
        "looser tolerance (1e-6 per respondent), which shows in the last decimal.",
        "",
    ]
    OUT.write_text("\n".join(lines), encoding="utf-8")
    print(f"wrote {OUT}")
    return {
        "respondents": n,
        "fit_s": med("ours"),
        "fit_peer_s": med("peer"),
        "refit_s": med("qe"),
        "refit_peer_s": med("p1"),
    }


if __name__ == "__main__":
    main()

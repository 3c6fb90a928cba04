"""One measured run of one rules engine in a fresh process (called by bench_rules.py).

    python rules_worker.py proactief|openfisca POPULATION.parquet OUT.npz JAAR

Reads the households, then times the build (inputs into the engine's own form; Proactief
has none, it reads the table's columns inside its compute) and the compute (status and
amount for every household) of each regulation alone, then of all regulations together,
six times: the first warms up (its compute is reported as ``first_s``), the median of the
other five is reported. OpenFisca computes each regulation alone on a simulation of its
own, and all together on one more, where the regulations share what they have in common.
Writes the results of all together to OUT.npz for the household-by-household comparison
and prints one JSON line with the seconds and the peak resident memory of this process.
"""

import json
import resource
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))
from openfisca_regelingen import REGELINGEN

REPEATS = 5
"""Computes timed in each process, after one that warms up (the median is reported): the
steady state of a scan, not the first touch of new memory."""


def main() -> None:
    engine, source, out, jaar = sys.argv[1], Path(sys.argv[2]), sys.argv[3], int(sys.argv[4])
    frame = pd.read_parquet(source)
    builds: list[float] = []
    computes: dict[str, list[float]] = {r: [] for r in REGELINGEN}
    totals: list[float] = []
    results: dict[str, np.ndarray] = {}
    if engine == "openfisca":
        import openfisca_regelingen as peer

        columns = {c: frame[c].to_numpy(dtype=float) for c in peer.INPUTS if c in frame}

        def build() -> Any:
            return peer.simulation(peer.tax_benefit_system(), columns, jaar)

        for _ in range(REPEATS + 1):
            # a new simulation each time: OpenFisca keeps what it computed, so each
            # regulation alone gets its own (and pays for the bijstandsnorm it shares)
            for regeling in REGELINGEN:
                sim = build()
                start = time.perf_counter()
                peer.calculate(sim, regeling, jaar)
                computes[regeling].append(time.perf_counter() - start)
            start = time.perf_counter()
            sim = build()
            builds.append(time.perf_counter() - start)
            start = time.perf_counter()
            for regeling in REGELINGEN:
                status, amount = peer.calculate(sim, regeling, jaar)
                results[f"status_{regeling}"] = status
                results[f"amount_{regeling}"] = amount
            totals.append(time.perf_counter() - start)
    else:
        from proactief.entitlements.engine import compute as compute_rules

        for _ in range(REPEATS + 1):
            # no build step: the engine reads the table's columns as they are, in compute
            builds.append(0.0)
            for regeling in REGELINGEN:
                start = time.perf_counter()
                compute_rules(regeling, frame, jaar=jaar)
                computes[regeling].append(time.perf_counter() - start)
            start = time.perf_counter()
            for regeling in REGELINGEN:
                result = compute_rules(regeling, frame, jaar=jaar)
                results[f"status_{regeling}"] = result.status
                results[f"amount_{regeling}"] = result.amount
            totals.append(time.perf_counter() - start)
    saved = {}
    for regeling in REGELINGEN:
        status = np.asarray(results[f"status_{regeling}"], dtype=np.int8)
        paid = (status == 1) | (status == 2)
        saved[f"status_{regeling}"] = status
        saved[f"amount_{regeling}"] = np.where(paid, results[f"amount_{regeling}"], np.nan)
    np.savez(out, **saved)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        json.dumps(
            {
                "build_s": statistics.median(builds[1:]),
                "compute_s": statistics.median(totals[1:]),
                "first_s": totals[0],
                "per_regeling_s": {r: statistics.median(computes[r][1:]) for r in REGELINGEN},
                "peak_mb": peak,
            }
        )
    )


if __name__ == "__main__":
    main()

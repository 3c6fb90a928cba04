"""One measured run of one rules engine in a fresh process (called by bench_rules.py).

    python rules_worker.py proactief|openfisca POPULATION.parquet OUT.npz JAAR

Reads the households, then times the build (inputs into the engine's own form; Proactief
has none, it reads the table's columns inside its compute) and the compute (status and
amount of zorgtoeslag for every household), six times: the first warms up (its compute is
reported as ``first_s``), the median of the other five is reported. Writes the results to
OUT.npz for the household-by-household comparison and prints one JSON line with the
seconds and the peak resident memory of this process.
"""

import json
import resource
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

REPEATS = 5
"""Computes timed in each process, after one that warms up (the median is reported): the
steady state of a scan, not the first touch of new memory."""


def main() -> None:
    engine, source, out, jaar = sys.argv[1], Path(sys.argv[2]), sys.argv[3], int(sys.argv[4])
    frame = pd.read_parquet(source)
    builds: list[float] = []
    computes: list[float] = []
    if engine == "openfisca":
        sys.path.insert(0, str(Path(__file__).parent))
        import openfisca_zorgtoeslag as peer

        for _ in range(REPEATS + 1):
            # a new simulation each time: OpenFisca keeps what it computed
            start = time.perf_counter()
            system = peer.tax_benefit_system()
            columns = {c: frame[c].to_numpy(dtype=float) for c in peer.INPUTS if c in frame}
            sim = peer.simulation(system, columns, jaar)
            builds.append(time.perf_counter() - start)
            start = time.perf_counter()
            status, amount = peer.calculate(sim, jaar)
            computes.append(time.perf_counter() - start)
        amount = np.where(status == 1, amount, np.nan).astype(float)
    else:
        from proactief.entitlements.engine import compute as compute_rules

        for _ in range(REPEATS + 1):
            # no build step: the engine reads the table's columns as they are, in compute
            builds.append(0.0)
            start = time.perf_counter()
            result = compute_rules("zorgtoeslag", frame, jaar=jaar)
            computes.append(time.perf_counter() - start)
        status, amount = result.status, np.where(result.status == 1, result.amount, np.nan)
    np.savez(out, status=np.asarray(status, dtype=np.int8), amount=amount)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        json.dumps(
            {
                "build_s": statistics.median(builds[1:]),
                "compute_s": statistics.median(computes[1:]),
                "first_s": computes[0],
                "peak_mb": peak,
            }
        )
    )


if __name__ == "__main__":
    main()

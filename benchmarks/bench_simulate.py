"""Benchmark of the outreach-strategy simulator, run on demand (never in the tests).

    .venv/bin/python benchmarks/bench_simulate.py [--signals 100000] [--replications 20]

Runs `proactief simulate --json` with every strategy of config/simulatie.yaml (ten) in a
fresh process on an empty data folder, three times, and reports the median wall time and
the peak memory of that process against the target of issue 18: 100,000 signals x 10
strategies x 20 replications in under 30 s. Writes the section '## Outreach-strategy
simulator' of docs/benchmarks.md.
"""

import argparse
import json
import os
import platform
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET_S = 30.0
HEADING = "## Outreach-strategy simulator"


def run_once(signals: int, replications: int, data: Path) -> tuple[float, float, int]:
    """Seconds, peak MB of the child, strategies in the answer."""
    env = dict(os.environ, PROACTIEF_DATA_DIR=str(data))
    env.pop("PROACTIEF_DATABASE_URL", None)
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "proactief",
            "simulate",
            "--signalen",
            str(signals),
            "--herhalingen",
            str(replications),
            "--json",
        ],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    seconds = time.perf_counter() - start
    peak = max(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, before) / 1024
    return seconds, peak, len(json.loads(done.stdout))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--signals", type=int, default=100_000)
    parser.add_argument("--replications", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        runs = [run_once(args.signals, args.replications, Path(tmp) / "d") for _ in range(3)]
    seconds = statistics.median(r[0] for r in runs)
    peak = max(r[1] for r in runs)
    strategies = runs[0][2]
    line = (
        f"| `proactief simulate`: {args.signals:,} signals x {strategies} strategies x "
        f"{args.replications} replications (whole command, fresh process, median of 3) | "
        f"**{seconds:.2f} s**, peak {peak:.0f} MB | < {TARGET_S:.0f} s | "
        f"{seconds / TARGET_S:.2f}x the time limit |"
    )
    section = (
        f"{HEADING}\n\n"
        f"Measured {time.strftime('%Y-%m-%d')} on {platform.machine()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()} "
        "(`benchmarks/bench_simulate.py`).\n\n"
        "| what | result | target | ratio to target |\n|---|---|---|---|\n"
        f"{line}\n"
    )
    doc = ROOT / "docs" / "benchmarks.md"
    text = doc.read_text(encoding="utf-8")
    if HEADING in text:
        text = re.sub(
            rf"{re.escape(HEADING)}\n.*?(?=\n## |\Z)", section.rstrip("\n"), text, flags=re.S
        )
    else:
        text = text.rstrip("\n") + "\n\n" + section
    doc.write_text(text, encoding="utf-8")
    print(line)


if __name__ == "__main__":
    main()

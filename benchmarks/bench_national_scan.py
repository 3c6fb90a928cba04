"""The national non-take-up scan, run on demand (never in the test suite).

    .venv/bin/python benchmarks/bench_national_scan.py [--households 8000000]

Writes a synthetic population of N households to Parquet (in parts, so that making it
needs little memory), then runs `proactief rules scan FILE -o LIST.parquet` in a fresh
process, as a municipality or CBS would: all six regulations, the list of non-take-up
written. Measures wall time and peak memory of that process, against the targets of
issue 19 (8,000,000 households in under 60 s, under 8 GB). Writes
docs/benchmarks-national-scan.md.
"""

import argparse
import os
import platform
import sys
import tempfile
from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from bench_rules import population, timed

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "benchmarks-national-scan.md"
PART = 1_000_000


def write_population(path: Path, n: int) -> None:
    writer = None
    for start in range(0, n, PART):
        part = population(min(PART, n - start), seed=start)
        part["household_id"] = [f"H{i}" for i in range(start, start + len(part))]
        table = pa.Table.from_pandas(part, preserve_index=False)
        writer = writer or pq.ParquetWriter(str(path), table.schema)
        writer.write_table(table, row_group_size=500_000)
        print(f"population: {start + len(part):,} of {n:,}", flush=True)
    assert writer is not None
    writer.close()


def main(argv: list[str] | None = None) -> dict[str, float]:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--households", type=int, default=8_000_000)
    n = parser.parse_args(argv).households
    cli = [sys.executable, "-m", "proactief", "rules", "scan"]
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        write_population(work / "land.parquet", n)
        size = (work / "land.parquet").stat().st_size / 1e6
        seconds, memory = timed(
            [*cli, str(work / "land.parquet"), "-o", str(work / "lijst.parquet"), "--jaar", "2025"]
        )
        listed = pq.ParquetFile(work / "lijst.parquet").metadata.num_rows
        print(f"scan: {seconds:.1f} s, {memory:,.0f} MB, {listed:,} rows listed", flush=True)
        with_results = timed(
            [
                *cli,
                str(work / "land.parquet"),
                "-o",
                str(work / "lijst.parquet"),
                "--results",
                str(work / "alles.parquet"),
                "--jaar",
                "2025",
            ]
        )
        print(f"scan with all results: {with_results[0]:.1f} s, {with_results[1]:,.0f} MB")
    lines = [
        "# The national scan",
        "",
        f"Measured {date.today().isoformat()} with `benchmarks/bench_national_scan.py` on "
        f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}.",
        "Re-run with `.venv/bin/python benchmarks/bench_national_scan.py`; it rewrites this file.",
        "",
        f"A synthetic population of {n:,} households ({size:,.0f} MB of Parquet, the columns",
        "of docs/entitlements.md), all six regulations for 2025, `proactief rules scan` as a",
        "whole command in a fresh process (start-up included). The file is read in batches",
        "of 500,000 households; the list keeps every household that misses a regulation,",
        "largest amount first, with the rule steps for that row.",
        "",
        "| what | time | peak memory | target | ratio to target |",
        "|---|---|---|---|---|",
        f"| `rules scan` of {n:,} households, the list written ({listed:,} rows) | "
        f"**{seconds:.1f} s** ({n / seconds:,.0f} households/s) | {memory:,.0f} MB | "
        f"< 60 s, < 8,192 MB | {seconds / 60:.2f}x the time, {memory / 8192:.2f}x the memory |",
        f"| the same, and every household's outcome written (`--results`) | "
        f"{with_results[0]:.1f} s | {with_results[1]:,.0f} MB | — | — |",
        "",
        "The streamed result equals one run over the whole file: "
        "tests/entitlements/test_stream_scan.py compares summary, list (with its order) and",
        "every outcome on a sample read in uneven batches.",
        "",
    ]
    OUT.write_text("\n".join(lines), encoding="utf-8")
    print(f"wrote {OUT}")
    return {"households": n, "seconds": seconds, "peak_mb": memory, "listed": listed}


if __name__ == "__main__":
    main()

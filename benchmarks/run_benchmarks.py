"""Every benchmark against its peer in one run, on demand (never in the test suite).

    pip install -e .[dev,bench]     # the peers: OpenFisca-core
    .venv/bin/python benchmarks/run_benchmarks.py [--households 1000000]
        [--national 8000000] [--signals 100000] [--residents 100000] [--repetitions 3]
        [--city 900000]

In one run, each workload beside its peer (interleaved, at least three repetitions):
1. the rules: every regulation against OpenFisca-core with the same formulas and
   parameters, household by household (bench_rules.py, which also times the scan and explanations);
2. intake against a plain bulk insert of the same rows into the same tables, on SQLite
   and PostgreSQL (bench_intake_peer.py);
3. the latent class fits against StepMix directly (bench_lca_peer.py);
4. the national scan of 8,000,000 households (bench_national_scan.py);
5. an Amsterdam-sized demo on SQLite and PostgreSQL, and the web pages on its PostgreSQL
   database (bench_demo_city.py; `--city 0` leaves it out, it takes about 20 minutes);
then, each in a fresh process so that peak memory is that of the command alone, intake
and `proactief report ddas` against the targets of issue 2, and the outreach simulator
(bench_simulate.py). Each part rewrites its own page in docs/; this writes the summary,
docs/benchmarks.md.
"""

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
VALID = ("111222333", "123456782", "999999990", "100000009")
TARGET_RATE = 10_000
TARGET_REPORT_S = 10.0
TARGET_MEMORY_MB = 1024


def bsn(i: int) -> str:
    """A distinct BSN that passes the elfproef, for person i."""
    while True:
        base = f"{(10_000_000 + i * 7) % 100_000_000:08d}"
        digits = [int(c) for c in base]
        check = sum(d * w for d, w in zip(digits, range(9, 1, -1), strict=True)) % 11
        if check < 10 and base[0] != "0":
            return base + str(check)
        i += 1_000_003


def make_file(path: Path, n: int) -> None:
    today = date.today()
    people = max(1, n * 6 // 10)
    records = []
    for i in range(n):
        sent = today - timedelta(days=1 + i % 330)
        records.append(
            {
                "ID": f"B-{i:08d}",
                "crisissignaal": i % 50 == 0,
                "warmeOverdracht": False,
                "bedrag": 50 + (i * 37) % 2000,
                "ontstaansdatum": (sent - timedelta(days=30 + i % 70)).isoformat(),
                "signaaldatum": sent.isoformat(),
                "signaalpartner": {"type": ("Zorg", "Energie", "Huur", "Water")[i % 4]},
                "client": {"burgerservicenummer": bsn(i % people)},
            }
        )
    document = {
        "startdatumLevering": (today - timedelta(days=365)).isoformat(),
        "einddatumLevering": today.isoformat(),
        "aanleverdatumEnTijd": f"{today.isoformat()}T00:00:00Z",
        "codeGegevensleverancier": "BENCH",
        "leveringen": [
            {
                "teller": 1,
                "gemeentecode": "9999",
                "aanleverendeOrganisatie": {"naam": "Benchmark"},
                "vroegsignalen": records,
            }
        ],
    }
    path.write_text(json.dumps(document), encoding="utf-8")


def timed(args: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """Wall seconds, peak RSS in MB of the child, and its output."""
    code = (
        "import resource, subprocess, sys, time\n"
        "t = time.perf_counter()\n"
        "p = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
        "s = time.perf_counter() - t\n"
        "m = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024\n"
        "print(f'{s} {m}'); print(p.stdout[-3000:]); print(p.stderr[-3000:])\n"
        "sys.exit(p.returncode)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, *args], env=env, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    first, _, rest = done.stdout.partition("\n")
    seconds, memory = (float(x) for x in first.split())
    return seconds, memory, rest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--signals", type=int, default=100_000)
    parser.add_argument("--residents", type=int, default=100_000)
    parser.add_argument("--households", type=int, default=1_000_000)
    parser.add_argument("--national", type=int, default=8_000_000)
    parser.add_argument("--repetitions", type=int, default=3)
    parser.add_argument("--city", type=int, default=900_000)
    parser.add_argument("--output", type=Path, default=ROOT / "docs" / "benchmarks.md")
    options = parser.parse_args()
    # here, not at the top: bench_intake_peer imports make_file and timed from this module
    import bench_demo_city
    import bench_intake_peer
    import bench_lca_peer
    import bench_national_scan
    import bench_rules

    reps = str(options.repetitions)
    rules = bench_rules.main(["--households", str(options.households), "--repetitions", reps])
    intake = bench_intake_peer.main(["--reps", reps])
    lca = bench_lca_peer.main(["--repetitions", reps])
    national = bench_national_scan.main(["--households", str(options.national)])
    city = bench_demo_city.main(["--inwoners", str(options.city)]) if options.city else None
    proactief = [sys.executable, "-m", "proactief"]
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        env = dict(os.environ)
        env.pop("PROACTIEF_DATABASE_URL", None)
        env["PROACTIEF_DATA_DIR"] = str(work / "intake")
        env["COLUMNS"] = "150"
        data = work / "signalen.json"
        t = time.perf_counter()
        make_file(data, options.signals)
        print(f"made {options.signals} signals in {time.perf_counter() - t:.1f} s", flush=True)
        size_mb = data.stat().st_size / 1e6

        first_s, first_mb, _ = timed([*proactief, "intake", str(data)], env)
        again_s, again_mb, _ = timed([*proactief, "intake", str(data)], env)
        rate = options.signals / first_s
        print(f"intake: {first_s:.2f} s, {rate:,.0f}/s, peak {first_mb:.0f} MB", flush=True)

        env["PROACTIEF_DATA_DIR"] = str(work / "demo")
        demo_s, demo_mb, _ = timed(
            [*proactief, "demo", "--residents", str(options.residents), "--months", "12"], env
        )
        end = date.today() - timedelta(days=1)
        start = end - timedelta(days=364)
        report_s, report_mb, _out = timed(
            [
                *proactief,
                "report",
                "ddas",
                "--from",
                start.isoformat(),
                "--to",
                end.isoformat(),
                "--gemeentecode",
                "9999",
                "-o",
                str(work / "cbs.json"),
            ],
            env,
        )
        levering = json.loads((work / "cbs.json").read_text())["leveringen"][0]
        print(f"report: {report_s:.2f} s", flush=True)

    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    peers = peer_table(rules, intake, lca, national)
    lines = [
        "# Benchmarks",
        "",
        f"Measured {date.today().isoformat()} with `benchmarks/run_benchmarks.py` on {machine},",
        "all in one run. Re-run with `.venv/bin/python benchmarks/run_benchmarks.py` (after",
        "`pip install -e .[dev,bench]`); it rewrites this file and the pages it links.",
        "",
        "## Each workload against its peer",
        "",
        *peers,
        "",
        "## Against the targets of issue 2",
        "",
        "Each figure is one run of the real command in a fresh process (start-up and",
        "migrations included); memory is the peak resident set of that process.",
        "",
        "| what | result | target | ratio to target |",
        "|---|---|---|---|",
        f"| intake of {options.signals:,} valid DDAS signals ({size_mb:.0f} MB JSON) into an "
        f"empty SQLite file | {first_s:.2f} s = **{rate:,.0f} signals/s**, peak "
        f"{first_mb:.0f} MB | ≥ {TARGET_RATE:,}/s, < {TARGET_MEMORY_MB} MB | "
        f"{rate / TARGET_RATE:.2f}× the rate; {first_mb / TARGET_MEMORY_MB:.2f}× the memory "
        "limit |",
        f"| the same file again (all duplicates) | {again_s:.2f} s "
        f"({options.signals / again_s:,.0f} records/s), peak {again_mb:.0f} MB | — | — |",
        f"| `proactief report ddas` for one year of a {options.residents:,}-resident "
        f"municipality ({len(levering['vroegsignalen']):,} signals, "
        f"{len(levering['vroegsignaalzaken']):,} cases), schema-validated | "
        f"**{report_s:.2f} s**, peak {report_mb:.0f} MB | < {TARGET_REPORT_S:.0f} s | "
        f"{report_s / TARGET_REPORT_S:.2f}× the time limit |",
        f"| `proactief demo --residents {options.residents:,}` (12 months, whole chain) | "
        f"{demo_s:.1f} s, peak {demo_mb:.0f} MB | — | — |",
        *city_rows(city),
        "",
        "The national monthly volume is about 85,000 signals (outreach_evidence.yaml); at the",
        f"measured rate that is {85_000 / rate:.1f} s of intake.",
        "",
        "The closed systems named in PRODUCT.md cannot be run, so these ratios are against",
        "the targets; the peers above are open software doing the same work.",
        "",
    ]
    options.output.write_text("\n".join(lines), encoding="utf-8")
    print(f"wrote {options.output}")
    # the simulator adds its own section to this file
    subprocess.run([sys.executable, str(ROOT / "benchmarks" / "bench_simulate.py")], check=True)


def city_rows(city: dict[str, Any] | None) -> list[str]:
    """The Amsterdam-sized demo and its web pages (docs/benchmarks-demo-city.md)."""
    if city is None:
        return []
    n = city["inwoners"]
    rows = []
    for db, name in (("sqlite", "SQLite"), ("postgres", "PostgreSQL")):
        if db in city:
            d = city[db]
            rows.append(
                f"| `proactief demo --inwoners {n:,}` on {name} (12 months, whole chain) | "
                f"**{d['seconds']:.0f} s**, peak {d['peak_mb']:,.0f} MB | < 300 s, < 4,096 MB | "
                f"{d['seconds'] / 300:.2f}x the time; {d['peak_mb'] / 4096:.2f}x the memory |"
            )
    if "web" in city:
        w = city["web"]
        rows.append(
            f"| work queue, case pages and dashboard on that PostgreSQL database | p95 "
            f"**{w['p95']:.0f} ms** (p50 {w['p50']:.0f} ms) | p95 < 300 ms | "
            f"{w['p95'] / 300:.2f}x the limit; per page in docs/benchmarks-demo-city.md |"
        )
    return rows


def peer_table(
    rules: dict[str, Any],
    intake: dict[str, Any],
    lca: dict[str, float],
    national: dict[str, float],
) -> list[str]:
    """The summary: Proactief, its peer, the ratio of the times, and peak memory."""
    n = rules["households"]
    lines = [
        "| workload | Proactief | peer | Proactief / peer (time) | details |",
        "|---|---|---|---|---|",
    ]
    for regeling in rules["regelingen"]:
        mine, other = rules["per_regeling"][regeling]
        agree = rules["agreement"][regeling]
        lines.append(
            f"| {regeling}, {n:,} households, compute | **{mine * 1000:.1f} ms** | "
            f"OpenFisca-core 46.0.1: {other * 1000:.1f} ms | **{mine / other:.2f}x** | "
            f"same status for {agree['same_status']:,}, same amount to the cent for "
            f"{agree['same_cents']:,} of {n:,}; docs/benchmarks-rules.md |"
        )
    lines.append(
        f"| all {len(rules['regelingen'])} regulations together, compute | "
        f"**{rules['all_ours_s'] * 1000:.1f} ms**, peak {rules['ours_mb']:,.0f} MB | "
        f"OpenFisca-core 46.0.1: {rules['all_peer_s'] * 1000:.1f} ms "
        f"(+ {rules['peer_build_s'] * 1000:.1f} ms to build), peak {rules['peer_mb']:,.0f} MB "
        f"| **{rules['all_ours_s'] / rules['all_peer_s']:.2f}x** | docs/benchmarks-rules.md |"
    )
    for r in intake["results"]:
        lines.append(
            f"| intake, {r['signals']:,} DDAS signals ({intake['sizes'][r['signals']]:.0f} MB), "
            f"{r['name']} | **{r['intake_s']:.2f} s** ({r['rate']:,.0f}/s), peak "
            f"{r['intake_mb']:.0f} MB | plain bulk insert of the same rows: "
            f"{r['peer_s']:.2f} s, peak {r['peer_mb']:.0f} MB | **{r['ratio']:.2f}x** | "
            "target 2x or less; docs/benchmarks-intake-peer.md |"
        )
    lines += [
        f"| latent class fit, {lca['respondents']:,} x 26, 3 classes, 10 starts | "
        f"**{lca['fit_s']:.3f} s** | StepMix directly: {lca['fit_peer_s']:.3f} s | "
        f"**{lca['fit_s'] / lca['fit_peer_s']:.2f}x** | docs/benchmarks-lca-peer.md |",
        f"| a bootstrap refit (1 start) | **{lca['refit_s'] * 1000:.1f} ms** | StepMix, "
        f"`n_init=1`: {lca['refit_peer_s'] * 1000:.1f} ms | "
        f"**{lca['refit_s'] / lca['refit_peer_s']:.2f}x** | docs/benchmarks-lca-peer.md |",
        f"| explanation of one household, against the scan | **{rules['explain_ms']:.2f} ms** "
        f"| the scan: {rules['per_household_us']:.3f} µs a household | "
        f"{rules['explain_ms'] * 1000 / rules['per_household_us']:,.0f}x | why steps are "
        "made on request only |",
        f"| `rules scan`, {n:,} households, Parquet | **{rules['scan_s']:.1f} s**, peak "
        f"{rules['scan_mb']:,.0f} MB | — | — | target < 20 s |",
        f"| the national scan, {national['households']:,} households | "
        f"**{national['seconds']:.1f} s**, peak {national['peak_mb']:,.0f} MB | — | — | "
        f"target < 60 s, < 8 GB: {national['seconds'] / 60:.2f}x, "
        f"{national['peak_mb'] / 8192:.2f}x; docs/benchmarks-national-scan.md |",
    ]
    return lines


if __name__ == "__main__":
    main()

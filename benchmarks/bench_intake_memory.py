"""Peak memory of taking in one large DDAS JSON file, run on demand.

    .venv/bin/python benchmarks/bench_intake_memory.py [--records 600000]

Issue 13 found that intake held the whole JSON file in memory (a 216 MB file took 1.5 GB).
Intake now streams (ijson). Measured in fresh processes, in the same run:

1. the peer: ``json.load`` of the same file, which is what intake did before (the floor of
   the old way: it also built every record after it);
2. ``proactief intake FILE`` on a fresh SQLite database.

Writes docs/benchmarks-intake-memory.md (peak RSS from the kernel, ``ru_maxrss``).
"""

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

BSNS = ("111222333", "123456782", "999999990", "100000009")


def write_file(path: Path, n: int) -> None:
    """A DDAS v1.2 file with ``n`` valid signals, written as a stream."""
    with path.open("w", encoding="utf-8") as out:
        out.write('{"startdatumLevering": "2026-04-01", "einddatumLevering": "2026-04-30", ')
        out.write('"aanleverdatumEnTijd": "2026-05-01T10:00:00Z", "codeGegevensleverancier": "B", ')
        out.write('"leveringen": [{"teller": 1, "gemeentecode": "0344", ')
        out.write('"aanleverendeOrganisatie": {"naam": "Bench"}, "vroegsignalen": [')
        for i in range(n):
            record = {
                "ID": f"BENCH-{i:09d}",
                "crisissignaal": False,
                "warmeOverdracht": False,
                "bedrag": 100 + i % 900,
                "ontstaansdatum": "2026-03-01",
                "signaaldatum": "2026-04-15",
                "signaalpartner": {"type": "Zorg"},
                "client": {"burgerservicenummer": BSNS[i % len(BSNS)]},
            }
            out.write(("," if i else "") + json.dumps(record))
        out.write("]}]}")


_MEASURE = (
    "import resource, subprocess, sys\n"
    "done = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
    "sys.stderr.write(done.stderr)\n"
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
    "sys.exit(done.returncode)\n"
)


def peak_of(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(peak RSS in MB, seconds) of ``command``, measured by a helper process of its own
    (the kernel's figure for children is the largest child so far)."""
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", _MEASURE, *command],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{command[:4]} failed: {done.stderr[-2000:]}")
    return int(done.stdout.strip().splitlines()[-1]) / 1024, seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=600_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        path = folder / "signalen.json"
        write_file(path, args.records)
        size_mb = path.stat().st_size / 1e6
        env = dict(os.environ, PROACTIEF_DATA_DIR=str(folder / "data"))
        env.pop("PROACTIEF_DATABASE_URL", None)
        peer_mb, peer_s = peak_of(
            [sys.executable, "-c", f"import json; json.load(open({str(path)!r}, 'rb'))"], env
        )
        ours_mb, ours_s = peak_of(
            [sys.executable, "-m", "proactief", "intake", str(path), "--today", "2026-06-30"], env
        )
    ratio = ours_mb / peer_mb
    lines = [
        "# Benchmark: memory of a large intake",
        "",
        f"Measured {date.today()} on {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, with `benchmarks/bench_intake_memory.py --records "
        f"{args.records}` (SQLite). Peak resident memory of a fresh process (`ru_maxrss`).",
        "",
        f"File: {args.records:,} DDAS signals, {size_mb:.0f} MB.",
        "",
        "| process | peak memory | time |",
        "|---|---|---|",
        f"| peer: `json.load` of the file (what intake did before, without the rest) | "
        f"{peer_mb:.0f} MB | {peer_s:.1f} s |",
        f"| `proactief intake` (streaming, validate, store) | {ours_mb:.0f} MB | {ours_s:.1f} s |",
        "",
        f"Intake's peak is {ratio:.2f}× the peer's: it no longer grows with the file "
        "(one batch of 5,000 records is in memory at a time).",
        "",
    ]
    out = Path(__file__).resolve().parents[1] / "docs" / "benchmarks-intake-memory.md"
    out.write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()

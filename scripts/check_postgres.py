"""Make sure the PostgreSQL server for the tests answers; try to start it if it does not.

In CI (CI=true) a missing server is an error with a clear message; elsewhere the
PostgreSQL tests will skip with a visible reason.
"""

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import psycopg

URL = os.environ.get("PROACTIEF_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
CONNINFO = URL.replace("postgresql+psycopg://", "postgresql://")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def answers() -> str | None:
    try:
        with psycopg.connect(CONNINFO, connect_timeout=3) as conn:
            conn.execute("select 1")
    except psycopg.Error as exc:
        return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return None


def try_start() -> None:
    if shutil.which("pg_ctlcluster") is None or not Path("/etc/postgresql").is_dir():
        return
    for version in sorted(os.listdir("/etc/postgresql")):
        subprocess.run(
            ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "start"],
            check=False,
            capture_output=True,
        )
    for _ in range(20):
        if answers() is None:
            return
        time.sleep(0.5)


def main() -> int:
    problem = answers()
    if problem is not None:
        print(f"PostgreSQL does not answer ({problem}); trying to start it", flush=True)
        try_start()
        problem = answers()
    if problem is None:
        print(f"PostgreSQL answers at {CONNINFO}")
        return 0
    message = (
        f"PostgreSQL at {CONNINFO} does not answer: {problem}.\n"
        "The storage tests must run against PostgreSQL too. Start a server on "
        "127.0.0.1:5432 with trust authentication and a database 'test', or point "
        "PROACTIEF_TEST_POSTGRES_URL at one."
    )
    if IN_CI:
        print(f"ERROR: {message}", file=sys.stderr)
        return 1
    print(f"WARNING: {message}\nOutside CI the PostgreSQL tests will be skipped.")
    return 0


if __name__ == "__main__":
    sys.exit(main())

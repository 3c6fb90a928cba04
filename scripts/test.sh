#!/usr/bin/env bash
# Set up (the first time) and run every check: ruff, mypy and the whole test suite, on the
# embedded SQLite file and on PostgreSQL (127.0.0.1:5432, database "test").
# Extra arguments go to pytest, e.g. scripts/test.sh -k intake
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
    echo "== creating .venv with $("$PYTHON" --version)"
    "$PYTHON" -m venv .venv
fi
echo "== installing proactief and its development tools into .venv"
.venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'

echo "== checking PostgreSQL (127.0.0.1:5432, database test)"
.venv/bin/python scripts/check_postgres.py

echo "== ruff (lint and format) and mypy"
.venv/bin/ruff check src tests benchmarks scripts
.venv/bin/ruff format --check src tests benchmarks scripts
.venv/bin/mypy

echo "== pytest"
.venv/bin/python -m pytest "$@"

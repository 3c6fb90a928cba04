#!/usr/bin/env bash
# Set up (the first time) and run every check: ruff, mypy, import-linter and the whole test suite, on the
# embedded SQLite file and on PostgreSQL (127.0.0.1:5432, database "test").
# Extra arguments go to pytest, e.g. scripts/test.sh -k intake
set -euo pipefail
cd "$(dirname "$0")/.."

EXTRAS=dev . scripts/setup-venv.sh
echo "== checking PostgreSQL (127.0.0.1:5432, database test)"
.venv/bin/python scripts/check_postgres.py
. scripts/ensure_chromium.sh

echo "== ruff (lint and format), mypy and import-linter (the layers)"
.venv/bin/ruff check src tests benchmarks scripts
.venv/bin/ruff format --check src tests benchmarks scripts
.venv/bin/mypy
.venv/bin/lint-imports --no-cache

echo "== pytest"
.venv/bin/python -m pytest "$@"

#!/usr/bin/env bash
# Set up (the first time) and run the main job on the embedded default: the synthetic
# municipality 'Gemeente Voorbeeld' through intake, cases, contact and the CBS report,
# in the SQLite file proactief-data/proactief.db (no server needed).
# Extra arguments go to 'proactief demo', e.g. scripts/demo.sh --residents 10000
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
    echo "== creating .venv with $("$PYTHON" --version)"
    "$PYTHON" -m venv .venv
fi
echo "== installing proactief into .venv"
.venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e .

echo "== proactief demo (this replaces earlier demo data in proactief-data/)"
.venv/bin/proactief demo --reset "$@"

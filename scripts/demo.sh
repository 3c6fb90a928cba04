#!/usr/bin/env bash
# Set up (the first time) and run the main job on the embedded default: the synthetic
# municipality 'Gemeente Voorbeeld' through intake, cases, contact and the CBS report,
# in the SQLite file proactief-data/proactief.db (no server needed).
# Extra arguments go to 'proactief demo', e.g. scripts/demo.sh --residents 10000
set -euo pipefail
cd "$(dirname "$0")/.."

EXTRAS= . scripts/setup-venv.sh
echo "== proactief demo (this replaces earlier demo data in proactief-data/)"
.venv/bin/proactief demo --reset "$@"

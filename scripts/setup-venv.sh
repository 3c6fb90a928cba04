# Sourced by demo.sh and test.sh: create .venv (once) and install proactief into it,
# with the optional extras named in $EXTRAS (e.g. EXTRAS=dev). Versions come from
# requirements.lock (written by scripts/lock.sh), so every machine gets what CI tested.
PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
    echo "== creating .venv with $("$PYTHON" --version)"
    "$PYTHON" -m venv .venv
fi
echo "== installing proactief${EXTRAS:+ with [$EXTRAS]} into .venv (versions from requirements.lock)"
# setuptools too: the one a Python 3.11 venv starts with has known advisories
.venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip setuptools
.venv/bin/python -m pip install --quiet --disable-pip-version-check \
    --constraint requirements.lock -e ".${EXTRAS:+[$EXTRAS]}"

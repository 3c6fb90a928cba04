# Sourced by demo.sh and test.sh: create .venv (once) and install proactief into it,
# with the optional extras named in $EXTRAS (e.g. EXTRAS=dev).
PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
    echo "== creating .venv with $("$PYTHON" --version)"
    "$PYTHON" -m venv .venv
fi
echo "== installing proactief${EXTRAS:+ with [$EXTRAS]} into .venv"
.venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e ".${EXTRAS:+[$EXTRAS]}"

# Sourced by test.sh: the browser tests drive Debian's chromium (never a downloaded
# browser). Install it from Debian's packages when it is missing; with CI=true a missing
# browser is an error, elsewhere the browser tests skip with a visible reason.
if [ ! -x /usr/bin/chromium ]; then
    echo "== installing Debian's chromium for the browser tests"
    SUDO=""
    if [ "$(id -u)" != "0" ] && command -v sudo >/dev/null; then SUDO="sudo"; fi
    if command -v apt-get >/dev/null; then
        $SUDO apt-get install -y -q chromium >/dev/null 2>&1 \
            || { $SUDO apt-get update -q >/dev/null 2>&1 && $SUDO apt-get install -y -q chromium >/dev/null 2>&1; } \
            || true
    fi
fi
if [ -x /usr/bin/chromium ]; then
    echo "chromium: $(/usr/bin/chromium --version 2>/dev/null || echo present)"
elif [ "${CI:-}" = "true" ]; then
    echo "ERROR: chromium could not be installed (apt-get install chromium); the browser tests need it" >&2
    exit 1
else
    echo "chromium is missing: the browser tests will skip (apt-get install chromium)"
fi

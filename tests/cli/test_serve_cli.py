"""`proactief demo --serve` as a new user runs it: the demo, then the working app."""

import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from conftest import free_port


def test_demo_serve_shows_the_working_app(tmp_path: Path) -> None:
    port = free_port()
    env = dict(os.environ, PROACTIEF_DATA_DIR=str(tmp_path / "d"), COLUMNS="200")
    env.pop("PROACTIEF_DATABASE_URL", None)
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "proactief",
            "demo",
            "--residents",
            "3000",
            "--months",
            "3",
            "--berichten",
            "2",
            "--serve",
            "--port",
            str(port),
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 300
        page = ""
        while time.monotonic() < deadline and process.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=2) as r:
                    page = r.read().decode()
                    break
            except OSError:
                time.sleep(0.5)
        assert "Inloggen voor medewerkers" in page
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/static/vendor/VERSIONS.md") as r:
            assert b"@utrecht/component-library-css" in r.read()
    finally:
        process.send_signal(signal.SIGINT)
        output, _ = process.communicate(timeout=30)
    assert re.search(r"demo-contactmedewerker\s*│\s*contactmedewerker", output), output[-2000:]
    assert re.search(
        r"vul de code [A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4} in", " ".join(output.split())
    )


def test_a_forwarded_for_header_does_not_change_whose_attempts_count(tmp_path: Path) -> None:
    """Through the real server (uvicorn): uvicorn trusts X-Forwarded-For from 127.0.0.1 by
    default, which let one client spread guesses over made-up addresses. `serve` leaves
    proxy headers to PROACTIEF_TRUSTED_PROXIES (unset here): the 6th wrong password is
    refused whatever address the header claims."""
    import http.cookiejar
    import urllib.error
    import urllib.parse

    from conftest import csrf_of, run_cli

    env = dict(os.environ, PROACTIEF_DATA_DIR=str(tmp_path / "d"), COLUMNS="200")
    env.pop("PROACTIEF_DATABASE_URL", None)
    made = run_cli(
        ["users", "add", "anna", "--rol", "analist"],
        env,
        PROACTIEF_NIEUW_WACHTWOORD="molen-tulp-fiets-88",
    )
    assert made.returncode == 0, made.stderr
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "proactief", "serve", "--port", str(port), "--insecure-cookies"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    )
    statuses: list[int] = []
    try:
        deadline = time.monotonic() + 60
        page = ""
        while time.monotonic() < deadline and not page:
            try:
                with opener.open(f"{base}/login", timeout=2) as r:
                    page = r.read().decode()
            except OSError:
                time.sleep(0.3)
        for n in range(6):
            form = urllib.parse.urlencode(
                {
                    "gebruikersnaam": "anna",
                    "wachtwoord": "fout-fout-fout",
                    "csrf_token": csrf_of(page),
                }
            ).encode()
            request = urllib.request.Request(
                f"{base}/login", data=form, headers={"X-Forwarded-For": f"198.51.100.{n}"}
            )
            try:
                with opener.open(request, timeout=10) as r:
                    statuses.append(r.status)
            except urllib.error.HTTPError as exc:
                statuses.append(exc.code)
    finally:
        process.send_signal(signal.SIGINT)
        process.communicate(timeout=30)
    assert statuses == [401] * 5 + [429]

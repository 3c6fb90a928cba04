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

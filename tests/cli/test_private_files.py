"""What a run writes holds personal data: readable by the owner only, and a warning names
any data folder, database or outbox that others can read."""

import stat
from pathlib import Path

from conftest import VALID_BSNS, run_cli


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_database_report_and_key_are_private(tmp_path: Path) -> None:
    data = tmp_path / "data"
    env = {"PROACTIEF_DATA_DIR": str(data)}
    signals = tmp_path / "s.csv"
    signals.write_text(
        "signaal_id;signaalpartner;bsn;bedrag;ontstaansdatum;signaaldatum\n"
        f"Z-1;Zorg;{VALID_BSNS[0]};300;2026-01-10;2026-03-01\n",
        encoding="utf-8",
    )
    assert run_cli(["intake", str(signals)], env).returncode == 0
    report = tmp_path / "out" / "ddas.json"
    period = ["--from", "2026-03-01", "--to", "2026-03-31"]
    made = run_cli(["report", "ddas", *period, "--gemeentecode", "9999", "-o", str(report)], env)
    assert made.returncode == 0, made.stderr
    assert _mode(data) == 0o700
    for path in (data / "proactief.db", data / "pseudonym.key", report):
        assert _mode(path) == 0o600, path
    assert "Let op" not in made.stderr


def test_an_open_data_folder_is_named_with_the_fix(tmp_path: Path) -> None:
    data = tmp_path / "data"
    env = {"PROACTIEF_DATA_DIR": str(data)}
    assert run_cli(["cases"], env).returncode == 0
    data.chmod(0o755)
    (data / "proactief.db").chmod(0o644)
    warned = run_cli(["cases"], env)
    assert warned.returncode == 0
    assert f"{data} is leesbaar voor anderen (rechten 755)" in warned.stderr
    assert f"chmod 700 {data}" in warned.stderr
    assert f"chmod 600 {data / 'proactief.db'}" in warned.stderr

"""A database knows its pseudonymisation key: a lost, replaced, broken or open key stops
every command instead of silently starting new pseudonyms (which once sent a letter to a
resident who had opted out)."""

import os
import subprocess
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine

from conftest import VALID_BSNS, run_cli, store_signal
from proactief.trust import repository as trust_repo
from proactief.trust.keys import KeyMismatchError, pseudonym_key
from proactief.trust.pseudonyms import KeyFileError, create_key, key_fingerprint


def test_an_empty_database_makes_its_key_once_and_then_checks_it(
    engine: Engine, tmp_path: Path
) -> None:
    path = tmp_path / "pseudonym.key"
    with engine.begin() as conn:
        key = pseudonym_key(conn, path)
        assert oct(path.stat().st_mode & 0o777) == "0o600"
        assert pseudonym_key(conn, path) == key
    path.unlink()
    with engine.begin() as conn, pytest.raises(KeyFileError, match="de sleutel ontbreekt"):
        pseudonym_key(conn, path)  # never a new key for a database that has one
    create_key(path)
    with engine.begin() as conn, pytest.raises(KeyMismatchError, match="hoort niet bij"):
        pseudonym_key(conn, path)


def test_a_database_from_before_fingerprints_adopts_its_key_but_never_makes_one(
    engine: Engine, tmp_path: Path
) -> None:
    path = tmp_path / "pseudonym.key"
    with engine.begin() as conn:
        store_signal(conn, "S1", on=date(2026, 4, 1))  # pseudonyms, but no key recorded
        with pytest.raises(KeyFileError, match="ontbreekt"):
            pseudonym_key(conn, path)
        assert not path.exists()
    key = create_key(path)
    with engine.begin() as conn:
        assert pseudonym_key(conn, path) == key
    other = tmp_path / "other.key"
    create_key(other)
    with engine.begin() as conn, pytest.raises(KeyMismatchError):
        pseudonym_key(conn, other)


def _intake(tmp_path: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    signals = tmp_path / "s.csv"
    signals.write_text(
        "signaal_id;signaalpartner;bsn;bedrag;ontstaansdatum;signaaldatum\n"
        f"Z-1;Zorg;{VALID_BSNS[0]};300;2026-01-10;2026-03-01\n",
        encoding="utf-8",
    )
    return run_cli(["intake", str(signals)], env)


def test_every_command_stops_on_a_wrong_key_and_says_what_to_restore(tmp_path: Path) -> None:
    env = {"PROACTIEF_DATA_DIR": str(tmp_path / "data")}
    first = _intake(tmp_path, env)
    assert first.returncode == 0, first.stderr
    key = tmp_path / "data" / "pseudonym.key"
    backup = key.read_text()
    key.unlink()
    for args in (["cases"], ["intake", str(tmp_path / "s.csv")]):
        refused = run_cli(args, env)
        assert refused.returncode == 2, refused.stdout
        assert "de sleutel ontbreekt" in refused.stderr and "back-up" in refused.stderr
        assert "Traceback" not in refused.stderr
        assert not key.exists()  # no new key was made behind the operator's back
    key.write_text("ab" * 32 + "\n")
    os.chmod(key, 0o600)
    other = run_cli(["cases"], env)
    assert other.returncode == 2 and "hoort niet bij deze database" in other.stderr
    key.write_text(backup)
    os.chmod(key, 0o644)
    open_key = run_cli(["cases"], env)
    assert open_key.returncode == 2 and "chmod 600" in open_key.stderr
    os.chmod(key, 0o600)
    assert run_cli(["cases"], env).returncode == 0


def test_an_empty_database_takes_a_key_file_that_is_already_there(
    engine: Engine, tmp_path: Path
) -> None:
    """A key restored before the first run (or made by a run starting at the same moment)
    is used, not overwritten, and recorded once."""
    path = tmp_path / "pseudonym.key"
    key = create_key(path)
    with engine.begin() as conn:
        assert pseudonym_key(conn, path) == key
        assert pseudonym_key(conn, path) == key
        assert trust_repo.key_fingerprint_row(conn) == key_fingerprint(key)

"""The municipality's policy folder and the one way policy files and settings are read."""

import subprocess
from pathlib import Path

import pytest
from pydantic import BaseModel

from conftest import run_cli
from proactief.config import SHIPPED_DIR, PolicyError, load_policy, policy_path
from proactief.settings import Settings


class _Example(BaseModel):
    naam: str
    dagen: int


def _proactief(args: list[str], **extra: str) -> subprocess.CompletedProcess[str]:
    return run_cli(args, timeout=120, **extra)


def test_own_file_wins_and_a_missing_one_comes_from_the_shipped_folder(tmp_path: Path) -> None:
    (tmp_path / "aanpak.yaml").write_text("{}\n", encoding="utf-8")
    settings = Settings(config_dir=tmp_path)
    assert tmp_path / "aanpak.yaml" == policy_path("aanpak.yaml", settings)
    assert policy_path("doelen.yaml", settings) == SHIPPED_DIR / "doelen.yaml"
    assert policy_path("aanpak.yaml", Settings(config_dir=None)) == SHIPPED_DIR / "aanpak.yaml"


def test_a_wrong_key_is_named_with_its_file(tmp_path: Path) -> None:
    path = tmp_path / "x.yaml"
    path.write_text("naam: Voorbeeld\ndagen: veel\n", encoding="utf-8")
    with pytest.raises(PolicyError) as caught:
        load_policy(path, _Example)
    assert caught.value.path == path
    assert caught.value.key == "dagen"
    assert str(path) in str(caught.value)


def test_broken_yaml_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "x.yaml"
    path.write_text("naam: Voorbeeld\ndagen: [1,\n", encoding="utf-8")
    with pytest.raises(PolicyError) as caught:
        load_policy(path, _Example)
    assert caught.value.key.startswith("line ")


def test_the_work_queue_policy_is_read_from_the_municipal_folder(tmp_path: Path) -> None:
    """A broken work_queue.yaml in PROACTIEF_CONFIG_DIR stops `cases match` with its path,
    which shows the file in that folder is the one read."""
    (tmp_path / "beleid").mkdir()
    broken = tmp_path / "beleid" / "work_queue.yaml"
    broken.write_text("matching: {}\n", encoding="utf-8")
    done = _proactief(
        ["cases", "match", "--datum", "2026-11-23"],
        PROACTIEF_DATA_DIR=str(tmp_path / "data"),
        PROACTIEF_CONFIG_DIR=str(tmp_path / "beleid"),
    )
    assert done.returncode == 2, done.stderr
    assert str(broken) in "".join(done.stderr.split())


def test_a_wrong_log_level_is_a_clear_error(tmp_path: Path) -> None:
    done = _proactief(["cases"], PROACTIEF_DATA_DIR=str(tmp_path), PROACTIEF_LOG_LEVEL="LUID")
    assert done.returncode == 2
    assert "PROACTIEF_LOG_LEVEL" in done.stderr
    assert "Traceback" not in done.stderr


def test_an_unknown_tone_in_the_approach_rules_names_file_and_key(tmp_path: Path) -> None:
    from proactief.offers.approach import ApproachConfig

    shipped = (SHIPPED_DIR / "aanpak.yaml").read_text(encoding="utf-8")
    broken = tmp_path / "aanpak.yaml"
    broken.write_text(shipped.replace("toon: kort_en_zakelijk", "toon: streng", 1), "utf-8")
    assert load_policy(SHIPPED_DIR / "aanpak.yaml", ApproachConfig).segment_drempel > 0
    with pytest.raises(PolicyError) as caught:
        load_policy(broken, ApproachConfig)
    assert caught.value.key == "segmenten.Vertrouwende Volgers.toon"
    assert "kort_en_zakelijk" in caught.value.problem  # the accepted values are named


def test_an_unknown_role_in_the_role_matrix_is_named(tmp_path: Path) -> None:
    from proactief.web.auth import RolesFile

    path = tmp_path / "rollen.yaml"
    path.write_text("werkvoorraad: [contactmedewerker, stagiair]\n", encoding="utf-8")
    with pytest.raises(PolicyError) as caught:
        load_policy(path, RolesFile)
    assert caught.value.key == "werkvoorraad.1"
    assert "teamleider" in caught.value.problem


def test_a_purpose_needs_exactly_one_retention_period(tmp_path: Path) -> None:
    from proactief.trust.purposes import PurposesFile

    path = tmp_path / "doelen.yaml"
    path.write_text(
        "evaluatie:\n  grondslag: x\n  velden: [cases.id]\n  bewaartermijn_status: x\n",
        encoding="utf-8",
    )
    with pytest.raises(PolicyError, match="exactly one of bewaartermijn_dagen"):
        load_policy(path, PurposesFile)
    from proactief.domain import Doel

    # every purpose the code knows is in the shipped file, each with its one period
    assert set(load_policy(SHIPPED_DIR / "doelen.yaml", PurposesFile).root) == set(Doel)

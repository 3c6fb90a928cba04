"""The plug-in registry: built-ins, entry points of installed packages, clear errors; the
contact-detail provider gets the BSN only when it needs it, read for its purpose and audited."""

import json
import os
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar

import pytest
from sqlalchemy import Engine

from conftest import (
    PERSON,
    VALID_BSNS,
    deliver_in,
    fake_channels,
    install_distribution,
    make_case,
    run_cli,
)
from proactief.domain import ContactDetails, Doel
from proactief.offers.outreach import run_next_step
from proactief.plugins import PluginError, Registry
from proactief.sources import source_for, sources
from proactief.sources.base import IntakeFileError
from proactief.sources.contactgegevens import ContactSubject, FakeContactDirectory
from proactief.trust import repository as trust_repo

T0 = datetime(2026, 4, 10, 9, 0, tzinfo=UTC)

PLUGIN_MODULE = """
from typing import ClassVar


class TsvSource:
    name: ClassVar[str] = "tsv"
    suffixes: ClassVar[tuple[str, ...]] = (".tsv",)

    def read(self, path):
        return iter(())

    def count(self, path):
        return 0
"""


@pytest.fixture
def installed_plugin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A package installed the way a municipality would: a module and a dist-info folder
    whose entry_points.txt declares it in the group proactief.sources."""
    (tmp_path / "gemeente_tsv.py").write_text(PLUGIN_MODULE, encoding="utf-8")
    install_distribution(
        tmp_path,
        "gemeente-tsv",
        "[proactief.sources]\ntsv = gemeente_tsv:TsvSource\n"
        "broken = gemeente_tsv:DoesNotExist\nddas-json = gemeente_tsv:TsvSource\n",
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    sources.refresh()
    yield
    sources.refresh()


def test_an_installed_source_is_found_by_its_suffix(installed_plugin: None) -> None:
    assert "tsv" in sources.names()
    assert type(source_for(Path("signalen.tsv"))).__name__ == "TsvSource"


def test_a_builtin_cannot_be_taken_over_by_an_entry_point(installed_plugin: None) -> None:
    assert sources.get("ddas-json").__module__ == "proactief.sources.ddas_json"


def test_a_plugin_that_cannot_load_names_group_name_and_the_others(
    installed_plugin: None,
) -> None:
    with pytest.raises(PluginError) as caught:
        sources.get("broken")
    message = str(caught.value)
    assert "proactief.sources" in message and "'broken'" in message and "tsv" in message


def test_an_unknown_suffix_lists_the_known_ones() -> None:
    with pytest.raises(IntakeFileError, match=r"\.json.*\.csv"):
        source_for(Path("signalen.xlsx"))


def test_an_unknown_plugin_is_a_clear_error() -> None:
    registry: Registry[type] = Registry("proactief.nothing", {"a": int})
    with pytest.raises(PluginError, match="not installed; available: a"):
        registry.get("b")


class _KccDirectory:
    """A customer-contact system that finds people by BSN."""

    needs_bsn: ClassVar[bool] = True

    def __init__(self) -> None:
        self.asked: list[ContactSubject] = []

    def lookup(self, subject: ContactSubject, ontvanger: str) -> ContactDetails:
        self.asked.append(subject)
        return FakeContactDirectory().lookup(subject, ontvanger)


class _PseudonymOnly(_KccDirectory):
    needs_bsn: ClassVar[bool] = False


def _klantcontact_reads(conn: Any) -> list[Any]:
    return [e for e in trust_repo.audit_rows(conn) if e.doel == Doel.KLANTCONTACT.value]


def test_a_provider_that_needs_the_bsn_gets_it_for_its_purpose_audited(engine: Engine) -> None:
    directory = _KccDirectory()
    with engine.begin() as conn:
        case_id = make_case(conn)
        chans = fake_channels()
        result = deliver_in(
            conn,
            run_next_step(
                conn=conn,
                case_id=case_id,
                channels=chans,
                directory=directory,
                now=T0,
                actor="medewerker:test",
            ),
            chans,
            T0,
        )
        reads = _klantcontact_reads(conn)
    assert result.status == "afgeleverd"
    assert [(s.person_pseudonym, s.bsn) for s in directory.asked] == [(PERSON, VALID_BSNS[0])]
    assert [(r.actor, r.subject) for r in reads] == [("medewerker:test", PERSON)]
    assert json.loads(reads[0].details)["velden"] == ["client_identities.bsn"]
    assert VALID_BSNS[0] not in repr(directory.asked[0])


def test_a_provider_that_does_not_need_it_never_sees_the_bsn(engine: Engine) -> None:
    directory = _PseudonymOnly()
    with engine.begin() as conn:
        case_id = make_case(conn)
        run_next_step(
            conn=conn, case_id=case_id, channels=fake_channels(), directory=directory, now=T0
        )
        reads = _klantcontact_reads(conn)
    assert [s.bsn for s in directory.asked] == [None]
    assert reads == []


def _offer_send(tmp_path: Path, **extra: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PROACTIEF_DATA_DIR=str(tmp_path / "data"))
    for name in ("PROACTIEF_DATABASE_URL", "PROACTIEF_CONTACT_DIRECTORY", "PROACTIEF_CHANNELS"):
        env.pop(name, None)
    return run_cli(["offer", "send", "--alle"], env, timeout=120, **extra)


def test_offer_send_needs_a_chosen_provider(tmp_path: Path) -> None:
    """The fake is the default only for the demo: `offer send` says what to set."""
    done = _offer_send(tmp_path)
    assert done.returncode == 2
    stderr = " ".join(done.stderr.split())
    assert "PROACTIEF_CONTACT_DIRECTORY" in stderr and "fake" in stderr
    assert not (tmp_path / "data" / "proactief.db").exists()  # stopped before the database
    unknown = _offer_send(tmp_path, PROACTIEF_CONTACT_DIRECTORY="kcc")
    assert unknown.returncode == 2 and "not installed" in " ".join(unknown.stderr.split())
    chosen = _offer_send(tmp_path, PROACTIEF_CONTACT_DIRECTORY="fake")
    assert chosen.returncode == 0, chosen.stderr
    wrong = _offer_send(
        tmp_path, PROACTIEF_CONTACT_DIRECTORY="fake", PROACTIEF_CHANNELS='{"sms": "brief"}'
    )
    assert wrong.returncode == 2
    assert "PROACTIEF_CHANNELS" in wrong.stderr and "serves brief, not sms" in wrong.stderr


def test_a_broken_plugin_is_named_when_no_other_reads_the_file(installed_plugin: None) -> None:
    with pytest.raises(IntakeFileError, match=r"\.tsv.*not loaded: plug-in 'broken'"):
        source_for(Path("signalen.xlsx"))

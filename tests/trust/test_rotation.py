"""Key rotation (issue 13, item 1): every pseudonym made anew in one transaction, choices
kept with their person, refused when a choice would be cut loose, finished after a crash.
On SQLite and PostgreSQL."""

import json
import os
import signal
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from conftest import PERSON, VALID_BSNS, choose, ddas_document, make_case, run_cli
from conftest import signal as a_signal
from proactief.domain import EventSoort
from proactief.storage.tables import (
    cases,
    client_identities,
    contactmomenten,
    levensgebeurtenissen,
    preference_events,
    pseudonym_keys,
    quarantine,
    residents,
    signals,
)
from proactief.trust.anchor import verify_anchors
from proactief.trust.audit import verify_audit
from proactief.trust.consent import current_state
from proactief.trust.pseudonyms import Pseudonymizer, key_fingerprint, read_key
from proactief.trust.rotation import RotationError, rotate_pseudonyms

NEW_KEY = b"n" * 32
T0 = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)


def _opt_out(conn: object, person: str) -> None:
    choose(conn, EventSoort.NIET_BENADEREN, T0, person=person, wijze="telefoon", door="medewerker")


def test_every_table_gets_the_new_pseudonym_and_the_opt_out_stays(engine: Engine) -> None:
    """make_case stores PERSON with VALID_BSNS[0] in the vault; after the rotation the
    person is HMAC(new key, BSN) everywhere, still opted out, and the log still checks."""
    new_person = Pseudonymizer(NEW_KEY).for_bsn(VALID_BSNS[0])
    with engine.begin() as conn:
        make_case(conn)
        _opt_out(conn, PERSON)
        conn.execute(
            quarantine.insert().values(
                file_name="f.json",
                file_sha256="s",
                position="p",
                fields="bedrag",
                reason_nl="r",
                reason_en="r",
                raw=f'{{"bsn": "[BSN {PERSON}]"}}',
                received_at=T0,
            )
        )
        # a life event and a contact moment of the person
        conn.execute(
            levensgebeurtenissen.insert().values(
                bron="s",
                event_id="e",
                soort="nl.brp.geboorte",
                person_pseudonym=PERSON,
                datum=T0.date(),
                ontvangen=T0,
                status="wacht",
                reden="",
            )
        )
        conn.execute(
            contactmomenten.insert().values(
                person_pseudonym=PERSON,
                soort="baliegesprek",
                datum=T0.date(),
                geregistreerd=T0,
                door="t",
                bron="",
                bron_id=None,
            )
        )
    with engine.begin() as conn:
        result = rotate_pseudonyms(conn=conn, new_key=NEW_KEY, now=T0)
    assert result.personen == 1
    with engine.connect() as conn:
        for table in (
            client_identities,
            cases,
            signals,
            preference_events,
            levensgebeurtenissen,
            contactmomenten,
        ):
            assert set(conn.scalars(select(table.c.person_pseudonym))) == {new_person}, table.name
        # make_case's resident has its identity in the vault too
        assert set(conn.scalars(select(residents.c.person_pseudonym))) == {new_person}
        assert not current_state(conn=conn, person_pseudonym=new_person).may_contact()
        assert conn.scalar(select(quarantine.c.raw)) == f'{{"bsn": "[BSN {new_person}]"}}'
        assert list(conn.scalars(select(pseudonym_keys.c.fingerprint))) == [
            key_fingerprint(NEW_KEY)
        ]
        assert verify_audit(conn)[1] == []
        assert verify_anchors(conn, []) == []  # the opt-outs, counted at the rotation


def test_a_pseudonym_without_identity_gets_a_random_one_kept_together(engine: Engine) -> None:
    with engine.begin() as conn:
        make_case(conn)
        conn.execute(
            residents.insert().values(
                person_pseudonym="b" + "0" * 32,
                household_id="H1",
                geslacht="Man",
                geboortedatum=datetime(1970, 1, 1).date(),
            )
        )
    with engine.begin() as conn:
        result = rotate_pseudonyms(conn=conn, new_key=NEW_KEY, now=T0)
    assert result.zonder_identiteit == 1
    with engine.connect() as conn:
        names = set(conn.scalars(select(residents.c.person_pseudonym)))
    assert "b" + "0" * 32 not in names and any(n.startswith("x") for n in names)


def test_a_choice_without_identity_refuses_the_rotation_and_changes_nothing(
    engine: Engine,
) -> None:
    with engine.begin() as conn:
        make_case(conn)
        _opt_out(conn, "b" + "1" * 32)  # recorded before choices kept their BSN
    with (
        pytest.raises(RotationError, match="hoort die keuze bij niemand meer"),
        engine.begin() as conn,
    ):
        rotate_pseudonyms(conn=conn, new_key=NEW_KEY, now=T0)
    with engine.connect() as conn:
        assert set(conn.scalars(select(signals.c.person_pseudonym))) == {PERSON}
        assert list(conn.scalars(select(pseudonym_keys.c.fingerprint))) == []


def _env(tmp_path: Path, db_url: str) -> dict[str, str]:
    env = dict(os.environ, PROACTIEF_DATA_DIR=str(tmp_path / "data"), COLUMNS="200")
    env["PROACTIEF_DATABASE_URL"] = db_url
    env["PROACTIEF_CONTACT_DIRECTORY"] = "fake"
    return env


def test_key_rotate_on_the_command_line_keeps_an_opt_out_by_bsn(
    tmp_path: Path, db_url: str
) -> None:
    """A resident opts out by phone (by BSN, with no signal yet); the key is rotated; a
    signal for that BSN arrives later: no message goes out, and the log checks."""
    env = _env(tmp_path, db_url)
    key_file = tmp_path / "data" / "pseudonym.key"
    first = tmp_path / "a.json"
    first.write_text(json.dumps(ddas_document([a_signal(ID="A")])))
    assert run_cli(["intake", str(first), "--today", "2026-06-30"], env).returncode == 0
    out = run_cli(["consent", "opt-out", "--bsn", VALID_BSNS[1], "--wijze", "telefoon"], env)
    assert out.returncode == 0, out.stderr
    old_key = read_key(key_file)

    rotated = run_cli(["key", "rotate"], env)
    assert rotated.returncode == 0, rotated.stderr
    assert "nieuw pseudoniem" in " ".join(rotated.stdout.split())
    assert read_key(key_file) != old_key
    assert [p.name for p in key_file.parent.glob("pseudonym.key.oud-*")]

    later = tmp_path / "b.json"
    later.write_text(
        json.dumps(
            ddas_document(
                [
                    a_signal(
                        ID="B",
                        client={"burgerservicenummer": VALID_BSNS[1]},
                        signaaldatum="2026-06-20",
                    )
                ]
            )
        )
    )
    assert run_cli(["intake", str(later), "--today", "2026-06-30"], env).returncode == 0
    assert run_cli(["cases", "match", "--datum", "2026-06-30"], env).returncode == 0
    sent = run_cli(["offer", "send", "--alle", "--datum", "2026-06-30"], env)
    assert sent.returncode == 0, sent.stderr
    # one case went out (A's person), the opted-out person's case took no step
    assert "geen_contact" in sent.stdout and "in_wachtrij" not in sent.stdout
    shown = run_cli(["consent", "show", "--bsn", VALID_BSNS[1]], env)
    assert "nee (opt-out)" in shown.stdout and "verzonden" not in shown.stdout
    verified = run_cli(["audit", "verify"], env)
    assert verified.returncode == 0, verified.stderr


_KILLED_AFTER_COMMIT = r"""
import os, signal, sys
from proactief.cli import trust
trust.complete_rotation = lambda *a, **k: os.kill(os.getpid(), signal.SIGKILL)
sys.argv = ["proactief", "key", "rotate"]
from proactief.cli.app import main
main()
"""


def test_a_rotation_killed_after_its_commit_is_finished_by_the_next_command(
    tmp_path: Path, db_url: str
) -> None:
    env = _env(tmp_path, db_url)
    key_file = tmp_path / "data" / "pseudonym.key"
    first = tmp_path / "a.json"
    first.write_text(json.dumps(ddas_document([a_signal(ID="A")])))
    assert run_cli(["intake", str(first), "--today", "2026-06-30"], env).returncode == 0
    old_key = read_key(key_file)
    killed = subprocess.run(
        [sys.executable, "-c", _KILLED_AFTER_COMMIT],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert read_key(key_file) == old_key  # the database switched, the files did not yet
    after = run_cli(["cases"], env)
    assert after.returncode == 0, after.stderr
    assert read_key(key_file) != old_key
    assert not (key_file.parent / "pseudonym.key.nieuw").exists()

"""`proactief audit verify`, `consent`, `why` and `retention run` as a user runs them."""

import io
import os
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import delete, func, select, update

from conftest import run_cli
from proactief.domain import Berichtsoort, Kanaal
from proactief.storage.db import create_db_engine, migrate
from proactief.storage.tables import audit_log
from proactief.trust.messaging import Aanleiding, send_message
from proactief.trust.pseudonyms import Pseudonymizer, load_or_create_key


@pytest.fixture
def env(tmp_path: Path, db_url: str) -> dict[str, str]:
    e = dict(os.environ, PROACTIEF_DATA_DIR=str(tmp_path / "data"), COLUMNS="200")
    e["PROACTIEF_DATABASE_URL"] = db_url
    return e


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return run_cli(args, env, timeout=120)


def _send(env: dict[str, str], bsn: str) -> int:
    person = Pseudonymizer(load_or_create_key(Path(env["PROACTIEF_DATA_DIR"]) / "pseudonym.key"))
    engine = create_db_engine(env["PROACTIEF_DATABASE_URL"])
    migrate(engine)
    with engine.begin() as conn:
        message = send_message(
            conn=conn,
            person_pseudonym=person.for_bsn(bsn),
            soort=Berichtsoort.VROEGSIGNAAL,
            kanaal=Kanaal.BRIEF,
            aanleiding=Aanleiding(
                "vroegsignaal",
                "een bericht over een betalingsachterstand",
                "uw energieleverancier",
                "EN-1",
            ),
            grondslag="Wet gemeentelijke schuldhulpverlening, art. 3a",
            selectieregel="elk vroegsignaal krijgt een aanbod voor hulp (Wgs)",
            now=datetime.now(UTC),
        )
    engine.dispose()
    return message.message_id


def test_opt_out_why_letter_and_audit(env: dict[str, str], tmp_path: Path) -> None:
    first = _send(env, "111222333")
    why = run(["why", str(first), "--pdf", str(tmp_path / "waarom.pdf")], env)
    assert why.returncode == 0, why.stderr
    assert "uw energieleverancier" in why.stdout
    pdf = (tmp_path / "waarom.pdf").read_bytes()
    assert pdf.startswith(b"%PDF")
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "Waarom kreeg ik dit bericht?" in text and "Mag dat?" in text

    assert (
        run(["consent", "opt-out", "--bsn", "111222333", "--wijze", "brief"], env).returncode == 0
    )
    second = _send(env, "111222333")
    shown = run(["consent", "show", "--bsn", "111222333"], env)
    assert "nee (opt-out)" in shown.stdout and "geblokkeerd" in shown.stdout
    assert "111222333" not in shown.stdout
    assert second > first
    # the held-back message gets no letter 'Waarom kreeg ik dit bericht?'
    no_letter = run(["why", str(second), "--pdf", str(tmp_path / "niet.pdf")], env)
    assert no_letter.returncode == 2 and "niet bereikt" in " ".join(no_letter.stderr.split())
    assert not (tmp_path / "niet.pdf").exists()
    bad = run(["consent", "opt-out", "--bsn", "123456789"], env)
    assert bad.returncode == 2 and "elfproef" in bad.stderr

    ok = run(["audit", "verify"], env)
    assert ok.returncode == 0 and "ongeschonden" in ok.stdout
    # every run anchored the chain outside the database: a cut-off tail shows
    assert "ankers kloppen" in ok.stdout
    engine = create_db_engine(env["PROACTIEF_DATABASE_URL"])
    with engine.begin() as conn:
        last = conn.execute(select(func.max(audit_log.c.id))).scalar_one()
        conn.execute(delete(audit_log).where(audit_log.c.id == last))
    cut = run(["audit", "verify"], env)
    assert cut.returncode == 1 and "afgeknipt" in " ".join(cut.stderr.split())
    with engine.begin() as conn:
        conn.execute(update(audit_log).where(audit_log.c.id == 2).values(actor="iemand anders"))
    engine.dispose()
    tampered = run(["audit", "verify"], env)
    assert tampered.returncode == 1
    assert "Regel 2" in tampered.stderr and "gewijzigd" in tampered.stderr

    retention = run(["retention", "run"], env)
    assert retention.returncode == 0 and "bewaard" in retention.stdout

    missing = run(["why", "999"], env)
    assert missing.returncode == 2 and "bestaat niet" in missing.stderr

"""The demo respects every choice, leaves no personal data in its logs, and a retention
run on the demo database deletes exactly what it should."""

import os
import re
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from proactief.domain import Doel
from proactief.pipeline.audit import verify_audit
from proactief.pipeline.evaluation import funnel
from proactief.pipeline.retention import HELP_RESULTS, run_retention
from proactief.privacy import is_valid_bsn
from proactief.purposes import load_purposes
from proactief.storage import repositories as repo
from proactief.storage.db import create_db_engine
from proactief.storage.tables import cases, signals

NINE_DIGITS = re.compile(r"(?<!\d)\d{9}(?!\d)")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    data = tmp_path_factory.mktemp("demo")
    env = dict(os.environ, PROACTIEF_DATA_DIR=str(data), PROACTIEF_LOG_LEVEL="DEBUG", COLUMNS="200")
    env.pop("PROACTIEF_DATABASE_URL", None)
    done = subprocess.run(
        [sys.executable, "-m", "proactief", "demo", "--residents", "6000", "--months", "12"],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return data, done.stdout + done.stderr


def test_no_personal_data_in_logs(demo: tuple[Path, str]) -> None:
    _data, output = demo
    bsn_like = [m for m in NINE_DIGITS.findall(output) if is_valid_bsn(m)]
    assert len(bsn_like) == 0, f"{len(bsn_like)} BSN-like numbers in the log output"
    assert "hidden due to hide_parameters" in output  # SQL logging was really on
    assert EMAIL.findall(output) == []


def test_opted_out_residents_got_no_messages(demo: tuple[Path, str]) -> None:
    data, output = demo
    assert "aan afgemelde inwoners verzonden: 0" in output
    engine = create_db_engine(f"sqlite:///{data / 'proactief.db'}")
    with engine.connect() as conn:
        opted_out = repo.opted_out_persons(conn)
        sent = repo.message_rows(conn, status="verzonden")
        blocked = repo.message_rows(conn, status="geblokkeerd")
        assert opted_out and blocked
        assert {m.person_pseudonym for m in sent}.isdisjoint(opted_out)
        assert verify_audit(conn)[1] == []
    engine.dispose()


def test_retention_on_the_demo_database(demo: tuple[Path, str]) -> None:
    data, _ = demo
    engine = create_db_engine(f"sqlite:///{data / 'proactief.db'}")
    days = load_purposes()[Doel.VROEGSIGNALERING].bewaartermijn_dagen
    today = date.today() + timedelta(days=30)
    cutoff = today - timedelta(days=days)
    with engine.begin() as conn:
        before = funnel(conn=conn)
        expected = {
            r.id
            for r in conn.execute(select(cases.c.id, cases.c.eindresultaat, cases.c.einddatum))
            if r.eindresultaat and r.einddatum < cutoff and r.eindresultaat not in HELP_RESULTS
        }
        signals_before = conn.scalar(select(signals.c.id).limit(1))
    assert expected and signals_before
    result = run_retention(engine=engine, today=today)
    assert result.deleted["cases"] == len(expected)
    with engine.begin() as conn:
        left = set(conn.scalars(select(cases.c.id)))
        assert left.isdisjoint(expected)
        assert not set(conn.scalars(select(signals.c.case_id))) & expected
        assert funnel(conn=conn) == before
        assert verify_audit(conn)[1] == []
    engine.dispose()

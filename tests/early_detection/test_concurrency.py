"""Concurrent use on both databases: audited reads from many threads and processes, and
two workers changing the same case at once (issue 13, item 4)."""

import subprocess
import sys
import threading
from collections.abc import Callable
from datetime import date

import pytest
from sqlalchemy import Engine, func, select

from conftest import choose, fake_channels, store_signal
from proactief.domain import Contactpoging, Contactsoort, Eindresultaat
from proactief.early_detection import repository as early_repo
from proactief.early_detection.cases import match_signals
from proactief.early_detection.contacts import (
    CaseClosedError,
    case_grant,
    close_case,
    get_case,
    register_contact,
)
from proactief.early_detection.work_queue import load_work_queue_config
from proactief.storage.tables import audit_log, contact_attempts, outbox, outreach_steps
from proactief.trust.audit import verify_audit


def _cases(engine: Engine, n: int) -> list[int]:
    """``n`` open cases, one person each."""
    with engine.begin() as conn:
        for i in range(n):
            store_signal(conn, f"S{i}", person=f"p{i}", on=date(2026, 4, 1))
        match_signals(conn=conn, matchingsdatum=date(2026, 4, 30), config=load_work_queue_config())
    with engine.connect() as conn:
        return [row.id for row in early_repo.open_case_rows(case_grant(conn, actor="test"))]


def _audit_count(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(audit_log)).scalar_one())


def _run_threads(workers: list[Callable[[], None]]) -> list[BaseException]:
    """Start all workers at the same moment; return what they raised."""
    barrier = threading.Barrier(len(workers))
    errors: list[BaseException] = []

    def run(work: Callable[[], None]) -> None:
        barrier.wait()
        try:
            work()
        except BaseException as exc:  # collected and asserted on by the test
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(w,)) for w in workers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return errors


def test_audited_case_views_from_eight_threads_all_succeed_and_chain(engine: Engine) -> None:
    """8 x 25 concurrent case views: 0 failures, 200 audit entries, an intact chain."""
    (case_id,) = _cases(engine, 1)
    before = _audit_count(engine)

    def views() -> None:
        for _ in range(25):
            with engine.begin() as conn:
                get_case(conn=conn, case_id=case_id, actor="medewerker:race")

    errors = _run_threads([views] * 8)
    assert errors == []
    assert _audit_count(engine) - before == 200
    with engine.connect() as conn:
        count, problems = verify_audit(conn)
    assert (count, problems) == (before + 200, [])


_VIEWS = """
import sys
from proactief.storage.db import create_db_engine
from proactief.early_detection.contacts import get_case
engine = create_db_engine(sys.argv[1])
for _ in range(25):
    with engine.begin() as conn:
        get_case(conn=conn, case_id=int(sys.argv[2]), actor="medewerker:proces")
"""


def test_audited_case_views_from_four_processes_all_succeed_and_chain(
    engine: Engine, db_url: str
) -> None:
    """4 processes x 25 case views on the same database: all exit 0, the chain holds."""
    (case_id,) = _cases(engine, 1)
    before = _audit_count(engine)
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", _VIEWS, db_url, str(case_id)],
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(4)
    ]
    results = [(p.wait(timeout=180), p.stderr.read() if p.stderr else "") for p in procs]
    assert [rc for rc, _ in results] == [0, 0, 0, 0], [err[-500:] for _, err in results]
    assert _audit_count(engine) - before == 100
    with engine.connect() as conn:
        assert verify_audit(conn) == (before + 100, [])


@pytest.mark.parametrize("rounds", [10])
def test_two_workers_closing_one_case_one_is_refused(engine: Engine, rounds: int) -> None:
    """Of two simultaneous closes of the same case exactly one succeeds; the other is
    told the case is closed already."""
    for case_id in _cases(engine, rounds):

        def close(result: Eindresultaat, case_id: int = case_id) -> Callable[[], None]:
            def work() -> None:
                with engine.begin() as conn:
                    close_case(
                        conn=conn, case_id=case_id, eindresultaat=result, datum=date(2026, 5, 1)
                    )

            return work

        errors = _run_threads(
            [
                close(Eindresultaat.INWONER_REGELT_HET_ZELF),
                close(Eindresultaat.INWONER_HEEFT_ZELF_BETAALD),
            ]
        )
        assert len(errors) == 1, errors
        assert isinstance(errors[0], CaseClosedError)


def test_a_contact_racing_a_close_never_lands_after_the_close(engine: Engine) -> None:
    """A contact attempt and a close at the same moment: either the attempt is stored
    and the close follows, or the close wins and the attempt is refused; never both
    refused, never an attempt stored while its registration was refused."""
    for case_id in _cases(engine, 10):

        def contact(case_id: int = case_id) -> None:
            with engine.begin() as conn:
                register_contact(
                    conn=conn,
                    case_id=case_id,
                    attempt=Contactpoging(
                        soort=Contactsoort.TELEFOON,
                        datum=date(2026, 5, 1),
                        dagdeel=None,
                        bereikt=False,
                    ),
                )

        def close(case_id: int = case_id) -> None:
            with engine.begin() as conn:
                close_case(
                    conn=conn,
                    case_id=case_id,
                    eindresultaat=Eindresultaat.INWONER_REGELT_HET_ZELF,
                    datum=date(2026, 5, 1),
                )

        errors = _run_threads([contact, close])
        with engine.connect() as conn:
            stored = conn.execute(
                select(func.count())
                .select_from(contact_attempts)
                .where(contact_attempts.c.case_id == case_id)
            ).scalar_one()
        assert all(isinstance(e, CaseClosedError) for e in errors), errors
        assert stored == (0 if errors else 1)


def test_sending_to_every_case_while_residents_opt_out_on_the_web(engine: Engine) -> None:
    """Issue 13: `offer send --alle` crashed while residents opted out at the same time.
    One thread takes every case's next step and delivers it, eight others record opt-outs
    for the same people: 0 failures, and no message reaches a person whose opt-out was
    recorded before the delivery's transaction (the delivery reads it again)."""
    from datetime import UTC, datetime

    from proactief.domain import EventSoort, Kanaal
    from proactief.offers.outreach import send_next_step
    from proactief.sources.contactgegevens import FakeContactDirectory

    case_ids = _cases(engine, 16)
    now = datetime(2026, 5, 1, 9, tzinfo=UTC)
    channels = fake_channels()

    def send_all() -> None:
        for case_id in case_ids:
            send_next_step(
                begin=engine.begin,
                case_id=case_id,
                channels=channels,
                directory=FakeContactDirectory(),
                now=now,
            )

    def opt_out(first: int) -> Callable[[], None]:
        def work() -> None:
            for i in range(first, 16, 8):
                with engine.begin() as conn:
                    choose(conn, EventSoort.NIET_BENADEREN, now, person=f"p{i}")

        return work

    errors = _run_threads([send_all, *(opt_out(n) for n in range(8))])
    assert errors == []
    with engine.connect() as conn:
        assert verify_audit(conn)[1] == []
        steps = conn.execute(select(outreach_steps.c.status)).scalars().all()
        waiting = conn.execute(select(outbox.c.id).where(outbox.c.status == "wacht")).all()
    # every step ended (delivered, or stopped by the opt-out); each delivery is one letter
    assert waiting == [] and set(steps) <= {"afgeleverd", "geblokkeerd"}
    assert len(channels[Kanaal.BRIEF].sent) == steps.count("afgeleverd")

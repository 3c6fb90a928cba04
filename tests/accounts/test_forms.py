"""A form's one-time key: claimed once, even by two transactions at the same moment, on
SQLite and PostgreSQL."""

import threading
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, select

from proactief.accounts.forms import FORM_KEY_DAYS, claim_form_key
from proactief.storage.tables import form_submissions


def test_a_key_is_claimed_once_even_in_a_race(engine: Engine) -> None:
    results: list[bool] = []
    barrier = threading.Barrier(8)

    def claim() -> None:
        barrier.wait()
        with engine.begin() as conn:
            results.append(claim_form_key(conn, "dezelfde-sleutel"))

    threads = [threading.Thread(target=claim) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [False] * 7 + [True]


def test_a_key_used_in_a_rolled_back_change_can_be_used_again(engine: Engine) -> None:
    try:
        with engine.begin() as conn:
            assert claim_form_key(conn, "k")
            raise RuntimeError("the change failed")
    except RuntimeError:
        pass
    with engine.begin() as conn:
        assert claim_form_key(conn, "k")
        assert not claim_form_key(conn, "k")


def test_old_keys_are_pruned(engine: Engine) -> None:
    old = datetime.now(UTC) - timedelta(days=FORM_KEY_DAYS + 1)
    with engine.begin() as conn:
        assert claim_form_key(conn, "oud", now=old)
        assert claim_form_key(conn, "nieuw")
        keys = set(conn.scalars(select(form_submissions.c.sleutel)))
    assert keys == {"nieuw"}

"""The statements built once and given each row as parameters refuse a key that is not a
column: SQLAlchemy would leave it out without a word, and a misspelt name would lose its
value. On SQLite and PostgreSQL."""

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from sqlalchemy import Connection, Engine, func, select

from conftest import add_queue_case
from proactief.early_detection import repository as early_repo
from proactief.storage.queries import UnknownColumnError, insert_new
from proactief.storage.tables import (
    audit_log,
    cases,
    client_identities,
    messages,
    preference_events,
)
from proactief.trust import repository as trust_repo

DAY = date(2026, 6, 1)

WRITERS: dict[str, tuple[Any, Callable[[Connection], object]]] = {
    "insert_new": (
        client_identities,
        lambda conn: insert_new(
            conn, client_identities, [{"person_pseudonym": "p1", "postkode": "1234AB"}]
        ),
    ),
    "create_case": (
        cases,
        lambda conn: early_repo.create_case(
            conn,
            {
                "person_pseudonym": "p1",
                "matchingsdatum": DAY,
                "startdatum_matchingperiode": DAY,
                "einddatum_matchingperiode": DAY,
                "priorty": 3,
            },
        ),
    ),
    "insert_message": (
        messages,
        lambda conn: trust_repo.insert_message(conn, {"person_pseudonym": "p1", "kanaall": "sms"}),
    ),
    "insert_preference_event": (
        preference_events,
        lambda conn: trust_repo.insert_preference_event(
            conn, {"person_pseudonym": "p1", "sort": "niet_benaderen"}
        ),
    ),
    "insert_audit_row": (
        audit_log,
        lambda conn: trust_repo.insert_audit_row(conn, {"actor": "t", "doell": "evaluatie"}),
    ),
}


@pytest.mark.parametrize("writer", WRITERS)
def test_a_misspelt_column_is_refused_and_nothing_is_written(engine: Engine, writer: str) -> None:
    table, write = WRITERS[writer]
    refused = pytest.raises(UnknownColumnError, match=f"table {table.name} has no column")
    with refused, engine.begin() as conn:
        write(conn)
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(table)).scalar_one() == 0


def test_a_misspelt_field_of_a_case_update_is_refused(engine: Engine) -> None:
    with engine.begin() as conn:
        case_id = add_queue_case(conn, 1)
    refused = pytest.raises(UnknownColumnError, match="no column volgende_stap_datm")
    with refused, engine.begin() as conn:
        early_repo.update_case(conn, case_id, volgende_stap_datm=DAY)
    with engine.begin() as conn:
        early_repo.update_case(conn, case_id, volgende_stap_datum=DAY)
        stored = conn.execute(select(cases.c.volgende_stap_datum).where(cases.c.id == case_id))
        assert stored.scalar_one() == DAY

"""The bulk insert of intake: on PostgreSQL by COPY through a staging table, on SQLite by
INSERT OR IGNORE; on both, what exists is skipped and nothing else is lost or doubled."""

from datetime import date

from sqlalchemy import Engine, func, select

from proactief.storage.queries import COPY_FROM, bulk_insert_ignore
from proactief.storage.tables import client_identities


def person(i: int) -> dict[str, object]:
    return {
        "person_pseudonym": f"a{i:031d}",
        "bsn": None,
        "geslacht": "Vrouw" if i % 2 else "Man",
        "geboortedatum": date(1950 + i % 50, 1 + i % 12, 1 + i % 28),
        "postcode": "1234AB",
        "huisnummer": str(i),
        "huisnummertoevoeging": None if i % 3 else "B",
    }


def test_existing_rows_are_skipped_and_the_rest_stored_once(engine: Engine) -> None:
    first = [person(i) for i in range(COPY_FROM * 2)]
    with engine.begin() as conn:
        bulk_insert_ignore(conn, client_identities, first)
    # half already there, a new half, and one new row twice in the same batch
    second = [person(i) for i in range(COPY_FROM, COPY_FROM * 3)] + [person(COPY_FROM * 3)] * 2
    with engine.begin() as conn:
        bulk_insert_ignore(conn, client_identities, second)
        # two batches in one transaction (the staging table is made again)
        bulk_insert_ignore(conn, client_identities, [person(i) for i in range(5_000, 5_300)])
    with engine.connect() as conn:
        stored = conn.execute(select(client_identities)).mappings().all()
        count = conn.execute(select(func.count()).select_from(client_identities)).scalar_one()
    assert count == COPY_FROM * 3 + 1 + 300 == len({r["person_pseudonym"] for r in stored})
    by_id = {r["person_pseudonym"]: dict(r) for r in stored}
    for i in (0, COPY_FROM * 3, 5_299):
        assert by_id[person(i)["person_pseudonym"]] == person(i)


def test_rows_said_to_be_new_are_never_skipped_silently(engine: Engine) -> None:
    """bulk_insert_new is for rows found absent under a lock: should one exist after all,
    the database refuses (so intake takes the batch record by record), on both backends
    either stored once or refused, never counted as stored while skipped."""
    import pytest
    from sqlalchemy.exc import DBAPIError

    from proactief.storage.queries import bulk_insert_new

    rows = [person(i) for i in range(COPY_FROM)]
    with engine.begin() as conn:
        bulk_insert_new(conn, client_identities, rows)
    if engine.dialect.name == "postgresql":
        with pytest.raises(DBAPIError), engine.begin() as conn:
            bulk_insert_new(conn, client_identities, [*rows[:1], person(COPY_FROM + 1)] * 150)
    with engine.connect() as conn:
        count = conn.execute(select(func.count()).select_from(client_identities)).scalar_one()
    assert count == COPY_FROM


def test_a_plain_bulk_insert_stores_every_row_as_sqlalchemy_would_and_refuses_a_clash(
    engine: Engine,
) -> None:
    """bulk_insert (the demo's population): every row stored and read back as it went in
    (dates too), small and COPY-sized; a row that clashes fails the whole call."""
    import pytest
    from sqlalchemy.exc import IntegrityError

    from proactief.storage.queries import bulk_insert

    rows = [person(i) for i in range(COPY_FROM + 5)]
    with engine.begin() as conn:
        bulk_insert(conn, client_identities, rows[:3])
        bulk_insert(conn, client_identities, rows[3:])
    with engine.connect() as conn:
        stored = {
            r["person_pseudonym"]: dict(r)
            for r in conn.execute(select(client_identities)).mappings()
        }
    assert stored == {r["person_pseudonym"]: r for r in rows}
    with pytest.raises(IntegrityError), engine.begin() as conn:
        bulk_insert(conn, client_identities, [person(9_000), person(0)])
    with engine.connect() as conn:
        count = conn.execute(select(func.count()).select_from(client_identities)).scalar_one()
    assert count == len(rows)

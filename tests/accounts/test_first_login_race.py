"""Two first logins of the same person at once (two tabs, a double click on the
provider's page) both get in, as one account: on PostgreSQL the second insert meets the
first's row; SQLite takes its write lock at BEGIN, so there the second waits and finds
the account. Both databases."""

import contextlib
import threading
from typing import Any

import pytest
from sqlalchemy import Engine, func, select

from proactief.accounts import repository as repo
from proactief.accounts.users import Rol, User, user_for_login
from proactief.storage.tables import users


def test_two_first_logins_at_once_make_one_account(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    barrier = threading.Barrier(2)
    by_name = repo.user_by_name

    def both_past_the_first_look(conn: Any, gebruikersnaam: str) -> Any:
        # both logins have found no account for this 'sub' before either inserts one;
        # on SQLite the second cannot begin yet, so the first goes on alone
        with contextlib.suppress(threading.BrokenBarrierError):
            barrier.wait(timeout=2)
        return by_name(conn, gebruikersnaam)

    monkeypatch.setattr(repo, "user_by_name", both_past_the_first_look)
    got: list[User] = []
    errors: list[BaseException] = []

    def login() -> None:
        try:
            with engine.begin() as conn:
                got.append(
                    user_for_login(
                        conn=conn,
                        extern_id="sub-123",
                        gebruikersnaam="j.jansen",
                        rol=Rol.CONTACTMEDEWERKER,
                        naam="J. Jansen",
                    )
                )
        except BaseException as exc:  # asserted on below
            errors.append(exc)

    threads = [threading.Thread(target=login) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert len(got) == 2 and got[0].id == got[1].id
    with engine.connect() as conn:
        count = conn.execute(
            select(func.count()).select_from(users).where(users.c.extern_id == "sub-123")
        ).scalar_one()
    assert count == 1

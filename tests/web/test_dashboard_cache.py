"""The dashboard's figures are kept a few minutes (a city's count takes seconds), and the
page says when they were counted: within the time a change does not show yet, after it
it does; one count per period at a time, also under racing requests."""

import threading
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Engine

from conftest import WEB_PASSWORD, csrf_of, https_client, web_setup
from proactief.domain import Contactpoging, Contactsoort
from proactief.early_detection.contacts import register_contact
from proactief.web import create_app
from proactief.web.dashboard_cache import MAX_PERIODS, DashboardCache


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 12, 6, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def test_a_snapshot_is_kept_for_its_time_then_counted_again() -> None:
    clock = Clock()
    cache = DashboardCache(timedelta(minutes=5), clock=clock)
    counts: list[int] = []

    def count() -> dict[str, Any]:
        counts.append(1)
        return {"n": len(counts)}

    first = cache.get((None, None), count)
    clock.now += timedelta(minutes=4, seconds=59)
    assert cache.get((None, None), count) is first and len(counts) == 1
    assert cache.get((date(2026, 1, 1), None), count).tables == {"n": 2}  # another period
    clock.now += timedelta(seconds=1)
    again = cache.get((None, None), count)
    assert again.tables == {"n": 3} and again.geteld == clock.now
    for day in range(1, MAX_PERIODS + 5):
        cache.get((date(2027, 1, 1) + timedelta(days=day), None), count)
    assert len(cache._kept) == MAX_PERIODS


def test_racing_requests_for_one_period_count_once() -> None:
    cache = DashboardCache(timedelta(minutes=5))
    started = threading.Event()
    counts: list[int] = []

    def count() -> dict[str, Any]:
        counts.append(1)
        started.set()
        threading.Event().wait(0.2)
        return {}

    got: list[object] = []
    threads = [
        threading.Thread(target=lambda: got.append(cache.get((None, None), count)))
        for _ in range(6)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(counts) == 1 and len({id(g) for g in got}) == 1


def _analyst(app: Any) -> Any:
    c = https_client(app)
    token = csrf_of(c.get("/login").text)
    c.post(
        "/login",
        data={"gebruikersnaam": "analist", "wachtwoord": WEB_PASSWORD, "csrf_token": token},
    )
    return c


def _reached(web: dict[str, Any]) -> None:
    with web["engine"].begin() as conn:
        register_contact(
            conn=conn,
            case_id=web["case_id"],
            attempt=Contactpoging(Contactsoort.TELEFOON, date(2026, 4, 10), None, True),
        )


def test_the_page_says_when_it_counted_and_a_kept_count_shows_no_change_yet(
    engine: Engine,
) -> None:
    web = web_setup(engine, b"d" * 32)
    kept = create_app(engine=engine, secret_key=b"d" * 32, dashboard_minuten=5)
    fresh = _analyst(web["app"])  # the default: every page counts
    cached = _analyst(kept)
    before = " ".join(cached.get("/dashboard/trechter.csv").text.split())
    page = " ".join(cached.get("/dashboard").text.split())
    assert "Geteld op " in page and "Deze cijfers worden na 5 minuten opnieuw geteld." in page
    plain = " ".join(fresh.get("/dashboard").text.split())
    assert "Geteld op " in plain and "opnieuw geteld" not in plain
    _reached(web)
    # within its five minutes the kept count shows the old figures (and says when it
    # counted); a page that counts anew shows the change
    assert " ".join(cached.get("/dashboard/trechter.csv").text.split()) == before
    assert " ".join(fresh.get("/dashboard/trechter.csv").text.split()) != before

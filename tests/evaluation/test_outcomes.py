"""Money unlocked, on SQLite and PostgreSQL: an offer sent in full records the regulations
it named; a later scan that finds the household receiving one marks it received with the
amount a year; the dashboard counts it per regulation; retention keeps only the counts'
facts."""

from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest
from sqlalchemy import Engine, func, select

from conftest import H1_VALUES, fake_channels, ladder_step, make_case
from proactief.accounts.users import Rol, add_user
from proactief.domain import Contactpoging, Contactsoort, Dagdeel, Eindresultaat
from proactief.early_detection import repository as early_repo
from proactief.early_detection.contacts import register_contact
from proactief.entitlements import scan_non_take_up
from proactief.entitlements.outcomes import record_receipts
from proactief.entitlements.runs import store_scan
from proactief.evaluation.funnel import BREAKDOWNS, funnels
from proactief.storage.tables import aanbod_uitkomsten, cases
from proactief.trust.retention import run_retention

T0 = datetime(2026, 4, 10, 9, 0, tzinfo=UTC)


def test_an_offer_becomes_money_when_a_later_scan_finds_it_received(engine: Engine) -> None:
    chans = fake_channels()
    with engine.begin() as conn:
        case_id = make_case(conn)
        first = ladder_step(conn, case_id, chans, T0)
        offered = conn.execute(select(aanbod_uitkomsten)).all()
        # the same offer again (a second letter) records nothing twice
        ladder_step(conn, case_id, chans, T0 + timedelta(days=40))
        again = conn.execute(select(aanbod_uitkomsten)).all()
        before = funnels(conn=conn).money
    assert first.status == "afgeleverd"
    assert {o.regeling for o in offered} == {"zorgtoeslag", "huurtoeslag"}
    assert len(again) == len(offered)
    zorg = next(o for o in offered if o.regeling == "zorgtoeslag")
    assert zorg.bedrag_centen_aanbod == 135504 and zorg.herkomst == "signalen"
    assert before["zorgtoeslag"] == {"aangeboden": 1, "ontvangen": 0, "bedrag_per_jaar": 0.0}

    # the next scan, with the household's receipts: it now gets zorgtoeslag
    frame = pd.DataFrame([H1_VALUES])
    receipts = pd.DataFrame([{"household_id": "H1", "regeling": "zorgtoeslag"}])
    scan = scan_non_take_up(frame, jaar=2025, receipts=receipts)
    assert scan.results.loc[0, "zorgtoeslag_status"] == "ontvangt"
    with engine.begin() as conn:
        store_scan(conn, scan, frame, jaar=2025, actor="test", now=T0 + timedelta(days=60))
        after = funnels(conn=conn).money
    assert after["zorgtoeslag"]["aangeboden"] == 1 and after["zorgtoeslag"]["ontvangen"] == 1
    assert after["zorgtoeslag"]["bedrag_per_jaar"] > 0
    assert after["alle"]["aangeboden"] == 2 and after["alle"]["ontvangen"] == 1
    assert after["huurtoeslag"]["ontvangen"] == 0  # still open
    with engine.begin() as conn:
        counted = funnels(conn=conn)
    # the funnel per regulation, per tone of the first message and per ladder as it ran
    assert counted.per_regulation["zorgtoeslag"]["zaken"] == 1
    assert counted.per_regulation["zorgtoeslag"]["ontvangen"] == 1
    assert counted.per_regulation["huurtoeslag"]["ontvangen"] == 0
    assert sum(c["zaken"] for c in counted.per_tone.values()) == 1
    assert "geen bericht" not in counted.per_tone
    assert counted.per_ladder == {
        "brief > telefoon": {"zaken": 1, "bereikt": 0, "geaccepteerd": 0, "geholpen": 0}
    }


def test_a_scan_that_does_not_find_it_received_changes_nothing(engine: Engine) -> None:
    chans = fake_channels()
    with engine.begin() as conn:
        case_id = make_case(conn)
        ladder_step(conn, case_id, chans, T0)
        results = pd.DataFrame(
            [{"household_id": "H1", "zorgtoeslag_status": "recht_niet_ontvangen"}]
        )
        assert record_receipts(conn, results, T0) == 0
        other = pd.DataFrame([{"household_id": "H9", "zorgtoeslag_status": "ontvangt"}])
        assert record_receipts(conn, other, T0) == 0
        assert funnels(conn=conn).money["zorgtoeslag"]["ontvangen"] == 0


def test_retention_keeps_the_money_counts_without_case_or_household(engine: Engine) -> None:
    chans = fake_channels()
    with engine.begin() as conn:
        # a contact worker, so that the case gets its owner with its first message
        add_user(
            conn=conn,
            gebruikersnaam="sanne",
            wachtwoord="een-lang-en-sterk-wachtwoord-2026",
            rol=Rol.CONTACTMEDEWERKER,
            naam="Sanne",
        )
        case_id = make_case(conn)
        ladder_step(conn, case_id, chans, T0)
        register_contact(
            conn=conn,
            case_id=case_id,
            attempt=Contactpoging(
                soort=Contactsoort.TELEFOON,
                datum=T0.date() + timedelta(days=3),
                dagdeel=Dagdeel.MIDDAG,
                bereikt=True,
            ),
        )
        results = pd.DataFrame(
            [
                {
                    "household_id": "H1",
                    "zorgtoeslag_status": "ontvangt",
                    "zorgtoeslag_bedrag_centen": 120000,
                }
            ]
        )
        assert record_receipts(conn, results, T0) == 1
        early_repo.update_case(
            conn,
            case_id,
            eindresultaat=Eindresultaat.DEFINITIEF_GEEN_CONTACT.value,
            einddatum=T0.date(),
        )
        before = funnels(conn=conn)
    assert before.per_regulation["zorgtoeslag"]["ontvangen"] == 1
    assert None not in before.per_worker and len(before.per_worker) == 1
    run_retention(engine=engine, today=T0.date() + timedelta(days=800))
    with engine.begin() as conn:
        rows = conn.execute(select(aanbod_uitkomsten)).all()
        after = funnels(conn=conn)
        money = after.money
        assert conn.scalar(select(func.count()).select_from(cases)) == 0
    # the case is gone; every breakdown still counts it, by the same rules
    for name in BREAKDOWNS:
        assert getattr(after, name) == getattr(before, name), name
    assert after.per_tone["neutraal"]["bereikt"] == 1
    assert rows and all(r.case_id is None and r.household_id is None for r in rows)
    assert money["zorgtoeslag"]["bedrag_per_jaar"] == pytest.approx(1200.0)

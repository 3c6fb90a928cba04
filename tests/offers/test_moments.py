"""Existing contact moments, on SQLite and PostgreSQL: an offer whose next moment of
contact lies within the window waits for it and rides along (the worker sees it on the
case); the day after, the ladder goes on; registered through the CLI, the API and as a
CloudEvent."""

import json
import os
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from conftest import PERSON, fake_channels, ladder_step, make_case, run_cli
from proactief.domain import GeenStap, Kanaal, Moment
from proactief.evaluation.funnel import funnels
from proactief.offers import repository as offers_repo
from proactief.offers.life_events import delivery_hash, events_of_body, intake_events
from proactief.offers.moments import MomentError, next_moment, register_moment
from proactief.offers.outreach import case_offer
from proactief.storage.tables import contactmomenten, messages
from proactief.trust.pseudonyms import Pseudonymizer

T0 = datetime(2026, 4, 10, 9, 0, tzinfo=UTC)


step = ladder_step


def test_the_offer_rides_along_with_a_coming_moment_and_goes_on_after_it(
    engine: Engine,
) -> None:
    chans = fake_channels()
    desk = T0.date() + timedelta(days=10)
    with engine.begin() as conn:
        case_id = make_case(conn)
        register_moment(
            conn, person_pseudonym=PERSON, soort="baliegesprek", datum=desk, door="t", now=T0
        )
        co = case_offer(conn=conn, case_id=case_id, today=T0.date())
        waiting = step(conn, case_id, chans, T0)
        on_the_day = step(conn, case_id, chans, datetime.combine(desk, T0.time(), tzinfo=UTC))
        sent_before = conn.scalar(select(func.count()).select_from(messages))
        after = step(
            conn, case_id, chans, datetime.combine(desk, T0.time(), tzinfo=UTC) + timedelta(days=1)
        )
        taken = offers_repo.outreach_steps_of_case(conn, case_id)
        per_moment = funnels(conn=conn).per_moment
    # the step records that the offer rode along, and the funnel counts it so
    assert [s.moment for s in taken] == ["bij_bestaand_contact"]
    assert per_moment == {
        "bij contact dat er al was": {"zaken": 1, "bereikt": 0, "geaccepteerd": 0, "geholpen": 0}
    }
    assert co.offer.moment is Moment.BIJ_BESTAAND_CONTACT
    assert co.contactmoment is not None and co.contactmoment.datum == desk
    assert waiting.status is GeenStap.WACHT and "een afspraak aan de balie" in waiting.detail
    assert on_the_day.status is GeenStap.WACHT and sent_before == 0
    assert after.status == "afgeleverd" and after.kanaal is Kanaal.BRIEF


def test_a_moment_beyond_the_window_does_not_hold_the_offer(engine: Engine) -> None:
    chans = fake_channels()
    with engine.begin() as conn:
        case_id = make_case(conn)
        register_moment(
            conn,
            person_pseudonym=PERSON,
            soort="bijstand_heronderzoek",
            datum=T0.date() + timedelta(days=40),
            door="t",
            now=T0,
        )
        assert next_moment(conn, PERSON, T0.date()) is None
        first = step(conn, case_id, chans, T0)
        taken = offers_repo.outreach_steps_of_case(conn, case_id)
    assert first.status == "afgeleverd"
    assert [s.moment for s in taken] == ["nu"]


def test_a_moment_must_be_known_and_still_to_come(engine: Engine) -> None:
    with engine.begin() as conn:
        with pytest.raises(MomentError, match="kies uit"):
            register_moment(
                conn, person_pseudonym=PERSON, soort="kermis", datum=T0.date(), door="t", now=T0
            )
        with pytest.raises(MomentError, match="verleden"):
            register_moment(
                conn,
                person_pseudonym=PERSON,
                soort="baliegesprek",
                datum=T0.date() - timedelta(days=1),
                door="t",
                now=T0,
            )


def test_a_system_registers_a_moment_as_a_cloudevent_once(
    engine: Engine, pseudonymizer: Pseudonymizer
) -> None:
    bsn = "111222333"
    event = {
        "specversion": "1.0",
        "id": "kw-1",
        "source": "urn:gemeente:belastingen",
        "type": "nl.gemeente.contactmoment",
        "subject": bsn,
        "data": {"datum": str(T0.date() + timedelta(days=5)), "soort": "kwijtschelding_aanvraag"},
    }
    wrong = {**event, "id": "kw-2", "data": {"datum": str(T0.date()), "soort": "kermis"}}
    body = json.dumps([event, event, wrong]).encode()
    with engine.begin() as conn:
        result = intake_events(
            conn,
            events_of_body(body),
            naam="momenten.json",
            sha256=delivery_hash(body),
            pseudonymizer=pseudonymizer,
            now=T0,
            actor="t",
        )
        found = next_moment(conn, pseudonymizer.for_bsn(bsn), T0.date())
        count = conn.scalar(select(func.count()).select_from(contactmomenten))
    assert (result.opgeslagen, result.dubbel, result.quarantaine) == (1, 1, 1)
    assert "data.soort" in result.redenen[0][1]
    assert count == 1 and found is not None and found.soort == "kwijtschelding_aanvraag"


def test_a_worker_registers_a_moment_from_the_command_line(tmp_path: Path) -> None:
    from conftest import TODAY, ddas_document, signal

    env = dict(os.environ, PROACTIEF_DATA_DIR=str(tmp_path / "d"), COLUMNS="200")
    env.pop("PROACTIEF_DATABASE_URL", None)
    (tmp_path / "s.json").write_text(json.dumps(ddas_document([signal(ID="A")])))
    assert (
        run_cli(["intake", str(tmp_path / "s.json"), "--today", TODAY.isoformat()], env).returncode
        == 0
    )
    assert run_cli(["cases", "match", "--datum", TODAY.isoformat()], env).returncode == 0
    # 'offer explain' decides on the real today: the moment is a week from it
    day = (date.today() + timedelta(days=7)).isoformat()
    args = ["moment", "add", "--zaak", "1", "--soort", "baliegesprek", "--op", day]
    done = run_cli(args, env)
    assert done.returncode == 0 and "geregistreerd" in done.stdout, done.stderr
    unknown = run_cli(["moment", "add", "--zaak", "1", "--soort", "kermis", "--op", day], env)
    assert unknown.returncode == 2 and "kies uit" in unknown.stderr
    explained = run_cli(["offer", "explain", "1", "--json"], env)
    assert json.loads(explained.stdout)["moment"] == "bij_bestaand_contact", explained.stdout

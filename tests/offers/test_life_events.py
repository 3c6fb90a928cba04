"""Life events as triggers, on SQLite and PostgreSQL: CloudEvents read by the SDK, each
event stored once, duplicate, or quarantined with its reason; the offer waits for its
moment and goes through the same engine and door; a death stops every ladder and never
leads to an offer."""

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, select

from conftest import fake_channels, ladder_step
from proactief.domain import Kanaal
from proactief.entitlements import repository as entitlements_repo
from proactief.offers.life_events import (
    delivery_hash,
    events_of_body,
    intake_events,
    run_due_events,
)
from proactief.offers.outreach import run_next_step
from proactief.sources.contactgegevens import FakeContactDirectory
from proactief.storage.tables import cases, levensgebeurtenissen, messages, quarantine
from proactief.trust.consent import current_state
from proactief.trust.pseudonyms import Pseudonymizer

PARENT, WIDOW, MOVER = "111222333", "123456782", "999990019"
BIRTH_DAY = date(2026, 10, 1)
NOW = datetime(2026, 10, 5, 9, 0, tzinfo=UTC)


def ce(type_: str, subject: str, day: object, event_id: str, **extra: Any) -> dict[str, Any]:
    return {
        "specversion": "1.0",
        "id": event_id,
        "source": "urn:gemeente:brp-gebeurtenissen",
        "type": type_,
        "subject": subject,
        "datacontenttype": "application/json",
        "data": {"datum": str(day)},
        **extra,
    }


def setup(conn: Any, pseudonymizer: Pseudonymizer) -> None:
    """The parent's household misses kindgebonden budget; the mover's misses nothing."""
    homes = [("H1", PARENT), ("H2", WIDOW), ("H3", MOVER)]
    entitlements_repo.insert_population(
        conn,
        [
            {
                "household_id": h,
                "postcode": "9999ZZ",
                "huisnummer": str(i),
                "huishoudtype": "paar_met_kinderen",
                "woonsituatie": "sociale huur",
                "inkomen_per_jaar": 24000,
                "aantal_personen": 3,
            }
            for i, (h, _bsn) in enumerate(homes, start=1)
        ],
        [
            {
                "person_pseudonym": pseudonymizer.for_bsn(bsn),
                "household_id": h,
                "geslacht": "Vrouw",
                "geboortedatum": date(1990, 1, 1),
            }
            for h, bsn in homes
        ],
    )
    rows = [
        ("H1", "kindgebonden_budget", "recht_niet_ontvangen", 250000),
        ("H2", "kindgebonden_budget", "recht_niet_ontvangen", 100000),
        ("H3", "kwijtschelding", "geen_recht", None),
    ]
    entitlements_repo.replace_entitlements(
        conn,
        2026,
        [
            {
                "household_id": h,
                "jaar": 2026,
                "regeling": r,
                "status": status,
                "bedrag_centen": cents,
                "regels_hash": "h",
            }
            for h, r, status, cents in rows
        ],
    )


def take_in(conn: Any, pseudonymizer: Pseudonymizer, events: list[Any], now: datetime) -> Any:
    body = json.dumps(events).encode()
    return intake_events(
        conn,
        events_of_body(body),
        naam="gebeurtenissen.json",
        sha256=delivery_hash(body),
        pseudonymizer=pseudonymizer,
        now=now,
        actor="test",
    )


def test_every_event_is_stored_once_or_quarantined_with_its_reason(
    engine: Engine, pseudonymizer: Pseudonymizer
) -> None:
    events = [
        ce("nl.brp.geboorte", PARENT, BIRTH_DAY, "e1"),
        ce("nl.brp.geboorte", PARENT, BIRTH_DAY, "e1"),  # delivered twice
        ce("nl.brp.geboorte", "111222334", BIRTH_DAY, "e2"),  # fails the elfproef
        ce("nl.brp.trouwen", PARENT, BIRTH_DAY, "e3"),  # unknown kind
        ce("nl.brp.verhuizing", MOVER, "gisteren", "e4"),  # no date
        ce("nl.inkomen.daling", MOVER, BIRTH_DAY, "e5"),  # no legal basis configured
        ce("nl.brp.verhuizing", MOVER, NOW.date() + timedelta(days=3), "e6"),  # future
        {"specversion": "1.0", "type": "nl.brp.geboorte"},  # no id, no source
        "not an object",
        ce("nl.brp.verhuizing", MOVER, BIRTH_DAY, "e7"),
    ]
    with engine.begin() as conn:
        setup(conn, pseudonymizer)
        first = take_in(conn, pseudonymizer, events, NOW)
        again = take_in(conn, pseudonymizer, events, NOW)
        stored = conn.execute(select(levensgebeurtenissen)).all()
        held = conn.execute(select(quarantine.c.position, quarantine.c.raw)).all()
    assert (first.ontvangen, first.opgeslagen, first.dubbel, first.quarantaine) == (10, 2, 1, 7)
    assert first.opgeslagen + first.dubbel + first.quarantaine == first.ontvangen
    # the same delivery again: nothing new, nothing lost
    assert (again.opgeslagen, again.dubbel, again.quarantaine) == (0, 10, 0)
    assert len(stored) == 2 and len(held) == 7
    reasons = dict(first.redenen)
    assert "elfproef" in reasons["gebeurtenis 3"]
    assert "onbekende soort" in reasons["gebeurtenis 4"]
    assert "data.datum" in reasons["gebeurtenis 5"]
    assert "geen grondslag" in reasons["gebeurtenis 6"]
    assert "toekomst" in reasons["gebeurtenis 7"]
    assert "CloudEvent" in reasons["gebeurtenis 8"] and "CloudEvent" in reasons["gebeurtenis 9"]
    # a valid BSN is kept in quarantine only as its pseudonym
    assert not any(MOVER in raw or PARENT in raw for _, raw in held)


def test_the_offer_waits_for_its_moment_and_says_what_happened(
    engine: Engine, pseudonymizer: Pseudonymizer
) -> None:
    chans = fake_channels()
    with engine.begin() as conn:
        setup(conn, pseudonymizer)
        take_in(
            conn,
            pseudonymizer,
            [
                ce("nl.brp.geboorte", PARENT, BIRTH_DAY, "b1"),
                ce("nl.brp.verhuizing", MOVER, BIRTH_DAY, "m1"),
            ],
            NOW,
        )
        early = run_due_events(conn, now=NOW + timedelta(days=10), actor="test")
        moment = datetime.combine(BIRTH_DAY + timedelta(days=42), NOW.time(), tzinfo=UTC)
        due = run_due_events(conn, now=moment, actor="test")
        (case_id,) = due.zaken
        case = conn.execute(select(cases).where(cases.c.id == case_id)).one()
        step = ladder_step(conn, case_id, chans, moment)
    assert early.zaken == []  # not in the first weeks after a birth
    assert case.gebeurtenis == "nl.brp.geboorte"
    assert case.person_pseudonym == pseudonymizer.for_bsn(PARENT)
    # the move came due after 14 days, but the scan finds no money for that household
    assert sum(due.geen_aanbod.values()) == 0 and sum(early.geen_aanbod.values()) == 1
    assert step.status == "afgeleverd" and step.kanaal is Kanaal.BRIEF
    letter = chans[Kanaal.BRIEF].sent[0].html
    assert (
        "Wij kregen van de Basisregistratie Personen (BRP) bericht dat er een kind is geboren"
        in letter
    )
    assert "2.500" in letter and "CBS" not in letter
    # what is kept beyond the case, and how long: retention deletes the event after the
    # scan's period (test_retention_deletes_life_event_cases_events_and_moments)
    flat = " ".join(chans[Kanaal.BRIEF].sent[0].tekst.split())
    assert (
        "Wat de Basisregistratie Personen (BRP) ons liet weten over wat er gebeurde, bewaren "
        "wij tot 365 dagen nadat wij het kregen." in flat
    )
    assert "Uw keuzes, zoals dat u geen berichten meer wilt, bewaren wij langer." in flat


def test_an_event_after_its_last_day_leads_to_no_offer(
    engine: Engine, pseudonymizer: Pseudonymizer
) -> None:
    with engine.begin() as conn:
        setup(conn, pseudonymizer)
        late = take_in(
            conn,
            pseudonymizer,
            [ce("nl.brp.geboorte", PARENT, BIRTH_DAY - timedelta(days=400), "old")],
            NOW,
        )
        run = run_due_events(conn, now=NOW, actor="test")
        status = conn.scalar(select(levensgebeurtenissen.c.status))
    assert late.opgeslagen == 1 and status == "geen_aanbod" and run.zaken == []


def test_a_death_stops_every_ladder_and_never_leads_to_an_offer(
    engine: Engine, pseudonymizer: Pseudonymizer
) -> None:
    chans = fake_channels()
    widow = pseudonymizer.for_bsn(WIDOW)
    with engine.begin() as conn:
        setup(conn, pseudonymizer)
        # a birth in the household whose moment came: a case and its first letter
        take_in(conn, pseudonymizer, [ce("nl.brp.geboorte", WIDOW, BIRTH_DAY, "w1")], NOW)
        moment = datetime.combine(BIRTH_DAY + timedelta(days=42), NOW.time(), tzinfo=UTC)
        (case_id,) = run_due_events(conn, now=moment, actor="test").zaken
        first = ladder_step(conn, case_id, chans, moment)
        # another event waits; then the BRP reports the death
        take_in(conn, pseudonymizer, [ce("nl.brp.verhuizing", WIDOW, moment.date(), "w2")], moment)
        died = take_in(
            conn, pseudonymizer, [ce("nl.brp.overlijden", WIDOW, moment.date(), "w3")], moment
        )
        later = moment + timedelta(days=30)
        after = run_next_step(
            conn=conn,
            case_id=case_id,
            channels=chans,
            directory=FakeContactDirectory(),
            now=later,
        )
        run = run_due_events(conn, now=later, actor="test")
        statuses = dict(
            conn.execute(
                select(levensgebeurtenissen.c.event_id, levensgebeurtenissen.c.status)
            ).all()
        )
        sent = conn.execute(
            select(messages.c.id).where(
                messages.c.person_pseudonym == widow, messages.c.status == "verzonden"
            )
        ).all()
        dead = current_state(conn=conn, person_pseudonym=widow).overleden
    assert first.status == "afgeleverd" and died.overlijdens == 1 and dead
    assert after.status == "geen_contact"  # the ladder stopped
    assert statuses == {"w1": "aanbod", "w2": "gestopt", "w3": "verwerkt"}
    assert run.zaken == [] and len(sent) == 1  # only the letter before the death


def test_events_over_http_in_both_cloudevents_modes(
    engine: Engine, pseudonymizer: Pseudonymizer
) -> None:
    """POST /api/v1/gebeurtenissen: the source's bearer token, structured and binary mode
    (made by the SDK, as a sender would), and the reasons of a refused event."""
    from cloudevents.core.bindings.http import to_binary
    from cloudevents.core.formats.json import JSONFormat
    from cloudevents.core.v1.event import CloudEvent

    from conftest import https_client
    from proactief.web.app import create_app

    with engine.begin() as conn:
        setup(conn, pseudonymizer)
    app = create_app(
        engine=engine,
        secret_key=b"a" * 32,
        gebeurtenissen_token="geheim-van-de-brp",
        pseudonymizer=pseudonymizer,
    )
    client = https_client(app)
    auth = {"Authorization": "Bearer geheim-van-de-brp"}
    structured = ce("nl.brp.geboorte", PARENT, BIRTH_DAY, "h1")
    url = "/api/v1/gebeurtenissen"
    refused = client.post(url, json=structured, headers={"Authorization": "Bearer fout"})
    assert refused.status_code == 401
    assert client.post(url, json=structured).status_code == 401
    first = client.post(
        url,
        content=json.dumps(structured),
        headers=auth | {"Content-Type": "application/cloudevents+json"},
    )
    assert first.status_code == 202 and first.json()["opgeslagen"] == 1
    again = client.post(url, json=structured, headers=auth)
    assert again.status_code == 202 and again.json()["dubbel"] == 1
    binary = to_binary(
        CloudEvent(
            attributes={
                "id": "h2",
                "source": "urn:gemeente:brp-gebeurtenissen",
                "type": "nl.brp.verhuizing",
                "subject": MOVER,
                "datacontenttype": "application/json",
            },
            data={"datum": str(BIRTH_DAY)},
        ),
        JSONFormat(),
    )
    moved = client.post(url, content=binary.body, headers=auth | dict(binary.headers))
    assert moved.status_code == 202 and moved.json()["opgeslagen"] == 1, moved.text
    bad = client.post(url, json=ce("nl.brp.geboorte", "123", BIRTH_DAY, "h3"), headers=auth)
    assert bad.status_code == 422 and "elfproef" in bad.json()["redenen"][0]
    # more than 1 MB is refused: by its declared length, and (sent in chunks, without
    # one) as soon as the stream passes the limit
    big = b"[" + b" " * 1_000_001 + b"]"
    assert client.post(url, content=big, headers=auth).status_code == 413

    def chunks() -> Any:
        for _ in range(20):
            yield b" " * 100_000

    streamed = client.post(url, content=chunks(), headers=auth)
    assert streamed.status_code == 413 and "1 MB" in streamed.text
    with engine.begin() as conn:
        kinds = sorted(conn.execute(select(levensgebeurtenissen.c.soort)).scalars())
        held = conn.execute(select(quarantine.c.reason_nl)).scalars().all()
    assert kinds == ["nl.brp.geboorte", "nl.brp.verhuizing"] and len(held) == 1


def test_retention_deletes_life_event_cases_events_and_moments(
    engine: Engine, pseudonymizer: Pseudonymizer
) -> None:
    from proactief.domain import Eindresultaat
    from proactief.early_detection import repository as early_repo
    from proactief.offers.moments import register_moment
    from proactief.storage.tables import contactmomenten
    from proactief.trust.retention import run_retention

    with engine.begin() as conn:
        setup(conn, pseudonymizer)
        take_in(conn, pseudonymizer, [ce("nl.brp.geboorte", PARENT, BIRTH_DAY, "r1")], NOW)
        moment = datetime.combine(BIRTH_DAY + timedelta(days=42), NOW.time(), tzinfo=UTC)
        (case_id,) = run_due_events(conn, now=moment, actor="test").zaken
        register_moment(
            conn,
            person_pseudonym=pseudonymizer.for_bsn(PARENT),
            soort="baliegesprek",
            datum=moment.date(),
            door="t",
            now=moment,
        )
        early_repo.update_case(
            conn,
            case_id,
            eindresultaat=Eindresultaat.DEFINITIEF_GEEN_CONTACT.value,
            einddatum=moment.date(),
        )
    result = run_retention(engine=engine, today=moment.date() + timedelta(days=800))
    with engine.begin() as conn:
        assert conn.scalar(select(cases.c.id).where(cases.c.id == case_id)) is None
        assert conn.execute(select(levensgebeurtenissen)).all() == []
        assert conn.execute(select(contactmomenten)).all() == []
    assert result.deleted["levensgebeurtenissen"] == 2

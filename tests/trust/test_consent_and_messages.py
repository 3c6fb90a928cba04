"""Preferences as events, opt-out enforced when sending, 'why did I get this', audit chain."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, update

from proactief.domain import Berichtsoort, EventSoort, Kanaal, Wijze
from proactief.storage.db import create_db_engine, migrate
from proactief.storage.tables import audit_log
from proactief.trust import repository as trust_repo
from proactief.trust.audit import append_audit, verify_audit
from proactief.trust.consent import current_state, events_of, record_event
from proactief.trust.messaging import Aanleiding, send_message, why_message

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
AANLEIDING = Aanleiding(
    soort="vroegsignaal",
    omschrijving="een bericht over een betalingsachterstand",
    organisatie="uw zorgverzekeraar",
    signal_id="ZV-1",
)


def send(conn: Any, person: str, kanaal: Kanaal = Kanaal.EMAIL, when: datetime = T0) -> Any:
    return send_message(
        conn=conn,
        person_pseudonym=person,
        soort=Berichtsoort.VROEGSIGNAAL,
        kanaal=kanaal,
        aanleiding=AANLEIDING,
        grondslag="Wet gemeentelijke schuldhulpverlening, art. 3a",
        selectieregel="elk vroegsignaal krijgt een aanbod (Wgs)",
        now=when,
    )


def test_state_is_derived_from_events_and_nothing_is_overwritten(engine: Engine) -> None:
    with engine.begin() as conn:
        record_event(
            conn=conn,
            person_pseudonym="p",
            soort=EventSoort.KANALEN,
            waarde="telefoon,brief",
            wijze=Wijze.WEB,
            door="inwoner",
            now=T0,
        )
        record_event(
            conn=conn,
            person_pseudonym="p",
            soort=EventSoort.ELEKTRONISCH_AKKOORD,
            waarde="regeling",
            wijze=Wijze.BALIE,
            door="medewerker:balie",
            now=T0 + timedelta(minutes=1),
        )
        state = record_event(
            conn=conn,
            person_pseudonym="p",
            soort=EventSoort.KANALEN,
            waarde="email",
            wijze=Wijze.TELEFOON,
            door="inwoner",
            now=T0 + timedelta(minutes=2),
        )
        events = events_of(conn=conn, person_pseudonym="p")
    assert state.kanalen == (Kanaal.EMAIL,)
    assert state.elektronisch == {Berichtsoort.REGELING}
    assert [e.waarde for e in events] == ["telefoon,brief", "regeling", "email"]
    assert [e.wijze for e in events] == [Wijze.WEB, Wijze.BALIE, Wijze.TELEFOON]


def test_opted_out_person_gets_nothing_and_can_opt_back_in(engine: Engine) -> None:
    with engine.begin() as conn:
        record_event(
            conn=conn,
            person_pseudonym="p",
            soort=EventSoort.NIET_BENADEREN,
            wijze=Wijze.BRIEF,
            door="inwoner",
            now=T0,
        )
        blocked = send(conn, "p", when=T0 + timedelta(hours=1))
        record_event(
            conn=conn,
            person_pseudonym="p",
            soort=EventSoort.WEER_BENADEREN,
            wijze=Wijze.WEB,
            door="inwoner",
            now=T0 + timedelta(hours=2),
        )
        sent = send(conn, "p", when=T0 + timedelta(hours=3))
    assert blocked.status == "geblokkeerd"
    assert sent.status == "verzonden"


def test_electronic_only_with_agreement_and_representative_receives(engine: Engine) -> None:
    with engine.begin() as conn:
        without = send(conn, "a", Kanaal.EMAIL)
        record_event(
            conn=conn,
            person_pseudonym="b",
            soort=EventSoort.ELEKTRONISCH_AKKOORD,
            waarde="vroegsignaal",
            wijze=Wijze.WEB,
            door="inwoner",
            now=T0,
        )
        record_event(
            conn=conn,
            person_pseudonym="b",
            soort=EventSoort.VERTEGENWOORDIGER,
            waarde="bewindvoerder:Kantoor Jansen",
            wijze=Wijze.BRIEF,
            door="medewerker:vroegsignalering",
            now=T0,
        )
        agreed = send(conn, "b", Kanaal.EMAIL, when=T0 + timedelta(minutes=1))
    assert without.kanaal is Kanaal.BRIEF and "Wmebv" in without.reden_kanaal
    assert agreed.kanaal is Kanaal.EMAIL
    assert agreed.ontvanger == "bewindvoerder:Kantoor Jansen"


def test_why_did_i_get_this(engine: Engine) -> None:
    with engine.begin() as conn:
        message = send(conn, "p")
        why = why_message(conn=conn, message_id=message.message_id)
    assert "betalingsachterstand" in why["waarom"] and "zorgverzekeraar" in why["waarom"]
    assert why["grondslag"].startswith("Wet gemeentelijke schuldhulpverlening")
    assert "elk vroegsignaal" in why["selectieregel"]
    assert any("geen berichten meer" in k for k in why["uw_keuzes"])
    assert any("niet verplicht" in k for k in why["uw_keuzes"])
    # no promise the ladder breaks: what happens next is in the message's own account
    assert not any("gebeurt er niets" in k for k in why["uw_keuzes"])


def test_audit_chain_detects_a_changed_and_a_removed_entry(engine: Engine) -> None:
    with engine.begin() as conn:
        for i in range(5):
            append_audit(
                conn,
                actor="systeem",
                actie="lees",
                doel="vroegsignalering",
                gegevens="signals",
                subject=f"p{i}",
                now=T0 + timedelta(minutes=i),
            )
        assert verify_audit(conn) == (5, [])
    with engine.begin() as conn:
        conn.execute(update(audit_log).where(audit_log.c.id == 3).values(subject="p99"))
    with engine.connect() as conn:
        count, problems = verify_audit(conn)
    assert count == 5 and [p.entry for p in problems] == [3]
    with engine.begin() as conn:
        conn.execute(audit_log.delete().where(audit_log.c.id == 3))
    with engine.connect() as conn:
        _, problems = verify_audit(conn)
    assert problems and problems[0].entry == 4


OPERATIONS = st.lists(
    st.tuples(
        st.sampled_from(["signaal", "aanbod", "voorkeur", "opt_out", "opt_in"]),
        st.sampled_from(["p1", "p2", "p3"]),
        st.sampled_from(list(Kanaal)),
    ),
    max_size=25,
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(OPERATIONS)
def test_no_message_ever_reaches_an_opted_out_person(
    operations: list[tuple[str, str, Kanaal]],
) -> None:
    """For any sequence of signals, offers, preference changes and opt-outs."""
    engine = create_db_engine("sqlite://")
    migrate(engine)
    opted_out: set[str] = set()
    when = T0
    with engine.begin() as conn:
        for kind, person, kanaal in operations:
            when += timedelta(minutes=1)
            if kind == "signaal":
                continue  # a signal alone never sends anything
            if kind == "voorkeur":
                record_event(
                    conn=conn,
                    person_pseudonym=person,
                    soort=EventSoort.KANALEN,
                    waarde=kanaal.value,
                    wijze=Wijze.WEB,
                    door="inwoner",
                    now=when,
                )
            elif kind == "opt_out":
                record_event(
                    conn=conn,
                    person_pseudonym=person,
                    soort=EventSoort.NIET_BENADEREN,
                    wijze=Wijze.WEB,
                    door="inwoner",
                    now=when,
                )
                opted_out.add(person)
            elif kind == "opt_in":
                record_event(
                    conn=conn,
                    person_pseudonym=person,
                    soort=EventSoort.WEER_BENADEREN,
                    wijze=Wijze.WEB,
                    door="inwoner",
                    now=when,
                )
                opted_out.discard(person)
            else:
                message = send(conn, person, kanaal, when)
                assert (message.status == "verzonden") == (person not in opted_out)
        for row in trust_repo.message_rows(conn, status="verzonden"):
            state_then = [
                e
                for e in events_of(conn=conn, person_pseudonym=row.person_pseudonym)
                if e.tijdstip <= row.tijdstip.replace(tzinfo=UTC)
            ]
            from proactief.domain import fold_events

            assert fold_events(state_then).may_contact()
        assert verify_audit(conn)[1] == []
    engine.dispose()


def test_current_state_reads_in_the_same_transaction(engine: Engine) -> None:
    """An opt-out recorded earlier in the same transaction blocks at once."""
    with engine.begin() as conn:
        record_event(
            conn=conn,
            person_pseudonym="p",
            soort=EventSoort.NIET_BENADEREN,
            wijze=Wijze.TELEFOON,
            door="medewerker:klantcontact",
            now=T0,
        )
        assert not current_state(conn=conn, person_pseudonym="p").may_contact()
        assert send(conn, "p", when=T0 + timedelta(seconds=1)).status == "geblokkeerd"


@pytest.mark.parametrize("soort", list(EventSoort))
def test_every_event_kind_is_understood(engine: Engine, soort: EventSoort) -> None:
    waarde = {
        "kanalen": "brief",
        "elektronisch_akkoord": "regeling",
        "elektronisch_ingetrokken": "regeling",
        "dagdeel": "Ochtend",
    }.get(soort.value, "x")
    with engine.begin() as conn:
        state = record_event(
            conn=conn,
            person_pseudonym="p",
            soort=soort,
            waarde=waarde,
            wijze=Wijze.WEB,
            door="inwoner",
            now=T0,
        )
    assert state.laatste_wijziging is not None

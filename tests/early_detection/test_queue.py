"""The work queue in the database: paging, sorting on every column, search (audited),
filters, the derived status and next action, on SQLite and PostgreSQL."""

import sys
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, func, select

from conftest import VALID_BSNS, WEB_PASSWORD, add_queue_case
from proactief.accounts.users import Rol, add_user
from proactief.domain import Contactpoging, Contactsoort, Eindresultaat
from proactief.early_detection import repository as early_repo
from proactief.early_detection.caselog import FollowUpError, add_note, set_follow_up, timeline
from proactief.early_detection.contacts import accept_help, close_case, register_contact
from proactief.early_detection.owners import assign_owner, assign_owners
from proactief.early_detection.queue import (
    QueueFilter,
    Sortering,
    ZaakStatus,
    next_action_label,
    queue_page,
    queue_row,
    stale_queue_fields,
)
from proactief.offers import repository as offers_repo
from proactief.storage.tables import (
    audit_log,
    case_log,
    cases,
)
from proactief.trust import repository as trust_repo

TODAY = date.today()


@pytest.fixture(autouse=True)
def _today(monkeypatch: pytest.MonkeyPatch) -> None:
    """The suite may run across midnight; the helpers and the queue read date.today() when
    they run, so each test's TODAY is the day the test runs, not the day it was imported."""
    monkeypatch.setattr(sys.modules[__name__], "TODAY", date.today())


def ids(page: Any) -> list[int]:
    return [r.case_id for r in page.rows]


def test_paging_returns_every_open_case_once_in_the_default_order(engine: Engine) -> None:
    with engine.begin() as conn:
        made = [add_queue_case(conn, n, priority=n % 7, days_ago=n % 11) for n in range(57)]
        closed = add_queue_case(
            conn,
            99,
            priority=50,
            eindresultaat=Eindresultaat.DEFINITIEF_GEEN_CONTACT.value,
            einddatum=TODAY,
        )
    seen: list[int] = []
    with engine.begin() as conn:
        for pagina in (1, 2, 3):
            page = queue_page(conn, QueueFilter(pagina=pagina, per_pagina=25), actor="t")
            assert page.total == 57 and page.pages == 3
            seen += ids(page)
        # a page past the end shows the last page, not an empty one
        assert queue_page(conn, QueueFilter(pagina=9, per_pagina=25), actor="t").pagina == 3
    assert sorted(seen) == sorted(made) and closed not in seen
    rows = {c: (n % 7, TODAY - timedelta(days=n % 11)) for n, c in enumerate(made)}
    # highest priority first, then the oldest case number
    assert seen == sorted(made, key=lambda c: (-rows[c][0], c))


def test_every_column_sorts_both_ways(engine: Engine) -> None:
    with engine.begin() as conn:
        a = add_queue_case(conn, 1, priority=5, days_ago=3)
        b = add_queue_case(conn, 2, priority=9, days_ago=20)
        c = add_queue_case(conn, 3, priority=1, days_ago=8)
        user = add_user(conn=conn, gebruikersnaam="w", wachtwoord=WEB_PASSWORD, rol=Rol.TEAMLEIDER)
        conn.execute(cases.update().where(cases.c.id == c).values(eigenaar_id=user.id))
        register_contact(
            conn=conn,
            case_id=b,
            attempt=Contactpoging(Contactsoort.TELEFOON, TODAY, None, True),
            actor="t",
        )
        set_follow_up(conn, case_id=a, door="t", datum=TODAY, wat="bellen", today=TODAY)
        # (ascending, descending); ties go by the default order (priority, then number)
        expected = {
            Sortering.ZAAK: ([a, b, c], [c, b, a]),
            Sortering.PRIORITEIT: ([c, a, b], [b, a, c]),
            Sortering.SIGNAAL: ([b, c, a], [a, c, b]),
            Sortering.STATUS: ([b, a, c], [a, c, b]),
            # the empty ones stay last both ways
            Sortering.EIGENAAR: ([c, b, a], [c, b, a]),
            # b was reached: no ladder date; c is new: due since its matching date
            Sortering.ACTIE: ([c, a, b], [a, c, b]),
        }
        for key, (up, down) in expected.items():
            asc = QueueFilter(sortering=key, aflopend=False)
            desc = QueueFilter(sortering=key, aflopend=True)
            assert ids(queue_page(conn, asc, actor="t")) == up, key
            assert ids(queue_page(conn, desc, actor="t")) == down, key


def test_status_and_next_action_follow_what_happened(engine: Engine) -> None:
    with engine.begin() as conn:
        case_id = add_queue_case(conn, 1, days_ago=5)
        row = queue_row(conn, case_id)
        assert row is not None and row.status is ZaakStatus.NIEUW
        assert row.next_action == TODAY - timedelta(days=5)
        assert next_action_label(row) == "Eerste bericht van de contactladder"
        # the ladder sent a letter; its next step is due in 7 days
        offers_repo.insert_outreach_step(
            conn,
            {
                "case_id": case_id,
                "stap": 0,
                "kanaal": "brief",
                "tijdstip": datetime.now(UTC),
                "status": "afgeleverd",
                "detail": "",
                "toon": "neutraal",
            },
        )
        early_repo.update_case(conn, case_id, volgende_stap_datum=TODAY + timedelta(days=7))
        row = queue_row(conn, case_id)
        assert row is not None and row.status is ZaakStatus.BENADERD
        assert row.next_action == TODAY + timedelta(days=7)
        # the worker's own follow-up comes first when it is earlier
        set_follow_up(
            conn,
            case_id=case_id,
            door="t",
            datum=TODAY + timedelta(days=2),
            wat="Terugbellen",
            today=TODAY,
        )
        row = queue_row(conn, case_id)
        assert row is not None and row.next_action == TODAY + timedelta(days=2)
        assert next_action_label(row) == "Terugbellen"
        # an open call task of the ladder is due today
        task = offers_repo.insert_outreach_step(
            conn,
            {
                "case_id": case_id,
                "stap": 1,
                "kanaal": "telefoon",
                "tijdstip": datetime.now(UTC),
                "status": "taak_open",
                "detail": "",
                "toon": "neutraal",
            },
        )
        row = queue_row(conn, case_id)
        assert row is not None and row.next_action == datetime.now(UTC).date()
        assert next_action_label(row).startswith("Taak van de contactladder")
        # 'vandaag te doen' holds it
        due = queue_page(conn, QueueFilter(actie_tot=TODAY + timedelta(days=1)), actor="t")
        assert ids(due) == [case_id]
        # reached: the ladder stops; only the follow-up is left
        offers_repo.update_outreach_step(conn, task, status="taak_afgerond")
        register_contact(
            conn=conn,
            case_id=case_id,
            attempt=Contactpoging(Contactsoort.TELEFOON, TODAY, None, True),
            actor="t",
        )
        row = queue_row(conn, case_id)
        assert row is not None and row.status is ZaakStatus.BEREIKT
        assert row.next_action == TODAY + timedelta(days=2)
        accept_help(conn=conn, case_id=case_id, datum=TODAY, actor="t")
        set_follow_up(conn, case_id=case_id, door="t", datum=None, wat="", today=TODAY)
        row = queue_row(conn, case_id)
        assert row is not None and row.status is ZaakStatus.HULP_AANGENOMEN
        assert row.next_action is None
        assert ids(queue_page(conn, QueueFilter(actie_tot=TODAY), actor="t")) == []
        # every step above kept the stored fields equal to what the data says
        assert stale_queue_fields(conn) == []


def test_search_by_case_bsn_and_address_is_audited(engine: Engine) -> None:
    with engine.begin() as conn:
        one = add_queue_case(conn, 1, bsn=VALID_BSNS[1], postcode="1234AB", huisnummer="12")
        two = add_queue_case(conn, 2, bsn=VALID_BSNS[2], postcode="1234AC", huisnummer="3")
        assert ids(queue_page(conn, QueueFilter(zoek=str(two)), actor="t")) == [two]
        assert ids(queue_page(conn, QueueFilter(zoek=f"zaak {one}"), actor="t")) == [one]
        before = conn.execute(select(audit_log.c.id)).all()
        found = queue_page(conn, QueueFilter(zoek=VALID_BSNS[1]), actor="medewerker:anna")
        assert ids(found) == [one]
        assert ids(queue_page(conn, QueueFilter(zoek="1234 ab 12"), actor="t")) == [one]
        assert ids(queue_page(conn, QueueFilter(zoek="1234AC-3"), actor="t")) == [two]
        entries = conn.execute(
            select(audit_log.c.actor, audit_log.c.doel, audit_log.c.subject).where(
                audit_log.c.id > max((r[0] for r in before), default=0)
            )
        ).all()
        # the search, and whom it found
        assert ("medewerker:anna", "zaak_zoeken", None) in entries
        assert ("medewerker:anna", "zaak_zoeken", "q1") in entries
        bad = queue_page(conn, QueueFilter(zoek="Jansen"), actor="t")
        assert bad.rows == [] and bad.zoekfout and "Zoek op een zaaknummer" in bad.zoekfout


def test_filters_owner_partner_crisis_wijk_age(engine: Engine) -> None:
    with engine.begin() as conn:
        anna = add_user(
            conn=conn, gebruikersnaam="anna", wachtwoord=WEB_PASSWORD, rol=Rol.TEAMLEIDER
        )
        a = add_queue_case(conn, 1, partner="Huur", crisis=True, postcode="1234AB", huisnummer="1")
        b = add_queue_case(conn, 2, partner="Zorg", days_ago=40, postcode="5678CD", huisnummer="2")
        c = add_queue_case(conn, 3, partner="Energie", days_ago=2)
        assign_owner(conn=conn, case_id=b, gebruikersnaam="anna", actor="t")

        def q(**kw: Any) -> list[int]:
            return sorted(ids(queue_page(conn, QueueFilter(**kw), actor="t")))

        assert q(eigenaar=anna.id) == [b]
        assert q(zonder_eigenaar=True) == [a, c]
        assert q(partner="Huur") == [a]
        assert q(crisis=True) == [a]
        assert q(wijk="5678") == [b]
        assert q(ouder_dan_dagen=30) == [b]
        assert q(status=ZaakStatus.NIEUW) == [a, b, c]


def test_bulk_assignment_says_what_was_already_so_and_logs_each_change(engine: Engine) -> None:
    with engine.begin() as conn:
        add_user(
            conn=conn, gebruikersnaam="anna", wachtwoord=WEB_PASSWORD, rol=Rol.CONTACTMEDEWERKER
        )
        made = [add_queue_case(conn, n) for n in range(3)]
        assert assign_owners(
            conn=conn, case_ids=made[:2], gebruikersnaam="anna", actor="medewerker:lead"
        ) == (2, 0)
        assert assign_owners(
            conn=conn, case_ids=made, gebruikersnaam="anna", actor="medewerker:lead"
        ) == (1, 2)
        lines = conn.execute(
            select(case_log.c.case_id, case_log.c.door).where(case_log.c.soort == "toegewezen")
        ).all()
    assert sorted(lines) == sorted((c, "medewerker:lead") for c in made)


def test_the_case_log_keeps_who_and_when_and_goes_with_the_case(engine: Engine) -> None:
    with engine.begin() as conn:
        case_id = add_queue_case(conn, 1)
        add_note(conn, case_id=case_id, door="medewerker:anna", tekst="Belt na 17 uur terug.")
        with pytest.raises(FollowUpError, match="leeg"):
            add_note(conn, case_id=case_id, door="medewerker:anna", tekst="   ")
        with pytest.raises(FollowUpError, match="toekomst"):
            set_follow_up(
                conn,
                case_id=case_id,
                door="t",
                datum=TODAY - timedelta(days=1),
                wat="x",
                today=TODAY,
            )
        assert set_follow_up(
            conn, case_id=case_id, door="medewerker:anna", datum=TODAY, wat="Bellen", today=TODAY
        )
        # the same again changes nothing and logs nothing
        assert not set_follow_up(
            conn, case_id=case_id, door="medewerker:anna", datum=TODAY, wat="Bellen", today=TODAY
        )
        register_contact(
            conn=conn,
            case_id=case_id,
            attempt=Contactpoging(Contactsoort.TELEFOON, TODAY, None, True),
            actor="medewerker:bert",
        )
        close_case(
            conn=conn,
            case_id=case_id,
            eindresultaat=Eindresultaat.DEFINITIEF_GEEN_CONTACT,
            datum=TODAY,
            actor="medewerker:bert",
        )
        lines = [(e.door, e.soort) for e in timeline(conn, case_id)]
        assert ("medewerker:anna", "Notitie") in lines
        assert lines.count(("medewerker:anna", "Vervolgactie")) == 1
        assert ("medewerker:bert", "Contactpoging") in lines
        assert ("medewerker:bert", "Afgesloten") in lines
        assert ("signaalpartner", "Signaal") in lines
        # closing clears the follow-up: a closed case has no next action
        assert conn.execute(select(cases.c.vervolg_datum)).scalar_one() is None
        counts = trust_repo.delete_cases(conn, [case_id])
        assert counts["case_log"] == 4  # note, follow-up, attempt, closing
        assert conn.execute(select(case_log)).all() == []


def test_a_page_of_the_queue_is_an_audited_read(engine: Engine) -> None:
    with engine.begin() as conn:
        add_queue_case(conn, 1)
        before = conn.execute(select(func.count()).select_from(audit_log)).scalar_one()
        queue_page(conn, QueueFilter(), actor="medewerker:anna")
        entries = conn.execute(
            select(audit_log.c.actor, audit_log.c.doel, audit_log.c.actie).where(
                audit_log.c.id > before
            )
        ).all()
    assert entries == [("medewerker:anna", "vroegsignalering", "lees")]

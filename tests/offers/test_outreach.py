"""From case to contact: the offer with the household's entitlements, the ladder carried
out step by step through the channels, tasks for the contact worker, and the person's
choices honoured at every step. On SQLite and PostgreSQL."""

import email
import email.policy
import re
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine

from conftest import PERSON, fake_channels, ladder_step, make_case
from proactief.accounts.resident_codes import CodeExpiredError, redeem_code
from proactief.channels import EmailChannel, FakeChannel, SmtpTransport
from proactief.channels.wording import dag
from proactief.domain import Contactsoort, EventSoort, Kanaal, Wijze
from proactief.early_detection.contacts import get_case
from proactief.offers import repository as offers_repo
from proactief.offers.account import Afzender
from proactief.offers.checks import check_message, plain_text
from proactief.offers.outreach import TaskError, case_offer, complete_task
from proactief.storage import maintenance
from proactief.trust import repository as trust_repo
from proactief.trust.consent import record_event
from proactief.trust.messaging import account_of_message, messages_of_person

T0 = datetime(2026, 4, 10, 9, 0, tzinfo=UTC)


def event(conn: Any, soort: EventSoort, waarde: str, when: datetime = T0) -> None:
    record_event(
        conn=conn,
        person_pseudonym=PERSON,
        soort=soort,
        waarde=waarde,
        wijze=Wijze.WEB,
        door="inwoner",
        now=when - timedelta(days=1),
    )


step = ladder_step


def test_the_offer_carries_the_households_entitlements(engine: Engine) -> None:
    with engine.begin() as conn:
        case_id = make_case(conn)
        co = case_offer(conn=conn, case_id=case_id, today=T0.date())
    items = {i.regeling: i for i in co.offer.wat if i.regeling}
    assert items["zorgtoeslag"].bedrag_per_jaar == pytest.approx(1355.04)
    assert items["zorgtoeslag"].omschrijving.startswith("Zorgtoeslag")
    assert "samen nakijken" in items["huurtoeslag"].omschrijving
    assert co.organisaties == "uw zorgverzekeraar"


def test_the_default_ladder_step_by_step_with_tasks(engine: Engine) -> None:
    chans = fake_channels()
    with engine.begin() as conn:
        case_id = make_case(conn)
        first = step(conn, case_id, chans, T0)
        assert (first.status, first.kanaal, first.stap) == ("afgeleverd", Kanaal.BRIEF, 1)
        letter = chans[Kanaal.BRIEF].sent[0]
        assert "1.355,04" in letter.html and "Voorbeeldstraat" in letter.html
        assert re.fullmatch(rf"zaak{case_id}-stap1-[0-9a-f]{{8}}", letter.referentie)
        # the letter carries a one-time code that opens the resident's own page
        code = re.search(r"Uw code is ([A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4})", letter.html)
        assert code is not None
        assert redeem_code(conn=conn, code=code.group(1), now=T0) == PERSON
        # ... for the life of the letter: the day it states is the day the code still works
        stated = re.search(r"Hij werkt tot en met (\d{1,2} \w+ \d{4})\.", letter.html)
        assert stated is not None
        last_day = T0.date() + timedelta(days=Afzender().code_dagen)
        assert stated.group(1) == dag(last_day)
        late = datetime.combine(last_day, time(23, 0), UTC)
        assert redeem_code(conn=conn, code=code.group(1), now=late) == PERSON
        with pytest.raises(CodeExpiredError):
            redeem_code(conn=conn, code=code.group(1), now=late + timedelta(hours=1))
        # the letter is a DDAS contact attempt, and the message is on record
        case = get_case(conn=conn, case_id=case_id)
        assert [a.soort for a in case.contactpogingen] == [Contactsoort.BRIEF]
        assert len(trust_repo.message_rows(conn, status="verzonden")) == 1
        # too early for step 2
        waiting = step(conn, case_id, chans, T0 + timedelta(days=3))
        assert waiting.status == "wacht" and "vanaf" in waiting.detail
        # step 2: a phone task with the script, no attempt yet
        task = step(conn, case_id, chans, T0 + timedelta(days=7))
        assert (task.status, task.kanaal) == ("taak_open", Kanaal.TELEFOON)
        open_tasks = offers_repo.outreach_step_rows(conn, status="taak_open")
        assert len(open_tasks) == 1 and "Belscript" in open_tasks[0].belscript
        assert len(get_case(conn=conn, case_id=case_id).contactpogingen) == 1
        # while the task is open, nothing else happens
        assert step(conn, case_id, chans, T0 + timedelta(days=30)).status == "wacht"
        attempt = complete_task(
            conn=conn, step_id=open_tasks[0].id, bereikt=False, datum=date(2026, 4, 17)
        )
        assert attempt.soort is Contactsoort.TELEFOON and attempt.dagdeel == "Middag"
        with pytest.raises(TaskError, match=r"niet open|is not open"):
            complete_task(conn=conn, step_id=open_tasks[0].id, bereikt=True, datum=T0.date())
        with pytest.raises(TaskError, match="bestaat niet"):
            complete_task(conn=conn, step_id=9999, bereikt=True, datum=T0.date())
        # step 3: the second call reaches the person; the ladder stops there
        again = step(conn, case_id, chans, T0 + timedelta(days=12))
        assert again.kanaal is Kanaal.TELEFOON
        second = offers_repo.outreach_step_rows(conn, status="taak_open")[0]
        complete_task(conn=conn, step_id=second.id, bereikt=True, datum=date(2026, 4, 22))
        assert step(conn, case_id, chans, T0 + timedelta(days=40)).status == "bereikt"
        kinds = [a.soort for a in get_case(conn=conn, case_id=case_id).contactpogingen]
        assert kinds == [Contactsoort.BRIEF, Contactsoort.TELEFOON, Contactsoort.TELEFOON]


def test_an_opt_out_between_steps_stops_everything(engine: Engine) -> None:
    chans = fake_channels()
    with engine.begin() as conn:
        case_id = make_case(conn)
        assert step(conn, case_id, chans, T0).status == "afgeleverd"
        event(conn, EventSoort.NIET_BENADEREN, "", T0 + timedelta(days=3))
        result = step(conn, case_id, chans, T0 + timedelta(days=8))
        assert result.status == "geen_contact"
        assert offers_repo.outreach_step_rows(conn, status="taak_open") == []
        assert len(chans[Kanaal.BRIEF].sent) == 1


def test_email_without_wmebv_agreement_becomes_a_letter(engine: Engine) -> None:
    chans = fake_channels()
    with engine.begin() as conn:
        case_id = make_case(conn)
        event(conn, EventSoort.KANALEN, "email")
        result = step(conn, case_id, chans, T0)
        assert result.kanaal is Kanaal.BRIEF
        assert chans[Kanaal.EMAIL].sent == [] and len(chans[Kanaal.BRIEF].sent) == 1


def test_a_representative_receives_instead(engine: Engine) -> None:
    chans = fake_channels()
    with engine.begin() as conn:
        case_id = make_case(conn)
        event(conn, EventSoort.VERTEGENWOORDIGER, "bewindvoerder")
        step(conn, case_id, chans, T0)
    letter = chans[Kanaal.BRIEF].sent[0]
    assert letter.ontvanger.adres[0] == "T.a.v. de bewindvoerder"
    assert "Beste vertegenwoordiger" in letter.html
    # 'uw BSN', 'uw inkomen': the letter says whose they are
    assert "Met 'u' en 'uw' bedoelen wij hierna die persoon." in plain_text("brief", letter.html)


def test_a_failed_delivery_is_kept_but_is_no_contact_attempt(engine: Engine) -> None:
    chans = fake_channels()
    chans[Kanaal.BRIEF] = FakeChannel(Kanaal.BRIEF, fail=True)
    with engine.begin() as conn:
        case_id = make_case(conn)
        assert step(conn, case_id, chans, T0).status == "mislukt"
        assert get_case(conn=conn, case_id=case_id).contactpogingen == ()
        assert [r.status for r in offers_repo.outreach_steps_of_case(conn, case_id)] == ["mislukt"]


def test_a_missing_channel_plugin_is_a_clear_error(engine: Engine) -> None:
    with engine.begin() as conn:
        case_id = make_case(conn)
        with pytest.raises(ValueError, match="Geen kanaal ingesteld voor 'brief'"):
            step(conn, case_id, {}, T0)


def test_more_partners_means_no_claim_that_things_go_well(engine: Engine) -> None:
    chans = fake_channels()
    with engine.begin() as conn:
        case_id = make_case(conn, partners=("Zorg", "Huur"))
        step(conn, case_id, chans, T0)
    assert "goed om te weten" not in chans[Kanaal.BRIEF].sent[0].html
    chans_one = fake_channels()
    with engine.begin() as conn:
        maintenance.clear_all(conn)
        case_id = make_case(conn)
        step(conn, case_id, chans_one, T0)
    assert "goed om te weten" in chans_one[Kanaal.BRIEF].sent[0].html


def test_a_case_email_reaches_the_local_smtp_server(engine: Engine, smtp_server: Any) -> None:
    """End to end: agreement to e-mail, the offer's first step, a real SMTP server."""
    chans = fake_channels()
    chans[Kanaal.EMAIL] = EmailChannel(SmtpTransport("127.0.0.1", smtp_server.port))
    with engine.begin() as conn:
        case_id = make_case(conn)
        event(conn, EventSoort.KANALEN, "email")
        event(conn, EventSoort.ELEKTRONISCH_AKKOORD, "vroegsignaal")
        result = step(conn, case_id, chans, T0)
        kinds = [a.soort for a in get_case(conn=conn, case_id=case_id).contactpogingen]
    assert (result.status, result.kanaal) == ("afgeleverd", Kanaal.EMAIL)
    assert kinds == [Contactsoort.MAIL]
    assert len(smtp_server.received) == 1
    message = email.message_from_bytes(smtp_server.received[0][2], policy=email.policy.default)
    body = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "Zorgtoeslag" in body and "1.355,04" in body
    # the message renders from the account kept with it, and passes the checker against it
    with engine.connect() as conn:
        kept = messages_of_person(conn=conn, person_pseudonym=PERSON)[0]
        account = account_of_message(conn, kept.id)
    assert account is not None and account.kenmerk in body
    assert account.kenmerk in message["Message-ID"]
    assert check_message(body, account, onderwerp=message["Subject"], kanaal="email_tekst") == []

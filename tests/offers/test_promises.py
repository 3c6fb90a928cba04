"""Every promise has its behaviour: a fixed contact person only when the case has an owner
(and then by name), 'wij regelen het voor u' only with a configured basis and with a
grant or an objection recorded, 'zeg nee' closes the case and stops the ladder, and the
retention and report the message describes are those the code runs. SQLite and PostgreSQL."""

import dataclasses
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine

from conftest import PERSON, deliver_in, fake_channels, make_case, store_real_scan, store_signal
from proactief.accounts.users import Rol, add_user, set_active
from proactief.domain import Doel, Eindresultaat, GeenStap, Kanaal
from proactief.domain.account import Keeping
from proactief.early_detection import repository as early_repo
from proactief.early_detection.cases import match_signals
from proactief.early_detection.contacts import case_grant, get_case
from proactief.early_detection.owners import OwnerError, assign_owner
from proactief.early_detection.work_queue import load_work_queue_config
from proactief.offers import repository as offers_repo
from proactief.offers.account import Afzender
from proactief.offers.approach import load_approach_config
from proactief.offers.checks import check_message, plain_text
from proactief.offers.grants import (
    GRANTED,
    OBJECTED,
    TO_CHECK,
    GrantError,
    complete_grant,
    grants_of_case,
    grants_to_check,
    run_grants,
)
from proactief.offers.messages import render_messages
from proactief.offers.outreach import (
    NEE_RESULTAAT,
    account_for,
    case_offer,
    resident_says_no,
    run_next_step,
)
from proactief.sources.contactgegevens import FakeContactDirectory
from proactief.trust import repository as trust_repo
from proactief.trust.messaging import account_of_message, messages_of_person
from proactief.trust.purposes import load_purposes

T0 = datetime(2026, 4, 10, 9, 0, tzinfo=UTC)
PASSWORD = "paard batterij nietje correct"


def first_step(conn: Any, case_id: int, chans: Any, when: datetime = T0) -> Any:
    return deliver_in(
        conn,
        run_next_step(
            conn=conn,
            case_id=case_id,
            channels=chans,
            directory=FakeContactDirectory(),
            now=when,
            afzender=Afzender(),
        ),
        chans,
        when,
    )


def scan_finds(conn: Any, *regelingen: str) -> None:
    """The newest scan found these regulations for PERSON's household (H1), with an
    amount (replacing make_case's scan)."""
    from proactief.entitlements import repository as entitlements_repo

    entitlements_repo.replace_entitlements(
        conn,
        2026,
        [
            {
                "household_id": "H1",
                "jaar": 2026,
                "regeling": regeling,
                "status": "recht_niet_ontvangen",
                "bedrag_centen": 41200,
                "regels_hash": "h",
            }
            for regeling in regelingen
        ],
    )


def letter_of(chans: Any) -> str:
    return plain_text("brief", chans[Kanaal.BRIEF].sent[-1].html)


def worker(conn: Any, name: str = "sanne", **details: Any) -> int:
    return add_user(
        conn=conn, gebruikersnaam=name, wachtwoord=PASSWORD, rol=Rol.CONTACTMEDEWERKER, **details
    ).id


def test_without_an_owner_no_contact_person_is_promised(engine: Engine) -> None:
    chans = fake_channels()
    with engine.begin() as conn:
        case_id = make_case(conn)
        first_step(conn, case_id, chans)
        assert early_repo.case_owner(conn, case_id) is None  # nobody to assign
    text = letter_of(chans)
    assert "vaste contactpersoon" not in text and "vaste medewerker" not in text


def test_the_rule_assigns_an_owner_and_the_letter_names_them(engine: Engine) -> None:
    chans = fake_channels()
    with engine.begin() as conn:
        busy = worker(conn, "daan", naam="Daan de Boer")
        free = worker(conn, "sanne", naam="Sanne Jansen", telefoon="14 0000 toestel 21")
        case_id = make_case(conn)
        store_signal(conn, "S-9", person="p2", partner="Energie")
        match_signals(conn=conn, matchingsdatum=date(2026, 4, 7), config=load_work_queue_config())
        rows = early_repo.open_case_rows(case_grant(conn, actor="test"))
        other = next(r.id for r in rows if r.person_pseudonym == "p2")
        early_repo.set_case_owner(conn, other, busy)  # daan already has an open case
        first_step(conn, case_id, chans)
        assert early_repo.case_owner(conn, case_id) == free  # the fewest open cases
        [message] = [m for m in messages_of_person(conn=conn, person_pseudonym=PERSON)]
        account = account_of_message(conn, message.id)
    text = letter_of(chans)
    assert "Uw vaste contactpersoon is Sanne Jansen." in text
    assert "direct bellen op 14 0000 toestel 21" in text
    assert account is not None and account.contact.eigenaar == "Sanne Jansen"
    assert check_message(text, account) == []


def test_assigning_by_hand_and_a_disabled_owner(engine: Engine) -> None:
    with engine.begin() as conn:
        worker(conn, "sanne", naam="Sanne Jansen")
        case_id = make_case(conn)
        assign_owner(conn=conn, case_id=case_id, gebruikersnaam="sanne", actor="test")
        co = case_offer(conn=conn, case_id=case_id, today=T0.date())
        assert co.eigenaar == ("Sanne Jansen", None)
        with pytest.raises(OwnerError):
            assign_owner(conn=conn, case_id=case_id, gebruikersnaam="niemand", actor="test")
        with pytest.raises(OwnerError):
            assign_owner(conn=conn, case_id=999, gebruikersnaam="sanne", actor="test")
        # a disabled colleague is no contact person: the promise goes with them
        set_active(conn=conn, gebruikersnaam="sanne", actief=False)
        co = case_offer(conn=conn, case_id=case_id, today=T0.date())
        assert co.eigenaar is None
        account = account_for(co, afzender=Afzender(), datum=T0.date())
        assert account.contact.eigenaar is None


def test_saying_no_closes_the_case_and_stops_the_ladder(engine: Engine) -> None:
    chans = fake_channels()
    with engine.begin() as conn:
        case_id = make_case(conn)
        first_step(conn, case_id, chans)
        task = first_step(conn, case_id, chans, T0 + timedelta(days=7))
        assert task.status == "taak_open"
        [open_task] = [
            s for s in offers_repo.outreach_steps_of_case(conn, case_id) if s.status == "taak_open"
        ]
        resident_says_no(
            conn=conn,
            case_id=case_id,
            datum=date(2026, 4, 17),
            now=T0 + timedelta(days=7),
            actor="medewerker:test",
            step_id=open_task.id,
        )
        case = get_case(conn=conn, case_id=case_id)
        assert case.eindresultaat == NEE_RESULTAAT == Eindresultaat.INWONER_REGELT_HET_ZELF
        assert case.contactpogingen[-1].bereikt
        assert all(
            s.status != "taak_open" for s in offers_repo.outreach_steps_of_case(conn, case_id)
        )
        later = first_step(conn, case_id, chans, T0 + timedelta(days=40))
    assert later.status is GeenStap.GESLOTEN
    assert len(chans[Kanaal.BRIEF].sent) == 1


def test_what_a_no_keeps_is_what_retention_and_the_queue_do(engine: Engine) -> None:
    """The account's 'bewaren' comes from the settings the code runs on: change those and
    the message changes with them."""
    with engine.begin() as conn:
        case_id = make_case(conn)
        co = case_offer(conn=conn, case_id=case_id, today=T0.date())
    account = account_for(co, afzender=Afzender(), datum=T0.date())
    purpose = load_purposes()
    queue = load_work_queue_config()
    from proactief.domain import Doel

    assert account.bewaren == Keeping(
        dagen_zonder_hulp=purpose[Doel.VROEGSIGNALERING].bewaartermijn_dagen,
        dagen_met_hulp=purpose[Doel.VROEGSIGNALERING].bewaartermijn_dagen_met_hulp or 0,
        cbs=True,
        herhaal_dagen=queue.repeat_within_days,
        herhaal_tot=co.case.startdatum_matchingperiode + timedelta(days=queue.repeat_within_days),
        voorrang=True,
        # PERSON came without a BSN: the DDAS report identifies them by sex, birth date
        # and address, and the message says so
        cbs_met="uw geboortedatum, postcode en huisnummer",
    )
    with_bsn = dataclasses.replace(co, case=dataclasses.replace(co.case, person_pseudonym="b1"))
    assert account_for(with_bsn, afzender=Afzender(), datum=T0.date()).bewaren.cbs_met == ("uw BSN")


def test_an_automatic_grant_is_proposed_granted_or_objected(engine: Engine) -> None:
    chans = fake_channels()
    assert "kwijtschelding" in load_approach_config().automatisch_toekennen
    with engine.begin() as conn:
        case_id = make_case(conn)
        scan_finds(conn, "kwijtschelding")
        first_step(conn, case_id, chans)
        [grant] = grants_of_case(conn, case_id)
        assert grant.regeling == "kwijtschelding" and grant.status == "voorgesteld"
        due = grant.datum
        assert due == T0.date() + timedelta(
            days=load_approach_config().automatisch_toekennen["kwijtschelding"].bezwaar_dagen
        )
        # not before its date
        assert run_grants(conn, today=due - timedelta(days=1), now=T0) == []
        # on its date: a task for the team to check, with whom the letter said
        [task] = run_grants(conn, today=due, now=T0)
        assert (task.regeling, task.status) == ("kwijtschelding", TO_CHECK)
        assert run_grants(conn, today=due, now=T0) == []  # once
        assert [g.id for g in grants_to_check(conn)] == [task.grant_id]
        done = complete_grant(conn, grant_id=task.grant_id, granted=True, door="test", now=T0)
        assert done.status == GRANTED
        with pytest.raises(GrantError):  # decided once
            complete_grant(conn, grant_id=task.grant_id, granted=False, door="test", now=T0)
    text = letter_of(chans)
    assert "Wij regelen dit voor u vanaf" in text and "het Inlichtingenbureau" in text


def test_a_no_before_the_date_is_an_objection(engine: Engine) -> None:
    chans = fake_channels()
    with engine.begin() as conn:
        case_id = make_case(conn)
        scan_finds(conn, "kwijtschelding")
        first_step(conn, case_id, chans)
        resident_says_no(
            conn=conn, case_id=case_id, datum=T0.date(), now=T0, actor="medewerker:test"
        )
        [grant] = grants_of_case(conn, case_id)
        assert grant.status == OBJECTED
        assert run_grants(conn, today=grant.datum + timedelta(days=1), now=T0) == []


def test_no_grant_without_its_configured_basis(
    engine: Engine, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Remove kwijtschelding from automatisch_toekennen: the letter asks the resident to
    apply, and nothing is proposed or granted."""
    import yaml

    from proactief.config import policy_path

    policy = yaml.safe_load(policy_path("aanpak.yaml").read_text(encoding="utf-8"))
    policy["automatisch_toekennen"] = {}
    (tmp_path / "aanpak.yaml").write_text(yaml.safe_dump(policy, allow_unicode=True))
    monkeypatch.setenv("PROACTIEF_CONFIG_DIR", str(tmp_path))
    load_approach_config.cache_clear()
    try:
        chans = fake_channels()
        with engine.begin() as conn:
            case_id = make_case(conn)
            scan_finds(conn, "kwijtschelding")
            first_step(conn, case_id, chans)
            assert grants_of_case(conn, case_id) == []
        text = letter_of(chans)
        assert "Kwijtschelding" in text and "regelen dit voor u" not in text
    finally:
        load_approach_config.cache_clear()


def test_something_good_is_said_only_where_it_is_true(engine: Engine) -> None:
    """'Van andere organisaties kregen wij geen bericht over u' only when no other
    creditor ever sent a signal about the person, in this case or any other."""
    with engine.begin() as conn:
        case_id = make_case(conn)
        alone = account_for(
            case_offer(conn=conn, case_id=case_id, today=T0.date()),
            afzender=Afzender(),
            datum=T0.date(),
        )
        store_signal(conn, "S-8", person=PERSON, partner="Energie")  # another creditor
        not_alone = account_for(
            case_offer(conn=conn, case_id=case_id, today=T0.date()),
            afzender=Afzender(),
            datum=T0.date(),
        )
    assert alone.goed is not None and "andere organisaties" in alone.goed
    assert not_alone.goed is None


def test_a_login_name_is_no_contact_person(engine: Engine) -> None:
    """A user without a name for residents owns the case but is not named, so no contact
    person is promised ('Uw vaste contactpersoon is medewerker7' would be no person)."""
    with engine.begin() as conn:
        worker(conn, "medewerker7")
        case_id = make_case(conn)
        assign_owner(conn=conn, case_id=case_id, gebruikersnaam="medewerker7", actor="test")
        co = case_offer(conn=conn, case_id=case_id, today=T0.date())
    assert co.eigenaar is None
    assert account_for(co, afzender=Afzender(), datum=T0.date()).contact.eigenaar is None


def test_no_promise_about_a_date_already_past(engine: Engine) -> None:
    with engine.begin() as conn:
        case_id = make_case(conn)
        co = case_offer(conn=conn, case_id=case_id, today=T0.date())
    soon = account_for(co, afzender=Afzender(), datum=T0.date())
    late = account_for(co, afzender=Afzender(), datum=T0.date() + timedelta(days=200))
    assert soon.bewaren.herhaal_tot is not None and soon.bewaren.herhaal_tot > T0.date()
    assert late.bewaren.herhaal_tot is None


def test_what_is_arranged_automatically_needs_no_self_help_steps(engine: Engine) -> None:
    with engine.begin() as conn:
        case_id = make_case(conn)
        scan_finds(conn, "kwijtschelding", "zorgtoeslag")
        co = case_offer(conn=conn, case_id=case_id, today=T0.date())
    account = account_for(co, afzender=Afzender(), datum=T0.date())
    by_name = {r.regeling: r for r in account.regelingen}
    assert by_name["kwijtschelding"].automatisch is not None
    assert by_name["kwijtschelding"].zelfhulp is None
    assert by_name["zorgtoeslag"].zelfhulp is not None  # the safe default has self-help


def test_each_regulation_says_why_in_one_sentence_from_its_explanation(engine: Engine) -> None:
    """Item 7: the reason comes from the household's own explanation (a real scan), and
    the 'why' page gets every step."""
    with engine.begin() as conn:
        case_id = make_case(conn)
        store_real_scan(conn)
        co = case_offer(conn=conn, case_id=case_id, today=T0.date())
    account = account_for(co, afzender=Afzender(), datum=T0.date())
    zorg = next(r for r in account.regelingen if r.regeling == "zorgtoeslag")
    assert zorg.reden.startswith("Met uw toetsingsinkomen van ")
    assert "euro per jaar van de zorgpremie" in zorg.reden
    assert "onbekend" not in zorg.reden
    assert len(zorg.stappen) >= 3 and any("normpremie" in s for s in zorg.stappen)
    # the scan's values are kept by scan date, not with the case: the message says so
    assert account.bewaren.regelingencheck_dagen == (
        load_purposes()[Doel.REGELINGENCHECK].bewaartermijn_dagen
    )
    text = plain_text("brief", render_messages(account, toon="neutraal")["brief"].inhoud)
    assert f"tot {account.bewaren.regelingencheck_dagen} dagen na die controle" in text


def test_the_checker_is_the_gate(
    engine: Engine, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A municipality's own wording that the account contradicts does not go out: the
    step is kept as blocked with the refused sentence, the message as held back."""
    import yaml

    from proactief.config import policy_path

    policy = yaml.safe_load(policy_path("aanpak.yaml").read_text(encoding="utf-8"))
    policy["goed_een_signaal"] = "Er komt geen aantekening in uw dossier."
    (tmp_path / "aanpak.yaml").write_text(yaml.safe_dump(policy, allow_unicode=True))
    monkeypatch.setenv("PROACTIEF_CONFIG_DIR", str(tmp_path))
    load_approach_config.cache_clear()
    try:
        chans = fake_channels()
        with engine.begin() as conn:
            case_id = make_case(conn)
            result = first_step(conn, case_id, chans)
            [step] = offers_repo.outreach_steps_of_case(conn, case_id)
            [message] = trust_repo.message_rows(conn)
        assert result.status == "geblokkeerd"
        assert step.status == "geblokkeerd" and "geen aantekening" in step.detail
        assert message.status == "geblokkeerd"
        assert chans[Kanaal.BRIEF].sent == []
    finally:
        load_approach_config.cache_clear()


def test_the_reasons_use_the_municipalitys_own_rule_choices(
    engine: Engine, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A message's reason and the why page's steps come from the municipality's
    gemeente.yaml, as the scan and the case page do, never from the shipped defaults."""
    from proactief.config import policy_path
    from proactief.offers.account import municipal_settings

    with engine.begin() as conn:
        case_id = make_case(conn)
        store_real_scan(conn)
        co = case_offer(conn=conn, case_id=case_id, today=T0.date())

    def kwijtschelding_steps() -> tuple[str, ...]:
        account = account_for(co, afzender=Afzender(), datum=T0.date())
        return next(r.stappen for r in account.regelingen if r.regeling == "kwijtschelding")

    municipal_settings.cache_clear()
    try:
        shipped = kwijtschelding_steps()
        assert any("(100% van de bijstandsnorm" in step for step in shipped), shipped
        own = (
            policy_path("gemeente.yaml")
            .read_text(encoding="utf-8")
            .replace(
                "kwijtschelding_kosten_van_bestaan_pct: 1.0",
                "kwijtschelding_kosten_van_bestaan_pct: 0.9",
            )
        )
        (tmp_path / "gemeente.yaml").write_text(own, encoding="utf-8")
        monkeypatch.setenv("PROACTIEF_GEMEENTE_CONFIG", str(tmp_path / "gemeente.yaml"))
        municipal_settings.cache_clear()
        steps = kwijtschelding_steps()
        assert not any("(100% van de bijstandsnorm" in step for step in steps), steps
    finally:
        municipal_settings.cache_clear()

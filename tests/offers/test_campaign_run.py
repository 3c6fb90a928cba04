"""A campaign run end to end, on SQLite and PostgreSQL: the selection on the stored scan
becomes cases of their own, each offered through the same approach engine, message door
and ladder as a signal case. No opted-out or deceased person, and no one whose stated
channel forbids it, gets a message; a household is approached once; the weekly cap and
the period hold; campaign cases stay out of matching and the CBS report."""

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select

from conftest import choose, fake_channels, ladder_step, store_signal
from proactief.domain import EventSoort, Kanaal
from proactief.early_detection import repository as early_repo
from proactief.early_detection.cases import match_signals
from proactief.early_detection.contacts import case_grant
from proactief.early_detection.work_queue import load_work_queue_config
from proactief.entitlements import repository as entitlements_repo
from proactief.offers.campaign_run import CampaignRunError, run_campaign
from proactief.offers.campaigns import load_campaign
from proactief.storage.tables import cases, messages

CAMPAIGN = (
    Path(__file__).resolve().parents[2]
    / "src"
    / "proactief"
    / "config"
    / "campagnes"
    / "niet_gebruik_zorgtoeslag.yaml"
)
NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)  # a Monday
MISSED = "recht_niet_ontvangen"


def setup_population(conn: Any) -> None:
    """Eight households: P1..P6 one adult each, H7 only a child, H8 misses under EUR 100.
    P2 opted out, P3 died, P4 wants phone calls only, P5 wants e-mail but agreed to it for
    another kind of message only."""
    homes = [f"H{i}" for i in range(1, 9)]
    entitlements_repo.insert_population(
        conn,
        [
            {
                "household_id": h,
                "postcode": "9999ZZ",
                "huisnummer": str(i),
                "huishoudtype": "alleenstaand",
                "woonsituatie": "sociale huur",
                "inkomen_per_jaar": 18000,
                "aantal_personen": 1,
            }
            for i, h in enumerate(homes, start=1)
        ],
        [
            {
                "person_pseudonym": f"P{i}",
                "household_id": h,
                "geslacht": "Vrouw",
                "geboortedatum": date(2015, 1, 1) if h == "H7" else date(1960 + i, 1, 1),
            }
            for i, h in enumerate(homes, start=1)
        ],
    )
    entitlements_repo.replace_entitlements(
        conn,
        2026,
        [
            {
                "household_id": h,
                "jaar": 2026,
                "regeling": "zorgtoeslag",
                "status": MISSED,
                "bedrag_centen": 5000 if h == "H8" else 100000 + i * 1000,
                "regels_hash": "h",
            }
            for i, h in enumerate(homes, start=1)
        ],
    )
    before = NOW - timedelta(days=3)
    choose(conn, EventSoort.NIET_BENADEREN, before, person="P2")
    choose(conn, EventSoort.OVERLEDEN, before, person="P3", wijze="systeem", door="systeem:brp")
    choose(conn, EventSoort.KANALEN, before, person="P4", waarde="telefoon")
    choose(conn, EventSoort.KANALEN, before, person="P5", waarde="email")
    choose(conn, EventSoort.ELEKTRONISCH_AKKOORD, before, person="P5", waarde="vroegsignaal")


def sent_to(conn: Any) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for person, kanaal in conn.execute(
        select(messages.c.person_pseudonym, messages.c.kanaal).where(
            messages.c.status == "verzonden"
        )
    ):
        out.setdefault(person, set()).add(kanaal)
    return out


def first_steps(conn: Any, case_ids: list[int], chans: dict[Kanaal, Any]) -> dict[int, Any]:
    return {case_id: ladder_step(conn, case_id, chans, NOW) for case_id in case_ids}


def test_a_campaign_runs_end_to_end_and_spares_whom_it_must(engine: Engine) -> None:
    campaign = load_campaign(CAMPAIGN)
    chans = fake_channels()
    with engine.begin() as conn:
        setup_population(conn)
        run = run_campaign(conn, campaign, now=NOW, actor="test")
        assert run.gevonden == 7  # H8 misses under EUR 100
        assert (run.afgemeld, run.overleden, run.geen_volwassene) == (1, 1, 1)
        persons = {
            r.id: r.person_pseudonym
            for r in conn.execute(select(cases).where(cases.c.id.in_(run.zaken)))
        }
        assert sorted(persons.values()) == ["P1", "P4", "P5", "P6"]
        assert run.bedrag_per_jaar == pytest.approx(1010 + 1040 + 1050 + 1060)
        results = first_steps(conn, run.zaken, chans)
        got = sent_to(conn)
    # the door and the ladder: the opted-out and the deceased get nothing, phone-only gets
    # a phone task and no message, e-mail without agreement for this kind gets a letter
    assert "P2" not in got and "P3" not in got and "P4" not in got
    by_person = {persons[c]: r for c, r in results.items()}
    assert by_person["P4"].kanaal is Kanaal.TELEFOON and by_person["P4"].status == "taak_open"
    assert got["P5"] == {"brief"} and got["P1"] == {"brief"}
    assert not chans[Kanaal.EMAIL].sent and not chans[Kanaal.SMS].sent
    # the letter is a campaign letter: true of what happened, passed the checker
    letter = chans[Kanaal.BRIEF].sent[0]
    assert "regelingencheck" in letter.html and "Uw huishouden was daarbij" in letter.html
    assert "Wij kregen van" not in letter.html and "CBS" not in letter.html
    assert "wij u.Deze" not in letter.html and "wij u.Deze" not in letter.tekst
    assert "1.060" in letter.html or "1.010" in letter.html
    # what is kept, and until when: the day retention deletes it after (the test below)
    flat = " ".join(letter.tekst.split())
    assert (
        "Ook bewaren wij tot en met 31 december 2027 dat wij uw huishouden voor deze "
        "campagne schreven." in flat
    )
    assert "Alleen uw keuze" not in flat


def test_a_household_is_approached_once_and_the_week_has_a_cap(engine: Engine) -> None:
    from dataclasses import replace

    campaign = replace(load_campaign(CAMPAIGN), per_week=2)
    with engine.begin() as conn:
        setup_population(conn)
        first = run_campaign(conn, campaign, now=NOW, actor="test")
        again = run_campaign(conn, campaign, now=NOW + timedelta(days=2), actor="test")
        next_week = run_campaign(conn, campaign, now=NOW + timedelta(days=7), actor="test")
        last = run_campaign(conn, campaign, now=NOW + timedelta(days=14), actor="test")
        total = conn.scalar(select(cases.c.id).where(cases.c.campagne.is_not(None)).limit(1))
    assert len(first.zaken) == 2 and first.wacht_op_volgende_week > 0
    # this week's room is used; H7 (no adult) was passed over for good in the first run
    assert again.zaken == [] and again.al_benaderd == 3
    assert len(next_week.zaken) == 2
    assert last.zaken == [] and last.al_benaderd == last.gevonden
    assert total is not None
    # richest first: the first week's two are the largest amounts
    assert first.bedrag_per_jaar == pytest.approx(1060 + 1050)


def test_a_campaign_runs_only_in_its_period_and_when_allowed(engine: Engine) -> None:
    from dataclasses import replace

    campaign = load_campaign(CAMPAIGN)
    assert campaign.looptijd is not None
    with engine.begin() as conn:
        setup_population(conn)
        late = datetime.combine(
            campaign.looptijd.tot + timedelta(days=1), datetime.min.time(), tzinfo=UTC
        )
        with pytest.raises(CampaignRunError, match="buiten de looptijd"):
            run_campaign(conn, campaign, now=late, actor="test")
        with pytest.raises(CampaignRunError, match="looptijd"):
            run_campaign(conn, replace(campaign, looptijd=None), now=NOW, actor="test")
        refused = replace(campaign, platform="commercieel", kanaal="advertentie")
        with pytest.raises(CampaignRunError, match="weigert"):
            run_campaign(conn, refused, now=NOW, actor="test")
        assert conn.scalar(select(cases.c.id).where(cases.c.campagne.is_not(None))) is None


def test_campaign_cases_take_no_signals_and_are_not_in_the_cbs_report(engine: Engine) -> None:
    with engine.begin() as conn:
        setup_population(conn)
        run = run_campaign(conn, load_campaign(CAMPAIGN), now=NOW, actor="test")
        campaign_case = next(
            r.id
            for r in conn.execute(select(cases).where(cases.c.id.in_(run.zaken)))
            if r.person_pseudonym == "P1"
        )
        store_signal(conn, "S-P1", person="P1", partner="Zorg")
        day = NOW.date() + timedelta(days=1)
        match_signals(conn=conn, matchingsdatum=day, config=load_work_queue_config())
        grant = case_grant(conn, actor="test")
        signal_case = [
            r.id
            for r in early_repo.open_case_rows(grant)
            if r.person_pseudonym == "P1" and r.id != campaign_case
        ]
        reported = {
            r.id
            for r in early_repo.report_cases(
                grant, start=NOW.date() - timedelta(days=30), end=NOW.date() + timedelta(days=30)
            )
        }
        assert early_repo.signals_of_cases(grant, [campaign_case]) == []
    assert len(signal_case) == 1  # the signal made its own case
    assert reported == set(signal_case)


def test_retention_keeps_that_a_household_was_approached_until_the_day_its_letter_names(
    engine: Engine,
) -> None:
    from proactief.domain import Eindresultaat
    from proactief.storage.tables import campagne_leden
    from proactief.trust.retention import run_retention

    with engine.begin() as conn:
        setup_population(conn)
        run = run_campaign(conn, load_campaign(CAMPAIGN), now=NOW, actor="test")
        for case_id in run.zaken:
            early_repo.update_case(
                conn,
                case_id,
                eindresultaat=Eindresultaat.DEFINITIEF_GEEN_CONTACT.value,
                einddatum=NOW.date(),
            )
    # the cases go after their period; the record that the campaign wrote to the
    # household stays through the campaign's last day (2027-12-31), as its letter says
    run_retention(engine=engine, today=NOW.date() + timedelta(days=200))
    with engine.begin() as conn:
        assert conn.scalar(select(cases.c.id).where(cases.c.campagne.is_not(None))) is None
        kept = conn.execute(select(campagne_leden.c.case_id, campagne_leden.c.bewaren_tot)).all()
        again = run_campaign(conn, load_campaign(CAMPAIGN), now=NOW, actor="test")
    assert len(kept) == 7 and {r.case_id for r in kept} == {None}
    assert {r.bewaren_tot for r in kept} == {date(2027, 12, 31)}
    assert again.zaken == []
    run_retention(engine=engine, today=date(2027, 12, 31))
    with engine.connect() as conn:
        assert len(conn.execute(select(campagne_leden)).all()) == 7
    run_retention(engine=engine, today=date(2028, 1, 1))
    with engine.connect() as conn:
        assert conn.execute(select(campagne_leden)).all() == []


def test_four_runs_at_once_keep_the_cap_and_approach_each_household_once(
    engine: Engine,
) -> None:
    import threading
    from dataclasses import replace

    from proactief.storage.tables import campagne_leden

    campaign = replace(load_campaign(CAMPAIGN), per_week=3)
    with engine.begin() as conn:
        setup_population(conn)
    barrier = threading.Barrier(4)
    made: list[int] = []
    problems: list[BaseException] = []

    def run() -> None:
        barrier.wait()
        try:
            with engine.begin() as conn:
                made.extend(run_campaign(conn, campaign, now=NOW, actor="test").zaken)
        except BaseException as exc:  # a failed thread must fail the test
            problems.append(exc)

    threads = [threading.Thread(target=run) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert problems == []
    with engine.begin() as conn:
        stored = conn.execute(select(cases.c.id).where(cases.c.campagne.is_not(None))).all()
        members = conn.execute(select(campagne_leden.c.household_id)).scalars().all()
    assert len(made) == len(stored) == 3  # the week's cap, not four times it
    assert len(members) == len(set(members))


def test_campaign_plan_and_run_from_the_command_line(
    engine: Engine, db_url: str, tmp_path: Path
) -> None:
    import json
    import os

    from conftest import run_cli
    from proactief.trust.keys import create_key

    with engine.begin() as conn:
        setup_population(conn)
    (tmp_path / "d").mkdir()
    create_key(tmp_path / "d" / "pseudonym.key")  # the key of a database that holds data
    env = dict(
        os.environ,
        PROACTIEF_DATA_DIR=str(tmp_path / "d"),
        PROACTIEF_DATABASE_URL=db_url,
        PROACTIEF_OUTBOX_DIR=str(tmp_path / "uit"),
        PROACTIEF_CONTACT_DIRECTORY="fake",
        COLUMNS="200",
    )
    plan = run_cli(
        ["campaign", "plan", str(CAMPAIGN), "--json", "--voorbeeld", str(tmp_path / "v")], env
    )
    assert plan.returncode == 0, plan.stderr
    data = json.loads(plan.stdout)
    assert data["huishoudens"] == 7 and data["bedrag_per_jaar"] == pytest.approx(7280)
    # a preview per tone, each passed by the message checker, nothing sent
    assert set(data["berichten"]) == {
        "neutraal",
        "kort_en_zakelijk",
        "rustig_persoonlijk",
        "zakelijk_met_keuze",
    }
    for tone, found in data["berichten"].items():
        assert found["berichtcontrole"] == [], tone
        letter = (tmp_path / "v" / tone / "brief.html").read_text(encoding="utf-8")
        assert "regelingencheck" in letter
        assert (tmp_path / "v" / tone / "brief.pdf").read_bytes().startswith(b"%PDF")
    assert not (tmp_path / "uit").exists()

    day = NOW.date().isoformat()
    run = run_cli(["campaign", "run", str(CAMPAIGN), "--datum", day], env)
    assert run.returncode == 0, run.stderr
    flat = " ".join(run.stdout.split())
    assert "7 huishoudens in de selectie, 0 al eerder benaderd, 4 nieuwe zaken" in flat
    assert "1 afgemeld, 1 overleden, 1 zonder volwassene" in flat
    # P1, P5, P6; P4 chose the phone: a task, no letter
    assert len(list((tmp_path / "uit" / "brieven").glob("*.pdf"))) == 3
    again = run_cli(["campaign", "run", str(CAMPAIGN), "--datum", day], env)
    assert again.returncode == 0 and "0 nieuwe zaken" in " ".join(again.stdout.split())
    late = run_cli(["campaign", "run", str(CAMPAIGN), "--datum", "2030-01-01"], env)
    assert late.returncode == 2 and "buiten de looptijd" in late.stderr


def test_the_campaign_check_runs_the_message_checker_on_the_rendered_messages(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from proactief.offers import campaign_messages as module
    from proactief.offers.campaigns import Oordeel, judge_campaign
    from proactief.offers.messages import Rendered

    campaign = load_campaign(CAMPAIGN)
    assert judge_campaign(campaign).oordeel is Oordeel.TOEGESTAAN
    real = module.render_messages

    def without_the_way_out(*args: Any, **kwargs: Any) -> dict[str, Rendered]:
        rendered = real(*args, **kwargs)
        sms = rendered["sms"]
        cut = Rendered(sms.kanaal, sms.onderwerp, sms.inhoud.split(" Geen berichten")[0])
        return rendered | {"sms": cut}

    monkeypatch.setattr(module, "render_messages", without_the_way_out)
    verdict = judge_campaign(campaign)
    assert verdict.oordeel is Oordeel.GEWEIGERD
    assert {r.regel for r in verdict.weigeringen} == {"bericht"}
    assert all(", sms: " in r.reden for r in verdict.weigeringen)


def test_the_dashboard_counts_campaign_cases_apart_from_signal_cases(engine: Engine) -> None:
    from proactief.evaluation.funnel import funnels

    with engine.begin() as conn:
        setup_population(conn)
        run_campaign(conn, load_campaign(CAMPAIGN), now=NOW, actor="test")
        store_signal(conn, "S-P1", person="P1", partner="Zorg")
        match_signals(conn=conn, matchingsdatum=NOW.date(), config=load_work_queue_config())
        counted = funnels(conn=conn)
    assert counted.per_origin["signalen"]["zaken"] == 1
    assert counted.per_origin["campagne: Zorgtoeslag die u misschien laat liggen"]["zaken"] == 4
    assert sum(row["signalen"] for row in counted.per_partner.values()) == 1


APK = CAMPAIGN.parent / "apk_gesprek.yaml"


def test_a_yearly_checkup_invites_a_household_once_a_year_and_says_nothing_is_wrong(
    engine: Engine,
) -> None:
    from dataclasses import replace

    chans = fake_channels()
    first = load_campaign(APK)
    assert first.soort == "apk"
    second = replace(first, naam="APK-gesprek, tweede ronde")
    with engine.begin() as conn:
        setup_population(conn)
        invited = run_campaign(conn, first, now=NOW, actor="test")
        results = first_steps(conn, invited.zaken, chans)
        soon = run_campaign(conn, second, now=NOW + timedelta(days=30), actor="test")
        next_year = run_campaign(conn, second, now=NOW + timedelta(days=366), actor="test")
    # P1, P4, P5, P6 and P8 (no minimum amount); not the opted-out, the dead or a child
    assert len(invited.zaken) == 5
    assert soon.zaken == [] and soon.apk_dit_jaar == 5
    assert len(next_year.zaken) == 5
    letters = chans[Kanaal.BRIEF].sent
    assert letters and all("Er is niets mis." in letter.html for letter in letters)
    assert all("APK-gesprek" in letter.html for letter in letters)
    assert {r.status for r in results.values()} <= {"afgeleverd", "taak_open"}


def test_a_campaign_has_its_own_ladder_but_never_letters_alone(engine: Engine) -> None:
    from dataclasses import replace

    from proactief.offers.approach import LadderStepRule
    from proactief.offers.outreach import case_offer

    campaign = load_campaign(CAMPAIGN)
    assert campaign.ladder is not None
    letters_only = replace(
        campaign,
        naam="Alleen brieven",
        ladder=(
            LadderStepRule(kanaal=Kanaal.BRIEF, wacht_dagen=0),
            LadderStepRule(kanaal=Kanaal.BRIEF, wacht_dagen=14),
        ),
    )
    with engine.begin() as conn:
        setup_population(conn)
        own = run_campaign(conn, campaign, now=NOW, actor="test")
        by_person = {
            r.person_pseudonym: r.id
            for r in conn.execute(select(cases).where(cases.c.id.in_(own.zaken)))
        }
        p1 = case_offer(conn=conn, case_id=by_person["P1"], today=NOW.date())
        p4 = case_offer(conn=conn, case_id=by_person["P4"], today=NOW.date())
        conn.execute(cases.update().values(eindresultaat="Geen hulp nodig", einddatum=NOW.date()))
        only = run_campaign(conn, letters_only, now=NOW, actor="test")
        q1 = case_offer(conn=conn, case_id=only.zaken[0], today=NOW.date())
    assert [s.kanaal for s in p1.offer.ladder] == [Kanaal.BRIEF, Kanaal.TELEFOON, Kanaal.BRIEF]
    assert p1.offer.ladder[1].dagdeel == "Middag"
    assert [s.kanaal for s in p4.offer.ladder] == [Kanaal.TELEFOON]  # P4's own choice first
    # a ladder of letters alone gets a phone call (principle 13)
    assert [s.kanaal for s in q1.offer.ladder][:2] == [Kanaal.BRIEF, Kanaal.BRIEF]
    assert Kanaal.TELEFOON in [s.kanaal for s in q1.offer.ladder]

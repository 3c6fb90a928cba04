"""Experiments end to end on SQLite and PostgreSQL: an arm recorded before the first
message and used in it, shown on the case; the resident's own choices before the arm; one
arm per household, also under racing threads; a guardrail that stops an arm; the analysis
against a count by hand; retention; and the command line."""

import os
import threading
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select, update

from conftest import choose, fake_channels, ladder_step, run_cli, store_signal
from proactief.config import PolicyError
from proactief.domain import Contactpoging, Contactsoort, Dagdeel, EventSoort, Kanaal
from proactief.domain.experiments import ExperimentSpec
from proactief.early_detection import repository as early_repo
from proactief.early_detection.cases import match_signals
from proactief.early_detection.contacts import case_grant, register_contact
from proactief.early_detection.work_queue import load_work_queue_config
from proactief.evaluation.experiments import analyse
from proactief.evaluation.funnel import funnels
from proactief.offers import repository as offers_repo
from proactief.offers.experiments import (
    ExperimentError,
    add_complaint,
    assign,
    assignment_of_case,
    experiment_states,
    load_experiment,
    save_result,
    start_experiment,
)
from proactief.offers.outreach import case_offer
from proactief.storage.tables import cases, experiment_toewijzingen, experimenten
from proactief.trust import repository as trust_repo

EXAMPLE = (
    Path(__file__).resolve().parents[2]
    / "src"
    / "proactief"
    / "config"
    / "experimenten"
    / "woordkeus.yaml"
)
T0 = datetime(2027, 2, 1, 9, 0, tzinfo=UTC)


def spec(**update: Any) -> ExperimentSpec:
    base = load_experiment(EXAMPLE)
    return ExperimentSpec.model_validate({**base.model_dump(), **update})


def make_cases(conn: Any, n: int, *, first: int = 0) -> list[int]:
    """n open signal cases of persons q{first}..q{first+n-1}, half from a health insurer
    and half from a housing corporation."""
    for i in range(first, first + n):
        store_signal(
            conn,
            f"S-{i}",
            person=f"q{i}",
            partner=("Zorg", "Huur")[i % 2],
            on=date(2027, 1, 20),
            ontstaan=date(2026, 12, 1),
        )
    match_signals(conn=conn, matchingsdatum=date(2027, 1, 27), config=load_work_queue_config())
    rows = early_repo.open_case_rows(case_grant(conn, actor="test"))
    mine = {f"q{i}" for i in range(first, first + n)}
    return sorted(r.id for r in rows if r.person_pseudonym in mine)


def test_the_arm_is_drawn_and_recorded_before_the_first_message_and_shapes_it(
    engine: Engine,
) -> None:
    chans = fake_channels()
    with engine.begin() as conn:
        start_experiment(conn, spec(), now=T0 - timedelta(days=1))
        ids = make_cases(conn, 12)
        for case_id in ids:
            assert assignment_of_case(conn, case_id) is None
            ladder_step(conn, case_id, chans, T0)
        arms = set()
        for case_id in ids:
            got = assignment_of_case(conn, case_id)
            assert got is not None and got.experiment.naam == "woordkeus-2027"
            arms.add(got.arm.naam)
            # recorded at the step, before the message went out, and the message used it
            assert got.toegewezen <= trust_repo.message_rows(conn, status="verzonden")[-1].tijdstip
            first = offers_repo.outreach_steps_of_case(conn, case_id)[0]
            assert first.kanaal == Kanaal.BRIEF and first.toon == got.arm.toon
            # shown on the case (the case page lists the offer's reasons)
            co = case_offer(conn=conn, case_id=case_id, today=T0.date())
            shown = [r.reden for r in co.offer.redenen if r.keuze == "onderzoek"]
            assert shown and f"groep '{got.arm.naam}'" in shown[0]
            assert "door loting gekozen op 2027-02-01" in shown[0]
        assert arms == {"neutraal", "kort"}
        # the strata were recorded with the unit
        strata = {r.stratum for r in conn.execute(select(experiment_toewijzingen))}
        assert strata == {
            "partner=Zorg; segment=geen",
            "partner=Huur; segment=geen",
        }
    # each case's letter went out once, after its assignment
    assert len({e.referentie.split("-")[0] for e in chans[Kanaal.BRIEF].sent}) == 12


def test_the_residents_choices_go_before_the_arm(engine: Engine) -> None:
    chans = fake_channels()
    with engine.begin() as conn:
        start_experiment(conn, spec(), now=T0 - timedelta(days=1))
        ids = make_cases(conn, 2)
        choose(conn, EventSoort.NIET_BENADEREN, T0 - timedelta(days=2), person="q0")
        choose(conn, EventSoort.KANALEN, T0 - timedelta(days=2), person="q1", waarde="telefoon")
        ladder_step(conn, ids[0], chans, T0)
        ladder_step(conn, ids[1], chans, T0)
        # who does not want to be approached takes no part
        assert assignment_of_case(conn, ids[0]) is None
        # a stated channel: assigned (intention to treat), but the arm changes nothing
        got = assignment_of_case(conn, ids[1])
        assert got is not None
        offer = case_offer(conn=conn, case_id=ids[1], today=T0.date()).offer
        assert [s.kanaal for s in offer.ladder] == [Kanaal.TELEFOON]
        assert offer.toon == "neutraal"
        assert any("gaan voor" in r.reden for r in offer.redenen if r.keuze == "onderzoek")


def test_one_arm_per_household_also_when_threads_race(engine: Engine) -> None:
    with engine.begin() as conn:
        start_experiment(conn, spec(), now=T0 - timedelta(days=1))
        ids = make_cases(conn, 4)
        # four cases at one address (the keyed hash the BRP lookup keeps): one household
        conn.execute(update(cases).where(cases.c.id.in_(ids)).values(huishouden="adres-hash-1"))
    got: list[str] = []
    errors: list[BaseException] = []

    def run(case_id: int, person: str) -> None:
        try:
            with engine.begin() as conn:
                a = assign(conn, case_id=case_id, person_pseudonym=person, signals=(), now=T0)
                assert a is not None
                got.append(a.arm.naam)
        except BaseException as exc:  # a lost race must show, not vanish in the thread
            errors.append(exc)

    threads = [
        threading.Thread(target=run, args=(case_id, f"q{i}")) for i, case_id in enumerate(ids)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert len(got) == 4 and len(set(got)) == 1
    with engine.connect() as conn:
        rows = list(conn.execute(select(experiment_toewijzingen)))
        assert [r.eenheid for r in rows] == ["huishouden:adres-hash-1"]
        for case_id in ids:
            found = assignment_of_case(conn, case_id)
            assert found is not None and found.arm.naam == got[0]


def test_an_arm_whose_opt_outs_exceed_the_controls_is_stopped(engine: Engine) -> None:
    s = spec(vangrails={"afmelden_marge": 0.02, "klacht_marge": 0.01, "minimum_per_arm": 3})
    with engine.begin() as conn:
        start_experiment(conn, s, now=T0 - timedelta(days=1))
        ids = make_cases(conn, 16)
        arm_of = {}
        for case_id in ids:
            person = early_repo.case_subject(conn, case_id)
            a = assign(conn, case_id=case_id, person_pseudonym=person, signals=(), now=T0)
            assert a is not None
            arm_of[case_id] = (a.arm.naam, person)
        kort = [p for arm, p in arm_of.values() if arm == "kort"]
        assert len(kort) >= 3
        for person in kort:
            choose(conn, EventSoort.NIET_BENADEREN, T0 + timedelta(days=2), person=person)
        later = T0 + timedelta(days=3)
        new = make_cases(conn, 12, first=100)
        results = [
            assign(
                conn,
                case_id=c,
                person_pseudonym=early_repo.case_subject(conn, c),
                signals=(),
                now=later,
            )
            for c in new
        ]
        stops = offers_repo.stopped_arms(conn, s.naam)
        assert list(stops) == ["kort"]
        assert stops["kort"].startswith("afmeldingen 100,0% tegen 0,0% in de controlegroep")
        drawn_kort = [r for r in results if r is not None and r.getrokken == "kort"]
        assert drawn_kort, "the seed gives some new unit the stopped arm"
        assert all(r.arm.naam == "neutraal" for r in drawn_kort)
        assert experiment_states(conn, s.naam)[0].gestopte_armen == stops


@pytest.mark.parametrize("minutes", [60, 0])
def test_the_guardrails_are_checked_once_their_interval_has_passed(
    engine: Engine, minutes: int
) -> None:
    """An assignment checks the guardrails when ``toets_elke_minuten`` have passed since
    the last check (0: every time) or the clock went back; in between, an arm keeps
    going (a city's year of assignments would otherwise count every unit for each)."""
    rails = {"afmelden_marge": 0.02, "klacht_marge": 0.01, "minimum_per_arm": 3}
    s = spec(vangrails={**rails, "toets_elke_minuten": minutes})
    with engine.begin() as conn:
        start_experiment(conn, s, now=T0 - timedelta(days=1))
        ids = make_cases(conn, 16)
        kort = []
        for case_id in ids:
            person = early_repo.case_subject(conn, case_id)
            a = assign(conn, case_id=case_id, person_pseudonym=person, signals=(), now=T0)
            assert a is not None
            if a.arm.naam == "kort":
                kort.append(person)
        assert len(kort) >= 3
        for person in kort:
            choose(conn, EventSoort.NIET_BENADEREN, T0 + timedelta(minutes=10), person=person)
        new = iter(make_cases(conn, 3, first=100))

        def assign_new(at: datetime) -> dict[str, str]:
            c = next(new)
            assign(
                conn,
                case_id=c,
                person_pseudonym=early_repo.case_subject(conn, c),
                now=at,
                signals=(),
            )
            return offers_repo.stopped_arms(conn, s.naam)

        if minutes:
            assert assign_new(T0 + timedelta(minutes=59)) == {}
            assert list(assign_new(T0 + timedelta(minutes=60))) == ["kort"]
        else:
            assert list(assign_new(T0 + timedelta(minutes=1))) == ["kort"]


def test_a_guardrail_check_is_due_when_the_clock_goes_back(engine: Engine) -> None:
    with engine.begin() as conn:
        start_experiment(conn, spec(), now=T0 - timedelta(days=1))
        hour = timedelta(hours=1)
        assert offers_repo.claim_guardrail_check(conn, "woordkeus-2027", T0, hour)
        assert not offers_repo.claim_guardrail_check(conn, "woordkeus-2027", T0 + hour / 2, hour)
        assert offers_repo.claim_guardrail_check(conn, "woordkeus-2027", T0 - hour / 2, hour)
        assert offers_repo.claim_guardrail_check(conn, "woordkeus-2027", T0 + hour, hour)


def _reach(conn: Any, case_id: int, day: date) -> None:
    register_contact(
        conn=conn,
        case_id=case_id,
        attempt=Contactpoging(
            soort=Contactsoort.TELEFOON, datum=day, dagdeel=Dagdeel.MIDDAG, bereikt=True
        ),
    )


def test_the_analysis_agrees_with_a_count_by_hand(engine: Engine) -> None:
    # a large expected difference: a planned sample of a few units per arm
    s = spec(
        vermogen={
            "verwacht_controle": 0.2,
            "verwacht_arm": 0.8,
            "bron": "aanname voor de test",
        }
    )
    with engine.begin() as conn:
        planned = start_experiment(conn, s, now=T0 - timedelta(days=1))
        assert planned.geplande_steekproef == 10
        ids = make_cases(conn, 60)
        arm_of: dict[int, tuple[str, str]] = {}
        grant = case_grant(conn, actor="test")
        for case_id in ids:
            a = assign(
                conn,
                case_id=case_id,
                person_pseudonym=early_repo.case_subject(conn, case_id),
                signals=tuple(early_repo.signals_of_cases(grant, [case_id])),
                now=T0,
            )
            assert a is not None
            arm_of[case_id] = (a.arm.naam, a.stratum)
        # 'kort' cases reached on day 10 (every third one on day 40: too late), the
        # control's every fourth
        for n, (case_id, (arm, _s)) in enumerate(sorted(arm_of.items())):
            if arm == "kort":
                _reach(conn, case_id, T0.date() + timedelta(days=40 if n % 3 == 0 else 10))
            elif n % 4 == 0:
                _reach(conn, case_id, T0.date() + timedelta(days=5))
        early = analyse(conn, planned, today=T0.date() + timedelta(days=20))
        result = analyse(conn, planned, today=T0.date() + timedelta(days=60))
        # the dashboard's funnel per arm counts the same cases
        per_arm = funnels(conn=conn).per_arm
    # the mean lead time to reaching the resident per arm: the cases began on 2027-01-27
    kort_days = [
        5 + (40 if n % 3 == 0 else 10)
        for n, (_c, (a, _s)) in enumerate(sorted(arm_of.items()))
        if a == "kort"
    ]
    assert per_arm["woordkeus-2027: kort"]["dagen_tot_bereikt"] == round(
        sum(kort_days) / len(kort_days)
    )
    assert per_arm["woordkeus-2027: neutraal"]["dagen_tot_bereikt"] == 10
    for arm in ("kort", "neutraal"):
        got = per_arm[f"woordkeus-2027: {arm}"]
        assert got["zaken"] == sum(1 for a, _s in arm_of.values() if a == arm)
        assert got["bereikt"] == sum(
            1
            for n, (_c, (a, _s)) in enumerate(sorted(arm_of.items()))
            if a == arm and (a == "kort" or n % 4 == 0)
        )
    # within the window nobody counts yet, and there is no verdict
    assert all(a.eenheden == 0 for a in early.armen) and not early.oordeel
    assert early.conclusie[0].startswith("Nog geen conclusie")
    hand: dict[str, list[int]] = {"kort": [0, 0], "neutraal": [0, 0]}
    cells: dict[str, list[int]] = {}
    for n, (_case, (arm, stratum)) in enumerate(sorted(arm_of.items())):
        hit = (arm == "kort" and n % 3 != 0) or (arm == "neutraal" and n % 4 == 0)
        hand[arm][0] += 1
        hand[arm][1] += hit
        c = cells.setdefault(stratum, [0, 0, 0, 0])
        c[(0 if hit else 1) if arm == "kort" else (2 if hit else 3)] += 1
    by = {a.arm: a for a in result.armen}
    assert (by["kort"].eenheden, by["kort"].met_uitkomst) == tuple(hand["kort"])
    assert (by["neutraal"].eenheden, by["neutraal"].met_uitkomst) == tuple(hand["neutraal"])
    diff = hand["kort"][1] / hand["kort"][0] - hand["neutraal"][1] / hand["neutraal"][0]
    assert by["kort"].verschil == pytest.approx(diff)
    lo, hi = by["kort"].verschil_interval  # type: ignore[misc]
    assert lo < diff < hi
    lo_a, hi_a = by["kort"].interval  # type: ignore[misc]
    assert lo_a < hand["kort"][1] / hand["kort"][0] < hi_a
    # Mantel-Haenszel pooled odds ratio, by its formula
    num = sum(a * d / (a + b + c + d) for a, b, c, d in cells.values())
    den = sum(b * c / (a + b + c + d) for a, b, c, d in cells.values())
    assert by["kort"].odds_ratio_cmh == pytest.approx(num / den)
    assert result.oordeel and result.strata == 2
    text = " ".join(result.conclusie)
    assert "werkt waarschijnlijk beter" in text and "Cochran-Mantel-Haenszel" in text
    assert "95%-interval" in text


def test_retention_deletes_assignments_and_complaints_and_keeps_the_result(
    engine: Engine,
) -> None:
    with engine.begin() as conn:
        start_experiment(conn, spec(), now=T0 - timedelta(days=1))
        ids = make_cases(conn, 2)
        for i, case_id in enumerate(ids):
            assign(conn, case_id=case_id, person_pseudonym=f"q{i}", signals=(), now=T0)
        add_complaint(conn, case_id=ids[0], door="medewerker:test", now=T0)
        save_result(conn, "woordkeus-2027", {"armen": [{"arm": "kort", "eenheden": 1}]})
        counts = trust_repo.delete_cases(conn, ids)
        assert counts["experiment_toewijzingen"] == 2 and counts["klachten"] == 1
        assert list(conn.execute(select(experiment_toewijzingen))) == []
        kept = conn.execute(select(experimenten.c.resultaat)).scalar_one()
        assert '"eenheden": 1' in kept


def test_a_started_definition_does_not_change(engine: Engine) -> None:
    with engine.begin() as conn:
        first = start_experiment(conn, spec(), now=T0)
        assert start_experiment(conn, spec(), now=T0) == first
        with pytest.raises(ExperimentError, match="andere opzet"):
            start_experiment(conn, spec(seed=1), now=T0)
        with pytest.raises(ExperimentError, match="voorbij"):
            start_experiment(
                conn, spec(naam="oud", start=date(2026, 1, 1), stop=date(2026, 2, 1)), now=T0
            )
        with pytest.raises(ExperimentError, match="geen experiment"):
            experiment_states(conn, "bestaat-niet")


def test_a_mistake_in_the_file_names_the_file_and_the_key(tmp_path: Path) -> None:
    bad = tmp_path / "proef.yaml"
    bad.write_text(
        EXAMPLE.read_text(encoding="utf-8").replace(
            "    toon: kort_en_zakelijk",
            "    ladder: [{kanaal: brief, wacht_dagen: 0}, {kanaal: email, wacht_dagen: 3}]",
        ),
        encoding="utf-8",
    )
    with pytest.raises(PolicyError, match=r"proef\.yaml") as info:
        load_experiment(bad)
    assert "toon" in str(info.value) or "ladder" in str(info.value)


def test_the_command_line(tmp_path: Path) -> None:
    env = dict(os.environ, PROACTIEF_DATA_DIR=str(tmp_path / "d"), COLUMNS="200")
    env.pop("PROACTIEF_DATABASE_URL", None)
    plan = run_cli(["experiment", "plan", str(EXAMPLE)], env)
    assert plan.returncode == 0, plan.stderr
    assert "Geplande steekproef: 445 per groep, 890 in totaal" in plan.stdout
    started = run_cli(["experiment", "start", str(EXAMPLE), "--datum", "2027-01-02"], env)
    assert started.returncode == 0, started.stderr
    status = run_cli(["experiment", "status", "--datum", "2027-01-10"], env)
    assert status.returncode == 0 and "woordkeus-2027" in status.stdout
    analysed = run_cli(["experiment", "analyse", "woordkeus-2027", "--opslaan"], env)
    assert analysed.returncode == 0, analysed.stderr
    assert "Nog geen conclusie" in analysed.stdout
    missing = run_cli(["experiment", "analyse", "niets"], env)
    assert missing.returncode == 2 and "geen experiment" in missing.stderr
    no_case = run_cli(["experiment", "klacht", "--zaak", "7"], env)
    assert no_case.returncode == 2 and "bestaat niet" in no_case.stderr


def test_a_moment_arm_holds_the_first_message_back_and_then_sends_it(engine: Engine) -> None:
    s = spec(
        naam="moment-2027",
        vergelijkt="moment",
        armen=[
            {"naam": "direct", "beschrijving": "meteen", "controle": True, "uitstel_dagen": 0},
            {"naam": "later", "beschrijving": "twee weken later", "uitstel_dagen": 14},
        ],
    )
    chans = fake_channels()
    with engine.begin() as conn:
        start_experiment(conn, s, now=T0 - timedelta(days=1))
        ids = make_cases(conn, 8)
        first = {case_id: ladder_step(conn, case_id, chans, T0) for case_id in ids}
        arms = {case_id: assignment_of_case(conn, case_id) for case_id in ids}
        later = [c for c, a in arms.items() if a is not None and a.arm.naam == "later"]
        direct = [c for c, a in arms.items() if a is not None and a.arm.naam == "direct"]
        assert later and direct
        for case_id in direct:
            assert first[case_id].status == "afgeleverd"
        for case_id in later:
            assert first[case_id].status == "wacht"
            assert "vanaf 2027-02-15" in first[case_id].detail
            assert offers_repo.outreach_steps_of_case(conn, case_id) == []
            assert ladder_step(conn, case_id, chans, T0 + timedelta(days=13)).status == "wacht"
            sent = ladder_step(conn, case_id, chans, T0 + timedelta(days=14))
            assert sent.status == "afgeleverd" and sent.kanaal is Kanaal.BRIEF

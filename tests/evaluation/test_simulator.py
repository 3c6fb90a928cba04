"""The outreach-strategy simulator: calibrated to the national figures (Divosa 2023)
within 2 points, no strategy Proactief runs ever contacts a resident against a stated
preference, seeded runs repeat, and `proactief simulate --json` gives what scripts need."""

import json
import os
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine

from conftest import make_case, run_cli
from proactief.domain import Contactpoging, Contactsoort
from proactief.early_detection.contacts import register_contact
from proactief.evaluation.simulator import (
    load_simulation_config,
    national_targets,
    own_history,
    simulate,
    solve_model,
)


@pytest.fixture(scope="module")
def run() -> tuple[list, object]:
    return simulate(signals=100_000, replications=5, seed=7)


def test_the_national_mix_reproduces_the_national_figures_within_two_points(run) -> None:
    results, calibration = run
    national = national_targets()
    mix = next(r for r in results if r.strategy == "national_mix")
    assert abs(mix.reach - national.reach) <= 0.02
    assert abs(mix.acceptance - national.acceptance) <= 0.02
    written = next(r for r in results if r.strategy == "letters_only")
    assert abs(written.reach - national.by_mix["written_contact_only"]) <= 0.02
    assert calibration.largest_gap <= 0.02
    # every channel-mix figure is among the calibration rows
    assert {name for name, _, _ in calibration.rows} >= set(national.by_mix)


def test_no_strategy_proactief_runs_contacts_anyone_against_a_stated_preference(run) -> None:
    results, _ = run
    ours = [r for r in results if not r.praktijk]
    assert ours and all(r.contacts_against_preference == 0 for r in ours)
    # the counter counts: current practice, which knows no preferences, does contact them
    assert all(r.contacts_against_preference > 0 for r in results if r.praktijk)


def test_phone_attempts_reach_more_than_letters_and_cost_is_counted(run) -> None:
    results, _ = run
    by = {r.strategy: r for r in results}
    assert by["letter_phone"].reach > by["letters_only"].reach
    assert by["four_attempts"].reach > by["letter_phone"].reach
    # a home visit is the dearest attempt: the fewest reached per staff hour of our own
    assert by["home_visit"].reached_per_staff_hour < by["default_ladder"].reached_per_staff_hour
    assert all(r.staff_hours > 0 and r.money_per_year > 0 for r in results)


def test_a_seeded_run_repeats_and_another_seed_differs() -> None:
    a, _ = simulate(signals=5_000, replications=2, seed=1, strategies=["default_ladder"])
    b, _ = simulate(signals=5_000, replications=2, seed=1, strategies=["default_ladder"])
    c, _ = simulate(signals=5_000, replications=2, seed=2, strategies=["default_ladder"])
    assert a == b and a[0].reach != c[0].reach


def test_the_per_attempt_reach_is_solved_from_the_reference_ladders() -> None:
    model = solve_model(load_simulation_config())
    national = national_targets()
    # two letters reach 'written contact only'
    assert 1 - (1 - model.per_attempt["brief"]) ** 2 == pytest.approx(
        national.by_mix["written_contact_only"]
    )
    assert sum(model.mix_shares) == pytest.approx(1)
    assert 0 < model.per_attempt["huisbezoek"] < model.per_attempt["telefoon"]


def test_own_history_is_compared_and_used_only_with_enough_attempts(engine: Engine) -> None:
    with engine.begin() as conn:
        case_id = make_case(conn)
        for i in range(6):
            register_contact(
                conn=conn,
                case_id=case_id,
                attempt=Contactpoging(Contactsoort.BRIEF, date(2026, 4, 10), None, i == 0),
                actor="test",
            )
        history = own_history(conn, actor="test", minimum=5)
        few = own_history(conn, actor="test", minimum=50)
    ((kind, n, own, nat),) = history.rows
    assert (kind, n) == ("brief", 6) and own == pytest.approx(1 / 6) and 0 < nat < 0.1
    assert history.overrides() == {"brief": pytest.approx(1 / 6)}
    assert few.overrides() == {}


def test_simulate_as_json_from_the_command_line(tmp_path: Path) -> None:
    env = dict(os.environ, PROACTIEF_DATA_DIR=str(tmp_path / "d"))
    env.pop("PROACTIEF_DATABASE_URL", None)
    done = run_cli(
        [
            "simulate",
            "--signalen",
            "20000",
            "--herhalingen",
            "2",
            "--json",
            "--csv",
            str(tmp_path / "s.csv"),
            "--grafiek",
            str(tmp_path / "s.png"),
        ],
        env,
    )
    assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout)
    assert isinstance(rows, list) and len(rows) == 10
    names = {r["strategy"] for r in rows}
    assert {"letters_only", "national_mix"} <= names
    for row in rows:
        assert {
            "strategy",
            "reach",
            "acceptance",
            "staff_hours_per_reached",
            "contacts_against_preference",
        } <= set(row)
    assert (tmp_path / "s.csv").read_text(encoding="utf-8").startswith("strategy,reach,")
    assert (tmp_path / "s.png").read_bytes().startswith(b"\x89PNG")
    table = run_cli(["simulate", "--signalen", "20000", "--herhalingen", "2"], env)
    assert "Meeste bereikte inwoners per uur personeel" in table.stdout
    assert "Grootste verschil" in table.stdout

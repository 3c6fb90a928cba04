"""Matching into cases, municipal filters, readable priority, contacts and end results."""

from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import Engine

from conftest import store_signal
from proactief.domain import Contactpoging, Contactsoort, Dagdeel, Eindresultaat
from proactief.early_detection import repository as early_repo
from proactief.early_detection.cases import match_signals, work_queue
from proactief.early_detection.contacts import (
    AlreadyAcceptedError,
    CaseClosedError,
    CaseNotFoundError,
    ContactDateError,
    NotReachedError,
    accept_help,
    case_grant,
    close_case,
    get_case,
    register_contact,
)
from proactief.early_detection.work_queue import (
    DEFAULT_CONFIG,
    ConfigError,
    WorkQueueConfig,
    load_work_queue_config,
)


def add_signal(
    engine: Engine,
    signal_id: str,
    *,
    person: str = "p1",
    on: str = "2026-04-01",
    bedrag: int = 200,
    partner: str = "Zorg",
    crisis: bool = False,
) -> None:
    with engine.begin() as conn:
        store_signal(
            conn,
            signal_id,
            person=person,
            on=date.fromisoformat(on),
            bedrag=bedrag,
            partner=partner,
            crisis=crisis,
        )


def config(**changes: Any) -> WorkQueueConfig:
    data = yaml.safe_load(DEFAULT_CONFIG.read_text())
    for dotted, value in changes.items():
        target = data
        *path, last = dotted.split("__")
        for key in path:
            target = target[key]
        target[last] = value
    tmp = Path(DEFAULT_CONFIG.parent / "__test__.yaml")
    try:
        tmp.write_text(yaml.safe_dump(data))
        return load_work_queue_config(tmp)
    finally:
        tmp.unlink()


def match(engine: Engine, on: str, cfg: WorkQueueConfig | None = None) -> Any:
    with engine.begin() as conn:
        return match_signals(
            conn=conn, matchingsdatum=date.fromisoformat(on), config=cfg or config()
        )


def queue(engine: Engine) -> list[Any]:
    with engine.connect() as conn:
        return work_queue(conn=conn)


def test_signals_within_the_period_form_one_case(engine: Engine) -> None:
    add_signal(engine, "A", on="2026-04-01")
    add_signal(engine, "B", on="2026-04-20", partner="Energie")
    add_signal(engine, "C", person="p2", on="2026-04-05")
    result = match(engine, "2026-04-30")
    assert (result.signals_matched, result.cases_created) == (3, 2)
    by_person = {item.case.person_pseudonym: item for item in queue(engine)}
    assert set(by_person["p1"].case.signal_ids) == {"A", "B"}
    assert by_person["p1"].case.einddatum_matchingperiode == date(2026, 4, 30)


def test_a_later_run_extends_an_open_case_within_its_period(engine: Engine) -> None:
    add_signal(engine, "A", on="2026-04-01")
    match(engine, "2026-04-07")
    add_signal(engine, "B", on="2026-04-10")
    result = match(engine, "2026-04-14")
    assert (result.cases_created, result.cases_extended) == (0, 1)


def test_signal_after_the_period_of_a_closed_case_is_a_repeat_report(engine: Engine) -> None:
    add_signal(engine, "A", on="2026-01-01")
    match(engine, "2026-01-07")
    (item,) = queue(engine)
    with engine.begin() as conn:
        close_case(
            conn=conn,
            case_id=item.case.case_id,
            eindresultaat=Eindresultaat.INWONER_REGELT_HET_ZELF,
            datum=date(2026, 1, 20),
        )
    add_signal(engine, "B", on="2026-02-15")
    result = match(engine, "2026-02-20")
    assert (result.cases_created, result.cases_filtered) == (1, 1)
    with engine.connect() as conn:
        rows = early_repo.cases_of_persons(case_grant(conn, actor="test"), ["p1"])
    assert rows[-1].eindresultaat == "Niet opgepakt: herhaalde melding"


def test_repeat_filter_can_be_switched_off(engine: Engine) -> None:
    add_signal(engine, "A", on="2026-01-01")
    add_signal(engine, "B", on="2026-02-15")
    result = match(engine, "2026-02-20", config(filters__repeat_signal__within_days=0))
    assert (result.cases_created, result.cases_filtered) == (2, 0)


def test_consecutive_cases_raise_priority(engine: Engine) -> None:
    add_signal(engine, "A", on="2025-09-01")
    match(engine, "2025-09-07")
    (first,) = queue(engine)
    with engine.begin() as conn:
        close_case(
            conn=conn,
            case_id=first.case.case_id,
            eindresultaat=Eindresultaat.INWONER_HEEFT_ZELF_BETAALD,
            datum=date(2025, 9, 20),
        )
    add_signal(engine, "B", on="2026-04-01")  # past the 90-day repeat filter, within 12 months
    match(engine, "2026-04-07")
    (second,) = queue(engine)
    assert "opeenvolgende_signalen" in {r.rule_id for r in second.case.priority_reasons}


def test_minimum_amount_filter_spares_crisis_signals(engine: Engine) -> None:
    cfg = config(filters__minimum_amount__amount=75)
    add_signal(engine, "A", person="small", bedrag=50)
    add_signal(engine, "B", person="crisis", bedrag=50, crisis=True)
    add_signal(engine, "C", person="big", bedrag=500)
    result = match(engine, "2026-04-30", cfg)
    assert result.cases_filtered == 1
    assert {i.case.person_pseudonym for i in queue(engine)} == {"crisis", "big"}


def test_priority_puts_crisis_first_and_says_why(engine: Engine) -> None:
    add_signal(engine, "A", person="many", bedrag=2000)
    add_signal(engine, "B", person="many", bedrag=1500, partner="Huur")
    add_signal(engine, "C", person="crisis", bedrag=100, crisis=True)
    add_signal(engine, "D", person="one", bedrag=100)
    match(engine, "2026-04-30")
    order = [i.case.person_pseudonym for i in queue(engine)]
    assert order == ["crisis", "many", "one"]
    many = queue(engine)[1].case
    rules = {r.rule_id: r.points for r in many.priority_reasons}
    assert rules["meerdere_signalen"] == 200
    assert rules["meerdere_signaalpartners"] == 100
    assert rules["bedrag"] == 100  # 3500 euro: capped at max 100
    assert many.priority == sum(rules.values())


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"matching__period_days": 0}, "matching.period_days"),
        ({"filters__minimum_amount__eindresultaat": "Weg"}, "not a DDAS eindresultaat"),
        (
            {"priority": [{"id": "x", "description": "y", "when": {"measure": "inkomen"}}]},
            "'measure' must be one of",
        ),
    ],
)
def test_config_errors_say_where(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        config(**changes)


def test_contact_marks_picked_up_and_closed_case_takes_nothing(engine: Engine) -> None:
    add_signal(engine, "A", on="2026-04-01")
    match(engine, "2026-04-07")
    (item,) = queue(engine)
    case_id = item.case.case_id
    attempt = Contactpoging(Contactsoort.TELEFOON, date(2026, 4, 9), Dagdeel.MIDDAG, False)
    with engine.begin() as conn:
        case = register_contact(conn=conn, case_id=case_id, attempt=attempt)
    assert case.datum_opgepakt == date(2026, 4, 9)
    assert case.contactpogingen == (attempt,)
    with engine.begin() as conn:
        close_case(
            conn=conn,
            case_id=case_id,
            eindresultaat=Eindresultaat.DEFINITIEF_GEEN_CONTACT,
            datum=date(2026, 5, 1),
        )
    with engine.begin() as conn, pytest.raises(CaseClosedError):
        register_contact(conn=conn, case_id=case_id, attempt=attempt)
    with engine.begin() as conn, pytest.raises(CaseClosedError):
        close_case(
            conn=conn,
            case_id=case_id,
            eindresultaat=Eindresultaat.VERVOLGHULP,
            datum=date(2026, 5, 2),
        )
    with engine.connect() as conn:
        assert get_case(conn=conn, case_id=case_id).is_closed
    assert queue(engine) == []


def test_contact_errors(engine: Engine) -> None:
    add_signal(engine, "A", on="2026-04-01")
    match(engine, "2026-04-07")
    (item,) = queue(engine)
    early = Contactpoging(Contactsoort.BRIEF, date(2026, 3, 1), None, False)
    with engine.begin() as conn, pytest.raises(ContactDateError):
        register_contact(conn=conn, case_id=item.case.case_id, attempt=early)
    with engine.begin() as conn, pytest.raises(CaseNotFoundError):
        register_contact(conn=conn, case_id=9999, attempt=early)


def test_help_is_accepted_only_after_the_resident_was_reached(engine: Engine) -> None:
    add_signal(engine, "A", on="2026-04-01")
    match(engine, "2026-04-07")
    (item,) = queue(engine)
    case_id = item.case.case_id
    missed = Contactpoging(Contactsoort.TELEFOON, date(2026, 4, 9), None, False)
    with engine.begin() as conn:
        register_contact(conn=conn, case_id=case_id, attempt=missed)
    with engine.begin() as conn, pytest.raises(NotReachedError, match="bereikte"):
        accept_help(conn=conn, case_id=case_id, datum=date(2026, 4, 9))
    reached = Contactpoging(Contactsoort.HUISBEZOEK, date(2026, 4, 12), None, True)
    with engine.begin() as conn:
        register_contact(conn=conn, case_id=case_id, attempt=reached)
        accept_help(conn=conn, case_id=case_id, datum=date(2026, 4, 14))
    # a second registration changes nothing and says so: the first day stays (creditors
    # count 30 days from it)
    with engine.begin() as conn, pytest.raises(AlreadyAcceptedError, match="2026-04-14"):
        accept_help(conn=conn, case_id=case_id, datum=date(2026, 4, 20))
    with engine.connect() as conn:
        case = get_case(conn=conn, case_id=case_id)
    assert case.datum_hulp_geaccepteerd == date(2026, 4, 14)
    # what a worker enters may not lie in the future (it would go to CBS as valid)
    future = Contactpoging(Contactsoort.TELEFOON, date(2030, 1, 1), None, True)
    with engine.begin() as conn, pytest.raises(ContactDateError, match="na vandaag"):
        register_contact(conn=conn, case_id=case_id, attempt=future, niet_na=date(2026, 4, 30))
    with engine.begin() as conn, pytest.raises(ContactDateError):
        accept_help(conn=conn, case_id=case_id, datum=date(2026, 1, 1))
    with engine.begin() as conn, pytest.raises(CaseNotFoundError):
        accept_help(conn=conn, case_id=9999, datum=date(2026, 4, 14))
    with engine.begin() as conn:
        close_case(
            conn=conn,
            case_id=case_id,
            eindresultaat=Eindresultaat.VERVOLGHULP,
            datum=date(2026, 5, 1),
        )
    with engine.begin() as conn, pytest.raises(CaseClosedError):
        accept_help(conn=conn, case_id=case_id, datum=date(2026, 5, 2))


def test_the_collection_pause_comes_from_the_policy_file(tmp_path: Path) -> None:
    shipped = load_work_queue_config()
    assert shipped.collection_pause_days == 30
    assert "stopt de incasso dan 30 dagen" in shipped.accepted_help_notice()
    data = yaml.safe_load(DEFAULT_CONFIG.read_text(encoding="utf-8"))
    del data["hulp_geaccepteerd"]
    path = tmp_path / "work_queue.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    unknown = load_work_queue_config(path)
    assert unknown.collection_pause_days is None
    assert "dagen" not in unknown.accepted_help_notice()
    data["hulp_geaccepteerd"] = {"incasso_pauze_dagen": "dertig"}
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ConfigError, match=r"hulp_geaccepteerd\.incasso_pauze_dagen"):
        load_work_queue_config(path)

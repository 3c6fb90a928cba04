"""Purpose binding for every purpose, retention that deletes exactly what it should."""

import dataclasses
import json
from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import Engine, func, select

from conftest import choose, store_signal
from proactief.domain import (
    Berichtsoort,
    Contactpoging,
    Contactsoort,
    Doel,
    Eindresultaat,
    EventSoort,
    Kanaal,
    Wijze,
)
from proactief.early_detection import repository as early_repo
from proactief.early_detection.cases import match_signals
from proactief.early_detection.contacts import (
    accept_help,
    case_grant,
    close_case,
    register_contact,
)
from proactief.early_detection.work_queue import load_work_queue_config
from proactief.entitlements import repository as entitlements_repo
from proactief.evaluation.funnel import funnel
from proactief.storage.tables import metadata
from proactief.trust import repository as trust_repo
from proactief.trust.access import Grant, PersonalDataAccess
from proactief.trust.audit import verify_audit
from proactief.trust.consent import current_state, record_event
from proactief.trust.messaging import Aanleiding, send_message
from proactief.trust.purposes import PurposeViolationError, check_fields, load_purposes
from proactief.trust.retention import run_retention


@pytest.mark.parametrize(
    ("doel", "outside"),
    [
        (Doel.EVALUATIE, "client_identities.bsn"),
        (Doel.EVALUATIE, "signals.person_pseudonym"),
        (Doel.VROEGSIGNALERING, "client_identities.bsn"),
        (Doel.REGELINGENCHECK, "signals.bedrag"),
        (Doel.REGELINGENCHECK, "bevolking.bsn"),
        (Doel.CBS_RAPPORTAGE, "preference_events.waarde"),
    ],
)
def test_reading_outside_the_purpose_is_refused(doel: Doel, outside: str) -> None:
    with pytest.raises(PurposeViolationError, match=doel.value):
        check_fields(doel, [outside])


def test_every_purpose_has_basis_fields_and_retention() -> None:
    purposes = load_purposes()
    assert set(purposes) == set(Doel)
    for purpose in purposes.values():
        assert purpose.grondslag and purpose.velden and purpose.bewaartermijn_dagen > 0
        assert "unverified" in purpose.bewaartermijn_status
    evaluation = purposes[Doel.EVALUATIE]
    assert not any(f.startswith("client_identities") for f in evaluation.velden)


@dataclasses.dataclass(frozen=True)
class _CaseOutcome:
    id: int
    eindresultaat: str | None


@dataclasses.dataclass(frozen=True)
class _Bsn:
    bsn: str


def test_access_layer_checks_and_logs(engine: Engine) -> None:
    with engine.begin() as conn:
        access = PersonalDataAccess(conn, doel=Doel.EVALUATIE, actor="analist")
        assert access.read(_CaseOutcome, "cases") == []
        with pytest.raises(PurposeViolationError):
            access.read(_Bsn, "client_identities")
        entries = list(trust_repo.audit_rows(conn))
    assert [e.actie for e in entries] == ["lees"]  # the refused read left no data behind
    assert json.loads(entries[0].details)["velden"] == ["cases.eindresultaat", "cases.id"]


def test_a_repository_reads_personal_data_only_under_a_grant_that_covers_it(
    engine: Engine,
) -> None:
    """The repository, not its caller, names the columns it reads; a grant for fewer
    columns, for another person, or one made by hand is refused."""
    with engine.begin() as conn:
        narrow = PersonalDataAccess(conn, doel=Doel.REGELINGENCHECK, actor="t").check(
            ["residents.household_id"], subject="P1"
        )
        assert entitlements_repo.household_of_person(narrow, "P1") is None
        with pytest.raises(PurposeViolationError, match="entitlements"):
            entitlements_repo.entitlements_of_household(narrow, "H1")
        with pytest.raises(PermissionError, match="another person"):
            entitlements_repo.household_of_person(narrow, "P2")
        with pytest.raises(TypeError, match=r"PersonalDataAccess\.check"):
            Grant(conn, Doel.KLANTCONTACT, "t", frozenset({"client_identities.bsn"}), None, None)
        signals = PersonalDataAccess(conn, doel=Doel.VROEGSIGNALERING, actor="t").check(
            ["signals.signal_id"]
        )
        with pytest.raises(PurposeViolationError, match=r"signals\.bedrag"):
            early_repo.unassigned_signals(signals, up_to=date(2026, 1, 1))


def _signal(conn: object, signal_id: str, person: str, on: date) -> None:
    store_signal(conn, signal_id, person=person, on=on, ontstaan=date(2025, 1, 1), bedrag=300)


def _build(engine: Engine) -> dict[str, int]:
    """Three persons: old case without help, old case with help, recent case."""
    config = load_work_queue_config()
    with engine.begin() as conn:
        _signal(conn, "OLD-NOHELP", "p_old", date(2025, 2, 1))
        _signal(conn, "OLD-HELP", "p_help", date(2025, 2, 1))
        _signal(conn, "NEW", "p_new", date(2026, 5, 1))
        match_signals(conn=conn, matchingsdatum=date(2025, 2, 7), config=config)
        match_signals(conn=conn, matchingsdatum=date(2026, 5, 7), config=config)
        grant = case_grant(conn, actor="test")
        ids = {
            s.signal_id: s.case_id
            for s in early_repo.signals_of_cases(
                grant, [c.id for c in early_repo.open_case_rows(grant)]
            )
        }
        for sid, case_id in ids.items():
            register_contact(
                conn=conn,
                case_id=case_id,
                attempt=Contactpoging(
                    Contactsoort.TELEFOON,
                    date(2025, 2, 10) if sid != "NEW" else date(2026, 5, 8),
                    None,
                    True,
                ),
            )
            send_message(
                conn=conn,
                person_pseudonym={"OLD-NOHELP": "p_old", "OLD-HELP": "p_help", "NEW": "p_new"}[sid],
                soort=Berichtsoort.VROEGSIGNAAL,
                kanaal=Kanaal.BRIEF,
                aanleiding=Aanleiding("vroegsignaal", "een signaal", "Zorg", sid),
                grondslag="Wgs",
                selectieregel="elk signaal",
                case_id=case_id,
                now=datetime(2025, 2, 10, tzinfo=UTC),
            )
        # accepted help, then arranged it alone: accepted, not helped
        accept_help(conn=conn, case_id=ids["OLD-NOHELP"], datum=date(2025, 2, 12))
        close_case(
            conn=conn,
            case_id=ids["OLD-NOHELP"],
            eindresultaat=Eindresultaat.INWONER_REGELT_HET_ZELF,
            datum=date(2025, 3, 1),
        )
        close_case(
            conn=conn,
            case_id=ids["OLD-HELP"],
            eindresultaat=Eindresultaat.VERVOLGHULP_FINANCIEEL,
            datum=date(2025, 3, 1),
        )
        record_event(
            conn=conn,
            person_pseudonym="p_old",
            soort=EventSoort.NIET_BENADEREN,
            wijze=Wijze.BRIEF,
            door="inwoner",
            now=datetime(2025, 2, 20, tzinfo=UTC),
        )
    return ids


def _count(engine: Engine, table: str) -> int:
    with engine.connect() as conn:
        return int(conn.scalar(select(func.count()).select_from(metadata.tables[table])) or 0)


def test_retention_deletes_exactly_what_is_past_its_period(engine: Engine) -> None:
    _build(engine)
    with engine.begin() as conn:
        before = funnel(conn=conn)
    # helped counts as accepted; the open case has not accepted yet
    assert before["Zorg"]["bereikt"] == 3
    assert (before["Zorg"]["geaccepteerd"], before["Zorg"]["geholpen"]) == (2, 1)
    result = run_retention(engine=engine, today=date(2026, 6, 1))
    assert result.deleted["signals"] == 1 and result.deleted["cases"] == 1
    assert result.deleted["contact_attempts"] == 1 and result.deleted["messages"] == 1
    # p_old's identity stays: it is behind their opt-out, which must reach their new
    # pseudonym when the key is rotated (trust.rotation)
    assert result.deleted["client_identities"] == 0
    with engine.connect() as conn:
        remaining = {r.person_pseudonym for r in conn.execute(select(metadata.tables["signals"]))}
        identities = {
            r.person_pseudonym for r in conn.execute(select(metadata.tables["client_identities"]))
        }
        messages = {r.person_pseudonym for r in trust_repo.message_rows(conn)}
        # the opt-out of the deleted person keeps holding
        assert not current_state(conn=conn, person_pseudonym="p_old").may_contact()
    assert remaining == messages == {"p_help", "p_new"}
    assert identities == {"p_help", "p_new", "p_old"}
    # every table that held data of the deleted case is clear of it
    for table in ("signals", "cases", "contact_attempts", "messages"):
        assert _count(engine, table) == 2
    with engine.begin() as conn:
        after = funnel(conn=conn)
        entries = [e for e in trust_repo.audit_rows(conn) if e.actie == "verwijder"]
        assert verify_audit(conn)[1] == []
    assert before == after  # the reports still add up
    assert json.loads(entries[0].details)["aantallen"]["signals"] == 1
    again = run_retention(engine=engine, today=date(2026, 6, 1))
    assert sum(again.deleted.values()) == 0  # idempotent
    later = run_retention(engine=engine, today=date(2027, 6, 1))
    assert later.deleted["signals"] == 1  # the case with help, after 730 days


def test_scan_refuses_columns_the_check_does_not_need(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    pd.DataFrame(
        {"household_id": ["H1"], "toetsingsinkomen": [20000], "bsn": ["111222333"]}
    ).to_csv(tmp_path / "b.csv", index=False)
    done = subprocess.run(
        [sys.executable, "-m", "proactief", "rules", "scan", "b.csv", "-o", "o.csv"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=dict(os.environ),
        check=False,
    )
    assert done.returncode == 2 and "bsn" in done.stderr and "dataminimalisatie" in done.stderr


def test_an_entitlement_scan_is_deleted_when_its_period_is_over(engine: Engine) -> None:
    """The scan keeps household values (income, assets) to explain outcomes: they go
    once the regelingencheck period is over, the newer scan stays."""
    row = {"household_id": "H1", "regeling": "zorgtoeslag", "status": "recht_niet_ontvangen"}
    with engine.begin() as conn:
        for jaar, when in (
            (2024, datetime(2025, 1, 10, tzinfo=UTC)),
            (2025, datetime(2026, 1, 10, tzinfo=UTC)),
        ):
            entitlements_repo.replace_entitlements(
                conn,
                jaar,
                [
                    {
                        **row,
                        "jaar": jaar,
                        "bedrag_centen": 100,
                        "regels_hash": "h",
                        "invoer": {"vermogen": 0.0},
                    }
                ],
                gescand_op=when,
            )
    result = run_retention(engine=engine, today=date(2026, 3, 1))
    assert result.deleted["entitlements"] == 1
    with engine.begin() as conn:
        entries = [e for e in trust_repo.audit_rows(conn) if e.gegevens == "entitlements"]
        grant = PersonalDataAccess(conn, doel=Doel.REGELINGENCHECK, actor="t").check(
            ["entitlements.*"]
        )
        assert [r.jaar for r in entitlements_repo.entitlements_of_household(grant, "H1")] == [2025]
    assert len(entries) == 1 and entries[0].doel == "regelingencheck"
    assert run_retention(engine=engine, today=date(2026, 3, 1)).deleted["entitlements"] == 0


def test_the_migration_gives_earlier_scans_a_scan_time(db_url: str) -> None:
    from alembic import command
    from sqlalchemy import text

    from proactief.storage.db import alembic_config, create_db_engine

    eng = create_db_engine(db_url)
    command.upgrade(alembic_config(eng), "0005")
    with eng.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO entitlements (household_id, jaar, regeling, status, regels_hash) "
                "VALUES ('H1', 2025, 'zorgtoeslag', 'recht_niet_ontvangen', 'h')"
            )
        )
    command.upgrade(alembic_config(eng), "head")
    with eng.connect() as conn:
        grant = PersonalDataAccess(conn, doel=Doel.REGELINGENCHECK, actor="t").check(
            ["entitlements.*"]
        )
        (scanned,) = [
            r.gescand_op for r in entitlements_repo.entitlements_of_household(grant, "H1")
        ]
    eng.dispose()
    assert scanned is not None


def test_an_identity_goes_with_its_last_signal_unless_a_choice_stands_behind_it(
    engine: Engine,
) -> None:
    from proactief.trust.identity import keep_bsn

    with engine.begin() as conn:
        keep_bsn(conn=conn, person_pseudonym="p_geen", bsn="111222333")
        keep_bsn(conn=conn, person_pseudonym="p_keuze", bsn="123456782")
        choose(
            conn,
            EventSoort.NIET_BENADEREN,
            datetime(2026, 5, 1, tzinfo=UTC),
            person="p_keuze",
            wijze="telefoon",
            door="medewerker",
        )
        assert trust_repo.delete_orphan_identities(conn) == 1
        kept = {
            r.person_pseudonym for r in conn.execute(select(metadata.tables["client_identities"]))
        }
    assert kept == {"p_keuze"}


def test_retention_deletes_a_case_whose_message_went_through_the_outbox(engine: Engine) -> None:
    """A case with a delivered ladder step has an outbox row pointing at the step: both go
    with the case (the outbox row used to block the deletion with its foreign key)."""
    from conftest import deliver_in, fake_channels, make_case
    from proactief.offers.outreach import run_next_step
    from proactief.sources.contactgegevens import FakeContactDirectory

    when = datetime(2026, 4, 10, 9, tzinfo=UTC)
    with engine.begin() as conn:
        case_id = make_case(conn)
        channels = fake_channels()
        step = run_next_step(
            conn=conn,
            case_id=case_id,
            channels=channels,
            directory=FakeContactDirectory(),
            now=when,
        )
        assert deliver_in(conn, step, channels, when).status == "afgeleverd"
        close_case(
            conn=conn,
            case_id=case_id,
            eindresultaat=Eindresultaat.INWONER_REGELT_HET_ZELF,
            datum=date(2026, 4, 20),
        )
    result = run_retention(engine=engine, today=date(2027, 6, 1))
    assert result.deleted["cases"] == 1 and result.deleted["outbox"] == 1
    assert _count(engine, "outbox") == _count(engine, "outreach_steps") == 0

"""The funnel per partner, contact kind and segment, read under the evaluation purpose only."""

import json
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import Engine

from conftest import store_signal
from proactief.domain import Contactpoging, Contactsoort, Doel, Eindresultaat
from proactief.early_detection import repository as early_repo
from proactief.early_detection.cases import match_signals
from proactief.early_detection.contacts import (
    accept_help,
    case_grant,
    close_case,
    register_contact,
)
from proactief.early_detection.work_queue import load_work_queue_config
from proactief.evaluation.funnel import funnels
from proactief.offers import repository as offers_repo
from proactief.trust import repository as trust_repo
from proactief.trust.purposes import PurposeViolationError, check_fields


def _cases(engine: Engine) -> dict[str, int]:
    """Four persons: a Zorg case reached by phone and helped, a Zorg case reached by letter
    that accepted help, an Energie case not reached, and one not picked up at all."""
    with engine.begin() as conn:
        for sid, person, partner in (
            ("Z1", "p1", "Zorg"),
            ("Z2", "p2", "Zorg"),
            ("E1", "p3", "Energie"),
            ("E2", "p4", "Energie"),
        ):
            store_signal(conn, sid, person=person, partner=partner, on=date(2026, 4, 1))
        match_signals(conn=conn, matchingsdatum=date(2026, 4, 7), config=load_work_queue_config())
        rows = early_repo.open_case_rows(case_grant(conn, actor="test"))
        case_of = {r.person_pseudonym: r.id for r in rows}
        for person, soort, bereikt in (
            ("p1", Contactsoort.TELEFOON, False),
            ("p1", Contactsoort.TELEFOON, True),
            ("p2", Contactsoort.BRIEF, True),
            ("p3", Contactsoort.BRIEF, False),
        ):
            register_contact(
                conn=conn,
                case_id=case_of[person],
                attempt=Contactpoging(soort, date(2026, 4, 9), None, bereikt),
            )
        close_case(
            conn=conn,
            case_id=case_of["p1"],
            eindresultaat=Eindresultaat.VERVOLGHULP_FINANCIEEL,
            datum=date(2026, 4, 20),
        )
        accept_help(conn=conn, case_id=case_of["p2"], datum=date(2026, 4, 12))
        offers_repo.upsert_segment_kansen(
            conn,
            {
                "person_pseudonym": "p2",
                "kansen": json.dumps({"zelfredzaam": 0.7, "hulp_nodig": 0.3}),
                "vragenlijst": "hu-kort",
                "tijdstip": datetime(2026, 4, 10, tzinfo=UTC),
            },
        )
    return case_of


def test_the_funnel_counts_each_step_and_never_widens(engine: Engine) -> None:
    _cases(engine)
    with engine.begin() as conn:
        f = funnels(conn=conn, actor="analist")
    assert f.per_partner["Zorg"] == {
        "signalen": 2,
        "opgepakt": 2,
        "bereikt": 2,
        "geaccepteerd": 2,
        "geholpen": 1,
    }
    assert f.per_partner["Energie"] == {
        "signalen": 2,
        "opgepakt": 1,
        "bereikt": 0,
        "geaccepteerd": 0,
        "geholpen": 0,
    }
    # a case counts once per contact kind it had, however many attempts
    assert f.per_channel["Telefoon"] == {"zaken": 1, "bereikt": 1, "geaccepteerd": 1, "geholpen": 1}
    assert f.per_channel["Brief"] == {"zaken": 2, "bereikt": 1, "geaccepteerd": 1, "geholpen": 0}
    # the segment is the most likely one from the resident's own answers, else none
    assert f.per_segment["zelfredzaam"]["zaken"] == 1
    assert f.per_segment["geen antwoorden"]["zaken"] == 3
    for row in (*f.per_partner.values(), *f.per_channel.values(), *f.per_segment.values()):
        steps = [v for k, v in row.items() if k not in ("signalen", "dagen_tot_bereikt")]
        assert steps == sorted(steps, reverse=True)


def test_the_funnel_reads_only_what_evaluation_may(engine: Engine) -> None:
    _cases(engine)
    with engine.begin() as conn:
        funnels(conn=conn, actor="analist")
        reads = [e for e in trust_repo.audit_rows(conn) if e.actor == "analist"]
    assert {e.doel for e in reads} == {Doel.EVALUATIE.value}
    fields = {f for e in reads for f in json.loads(e.details)["velden"]}
    assert not any(f.startswith(("client_identities", "signals.person_pseudonym")) for f in fields)
    with pytest.raises(PurposeViolationError):
        check_fields(Doel.EVALUATIE, ["client_identities.bsn"])


def test_lead_times_workers_and_a_period(engine: Engine) -> None:
    case_of = _cases(engine)
    with engine.begin() as conn:
        # a helped end result without any reached attempt still cannot widen the funnel
        close_case(
            conn=conn,
            case_id=case_of["p3"],
            eindresultaat=Eindresultaat.VERVOLGHULP_FINANCIEEL,
            datum=date(2026, 4, 21),
        )
        f = funnels(conn=conn, actor="analist")
        in_may = funnels(conn=conn, actor="analist", van=date(2026, 5, 1))
    assert f.per_partner["Energie"]["bereikt"] == 0
    assert f.per_partner["Energie"]["geholpen"] == 0
    times = {t.stap: t for t in f.lead_times}
    # matching on 7 April; the attempts on 9 April; p2 accepted on 12 April
    assert (times["eerste poging"].zaken, times["eerste poging"].mediaan) == (3, 2)
    assert (times["bereikt"].zaken, times["bereikt"].mediaan) == (2, 2)
    assert (times["hulp aangenomen"].zaken, times["hulp aangenomen"].p90) == (1, 5)
    # nobody owns these cases yet
    assert f.per_worker == {
        None: {"zaken": 4, "open": 2, "bereikt": 2, "geaccepteerd": 2, "geholpen": 1}
    }
    # the cases began in April: a period from May has none of them
    assert in_may.per_partner == {} and in_may.per_worker == {}
    assert all(t.zaken == 0 for t in in_may.lead_times)

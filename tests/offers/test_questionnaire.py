"""The resident's own answers: segment probabilities only with consent, used by the offer
below stated preferences, deleted when the consent is withdrawn."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine
from test_outreach import T0, event

from conftest import PERSON, make_case
from proactief.domain import EventSoort
from proactief.offers import repository as offers_repo
from proactief.offers.outreach import case_offer
from proactief.offers.questionnaire import (
    AnswerError,
    ConsentRequiredError,
    load_questionnaire,
    own_segment,
    questions,
    record_answers,
    withdraw_answers,
)
from proactief.segmentation.hu_model import select_short_form
from proactief.segmentation.instrument import hu_instrument

CONSENT = "aanpak:eigen_antwoorden"


def typical_answers(segment: int) -> dict[str, int]:
    """5 where most of the segment agrees, 1 where most disagree."""
    inst = hu_instrument()
    published = [s.item_id for s in inst.published]
    probs = inst.agree_probabilities()[segment]
    return {
        item: 5 if probs[published.index(item)] > 0.5 else 1 for item in load_questionnaire().items
    }


def answer(conn: Any, segment: int) -> Any:
    return record_answers(
        conn=conn, person_pseudonym=PERSON, answers=typical_answers(segment), now=T0
    )


def test_the_shipped_short_form_is_the_best_one() -> None:
    inst = hu_instrument()
    items, accuracy = select_short_form(
        inst.shares(),
        inst.agree_probabilities(),
        [s.item_id for s in inst.published],
        max_items=len(load_questionnaire().items),
    )
    assert list(items) == list(load_questionnaire().items)
    assert accuracy == pytest.approx(0.669, abs=0.001)
    assert all(text for _item, text in questions())


def test_no_consent_no_answers(engine: Engine) -> None:
    with engine.begin() as conn:
        with pytest.raises(ConsentRequiredError, match="geen toestemming"):
            answer(conn, 0)
        assert offers_repo.segment_kansen_row(conn, PERSON) is None
        assert own_segment(conn=conn, person_pseudonym=PERSON) is None


def test_bad_answers_are_refused_with_the_reason(engine: Engine) -> None:
    with engine.begin() as conn:
        event(conn, EventSoort.GEGEVENS_TOESTEMMING, CONSENT)
        with pytest.raises(AnswerError, match="onbekende vraag: leeftijd"):
            record_answers(conn=conn, person_pseudonym=PERSON, answers={"leeftijd": 3}, now=T0)
        with pytest.raises(AnswerError, match="trust_1: antwoord 7"):
            record_answers(conn=conn, person_pseudonym=PERSON, answers={"trust_1": 7}, now=T0)
        # skipped questions are allowed: nothing answered gives the population shares
        kansen = record_answers(conn=conn, person_pseudonym=PERSON, answers={}, now=T0).kansen
        shares = hu_instrument().shares()
        assert list(kansen.values()) == pytest.approx(list(shares), abs=1e-3)


@pytest.mark.parametrize(
    ("segment", "toon"),
    [(0, "kort_en_zakelijk"), (1, "zakelijk_met_keuze"), (2, "rustig_persoonlijk")],
)
def test_own_answers_shape_the_offer(engine: Engine, segment: int, toon: str) -> None:
    with engine.begin() as conn:
        case_id = make_case(conn)
        event(conn, EventSoort.GEGEVENS_TOESTEMMING, CONSENT)
        probabilities = answer(conn, segment)
        name = hu_instrument().segments[segment].name_nl
        assert max(probabilities.kansen, key=probabilities.kansen.__getitem__) == name
        offer = case_offer(conn=conn, case_id=case_id, today=T0.date()).offer
    assert probabilities.kansen[name] >= 0.8  # typical answers leave little doubt
    assert (offer.basis, offer.toon) == ("segment", toon)


def test_stated_preferences_beat_own_answers(engine: Engine) -> None:
    with engine.begin() as conn:
        case_id = make_case(conn)
        event(conn, EventSoort.GEGEVENS_TOESTEMMING, CONSENT)
        answer(conn, 2)
        event(conn, EventSoort.KANALEN, "telefoon", T0 + timedelta(days=1))
        offer = case_offer(conn=conn, case_id=case_id, today=T0.date()).offer
    assert offer.basis == "voorkeur"
    assert offer.ladder[0].kanaal.value == "telefoon"


def test_withdrawing_consent_deletes_and_restores_the_default(engine: Engine) -> None:
    with engine.begin() as conn:
        case_id = make_case(conn)
        event(conn, EventSoort.GEGEVENS_TOESTEMMING, CONSENT)
        answer(conn, 2)
        assert case_offer(conn=conn, case_id=case_id, today=T0.date()).offer.basis == "segment"
        withdraw_answers(conn=conn, person_pseudonym=PERSON, now=datetime(2026, 4, 11, tzinfo=UTC))
        assert offers_repo.segment_kansen_row(conn, PERSON) is None
        assert own_segment(conn=conn, person_pseudonym=PERSON) is None
        offer = case_offer(conn=conn, case_id=case_id, today=T0.date()).offer
    assert offer.basis == "veilige_standaard"

"""The approach engine: precedence, no profiling, consent gate, ladder beyond letters."""

from datetime import UTC, date, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from proactief.domain import EventSoort, Kanaal, PreferenceEvent, Wijze, fold_events
from proactief.offers.approach import (
    CaseSummary,
    EntitlementSummary,
    SegmentProbabilities,
    choose_approach,
)

T = datetime(2026, 1, 1, tzinfo=UTC)


def state(*changes: tuple[EventSoort, str]):  # type: ignore[no-untyped-def]
    return fold_events(PreferenceEvent("p", s, v, T, Wijze.WEB, "inwoner") for s, v in changes)


CASE = CaseSummary(case_id=1, vandaag=date(2026, 3, 1))
CAUTIOUS = SegmentProbabilities(
    {"Vertrouwende Volgers": 0.1, "Zorgvuldige Zelfredzamen": 0.1, "Voorzichtige Hulpzoekers": 0.8}
)


def test_safe_default_reaches_beyond_a_letter() -> None:
    offer = choose_approach(case=CASE)
    assert offer.basis == "veilige_standaard"
    assert offer.ladder[0].kanaal is Kanaal.BRIEF
    assert Kanaal.TELEFOON in {s.kanaal for s in offer.ladder}
    assert Kanaal.HUISBEZOEK not in {s.kanaal for s in offer.ladder}
    assert {r.keuze for r in offer.redenen} >= {"kanaal", "toon", "moment", "afzender"}


def test_own_segment_answers_shape_the_approach() -> None:
    offer = choose_approach(case=CASE, segment=CAUTIOUS)
    assert offer.basis == "segment" and offer.toon == "rustig_persoonlijk"
    assert [s.kanaal for s in offer.ladder][:2] == [Kanaal.BRIEF, Kanaal.TELEFOON]


def test_uncertain_segment_falls_back_to_the_safe_default() -> None:
    unsure = SegmentProbabilities(
        {
            "Vertrouwende Volgers": 0.45,
            "Zorgvuldige Zelfredzamen": 0.1,
            "Voorzichtige Hulpzoekers": 0.45,
        }
    )
    assert choose_approach(case=CASE, segment=unsure).basis == "veilige_standaard"


def test_stated_preference_beats_the_segment() -> None:
    prefs = state((EventSoort.KANALEN, "telefoon"))
    offer = choose_approach(case=CASE, preferences=prefs, segment=CAUTIOUS)
    assert offer.basis == "voorkeur" and offer.ladder[0].kanaal is Kanaal.TELEFOON


def test_letters_only_is_respected_and_other_choices_are_extended() -> None:
    only_letters = choose_approach(case=CASE, preferences=state((EventSoort.KANALEN, "brief")))
    assert {s.kanaal for s in only_letters.ladder} == {Kanaal.BRIEF}
    agreed = state((EventSoort.KANALEN, "email"), (EventSoort.ELEKTRONISCH_AKKOORD, "vroegsignaal"))
    email = choose_approach(case=CASE, preferences=agreed)
    assert [s.kanaal for s in email.ladder] == [Kanaal.EMAIL, Kanaal.TELEFOON]


def test_consent_gate_turns_email_into_a_letter_without_agreement() -> None:
    trusting = SegmentProbabilities(
        {
            "Vertrouwende Volgers": 0.9,
            "Zorgvuldige Zelfredzamen": 0.05,
            "Voorzichtige Hulpzoekers": 0.05,
        }
    )
    without = choose_approach(case=CASE, segment=trusting)
    assert not any(s.kanaal.electronic for s in without.ladder)
    assert any("Wmebv" in r.reden for r in without.redenen)
    agreed = choose_approach(
        case=CASE,
        segment=trusting,
        preferences=state((EventSoort.ELEKTRONISCH_AKKOORD, "vroegsignaal")),
    )
    assert agreed.ladder[0].kanaal is Kanaal.EMAIL


def test_opted_out_person_gets_no_ladder() -> None:
    offer = choose_approach(
        case=CASE, preferences=state((EventSoort.NIET_BENADEREN, "")), segment=CAUTIOUS
    )
    assert offer.ladder == ()


def test_segment_is_never_taken_from_administrative_data() -> None:
    guessed = SegmentProbabilities({"Voorzichtige Hulpzoekers": 1.0}, bron="inkomen_en_wijk")
    with pytest.raises(ValueError, match="own answers"):
        choose_approach(case=CASE, segment=guessed)


def test_automatic_granting_is_proposed_where_the_regulation_allows() -> None:
    offer = choose_approach(
        case=CASE,
        entitlements=[
            EntitlementSummary("kwijtschelding", "recht_niet_ontvangen", 420.0),
            EntitlementSummary("zorgtoeslag", "recht_niet_ontvangen", 1355.04),
            EntitlementSummary("huurtoeslag", "mogelijk_recht_gegevens_nodig"),
        ],
    )
    items = {i.regeling: i for i in offer.wat if i.regeling}
    assert items["kwijtschelding"].automatisch and not items["zorgtoeslag"].automatisch
    assert "samen nakijken" in items["huurtoeslag"].omschrijving


def test_moment_follows_crisis_and_existing_contact() -> None:
    assert choose_approach(case=CaseSummary(2, crisis=True)).moment == "nu"
    soon = CaseSummary(3, bestaand_contact=date(2026, 3, 10), vandaag=date(2026, 3, 1))
    assert choose_approach(case=soon).moment == "bij_bestaand_contact"


ADMIN = st.fixed_dictionaries(
    {
        "leeftijd": st.integers(18, 100),
        "inkomen": st.integers(0, 200_000),
        "wijk": st.sampled_from(["Centrum", "Noord", "Zuid", "Oost"]),
        "nationaliteit": st.sampled_from(["Nederlandse", "Turkse", "Poolse", "Syrische"]),
        "huishoudtype": st.sampled_from(["alleenstaand", "eenouder", "paar met kinderen"]),
    }
)


@settings(max_examples=100, deadline=None)
@given(
    ADMIN,
    ADMIN,
    st.sampled_from([None, CAUTIOUS]),
    st.sampled_from(["", "telefoon", "brief", "email,telefoon"]),
)
def test_administrative_attributes_never_change_tone_or_channel(
    a: dict,
    b: dict,
    segment: SegmentProbabilities | None,
    kanalen: str,  # type: ignore[type-arg]
) -> None:
    prefs = state((EventSoort.KANALEN, kanalen)) if kanalen else None
    first = choose_approach(
        case=CaseSummary(1, kenmerken=a, vandaag=date(2026, 3, 1)),
        preferences=prefs,
        segment=segment,
    )
    second = choose_approach(
        case=CaseSummary(1, kenmerken=b, vandaag=date(2026, 3, 1)),
        preferences=prefs,
        segment=segment,
    )
    assert (first.toon, first.ladder, first.basis) == (second.toon, second.ladder, second.basis)


ENTITLED = [
    EntitlementSummary("zorgtoeslag", "recht_niet_ontvangen", 1355.04),
    EntitlementSummary("huurtoeslag", "mogelijk_recht_gegevens_nodig"),
]


@pytest.mark.parametrize(
    "segment",
    [
        None,
        *(
            SegmentProbabilities(
                {
                    name: 0.8 if name == chosen else 0.1
                    for name in (
                        "Vertrouwende Volgers",
                        "Zorgvuldige Zelfredzamen",
                        "Voorzichtige Hulpzoekers",
                    )
                }
            )
            for chosen in (
                "Vertrouwende Volgers",
                "Zorgvuldige Zelfredzamen",
                "Voorzichtige Hulpzoekers",
            )
        ),
    ],
)
def test_every_approach_offers_every_regulation_found(segment: Any) -> None:
    """Whatever the tone and ladder, the money found is offered (issue 14: a segment's
    offer must never drop the regulations)."""
    offer = choose_approach(case=CASE, entitlements=ENTITLED, segment=segment)
    assert [i.regeling for i in offer.wat if i.regeling] == ["zorgtoeslag", "huurtoeslag"]
    assert any(i.soort == "hulp" for i in offer.wat)
    # the help item promises no fixed worker: that is the case owner's, if any
    assert all("vaste" not in i.omschrijving for i in offer.wat)

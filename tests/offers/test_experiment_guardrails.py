"""The guardrails of an experiment, as properties over hypothesis-generated experiments,
arms and residents: every arm keeps the statutory minimum, the resident's own choices,
opt-out and Wmebv agreement override the arm, a guardrail stops an arm exactly when its
opt-outs or complaints exceed the control's by the margin (and a stopped arm gets no new
units), and no verdict comes before the planned sample."""

from datetime import date

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from proactief.domain import Berichtsoort, Kanaal, PreferenceState, Toon
from proactief.domain.experiments import (
    MAX_UITSTEL_DAGEN,
    Arm,
    ArmCounts,
    ArmStep,
    ExperimentSpec,
    Vergelijking,
    arm_for,
    draw_arm,
    guardrail_stops,
    ready_for_verdict,
)
from proactief.offers.approach import (
    CaseSummary,
    EntitlementSummary,
    ExperimentArm,
    SegmentProbabilities,
    choose_approach,
    load_approach_config,
)

BEYOND_LETTERS = (Kanaal.TELEFOON, Kanaal.HUISBEZOEK)

steps = st.builds(
    ArmStep,
    kanaal=st.sampled_from(list(Kanaal)),
    wacht_dagen=st.integers(0, 30),
    dagdeel=st.sampled_from([None, "Ochtend", "Middag", "Avond"]),
)
valid_ladders = st.lists(steps, min_size=1, max_size=6).filter(
    lambda ladder: any(s.kanaal in BEYOND_LETTERS for s in ladder)
)


@st.composite
def arms(draw: st.DrawFn) -> tuple[Vergelijking, Arm]:
    kind = draw(st.sampled_from([Vergelijking.WOORDKEUS, Vergelijking.LADDER, Vergelijking.MOMENT]))
    if kind is Vergelijking.WOORDKEUS:
        return kind, Arm(naam="a", beschrijving="arm", toon=draw(st.sampled_from(list(Toon))))
    if kind is Vergelijking.MOMENT:
        days = draw(st.integers(0, MAX_UITSTEL_DAGEN))
        return kind, Arm(naam="a", beschrijving="arm", uitstel_dagen=days)
    return kind, Arm(naam="a", beschrijving="arm", ladder=tuple(draw(valid_ladders)))


states = st.builds(
    PreferenceState,
    kanalen=st.lists(st.sampled_from(list(Kanaal)), max_size=3, unique=True).map(tuple),
    elektronisch=st.frozensets(st.sampled_from(list(Berichtsoort))),
    niet_benaderen=st.booleans(),
    vertegenwoordiger=st.sampled_from([None, "bewindvoerder:B. Voorbeeld"]),
)
segments = st.one_of(
    st.none(),
    st.builds(
        SegmentProbabilities,
        kansen=st.sampled_from(
            [
                {"Vertrouwende Volgers": 0.9, "Zorgvuldige Zelfredzamen": 0.1},
                {"Zorgvuldige Zelfredzamen": 0.5, "Vertrouwende Volgers": 0.5},
            ]
        ),
        bron=st.just("eigen_antwoorden"),
    ),
)
ENTITLEMENTS = (EntitlementSummary("zorgtoeslag", "recht_niet_ontvangen", 1200.0),)


def _offer(
    state: PreferenceState,
    segment: SegmentProbabilities | None,
    arm: object,
    crisis: bool = False,
) -> object:
    return choose_approach(
        case=CaseSummary(case_id=1, vandaag=date(2027, 2, 1), onderzoek=arm, crisis=crisis),  # type: ignore[arg-type]
        entitlements=ENTITLEMENTS,
        preferences=state,
        segment=segment,
        config=load_approach_config(),
    )


@settings(max_examples=300, deadline=None)
@given(arm=arms(), state=states, segment=segments, crisis=st.booleans())
def test_every_arm_keeps_the_minimum_and_the_residents_choices_go_first(
    arm: tuple[Vergelijking, Arm],
    state: PreferenceState,
    segment: SegmentProbabilities | None,
    crisis: bool,
) -> None:
    kind, a = arm
    with_arm = _offer(state, segment, ExperimentArm("x", kind, a, date(2027, 2, 1)), crisis)
    without = _offer(state, segment, None, crisis)
    # a first message is held back only by a moment arm, at most four weeks, never in a
    # crisis and never against the resident's own choices
    held = with_arm.uitstel_dagen  # type: ignore[attr-defined]
    assert 0 <= held <= MAX_UITSTEL_DAGEN
    if crisis or state.kanalen or state.niet_benaderen or kind is not Vergelijking.MOMENT:
        assert held == 0
    # an offer of help for every signal, and every regulation it found
    assert [i.soort for i in with_arm.wat if i.soort == "hulp"] == ["hulp"]  # type: ignore[attr-defined]
    assert {i.regeling for i in with_arm.wat} >= {"zorgtoeslag"}  # type: ignore[attr-defined]
    ladder = with_arm.ladder  # type: ignore[attr-defined]
    if state.niet_benaderen:
        assert ladder == ()  # opt-out: no contact at all, whatever the arm
        return
    if state.kanalen:
        # stated channels: the arm changes neither channels nor tone
        assert ladder == without.ladder  # type: ignore[attr-defined]
        assert with_arm.toon == without.toon  # type: ignore[attr-defined]
    # Wmebv: no e-mail or SMS without the agreement for this kind of message
    for step in ladder:
        if step.kanaal.electronic:
            assert state.may_use_electronic(Berichtsoort.VROEGSIGNAAL)
    # never letters alone, unless the resident chose only letters
    if set(state.kanalen) != {Kanaal.BRIEF}:
        assert any(s.kanaal in BEYOND_LETTERS for s in ladder)
    # the assignment is on the offer's reasons (shown on the case page)
    assert any(r.keuze == "onderzoek" for r in with_arm.redenen)  # type: ignore[attr-defined]


@given(ladder=st.lists(st.sampled_from([Kanaal.BRIEF, Kanaal.EMAIL, Kanaal.SMS]), max_size=5))
def test_an_arm_of_written_messages_only_is_refused(ladder: list[Kanaal]) -> None:
    with pytest.raises(ValidationError, match=r"minimum|at least one step"):
        Arm(
            naam="a",
            beschrijving="arm",
            ladder=tuple(ArmStep(kanaal=k, wacht_dagen=0) for k in ladder),
        )


def _spec(
    seed: int = 1, arms_n: int = 2, minimum: int = 30, planned: int | None = None
) -> ExperimentSpec:
    return ExperimentSpec(
        naam="proef",
        beschrijving="een proef",
        vergelijkt=Vergelijking.WOORDKEUS,
        vermogen={"verwacht_controle": 0.2, "verwacht_arm": 0.3, "bron": "aanname"},
        start=date(2027, 1, 1),
        stop=date(2027, 6, 30),
        seed=seed,
        armen=[
            {"naam": f"arm{i}", "beschrijving": "arm", "controle": i == 0, "toon": "neutraal"}
            for i in range(arms_n)
        ],
        vangrails={"afmelden_marge": 0.02, "klacht_marge": 0.01, "minimum_per_arm": minimum},
        geplande_steekproef=planned,
    )


counts = st.builds(
    lambda n, out, c: ArmCounts(n, min(out, n), min(c, n)),
    st.integers(0, 400),
    st.integers(0, 400),
    st.integers(0, 400),
)


@settings(max_examples=300)
@given(
    arms_n=st.integers(2, 5),
    minimum=st.integers(1, 50),
    data=st.data(),
)
def test_an_arm_stops_exactly_when_its_rates_exceed_the_controls_by_the_margin(
    arms_n: int, minimum: int, data: st.DataObject
) -> None:
    spec = _spec(arms_n=arms_n, minimum=minimum)
    got = {a.naam: data.draw(counts) for a in spec.armen}
    stops = guardrail_stops(spec, got)
    control = got["arm0"]
    assert "arm0" not in stops
    for arm in spec.armen[1:]:
        mine = got[arm.naam]
        expected = (
            mine.eenheden >= minimum
            and control.eenheden >= minimum
            and (
                mine.share(mine.afgemeld) - control.share(control.afgemeld) > 0.02
                or mine.share(mine.klachten) - control.share(control.klachten) > 0.01
            )
        )
        assert (arm.naam in stops) == expected


@settings(max_examples=200)
@given(
    seed=st.integers(0, 2**31),
    units=st.lists(st.text(min_size=1, max_size=12), min_size=1, max_size=50, unique=True),
    stopped=st.sets(st.sampled_from(["arm1", "arm2"])),
)
def test_a_stopped_arm_gets_no_new_units_and_the_draw_is_reproducible(
    seed: int, units: list[str], stopped: set[str]
) -> None:
    spec = _spec(seed=seed, arms_n=3)
    for unit in units:
        arm = arm_for(spec, unit, stopped)
        assert arm not in stopped
        assert draw_arm(spec, unit) == draw_arm(_spec(seed=seed, arms_n=3), unit)
        assert arm == (draw_arm(spec, unit) if draw_arm(spec, unit) not in stopped else "arm0")


def test_the_draw_is_balanced_and_depends_on_the_seed() -> None:
    a, b = _spec(seed=1), _spec(seed=2)
    draws_a = [draw_arm(a, f"zaak:{i}") for i in range(4000)]
    draws_b = [draw_arm(b, f"zaak:{i}") for i in range(4000)]
    assert 0.47 < draws_a.count("arm1") / 4000 < 0.53
    assert draws_a != draws_b


@given(planned=st.integers(1, 500), data=st.data())
def test_no_verdict_before_every_arm_has_the_planned_sample(
    planned: int, data: st.DataObject
) -> None:
    spec = _spec(planned=planned)
    units = {a.naam: data.draw(st.integers(0, 1000)) for a in spec.armen}
    assume(units)
    assert ready_for_verdict(spec, units) == all(n >= planned for n in units.values())
    assert not ready_for_verdict(_spec(planned=None), units)

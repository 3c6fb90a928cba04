"""The latent class model against a published solution, the HU reference model, and the
generator calibrated to the published table."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from proactief.segmentation import (
    LatentClassModel,
    exact_accuracy,
    generate_survey,
    hu_instrument,
    hu_reference_model,
    hu_short_form,
    posteriors_for_items,
    simulated_accuracy,
)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def test_carcinoma_reproduces_the_published_lca_solution() -> None:
    """poLCA / Agresti carcinoma data: 3 classes, log-likelihood -293.705, shares
    .3736/.1817/.4447 (Linzer & Lewis 2011), see tests/fixtures/SOURCES.md."""
    X = pd.read_csv(FIXTURES / "carcinoma.csv").to_numpy(dtype=float)
    model = LatentClassModel(3, n_init=10, threshold=1.5, random_state=1).fit(X)
    assert round(model.log_likelihood_, 3) == -293.705
    assert sorted(np.round(model.weights_, 4)) == [0.1817, 0.3736, 0.4447]
    assert model.bic(X) == pytest.approx(697.1357, abs=1e-3)
    assert model.aic(X) == pytest.approx(633.41, abs=1e-2)


def test_posteriors_skip_missing_answers() -> None:
    model = LatentClassModel.from_parameters([0.5, 0.5], [[0.9, 0.9], [0.1, 0.1]])
    p = model.predict_proba(np.array([[1.0, np.nan], [np.nan, np.nan], [0.0, 0.0]]))
    assert p[0, 0] == pytest.approx(0.9)
    assert p[1].tolist() == pytest.approx([0.5, 0.5])
    assert p[2, 1] == pytest.approx(0.81 / 0.82)


def test_from_parameters_checks_shapes() -> None:
    with pytest.raises(ValueError, match="shape"):
        LatentClassModel.from_parameters([0.5, 0.5], [[0.5, 0.5]])
    with pytest.raises(ValueError, match="between 0 and 1"):
        LatentClassModel.from_parameters([1.0], [[1.5]])


def test_hu_full_form_accuracy_is_about_78_percent() -> None:
    inst = hu_instrument()
    accuracy = simulated_accuracy(inst.shares(), inst.agree_probabilities(), n=200_000)
    assert 0.77 < accuracy < 0.79


def test_exact_and_simulated_accuracy_agree() -> None:
    inst = hu_instrument()
    probs = inst.agree_probabilities()[:, :8]
    exact = exact_accuracy(inst.shares(), probs)
    assert simulated_accuracy(inst.shares(), probs, n=400_000) == pytest.approx(exact, abs=0.005)


def test_short_form_is_at_most_8_items_and_beats_other_choices() -> None:
    short = hu_short_form(8, n_simulated=50_000)
    assert len(short.items) == 8
    inst = hu_instrument()
    ids = [s.item_id for s in inst.published]
    first_eight = exact_accuracy(inst.shares(), inst.agree_probabilities()[:, :8])
    assert short.chance_accuracy < first_eight < short.accuracy < short.full_accuracy
    rng = np.random.default_rng(0)
    for _ in range(20):
        pick = rng.choice(len(ids), 8, replace=False)
        assert exact_accuracy(inst.shares(), inst.agree_probabilities()[:, pick]) <= (
            short.accuracy + 1e-12
        )


def test_posteriors_for_any_subset_of_items() -> None:
    answers = np.array([[5, 1], [1, 5], [np.nan, np.nan]], dtype=float)
    p = posteriors_for_items(answers, ["trust_1", "doing_ability_3"], agree_from=4)
    assert p.shape == (3, 3)
    assert p.sum(axis=1).tolist() == pytest.approx([1, 1, 1])
    assert p[2].tolist() == pytest.approx([0.39, 0.22, 0.39])  # nothing answered: the shares
    # agrees with trust_1 (51/22/26%), disagrees with doing_ability_3 (54/10/39% agree)
    joint = np.array([0.39 * 0.51 * 0.46, 0.22 * 0.22 * 0.90, 0.39 * 0.26 * 0.61])
    assert p[0].tolist() == pytest.approx((joint / joint.sum()).tolist())
    with pytest.raises(KeyError, match="fast_service_1"):
        posteriors_for_items(answers[:, :1], ["fast_service_1"])


def test_reference_model_equals_posteriors_for_items() -> None:
    survey = generate_survey(500, seed=3)
    direct = hu_reference_model().predict_proba(survey.answers)
    via_items = posteriors_for_items(survey.answers, survey.items)
    assert np.allclose(direct, via_items)


@pytest.mark.parametrize(("mode", "rho"), [("independent", 0.0), ("likert", 0.0), ("likert", 0.6)])
def test_generator_reproduces_the_table_within_2_points(mode: str, rho: float) -> None:
    survey = generate_survey(100_000, mode=mode, correlation=rho, seed=11)
    agree = survey.answers >= (4 if mode == "likert" else 1)
    inst = hu_instrument()
    for s in range(3):
        rates = agree[survey.segments == s].mean(axis=0)
        assert np.abs(rates - inst.agree_probabilities()[s]).max() < 0.02
    shares = np.bincount(survey.segments) / len(survey.segments)
    assert np.abs(shares - inst.shares()).max() < 0.01


def test_generator_is_seeded_and_correlation_is_real() -> None:
    a = generate_survey(2000, mode="likert", correlation=0.6, seed=5)
    b = generate_survey(2000, mode="likert", correlation=0.6, seed=5)
    assert np.array_equal(a.answers, b.answers)
    assert set(np.unique(a.answers)) == {1.0, 2.0, 3.0, 4.0, 5.0}
    big = generate_survey(30_000, mode="likert", correlation=0.6, seed=6)
    zero = generate_survey(30_000, mode="likert", correlation=0.0, seed=6)
    i, j = big.items.index("trust_1"), big.items.index("trust_2")
    within = big.segments == 0
    r_big = np.corrcoef(big.answers[within, i], big.answers[within, j])[0, 1]
    r_zero = np.corrcoef(zero.answers[zero.segments == 0, i], zero.answers[zero.segments == 0, j])[
        0, 1
    ]
    assert r_big > 0.3 and abs(r_zero) < 0.03


def test_generator_errors() -> None:
    with pytest.raises(ValueError, match="mode"):
        generate_survey(10, mode="other")
    with pytest.raises(ValueError, match="likert"):
        generate_survey(10, correlation=0.5)

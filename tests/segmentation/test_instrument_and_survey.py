"""The instrument as data, and loading survey files with clear errors."""

from pathlib import Path

import numpy as np
import pandas as pd
import pyreadstat
import pytest

from proactief.segmentation import SurveyError, hu_instrument, load_survey


def test_instrument_has_28_statements_26_published() -> None:
    inst = hu_instrument()
    assert len(inst.statements) == 28
    assert len(inst.published) == 26
    assert [s.item_id for s in inst.statements if s.negatively_worded] == [
        "doing_ability_3",
        "language_2",
    ]
    assert inst.shares().tolist() == pytest.approx([0.39, 0.22, 0.39])
    assert inst.agree_probabilities().shape == (3, 26)
    assert [s.name_nl for s in inst.segments] == [
        "Vertrouwende Volgers",
        "Zorgvuldige Zelfredzamen",
        "Voorzichtige Hulpzoekers",
    ]


def write(tmp_path: Path, text: str, name: str = "s.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_loads_csv_with_ids_background_and_missing(tmp_path: Path) -> None:
    path = write(tmp_path, "nr,trust_1,trust_2,leeftijd\nA,4,,jong\nB,2,5,oud\n")
    survey = load_survey(
        path, items=["trust_1", "trust_2"], id_column="nr", background=["leeftijd"]
    )
    assert survey.respondent_ids == ("A", "B")
    assert survey.items == ("trust_1", "trust_2")
    assert np.isnan(survey.answers[0, 1])
    assert survey.background["leeftijd"].tolist() == ["jong", "oud"]


def test_unknown_item_is_named(tmp_path: Path) -> None:
    path = write(tmp_path, "trust_1,vertrouwen_x\n4,3\n")
    with pytest.raises(SurveyError, match="unknown item 'vertrouwen_x'"):
        load_survey(path, items=["trust_1"])


def test_out_of_range_answer_names_respondent_and_item(tmp_path: Path) -> None:
    path = write(tmp_path, "nr,trust_1,trust_2\nR1,4,3\nR2,7,3\nR3,2,x\n")
    with pytest.raises(SurveyError) as caught:
        load_survey(path, id_column="nr")
    message = str(caught.value)
    assert "respondent R2 (row 3), item 'trust_1': answer 7 is outside the scale" in message
    assert "respondent R3 (row 4), item 'trust_2': 'x' is not a number" in message


def test_too_many_missing_answers(tmp_path: Path) -> None:
    path = write(tmp_path, "a,b,c,d\n1,2,3,4\n1,,,\n")
    with pytest.raises(SurveyError, match=r"respondent 2 \(row 3\): 75% of the items missing"):
        load_survey(path)


def test_unreadable_file(tmp_path: Path) -> None:
    with pytest.raises(SurveyError, match="does not exist"):
        load_survey(tmp_path / "nope.csv")


def test_reads_spss_sav(tmp_path: Path) -> None:
    frame = pd.DataFrame({"trust_1": [4.0, 1.0], "trust_2": [5.0, np.nan]})
    path = tmp_path / "enquete.sav"
    pyreadstat.write_sav(frame, str(path))
    survey = load_survey(path)
    assert survey.items == ("trust_1", "trust_2")
    assert survey.answers[0].tolist() == [4.0, 5.0]
    assert np.isnan(survey.answers[1, 1])


def test_spss_out_of_range_is_caught(tmp_path: Path) -> None:
    path = tmp_path / "enquete.sav"
    pyreadstat.write_sav(pd.DataFrame({"q1": [4.0, 9.0]}), str(path))
    with pytest.raises(SurveyError, match="item 'q1': answer 9"):
        load_survey(path)

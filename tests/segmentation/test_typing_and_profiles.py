"""Typing tool: honest accuracy, versioned file; profiles with the > .1 SD marks."""

import json
from pathlib import Path

import numpy as np
import pytest

from proactief.segmentation import TypingTool, TypingToolFileError, generate_survey, profile


def test_typing_tool_selects_at_most_n_items_and_is_honest() -> None:
    survey = generate_survey(2000, seed=8)
    tool = TypingTool(max_items=8, random_state=0).fit(survey.answers, survey.segments)
    assert len(tool.selected_) == 8
    # with 8 of the table's items the exact optimum is about 67%; CV cannot beat the model much
    assert 0.55 < tool.cv_accuracy_ < 0.72
    p = tool.predict_proba(survey.answers[:5])
    assert p.shape == (5, 3) and np.allclose(p.sum(axis=1), 1)


def test_typing_tool_file_round_trip(tmp_path: Path) -> None:
    survey = generate_survey(800, seed=9)
    tool = TypingTool(max_items=4, cv=3).fit(survey.answers, survey.segments)
    path = tmp_path / "tool.json"
    tool.save(path, items=survey.items, scenario="lca-3")
    data = json.loads(path.read_text())
    assert data["format"] == "proactief-typing-tool" and data["version"] == 1
    assert len(data["items"]) == 4
    loaded, meta = TypingTool.load(path)
    assert meta["scenario"] == "lca-3"
    assert np.allclose(loaded.predict_proba(survey.answers), tool.predict_proba(survey.answers))


def test_typing_tool_file_errors(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "other"}')
    with pytest.raises(TypingToolFileError, match="not a proactief-typing-tool file"):
        TypingTool.load(bad)
    bad.write_text('{"format": "proactief-typing-tool", "version": 99}')
    with pytest.raises(TypingToolFileError, match="version 99 is not supported"):
        TypingTool.load(bad)


def test_profile_marks_follow_the_tenth_sd_rule() -> None:
    X = np.array([[1.0], [1.0], [0.0], [0.0], [0.0], [1.0]])
    labels = np.array([0, 0, 1, 1, 2, 2])
    prof = profile(X, ["q"], labels=labels, agree_from=1)
    assert prof.pct_agree[:, 0].tolist() == [100.0, 0.0, 50.0]
    assert prof.marks[:, 0].tolist() == [1, -1, 0]
    assert prof.shares.tolist() == pytest.approx([1 / 3] * 3)


def test_profile_background_distribution() -> None:
    import pandas as pd

    X = np.array([[1.0], [0.0], [1.0], [0.0]])
    background = pd.DataFrame({"leeftijd": ["jong", "oud", "jong", "jong"]})
    prof = profile(X, ["q"], labels=np.array([0, 1, 0, 1]), agree_from=1, background=background)
    table = prof.background["leeftijd"]
    assert table.loc["jong", "segment 1"] == 100.0
    assert table.loc["oud", "segment 2"] == 50.0

"""The scan's fast path: statuses and amounts as arrays, block by block on every core,
without rule steps; the steps made on request for the rows kept. It must give exactly
what the explaining run and the one-household explanation give."""

import numpy as np
import pandas as pd
import pytest

from conftest import households_of_every_kind
from proactief.entitlements import (
    REGELINGEN,
    STATUS_NAMES,
    Status,
    compute_population,
    evaluate_population,
    explain,
    scan_non_take_up,
)
from proactief.entitlements import engine as rules_engine

FRAME = households_of_every_kind(4_000)


def test_blocks_on_every_core_give_what_one_block_gives(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Many small blocks, run side by side, against the whole population as one block
    with the steps marked: the same status and amount for every household."""
    monkeypatch.setattr(rules_engine, "BLOCK", 10**9)
    whole = evaluate_population(FRAME, jaar=2025, stappen=True)
    monkeypatch.setattr(rules_engine, "BLOCK", 333)
    fast = compute_population(FRAME, jaar=2025)
    assert set(fast) == set(REGELINGEN) | set(fast)
    for regeling, computed in fast.items():
        names = pd.Series(computed.status).map({int(s): STATUS_NAMES[s] for s in Status})
        assert list(names) == list(whole[f"{regeling}_status"].astype(str)), regeling
        expected = whole[f"{regeling}_bedrag_centen"]
        assert list(pd.array(computed.cents())) == list(expected.array), regeling
    # every status occurs, so the comparison covers each path
    assert {int(s) for c in fast.values() for s in np.unique(c.status)} == {0, 1, 2, 3}


def test_a_scan_makes_the_steps_only_for_the_rows_it_keeps() -> None:
    scan = scan_non_take_up(FRAME, jaar=2025)
    assert not [c for c in scan.results.columns if c.endswith("_stappen")]
    full = evaluate_population(FRAME, jaar=2025, stappen=True).set_index("household_id")
    for regeling, part in scan.missed.groupby("regeling"):
        expected = full.loc[part["household_id"], f"{regeling}_stappen"]
        assert list(part["stappen"]) == list(expected), regeling
        assert (
            full.loc[part["household_id"], f"{regeling}_status"] == "recht_niet_ontvangen"
        ).all()
    assert len(scan.missed) > 500


def test_every_kept_row_agrees_with_its_explanation() -> None:
    scan = scan_non_take_up(FRAME, jaar=2025)
    by_id = FRAME.set_index("household_id")
    sample = scan.missed.sample(60, random_state=1)
    for row in sample.itertuples():
        household = by_id.loc[row.household_id].to_dict()
        uitleg = explain(row.regeling, household, jaar=2025)
        assert uitleg.status == Status.RECHT_NIET_ONTVANGEN
        assert uitleg.bedrag_per_jaar is not None
        # the explanation rounds to cents from the same float (as the case page allows)
        assert abs(round(uitleg.bedrag_per_jaar * 100) - round(row.bedrag_per_jaar * 100)) <= 1
        assert [s["id"] for s in uitleg.stappen] == row.stappen.split(";")


def test_yes_and_no_in_text_count_as_the_numbers() -> None:
    """'ja'/'nee' from a CSV or Parquet text column (pandas' string dtype) mean 1/0."""
    text = FRAME[["household_id", "toetsingsinkomen", "vermogen", "toeslagpartner"]]
    numbers = text.assign(toeslagpartner=(text["toeslagpartner"] == "ja").astype(int))
    assert pd.api.types.is_string_dtype(text["toeslagpartner"].dtype)
    as_text = compute_population(text, jaar=2025, regelingen=["zorgtoeslag"])["zorgtoeslag"]
    as_numbers = compute_population(numbers, jaar=2025, regelingen=["zorgtoeslag"])
    assert np.array_equal(as_text.amount, as_numbers["zorgtoeslag"].amount, equal_nan=True)
    assert (numbers["toeslagpartner"] == 1).sum() > 1_000

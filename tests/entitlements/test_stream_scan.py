"""The national scan: a Parquet population read in batches gives what one run over the
whole file gives, and the command streams it with the same result, stored the same way."""

import json
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import func, select

from conftest import households_of_every_kind, run_cli
from proactief.entitlements import PopulationError, scan_non_take_up
from proactief.entitlements.population import add_person_counts
from proactief.entitlements.stream import read_batches, scan_batches

HOUSEHOLDS = households_of_every_kind(3_000, seed=11).drop(columns=["ontvangt_zorgtoeslag"])
RECEIPTS = pd.DataFrame(
    {
        "household_id": [f"H{i}" for i in range(0, 3_000, 7)],
        "regeling": [("zorgtoeslag", "kwijtschelding")[i % 2] for i in range(0, 3_000, 7)],
    }
)
rng = np.random.default_rng(3)
PERSONS = pd.DataFrame(
    {
        "household_id": [f"H{i}" for i in rng.integers(0, 3_000, 6_000)],
        "leeftijd": rng.integers(0, 95, 6_000),
    }
)


@pytest.fixture()
def parquet(tmp_path: Path) -> Path:
    path = tmp_path / "bevolking.parquet"
    # row groups that do not line up with the batches
    HOUSEHOLDS.to_parquet(path, index=False, row_group_size=450)
    return path


def test_batches_give_what_the_whole_file_gives(parquet: Path) -> None:
    whole = scan_non_take_up(add_person_counts(HOUSEHOLDS, PERSONS), jaar=2025, receipts=RECEIPTS)
    kept: list[pd.DataFrame] = []
    names, total, batches = read_batches(parquet, batch_rows=700)
    totals = scan_batches(
        batches,
        jaar=2025,
        receipts=RECEIPTS,
        persons=PERSONS,
        each_batch=lambda scan, _frame: kept.append(scan.results),
    )
    assert total == totals.households == len(HOUSEHOLDS) and "household_id" in names
    assert len(kept) == 5  # 3,000 households in batches of 700
    pd.testing.assert_frame_equal(totals.summary(), whole.summary)
    pd.testing.assert_frame_equal(totals.missed(), whole.missed.reset_index(drop=True))
    streamed = pd.concat(kept, ignore_index=True)
    pd.testing.assert_frame_equal(streamed, whole.results.reset_index(drop=True))
    # ties in amount exist, so the order rule (regulation, then row) is exercised
    assert totals.missed()["bedrag_per_jaar"].duplicated().any()


def test_a_household_twice_is_refused_before_the_first_batch(tmp_path: Path) -> None:
    path = tmp_path / "dubbel.parquet"
    pd.DataFrame({"household_id": ["A", "B", "C", "B"], "vermogen": [1, 2, 3, 4]}).to_parquet(
        path, index=False
    )
    with pytest.raises(PopulationError, match=r"line 5: household_id 'B' occurs more than"):
        read_batches(path)
    # a repeat in another row group than its twin, and two households without an id
    spread = pd.DataFrame({"household_id": ["Z", "A", "B", "C", "A"], "vermogen": range(5)})
    spread.to_parquet(tmp_path / "verspreid.parquet", index=False, row_group_size=2)
    with pytest.raises(PopulationError, match=r"line 6: household_id 'A' occurs more than"):
        read_batches(tmp_path / "verspreid.parquet")
    empty = pd.DataFrame({"household_id": ["A", None, "B", None], "vermogen": range(4)})
    empty.to_parquet(tmp_path / "leeg.parquet", index=False)
    with pytest.raises(PopulationError, match=r"line 5: household_id"):
        read_batches(tmp_path / "leeg.parquet")
    # different ids pass, whatever their order
    fine = pd.DataFrame({"household_id": ["C", "A", "B", "AA"], "vermogen": range(4)})
    fine.to_parquet(tmp_path / "goed.parquet", index=False, row_group_size=3)
    assert read_batches(tmp_path / "goed.parquet")[1] == 4
    (tmp_path / "zonder.parquet").write_bytes(b"geen parquet")
    with pytest.raises(PopulationError, match="cannot read it"):
        read_batches(tmp_path / "zonder.parquet")
    pd.DataFrame({"id": ["A"]}).to_parquet(tmp_path / "geen_id.parquet")
    with pytest.raises(PopulationError, match="'household_id' is missing"):
        read_batches(tmp_path / "geen_id.parquet")


def run(args: list[str], cwd: Path, db_url: str) -> subprocess.CompletedProcess[str]:
    return run_cli(
        ["rules", "scan", *args, "--jaar", "2025"],
        cwd=cwd,
        timeout=180,
        PROACTIEF_DATABASE_URL=db_url,
    )


def test_the_command_streams_parquet_like_it_reads_csv(
    parquet: Path, tmp_path: Path, db_url: str
) -> None:
    from proactief.storage.db import create_db_engine
    from proactief.storage.tables import audit_log, entitlements

    HOUSEHOLDS.to_csv(tmp_path / "bevolking.csv", index=False)
    RECEIPTS.to_csv(tmp_path / "ontvangsten.csv", index=False)
    common = ["--receipts", "ontvangsten.csv", "--opslaan", "--json"]
    csv = run(["bevolking.csv", "-o", "m.csv", "--results", "r.parquet", *common], tmp_path, db_url)
    assert csv.returncode == 0, csv.stderr
    engine = create_db_engine(db_url)
    with engine.connect() as conn:
        from_csv = sorted(
            (r.household_id, r.regeling, r.status, r.bedrag_centen)
            for r in conn.execute(select(entitlements))
        )
    streamed = run(
        [parquet.name, "-o", "m.parquet", "--results", "r2.csv", *common], tmp_path, db_url
    )
    assert streamed.returncode == 0, streamed.stderr
    with engine.connect() as conn:
        from_parquet = sorted(
            (r.household_id, r.regeling, r.status, r.bedrag_centen)
            for r in conn.execute(select(entitlements))
        )
        partners = {
            r.invoer["toeslagpartner"]
            for r in conn.execute(
                select(entitlements).where(entitlements.c.regeling == "zorgtoeslag")
            )
        }
        audits = conn.execute(
            select(func.count()).select_from(audit_log).where(audit_log.c.actie == "scan")
        ).scalar_one()
    engine.dispose()
    first, second = json.loads(csv.stdout), json.loads(streamed.stdout)
    assert first["summary"] == second["summary"] and second["households"] == 3_000
    assert from_csv == from_parquet and second["opgeslagen"] == len(from_parquet) > 0
    assert audits == 2
    # 'ja'/'nee' in the file is kept as the rules read it, so it explains again later
    assert partners == {0.0, 1.0}
    pd.testing.assert_frame_equal(
        pd.read_csv(tmp_path / "m.csv"),
        pd.read_parquet(tmp_path / "m.parquet"),
        check_dtype=False,
    )
    everything = pd.read_csv(tmp_path / "r2.csv")
    assert len(everything) == 3_000 and not list(tmp_path.glob("*.deel"))
    assert list(everything["zorgtoeslag_status"]) == list(
        pd.read_parquet(tmp_path / "r.parquet")["zorgtoeslag_status"].astype(str)
    )

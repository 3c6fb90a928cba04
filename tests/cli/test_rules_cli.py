"""`proactief rules explain` and `proactief rules scan` as a user runs them."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from conftest import run_cli
from proactief.entitlements import (
    MunicipalSettings,
    SettingsError,
    load_municipal_settings,
    provenance,
    scan_non_take_up,
)
from proactief.entitlements.population import PopulationError, load_population, load_receipts


def run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return run_cli(["rules", *args], cwd=cwd, timeout=120)


def test_explain_like_a_calculator(tmp_path: Path) -> None:
    done = run(
        ["explain", "zorgtoeslag", "--jaar", "2025", "--toetsingsinkomen", "30000"], tmp_path
    )
    assert done.returncode == 0, done.stderr
    assert (
        "Uw toetsingsinkomen 30.000 euro is hoger dan het drempelinkomen 28.406 euro."
        in done.stdout
    )
    assert "Wet op de zorgtoeslag, art. 2 lid 3" in done.stdout
    assert "We rekenen met 0 euro" in done.stdout
    as_json = run(
        [
            "explain",
            "zorgtoeslag",
            "--jaar",
            "2025",
            "--toetsingsinkomen",
            "30000",
            "--toeslagpartner",
            "--vermogen",
            "20000",
            "--json",
        ],
        tmp_path,
    )
    data = json.loads(as_json.stdout)
    assert data["status"] == "recht_niet_ontvangen"
    assert isinstance(data["bedrag_per_jaar"], float)
    assert data["bedrag_per_jaar"] == pytest.approx(
        2 * 2112 - (0.04273 * 28406 + 0.137 * 1594), abs=0.01
    )
    assert all({"id", "tekst", "bron"} <= set(s) for s in data["stappen"])
    assert data["provenance"]["engine_version"]
    assert {p["parameter"] for p in data["parameters"]} >= {"standaardpremie", "drempelinkomen"}


POPULATION = pd.DataFrame(
    [
        {
            "household_id": "H1",
            "toetsingsinkomen": 20000,
            "toeslagpartner": False,
            "vermogen": 0,
            "kinderen_0_11": 1,
            "huurwoning": True,
            "kale_huur": 600,
            "leeftijd_aanvrager": 30,
            "netto_inkomen_maand": 1300,
            "aanslag_gemeentelijke_belastingen": 400,
            "aantal_volwassenen": 1,
            "jaren_laag_inkomen": 4,
        },
        {
            "household_id": "H2",
            "toetsingsinkomen": 35000,
            "toeslagpartner": True,
            "vermogen": 5000,
            "huurwoning": False,
            "leeftijd_aanvrager": 50,
            "netto_inkomen_maand": 2500,
            "aanslag_gemeentelijke_belastingen": 600,
            "aantal_volwassenen": 2,
        },
        {
            "household_id": "H3",
            "toetsingsinkomen": 90000,
            "toeslagpartner": True,
            "vermogen": 500000,
            "huurwoning": False,
            "leeftijd_aanvrager": 60,
            "netto_inkomen_maand": 5000,
            "aanslag_gemeentelijke_belastingen": 800,
            "aantal_volwassenen": 2,
        },
    ]
)


def test_scan_lists_missed_money_largest_first(tmp_path: Path) -> None:
    POPULATION.to_csv(tmp_path / "bevolking.csv", index=False)
    pd.DataFrame([{"household_id": "H2", "regeling": "zorgtoeslag"}]).to_csv(
        tmp_path / "ontvangsten.csv", index=False
    )
    done = run(
        [
            "scan",
            "bevolking.csv",
            "--receipts",
            "ontvangsten.csv",
            "-o",
            "missen.csv",
            "--results",
            "alles.parquet",
            "--json",
        ],
        tmp_path,
    )
    assert done.returncode == 0, done.stderr
    summary = {row["regeling"]: row for row in json.loads(done.stdout)["summary"]}
    assert summary["zorgtoeslag"]["recht_niet_ontvangen"] == 1
    assert summary["zorgtoeslag"]["ontvangt"] == 1
    missed = pd.read_csv(tmp_path / "missen.csv")
    assert list(missed["bedrag_per_jaar"]) == sorted(missed["bedrag_per_jaar"], reverse=True)
    assert set(missed["regeling"]) == {"zorgtoeslag", "kindgebonden_budget", "kwijtschelding"}
    assert (missed["household_id"] == "H1").all()
    everything = pd.read_parquet(tmp_path / "alles.parquet")
    assert everything["engine_version"].notna().all()
    assert everything["regels_hash"].str.len().eq(64).all()
    assert list(everything["household_id"]) == ["H1", "H2", "H3"]
    assert everything.loc[2, "zorgtoeslag_status"] == "geen_recht"
    assert everything.loc[0, "huurtoeslag_status"] == "mogelijk_recht_gegevens_nodig"

    explained = run(
        [
            "explain",
            "kindgebonden_budget",
            "--population",
            "bevolking.csv",
            "--household",
            "H1",
            "--json",
        ],
        tmp_path,
    )
    assert json.loads(explained.stdout)["bedrag_per_jaar"] == pytest.approx(2511 + 3389)


def test_persons_table_fills_in_children_and_adults(tmp_path: Path) -> None:
    households = POPULATION.drop(columns=["kinderen_0_11", "aantal_volwassenen"])
    households.to_csv(tmp_path / "huishoudens.csv", index=False)
    pd.DataFrame(
        {"household_id": ["H1", "H1", "H1", "H2", "H2"], "leeftijd": [34, 7, 13, 50, 48]}
    ).to_csv(tmp_path / "personen.csv", index=False)
    done = run(
        [
            "scan",
            "huishoudens.csv",
            "--persons",
            "personen.csv",
            "-o",
            "m.csv",
            "--results",
            "r.csv",
        ],
        tmp_path,
    )
    assert done.returncode == 0, done.stderr
    results = pd.read_csv(tmp_path / "r.csv")
    kgb = pd.read_csv(tmp_path / "m.csv").query("regeling == 'kindgebonden_budget'")
    assert kgb["bedrag_per_jaar"].tolist() == pytest.approx([2 * 2511 + 703 + 3389])
    assert results.loc[0, "kindgebonden_budget_status"] == "recht_niet_ontvangen"
    (tmp_path / "slecht.csv").write_text("household_id,leeftijd\nH1,oud\n")
    bad = run(["scan", "huishoudens.csv", "--persons", "slecht.csv", "-o", "x.csv"], tmp_path)
    assert bad.returncode == 2 and "line 2, field leeftijd" in bad.stderr


def test_input_errors(tmp_path: Path) -> None:
    (tmp_path / "zonder_id.csv").write_text("inkomen\n1\n")
    with pytest.raises(PopulationError, match="household_id"):
        load_population(tmp_path / "zonder_id.csv")
    (tmp_path / "dubbel.csv").write_text("household_id\nA\nA\n")
    with pytest.raises(PopulationError, match="more than once"):
        load_population(tmp_path / "dubbel.csv")
    (tmp_path / "ontv.csv").write_text("household_id,regeling\nA,ww\n")
    with pytest.raises(PopulationError, match="unknown regeling 'ww'"):
        load_receipts(tmp_path / "ontv.csv")
    unknown = run(["explain", "huursubsidie"], tmp_path)
    assert unknown.returncode == 2 and "onbekende regeling" in unknown.stderr
    year = run(["explain", "huurtoeslag", "--jaar", "2023", "--kale-huur", "500"], tmp_path)
    assert year.returncode == 2 and "known for 2025 only" in year.stderr


def test_municipal_settings_keep_their_legal_range() -> None:
    with pytest.raises(SettingsError, match=r"0\.90 and 1\.00"):
        MunicipalSettings(kwijtschelding_kosten_van_bestaan_pct=0.8)
    with pytest.raises(SettingsError, match=r"1\.00 and 1\.50"):
        MunicipalSettings(inkomensgrens_bijzondere_bijstand_pct=1.6)


def test_provenance_changes_when_a_rule_file_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Editing any file of a regulation changes the hash that every result carries."""
    import shutil

    from proactief.entitlements import catalog, parameters

    copy = tmp_path / "regelingen"
    shutil.copytree(catalog.REGELINGEN_DIR, copy)
    monkeypatch.setattr(catalog, "REGELINGEN_DIR", copy)
    before = parameters.files_sha256("zorgtoeslag")
    assert before == provenance(["zorgtoeslag"])["regelingen"]["zorgtoeslag"]["zorgtoeslag"]
    tests_file = copy / "zorgtoeslag" / "tests.yaml"
    tests_file.write_text(tests_file.read_text() + "\n# changed\n")
    assert parameters.files_sha256("zorgtoeslag") != before
    scan = scan_non_take_up(POPULATION, jaar=2025)
    assert len(scan.summary) == 6


def test_scan_stores_the_outcome_for_the_case_page(tmp_path: Path, db_url: str) -> None:
    from datetime import date

    from sqlalchemy import select

    from proactief.entitlements import inputs_of
    from proactief.entitlements import repository as entitlements_repo
    from proactief.entitlements.scan import explain_entitlements
    from proactief.storage.db import create_db_engine
    from proactief.storage.tables import entitlements

    POPULATION.to_csv(tmp_path / "bevolking.csv", index=False)
    command = ["rules", "scan", "bevolking.csv", "-o", "x.csv", "--opslaan", "--json"]
    done = subprocess.run(
        [sys.executable, "-m", "proactief", *command],
        cwd=tmp_path,
        env=dict(os.environ, PROACTIEF_DATABASE_URL=db_url),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    engine = create_db_engine(db_url)
    with engine.begin() as conn:
        rows = list(conn.execute(select(entitlements)))
        entitlements_repo.insert_population(
            conn,
            [
                {
                    "household_id": "H1",
                    "postcode": "9999ZZ",
                    "huisnummer": "1",
                    "huishoudtype": "eenoudergezin",
                    "woonsituatie": "huur",
                    "inkomen_per_jaar": 20000,
                    "aantal_personen": 2,
                }
            ],
            [
                {
                    "person_pseudonym": "p1",
                    "household_id": "H1",
                    "geslacht": "Vrouw",
                    "geboortedatum": date(1996, 1, 1),
                }
            ],
        )
        explained = explain_entitlements(conn=conn, person_pseudonym="p1", actor="test")
    engine.dispose()
    assert json.loads(done.stdout)["opgeslagen"] == len(rows) > 0
    assert all(set(r.invoer) <= set(inputs_of(r.regeling)) for r in rows)
    assert {r.household_id for r in rows if r.status == "recht_niet_ontvangen"} == {"H1", "H2"}
    # the stored outcome is explained again, and is still current
    assert explained and all(e.actueel and e.uitleg for e in explained)


def test_the_gemeente_file_names_file_and_key(tmp_path: Path) -> None:
    path = tmp_path / "gemeente.yaml"
    path.write_text("kwijtschelding_kosten_van_bestaan_pct: 0.95\nhuurgrens: 3\n")
    with pytest.raises(SettingsError, match=r"gemeente\.yaml: huurgrens: Extra inputs"):
        load_municipal_settings(path)
    path.write_text("inkomensgrens_bijzondere_bijstand_pct: 2\n")
    with pytest.raises(SettingsError, match=r"gemeente\.yaml: .*1\.00 and 1\.50"):
        load_municipal_settings(path)
    path.write_text("# only comments: every default applies\n")
    assert load_municipal_settings(path) == MunicipalSettings()
    path.write_text("kwijtschelding_kosten_van_bestaan_pct: 0.95\n")
    assert load_municipal_settings(path).kwijtschelding_kosten_van_bestaan_pct == 0.95

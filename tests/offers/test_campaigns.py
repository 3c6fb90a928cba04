"""The four citizen cases of the research as campaign designs (002 ch. 8)."""

from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import Engine

from proactief.offers.campaigns import (
    CampaignError,
    Oordeel,
    check_campaign,
    judge_campaign,
    load_campaign,
)

CASES = Path(__file__).resolve().parents[2] / "src" / "proactief" / "config" / "campagnes"


def rules(name: str) -> set[str]:
    return {r.regel for r in check_campaign(load_campaign(CASES / name))}


def test_case_1_income_drop_letter_is_allowed() -> None:
    assert rules("casus1_inkomensdaling.yaml") == set()


def test_case_2_ad_on_a_commercial_web_shop_is_refused() -> None:
    assert {"platform", "gegevens", "grondslag", "transparantie"} <= rules("casus2_webwinkel.yaml")


def test_case_3_insurer_analysing_health_data_is_refused() -> None:
    refusals = check_campaign(load_campaign(CASES / "casus3_zorgverzekeraar.yaml"))
    reasons = " ".join(r.reden for r in refusals)
    assert "gezondheid" in reasons and "algoritme van een private partij" in reasons


def test_case_4_early_detection_letter_is_allowed_only_under_conditions() -> None:
    campaign = load_campaign(CASES / "casus4_vroegsignaal.yaml")
    assert check_campaign(campaign) == []
    verdict = judge_campaign(campaign)
    assert verdict.oordeel is Oordeel.VOORWAARDELIJK and verdict.exit_code == 3
    conditions = " ".join(c.reden for c in verdict.voorwaarden)
    assert "waarom de gemeente dit mag" in conditions and "respectvol" in conditions
    assert any("zeer gemengd" in text for text in verdict.onderzoek)
    without = replace(campaign, transparantie=campaign.transparantie - {"stoppen", "nee_zeggen"})
    (refusal,) = check_campaign(without)
    assert refusal.regel == "transparantie" and "hoe je nee zegt" in refusal.reden


def test_broken_campaign_file(tmp_path: Path) -> None:
    (tmp_path / "c.yaml").write_text("naam: x\n")
    with pytest.raises(CampaignError, match=r"c\.yaml: afzender: Field required"):
        load_campaign(tmp_path / "c.yaml")


def test_a_campaign_file_names_the_accepted_values(tmp_path: Path) -> None:
    text = (CASES / "casus4_vroegsignaal.yaml").read_text(encoding="utf-8")
    (tmp_path / "c.yaml").write_text(text.replace("soort: privaat", "soort: bedrijf"))
    with pytest.raises(CampaignError, match=r"gegevensbronnen\.0\.soort: .*'overheid'"):
        load_campaign(tmp_path / "c.yaml")


# --- planning a non-take-up campaign on the stored scan -----------------------------------


def _scan_rows(jaar: int, rows: list[tuple[str, str, str, int | None]]) -> list[dict[str, object]]:
    return [
        {
            "household_id": h,
            "jaar": jaar,
            "regeling": r,
            "status": status,
            "bedrag_centen": cents,
            "regels_hash": "h",
        }
        for h, r, status, cents in rows
    ]


def test_a_campaign_plan_counts_the_households_and_the_money(engine: Engine) -> None:
    from proactief.entitlements import repository as entitlements_repo
    from proactief.offers.campaigns import plan_campaign

    missed = "recht_niet_ontvangen"
    with engine.begin() as conn:
        entitlements_repo.replace_entitlements(
            conn, 2025, _scan_rows(2025, [("H9", "zorgtoeslag", missed, 999900)])
        )
        entitlements_repo.replace_entitlements(
            conn,
            2026,
            _scan_rows(
                2026,
                [
                    ("H1", "zorgtoeslag", missed, 135504),
                    ("H2", "zorgtoeslag", missed, 5000),  # under EUR 100 a year
                    ("H3", "zorgtoeslag", missed, 20000),
                    ("H4", "huurtoeslag", missed, 300000),  # another regulation
                    ("H5", "zorgtoeslag", "mogelijk_recht_gegevens_nodig", None),
                ],
            ),
        )
        plan = plan_campaign(
            conn, load_campaign(CASES / "niet_gebruik_zorgtoeslag.yaml"), actor="test"
        )
    # only the newest year, the selected regulation and status, at least EUR 100
    assert plan.as_json() == {
        "huishoudens": 2,
        "bedrag_per_jaar": 1555.04,
        "per_regeling": {"zorgtoeslag": {"huishoudens": 2, "bedrag_per_jaar": 1555.04}},
    }


def test_a_campaign_purpose_must_exist_and_allow_the_read(engine: Engine) -> None:
    from proactief.offers.campaigns import plan_campaign
    from proactief.trust.purposes import PurposeViolationError

    campaign = load_campaign(CASES / "niet_gebruik_zorgtoeslag.yaml")
    assert check_campaign(campaign) == []
    unknown = replace(campaign, doel="marketing")
    (refusal,) = check_campaign(unknown)
    assert refusal.regel == "grondslag" and "marketing" in refusal.reden
    with engine.begin() as conn, pytest.raises(PurposeViolationError):
        plan_campaign(conn, replace(campaign, doel="klantcontact"), actor="test")
    with engine.begin() as conn, pytest.raises(ValueError, match="selectie"):
        plan_campaign(conn, replace(campaign, selectie=None), actor="test")


def test_campaign_plan_as_json_from_the_command_line(tmp_path: Path) -> None:
    import json
    import os

    from conftest import run_cli

    env = dict(os.environ, PROACTIEF_DATA_DIR=str(tmp_path / "d"))
    env.pop("PROACTIEF_DATABASE_URL", None)
    done = run_cli(
        ["campaign", "plan", str(CASES / "niet_gebruik_zorgtoeslag.yaml"), "--json"], env
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["huishoudens"] == 0  # no scan stored yet
    refused = run_cli(["campaign", "plan", str(CASES / "casus2_webwinkel.yaml")], env)
    assert refused.returncode == 1 and "geweigerd" in refused.stderr
    plain = run_cli(["campaign", "plan", str(CASES / "casus1_inkomensdaling.yaml")], env)
    assert plain.returncode == 2 and "selectie" in plain.stderr

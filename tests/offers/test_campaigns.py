"""The four citizen cases of the research as campaign designs (002 ch. 8)."""

from dataclasses import replace
from pathlib import Path

import pytest

from proactief.offers.campaigns import CampaignError, check_campaign, load_campaign

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


def test_case_4_early_detection_letter_is_allowed_with_transparency() -> None:
    campaign = load_campaign(CASES / "casus4_vroegsignaal.yaml")
    assert check_campaign(campaign) == []
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

"""The campaign check's twelve cases: the four citizen cases of the research (seed 002
ch. 8) and eight variants, among them the label tricks that used to pass (a basis that is
only a word, a sensitive kind in capitals, a targeted ad declared on the municipality's
own platform), each with the verdict the research gives and the CLI's exit code."""

import os
from pathlib import Path

import pytest

from conftest import run_cli
from proactief.offers.campaigns import (
    CampaignError,
    DataSource,
    Oordeel,
    judge_campaign,
    load_campaign,
)

SHIPPED = Path(__file__).resolve().parents[2] / "src" / "proactief" / "config" / "campagnes"
VARIANTS = Path(__file__).resolve().parent / "campagnecheck"

TOEGESTAAN, VOORWAARDELIJK, GEWEIGERD = Oordeel

TWELVE = [
    # file, verdict, the rules that must be among the reasons (refused) or None
    (SHIPPED / "casus1_inkomensdaling.yaml", TOEGESTAAN, None),
    (SHIPPED / "casus2_webwinkel.yaml", GEWEIGERD, {"platform", "gegevens", "grondslag"}),
    (SHIPPED / "casus3_zorgverzekeraar.yaml", GEWEIGERD, {"gegevens", "grondslag"}),
    (SHIPPED / "casus4_vroegsignaal.yaml", VOORWAARDELIJK, None),
    (VARIANTS / "v1_grondslag_ja.yaml", GEWEIGERD, {"grondslag"}),
    (VARIANTS / "v2_gezondheid_hoofdletter.yaml", GEWEIGERD, {"gegevens"}),
    (VARIANTS / "v3_gerichte_advertentie_eigen.yaml", GEWEIGERD, {"platform"}),
    (VARIANTS / "v4_algemene_poster.yaml", TOEGESTAAN, None),
    (VARIANTS / "v5_gedrag_als_geen.yaml", GEWEIGERD, {"gegevens"}),
    (VARIANTS / "v6_risicoscore.yaml", GEWEIGERD, {"gegevens"}),
    (VARIANTS / "v7_nationaliteit.yaml", GEWEIGERD, {"gegevens"}),
    (VARIANTS / "v8_onbekende_soort.yaml", GEWEIGERD, {"gegevens"}),
]


@pytest.mark.parametrize(("path", "oordeel", "rules"), TWELVE, ids=[p.stem for p, *_ in TWELVE])
def test_the_twelve_cases_get_the_research_verdict(
    path: Path, oordeel: Oordeel, rules: set[str] | None
) -> None:
    verdict = judge_campaign(load_campaign(path))
    assert verdict.oordeel is oordeel, [str(r) for r in verdict.weigeringen]
    if rules is not None:
        assert rules == {r.regel for r in verdict.weigeringen} & rules
    if oordeel is not GEWEIGERD:
        assert verdict.weigeringen == ()


def test_the_twelve_cases_give_the_exit_codes() -> None:
    expected = {TOEGESTAAN: 0, VOORWAARDELIJK: 3, GEWEIGERD: 1}
    env = dict(os.environ, COLUMNS="200")
    for path, oordeel, _ in TWELVE:
        done = run_cli(["campaign", "check", str(path)], env)
        assert done.returncode == expected[oordeel], (path.name, done.stdout, done.stderr)
        if oordeel is GEWEIGERD:
            assert "geweigerd" in done.stderr and "Traceback" not in done.stderr


def test_each_refusal_names_the_research_or_the_rule_behind_it() -> None:
    ad = judge_campaign(load_campaign(VARIANTS / "v3_gerichte_advertentie_eigen.yaml"))
    assert any("zeer negatief" in text for text in ad.onderzoek)
    nationality = judge_campaign(load_campaign(VARIANTS / "v7_nationaliteit.yaml"))
    assert "Toeslagen 2021" in nationality.weigeringen[0].reden
    unknown = judge_campaign(load_campaign(VARIANTS / "v8_onbekende_soort.yaml"))
    assert "gesloten lijst" in unknown.weigeringen[0].reden


def test_a_basis_that_cites_a_purposes_law_and_article_counts() -> None:
    from dataclasses import replace

    campaign = load_campaign(SHIPPED / "casus1_inkomensdaling.yaml")
    source = campaign.gegevensbronnen[0]

    def with_basis(grondslag: str) -> Oordeel:
        changed = source.model_copy(update={"grondslag": grondslag})
        return judge_campaign(replace(campaign, gegevensbronnen=(changed,))).oordeel

    assert with_basis("Participatiewet art. 7") is TOEGESTAAN
    assert with_basis("Participatiewet artikel 7 (regelingen)") is TOEGESTAAN
    assert with_basis("Participatiewet art. 64") is GEWEIGERD  # not in doelen.yaml
    assert with_basis("wettelijke taak") is GEWEIGERD


def test_consent_without_a_basis_is_allowed_only_under_conditions() -> None:
    from dataclasses import replace

    campaign = load_campaign(SHIPPED / "casus1_inkomensdaling.yaml")
    consent = DataSource(naam="eigen opgave inkomen", soort="overheid", toestemming=True)
    verdict = judge_campaign(replace(campaign, gegevensbronnen=(consent,)))
    assert verdict.oordeel is VOORWAARDELIJK
    assert "toestemming" in verdict.voorwaarden[0].reden


def test_a_general_message_still_says_who_sends_it_and_how_to_reach_a_person(
    tmp_path: Path,
) -> None:
    text = (VARIANTS / "v4_algemene_poster.yaml").read_text(encoding="utf-8")
    (tmp_path / "p.yaml").write_text(text.replace("[afzender, contact]", "[afzender]"))
    verdict = judge_campaign(load_campaign(tmp_path / "p.yaml"))
    assert verdict.oordeel is GEWEIGERD
    assert "hoe je een mens spreekt" in verdict.weigeringen[0].reden


def test_a_general_poster_may_not_carry_a_selection_of_persons(tmp_path: Path) -> None:
    text = (SHIPPED / "casus1_inkomensdaling.yaml").read_text(encoding="utf-8")
    (tmp_path / "p.yaml").write_text(text.replace("kanaal: brief", "kanaal: poster"))
    assert {r.regel for r in judge_campaign(load_campaign(tmp_path / "p.yaml")).weigeringen} == {
        "kanaal"
    }


def test_an_unknown_channel_is_refused_with_the_choices(tmp_path: Path) -> None:
    text = (SHIPPED / "casus1_inkomensdaling.yaml").read_text(encoding="utf-8")
    (tmp_path / "p.yaml").write_text(text.replace("kanaal: brief", "kanaal: duif"))
    (refusal,) = judge_campaign(load_campaign(tmp_path / "p.yaml")).weigeringen
    assert refusal.regel == "kanaal" and "brief" in refusal.reden


def test_existing_campaign_files_still_load(tmp_path: Path) -> None:
    for path in SHIPPED.glob("*.yaml"):
        load_campaign(path)
    (tmp_path / "c.yaml").write_text("naam: x\nafzender: {naam: g, soort: overheid}\n")
    with pytest.raises(CampaignError, match="platform"):
        load_campaign(tmp_path / "c.yaml")

"""The Algoritmeregister entry is written from the rules that run: it fits the
publication standard, names every regulation with its articles, every priority rule,
every purpose's basis and every experiment with its draw and result, and changes when a
municipality changes its rules."""

import json
import os
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from conftest import run_cli
from proactief.config import SHIPPED_DIR
from proactief.early_detection.work_queue import load_work_queue_config
from proactief.entitlements.catalog import regeling_names
from proactief.entitlements.engine import rule_sources
from proactief.entitlements.parameters import Source
from proactief.offers.experiments import load_experiment, save_result, start_experiment
from proactief.offers.register import (
    RegisterOptions,
    build_entry,
    check_entry,
    load_standard,
)
from proactief.trust.purposes import load_purposes

OPTIONS = RegisterOptions(
    organisatie="Gemeente Voorbeeld", contact="algoritmes@voorbeeld.nl", vandaag=date(2027, 2, 1)
)


def test_the_entry_fits_the_standard_and_says_what_runs(engine: Engine) -> None:
    with engine.connect() as conn:
        entry = build_entry(conn, OPTIONS)
    assert check_entry(entry) == []
    fields = load_standard()["velden"]
    assert set(entry) <= set(fields)
    assert entry["lang"] == "nld" and entry["standard_version"] == "1.0.0"
    methods = entry["methods_and_models"]
    for name in regeling_names():
        titel, sources = rule_sources(name)
        assert titel in methods
        for s in sources:
            law = s.wet if isinstance(s, Source) else s.split(", art. ")[0]
            assert law in methods, (name, law)
    for rule in load_work_queue_config().rules:
        assert f"{rule.description}: {rule.points} punten" in methods
    for purpose in load_purposes().values():
        assert purpose.grondslag in entry["lawful_basis"]
    assert "er loopt of liep geen experiment" in methods
    links = {g["link"] for g in entry["lawful_basis_grouping"]}
    assert "https://wetten.overheid.nl/BWBR0018451" in links  # Wet op de zorgtoeslag


def test_an_experiment_with_its_draw_and_result_is_in_the_entry(engine: Engine) -> None:
    spec = load_experiment(SHIPPED_DIR / "experimenten" / "woordkeus.yaml")
    with engine.begin() as conn:
        start_experiment(conn, spec, now=datetime(2027, 1, 2, tzinfo=UTC))
        running = build_entry(conn, OPTIONS)["methods_and_models"]
        assert "'woordkeus-2027' (loopt, 2027-01-04 tot 2027-06-30)" in running
        assert f"SHA-256 van seed {spec.seed}, naam en eenheid, modulo 2" in running
        assert "geplande steekproef 445 per groep" in running
        assert "kort: een korte, zakelijke brief" in running
        save_result(conn, spec.naam, {"datum": "2027-07-01", "conclusie": ["Groep 'kort' X."]})
        later = build_entry(conn, OPTIONS)
    assert "Uitkomst (2027-07-01): Groep 'kort' X." in later["methods_and_models"]


def test_a_field_beyond_the_standard_is_refused() -> None:
    good: dict[str, Any] = {
        "name": "x",
        "description_short": "y",
        "organization": "Gemeente Voorbeeld",
        "status": "In gebruik",
        "contact_email": "a@b.nl",
        "publication_category": "Impactvolle algoritmes",
        "lang": "nld",
    }
    assert check_entry(good) == []
    assert check_entry({**good, "goal": "x" * 2501}) == [
        "goal (Doel en impact): 2501 tekens, hoogstens 2500"
    ]
    assert "verplicht, maar leeg" in check_entry({**good, "contact_email": ""})[0]
    assert "geen toegestane waarde" in check_entry({**good, "status": "Actief"})[0]
    assert check_entry({**good, "kleur": "blauw"}) == ["kleur: geen veld van de standaard"]
    assert "'eng' is geen toegestane waarde" in check_entry({**good, "lang": "eng"})[0]


def test_the_entry_follows_a_municipalitys_own_rules(tmp_path: Path) -> None:
    """As a user runs it: change the safe ladder and a priority rule in the municipality's
    own policy folder, and the entry says so."""
    own = tmp_path / "beleid"
    own.mkdir()
    aanpak = (SHIPPED_DIR / "aanpak.yaml").read_text(encoding="utf-8")
    marker = "    - {kanaal: telefoon, dagdeel: Avond, wacht_dagen: 4}\n"
    assert marker in aanpak
    (own / "aanpak.yaml").write_text(
        aanpak.replace(marker, "    - {kanaal: huisbezoek, wacht_dagen: 5}\n"), encoding="utf-8"
    )
    queue = (SHIPPED_DIR / "work_queue.yaml").read_text(encoding="utf-8")
    assert "    points: 300\n" in queue
    (own / "work_queue.yaml").write_text(
        queue.replace("    points: 300\n", "    points: 333\n"), encoding="utf-8"
    )
    env = dict(os.environ, PROACTIEF_DATA_DIR=str(tmp_path / "d"), COLUMNS="200")
    env.pop("PROACTIEF_DATABASE_URL", None)
    shipped = run_cli(["algoritmeregister", "--contact", "a@voorbeeld.nl"], env)
    assert shipped.returncode == 0, shipped.stderr
    before = json.loads(shipped.stdout)["methods_and_models"]
    assert "telefoon (na 4 dagen)" in before and "bezoek thuis" not in before
    out = tmp_path / "registratie.json"
    changed = run_cli(
        [
            "algoritmeregister",
            "--contact",
            "a@voorbeeld.nl",
            "--begindatum",
            "2027-01",
            "-o",
            str(out),
        ],
        env,
        PROACTIEF_CONFIG_DIR=str(own),
    )
    assert changed.returncode == 0, changed.stderr
    assert "impacttoetsen_grouping" in changed.stdout
    entry = json.loads(out.read_text(encoding="utf-8"))
    assert "bezoek thuis (na 5 dagen)" in entry["methods_and_models"]
    assert "om op te pakken: 333 punten" in entry["methods_and_models"]
    assert entry["begin_date"] == "2027-01"
    missing = run_cli(["algoritmeregister"], env)
    assert missing.returncode == 2 and "--contact" in missing.stderr
    bad = run_cli(["algoritmeregister", "--contact", "a@b.nl", "--begindatum", "jan 2027"], env)
    assert bad.returncode == 2 and "JJJJ-MM" in bad.stderr

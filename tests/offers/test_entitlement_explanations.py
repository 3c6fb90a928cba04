"""Entitlements stored by a real scan are explained step by step, down to the article, from
only the values each regulation read; a stale row says so instead of showing its amount."""

import json
from typing import Any

from sqlalchemy import Engine, update

from conftest import PERSON, SCANNED, make_case, store_real_scan
from proactief.entitlements import inputs_of
from proactief.entitlements.scan import explain_entitlements
from proactief.storage.tables import entitlements
from proactief.trust import repository as trust_repo

REGELINGEN = SCANNED


def _scan(engine: Engine) -> list[dict[str, Any]]:
    with engine.begin() as conn:
        make_case(conn)
        return store_real_scan(conn)


def test_only_the_values_a_regulation_reads_are_kept(engine: Engine) -> None:
    rows = _scan(engine)
    # H2 earns too much for zorgtoeslag; its net income is unknown, so kwijtschelding
    # needs data
    assert {(r["household_id"], r["regeling"], r["status"]) for r in rows} == {
        ("H1", "zorgtoeslag", "recht_niet_ontvangen"),
        ("H1", "kwijtschelding", "recht_niet_ontvangen"),
        ("H2", "kwijtschelding", "mogelijk_recht_gegevens_nodig"),
    }
    for row in rows:
        assert set(row["invoer"]) <= set(inputs_of(row["regeling"]))
        assert "postcode" not in row["invoer"]
    zorg = next(r for r in rows if r["regeling"] == "zorgtoeslag")
    assert zorg["invoer"]["toetsingsinkomen"] == 18000.0
    # a column the file has is kept; a value it lacks for one household stays unknown
    # (None), not 0, and a column the file lacks altogether is not invented
    kwijt = {r["household_id"]: r["invoer"] for r in rows if r["regeling"] == "kwijtschelding"}
    assert kwijt["H1"]["netto_inkomen_maand"] == 1200.0
    assert kwijt["H2"]["netto_inkomen_maand"] is None
    assert "auto_waarde" not in kwijt["H1"]


def test_the_explanation_repeats_the_scan_down_to_the_article(engine: Engine) -> None:
    rows = _scan(engine)
    with engine.begin() as conn:
        found = explain_entitlements(conn=conn, person_pseudonym=PERSON, actor="medewerker")
        logged = [(e.doel, json.loads(e.details)["velden"]) for e in trust_repo.audit_rows(conn)]
    by_name = {e.regeling: e for e in found}
    assert set(by_name) == {r["regeling"] for r in rows if r["household_id"] == "H1"}
    zorg = by_name["zorgtoeslag"]
    stored = next(r for r in rows if r["regeling"] == "zorgtoeslag")
    assert zorg.actueel and zorg.opmerking is None
    assert zorg.uitleg is not None
    assert round(zorg.uitleg.bedrag_per_jaar * 100) == stored["bedrag_centen"]
    sources = [s["bron"] for s in zorg.uitleg.stappen]
    assert "Wet op de zorgtoeslag, art. 2 lid 3" in sources
    assert any("18.000 euro" in s["tekst"] for s in zorg.uitleg.stappen)
    assert ("regelingencheck", ["entitlements.*", "residents.household_id"]) in logged


def test_a_stale_row_says_so_instead_of_showing_its_amount(engine: Engine) -> None:
    _scan(engine)
    with engine.begin() as conn:
        conn.execute(
            update(entitlements)
            .where(entitlements.c.regeling == "zorgtoeslag")
            .values(bedrag_centen=99999)
        )
        conn.execute(
            update(entitlements)
            .where(entitlements.c.regeling == "kwijtschelding")
            .values(regels_hash="an older rule set")
        )
        found = {
            e.regeling: e
            for e in explain_entitlements(conn=conn, person_pseudonym=PERSON, actor="medewerker")
        }
    for regeling in REGELINGEN:
        assert not found[regeling].actueel
        assert "nieuwe scan" in (found[regeling].opmerking or "")


def test_rows_without_kept_values_or_known_parameters_are_not_explained(engine: Engine) -> None:
    with engine.begin() as conn:
        make_case(conn)  # 2026 rows without invoer; huurtoeslag has no 2026 values at all
        conn.execute(
            update(entitlements)
            .where(entitlements.c.regeling == "huurtoeslag")
            .values(invoer={"kale_huur": 600.0})
        )
        found = {
            e.regeling: e
            for e in explain_entitlements(conn=conn, person_pseudonym=PERSON, actor="medewerker")
        }
    assert found["zorgtoeslag"].uitleg is None
    assert "niet bewaard" in (found["zorgtoeslag"].opmerking or "")
    assert found["huurtoeslag"].uitleg is None
    assert "2026" in (found["huurtoeslag"].opmerking or "")

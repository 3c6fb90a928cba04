"""The non-take-up scan in the web app: a team lead uploads a population file and the
stored scan is counted per regulation; the same checks as `proactief rules scan`."""

import html
import re
from typing import Any

import pandas as pd
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from conftest import H1_VALUES, WEB_PASSWORD, csrf_of, https_client, web_setup
from proactief.entitlements import scan_non_take_up
from proactief.entitlements.runs import stored_scans
from proactief.storage.tables import audit_log, entitlements

POPULATION = pd.DataFrame(
    [
        H1_VALUES,
        {"household_id": "H2", "toetsingsinkomen": 90000.0, "leeftijd_aanvrager": 50.0},
        {"household_id": "H3", "toetsingsinkomen": 21000.0, "leeftijd_aanvrager": 70.0},
    ]
)


@pytest.fixture
def web(engine: Engine) -> dict[str, Any]:
    return web_setup(engine, b"k" * 32)


def login(web: dict[str, Any], name: str) -> tuple[TestClient, str]:
    c = https_client(web["app"])
    token = csrf_of(c.get("/login").text)
    done = c.post(
        "/login", data={"gebruikersnaam": name, "wachtwoord": WEB_PASSWORD, "csrf_token": token}
    )
    assert done.status_code == 303
    return c, csrf_of(c.get("/regelingen").text) if name != "contactmedewerker" else token


def csv_file(frame: pd.DataFrame, name: str = "bevolking.csv") -> tuple[str, bytes, str]:
    return (name, frame.to_csv(index=False).encode(), "text/csv")


def form_key(html: str) -> str:
    found = re.search(r'name="formulier" value="([^"]+)"', html)
    assert found
    return found.group(1)


def post_scan(c: TestClient, token: str, files: dict[str, Any], jaar: str = "2025") -> Any:
    """The scan form as the page sends it, with the page's own one-time key."""
    key = form_key(c.get("/regelingen").text)
    return c.post(
        "/regelingen/scan",
        data={"jaar": jaar, "csrf_token": token, "formulier": key},
        files=files,
    )


def test_a_team_lead_scans_a_file_and_sees_the_counts(web: dict[str, Any]) -> None:
    c, token = login(web, "teamleider")
    page = c.get("/regelingen").text
    with web["engine"].connect() as conn:
        assert ("Er is nog geen scan opgeslagen." in page) == (not stored_scans(conn))
    receipts = pd.DataFrame([{"household_id": "H3", "regeling": "zorgtoeslag"}])
    done = c.post(
        "/regelingen/scan",
        data={"jaar": "2025", "csrf_token": token, "formulier": form_key(page)},
        files={"bevolking": csv_file(POPULATION), "ontvangt": csv_file(receipts, "krijgt.csv")},
    )
    assert done.status_code == 303, done.text
    # the same figures as the scan itself
    expected = scan_non_take_up(POPULATION, jaar=2025, receipts=receipts).summary.set_index(
        "regeling"
    )
    with web["engine"].connect() as conn:
        rows = {r.regeling: r for r in stored_scans(conn) if r.jaar == 2025}
        zorgtoeslag = (
            conn.execute(
                select(entitlements.c.household_id).where(
                    entitlements.c.regeling == "zorgtoeslag", entitlements.c.jaar == 2025
                )
            )
            .scalars()
            .all()
        )
        audit = conn.execute(
            select(audit_log.c.actor, audit_log.c.doel).where(audit_log.c.actie == "scan")
        ).all()
    assert (
        rows["zorgtoeslag"].recht_niet_ontvangen
        == expected.loc["zorgtoeslag"]["recht_niet_ontvangen"]
    )
    assert rows["zorgtoeslag"].bedrag_per_jaar == pytest.approx(
        expected.loc["zorgtoeslag"]["bedrag_per_jaar_totaal"]
    )
    assert "H3" not in zorgtoeslag  # it receives zorgtoeslag already
    assert audit == [("medewerker:teamleider", "regelingencheck")]
    shown = c.get("/regelingen").text
    assert "Scan 2025 klaar: 3 huishoudens bekeken." in shown
    assert "Zorgtoeslag" in shown and "H1" not in shown  # counts only, no household
    # the analyst sees the counts, but cannot scan
    analyst, token = login(web, "analist")
    seen = analyst.get("/regelingen").text
    assert "Zorgtoeslag" in seen and 'action="/regelingen/scan"' not in seen
    refused = analyst.post(
        "/regelingen/scan",
        data={"jaar": "2025", "csrf_token": token},
        files={"bevolking": csv_file(POPULATION)},
    )
    assert refused.status_code == 403
    # a contact worker has no business here
    worker, _ = login(web, "contactmedewerker")
    assert worker.get("/regelingen").status_code == 403


@pytest.mark.parametrize(
    ("frame", "name", "message"),
    [
        (POPULATION.assign(bsn="111222333"), "bevolking.csv", "niet nodig voor de regelingencheck"),
        (
            pd.concat([POPULATION, POPULATION.head(1)]),
            "bevolking.csv",
            "bevolking.csv: regel 5, household_id 'H1' komt vaker voor",
        ),
        (POPULATION.drop(columns="household_id"), "bevolking.csv", "household_id ontbreekt"),
        (POPULATION, "bevolking.xlsx", "kies een .csv- of .parquet-bestand"),
    ],
)
def test_a_bad_file_is_refused_in_dutch_and_keeps_the_old_scan(
    web: dict[str, Any], frame: pd.DataFrame, name: str, message: str
) -> None:
    c, token = login(web, "teamleider")
    first = post_scan(c, token, {"bevolking": csv_file(POPULATION)})
    assert first.status_code == 303
    with web["engine"].connect() as conn:
        before = stored_scans(conn)
    bad = post_scan(c, token, {"bevolking": csv_file(frame, name)})
    assert bad.status_code == 400 and message in html.unescape(bad.text)
    assert " / " not in re.sub(r"<[^>]+>", "", bad.text.split("<main", 1)[1])  # Dutch only
    with web["engine"].connect() as conn:
        assert stored_scans(conn) == before


def test_a_year_without_parameters_says_so(web: dict[str, Any]) -> None:
    c, token = login(web, "teamleider")
    bad = post_scan(c, token, {"bevolking": csv_file(POPULATION)}, jaar="2001")
    assert bad.status_code == 400 and "Voor 2001 staan niet alle bedragen" in bad.text

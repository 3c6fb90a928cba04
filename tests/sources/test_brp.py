"""The BRP client against a local BRP API Personen that answers only what the published
contract allows (tests/brp_server.py), and the work queue's search on surname and date of
birth through it."""

import hashlib
import json
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx2
import pytest
from sqlalchemy import Engine, select

from brp_server import SPEC, BrpServer, died, person, running
from conftest import PERSON, VALID_BSNS, add_queue_case, deliver_in, fake_channels, make_case
from proactief.domain import Doel, EventSoort, Kanaal, Wijze
from proactief.early_detection.queue import QueueFilter, queue_page
from proactief.offers.outreach import run_next_step
from proactief.sources.brp import (
    BrpClient,
    BrpContactDirectory,
    BrpError,
    BrpQueryError,
    PersonDeceasedError,
    split_name,
)
from proactief.sources.contactgegevens import ContactSubject
from proactief.storage.tables import audit_log, cases
from proactief.trust.consent import current_state, record_event
from proactief.trust.identity import contact_subject
from proactief.trust.purposes import PurposeViolationError, load_purposes

BORN = date(1980, 3, 12)


@pytest.fixture
def brp() -> Iterator[BrpServer]:
    server = BrpServer(
        persons=[
            person(VALID_BSNS[1], "Vries", "1980-03-12"),
            person(VALID_BSNS[2], "Vries", "1980-03-12", geheimhoudingPersoonsgegevens=True),
            person(VALID_BSNS[3], "Vries", "1975-01-01"),
            person(
                "999999990",
                "Vries",
                "1980-03-12",
                overlijden={"datum": {"type": "Datum", "datum": "2025-01-01", "langFormaat": "x"}},
            ),
        ]
    )
    with running(server):
        yield server


def client(server: BrpServer, timeout: float = 5.0) -> BrpClient:
    return BrpClient(server.url, api_key="sleutel", timeout=timeout)


def test_the_contract_is_the_published_document_unmodified() -> None:
    readme = (SPEC.parent / "README.md").read_text()
    recorded = re.search(r"`([0-9a-f]{64})`", readme)
    assert recorded is not None
    assert hashlib.sha256(SPEC.read_bytes()).hexdigest() == recorded.group(1)


def test_a_search_asks_only_the_purposes_fields_and_finds_the_living(brp: BrpServer) -> None:
    found = client(brp).search_by_name("de Vries", BORN, fields=["burgerservicenummer"])
    assert sorted(p.bsn for p in found) == sorted([VALID_BSNS[1], VALID_BSNS[2]])
    assert [p.geheim for p in found if p.bsn == VALID_BSNS[2]] == [True]
    (sent,) = brp.requests
    assert sent == {
        "type": "ZoekMetGeslachtsnaamEnGeboortedatum",
        "geslachtsnaam": "Vries",  # the prefix split off, as the register keeps names
        "geboortedatum": "1980-03-12",
        "fields": ["burgerservicenummer"],
    }
    assert "Vries" not in repr(found) and VALID_BSNS[1] not in repr(found)


def test_the_test_server_refuses_what_the_contract_does_not_allow(brp: BrpServer) -> None:
    outside = {
        "type": "ZoekMetGeslachtsnaamEnGeboortedatum",
        "geslachtsnaam": "J@nsen",
        "geboortedatum": "12-03-1980",
        "fields": ["burgerservicenummer"],
    }
    answer = httpx2.post(
        f"{brp.url}/personen",
        content=json.dumps(outside),
        headers={"Content-Type": "application/json; charset=utf-8"},
    )
    assert answer.status_code == 400
    assert answer.headers["content-type"].startswith("application/problem+json")
    no_fields = {k: v for k, v in outside.items() if k != "fields"}
    assert (
        httpx2.post(
            f"{brp.url}/personen",
            content=json.dumps(no_fields),
            headers={"Content-Type": "application/json; charset=utf-8"},
        ).status_code
        == 400
    )


def test_a_name_the_contract_refuses_is_not_sent(brp: BrpServer) -> None:
    with pytest.raises(BrpQueryError, match="alleen letters"):
        client(brp).search_by_name("J@nsen", BORN, fields=["burgerservicenummer"])
    assert brp.requests == []
    assert split_name("van der Berg") == "Berg" and split_name("Ter Horst") == "Horst"
    assert split_name("de") == "de"  # a prefix alone is the name


@pytest.mark.parametrize(
    ("failures", "outcome"),
    [
        ([503], "found"),
        ([429], "found"),
        (["traag"], "found"),
        ([503, 503], "kon de vraag nu niet beantwoorden"),
        (["traag", "traag"], "op tijd geen antwoord"),
        ([401], "mag de BRP niet bevragen"),
    ],
)
def test_the_registers_errors_are_retried_once_where_safe_and_said_in_dutch(
    brp: BrpServer, failures: list[Any], outcome: str
) -> None:
    brp.fail_next = list(failures)
    search = client(brp, timeout=0.5)
    if outcome == "found":
        assert len(search.search_by_name("Vries", BORN, fields=["burgerservicenummer"])) == 2
        return
    with pytest.raises(BrpError, match=outcome):
        search.search_by_name("Vries", BORN, fields=["burgerservicenummer"])
    if failures == [401]:
        assert brp.fail_next == []  # asked once: a refusal is not tried again


@pytest.mark.parametrize(
    ("status", "body", "message"),
    [
        (200, {"type": "ZoekMetGeslachtsnaamEnGeboortedatum", "personen": [{}]}, "geldig BSN"),
        (200, {"type": "RaadpleegMetBurgerservicenummer", "personen": []}, "andere vraag"),
        (200, ["geen object"], "onverwacht antwoord"),
        (500, {"title": "Interne fout"}, "kon de vraag nu niet"),
        (404, {"title": "Niet gevonden"}, "gaf een fout"),
    ],
)
def test_an_answer_outside_the_contract_is_refused_whole(
    status: int, body: Any, message: str
) -> None:
    transport = httpx2.MockTransport(lambda _request: httpx2.Response(status, json=body))
    search = BrpClient("https://brp.example/api", transport=transport)
    with pytest.raises(BrpError, match=message):
        search.search_by_name("Vries", BORN, fields=["burgerservicenummer"])


def test_the_queue_finds_a_case_by_surname_and_date_of_birth(
    engine: Engine, brp: BrpServer
) -> None:
    with engine.begin() as conn:
        mine = add_queue_case(conn, 1, bsn=VALID_BSNS[1], postcode="1234AB", huisnummer="12")
        add_queue_case(conn, 2, bsn=VALID_BSNS[3], postcode="1234AC", huisnummer="3")
        page = queue_page(
            conn,
            QueueFilter(zoek="de Vries 12-03-1980"),
            actor="medewerker:anna",
            people=client(brp),
        )
        assert [r.case_id for r in page.rows] == [mine] and page.zoekfout is None
        entries = conn.execute(
            select(
                audit_log.c.actor, audit_log.c.gegevens, audit_log.c.subject, audit_log.c.details
            )
        ).all()
    assert ("medewerker:anna", "brp", None) in [e[:3] for e in entries]
    assert ("medewerker:anna", "client_identities", "q1") in [e[:3] for e in entries]
    assert not any("Vries" in str(e.details) for e in entries)  # never the name itself
    assert brp.requests[-1]["fields"] == ["burgerservicenummer"]  # from doelen.yaml


def test_the_queue_says_what_to_do_when_the_register_fails_or_is_not_connected(
    engine: Engine, brp: BrpServer
) -> None:
    with engine.begin() as conn:
        add_queue_case(conn, 1, bsn=VALID_BSNS[1], postcode="1234AB", huisnummer="12")
        brp.fail_next = [503, 503]
        down = queue_page(conn, QueueFilter(zoek="Vries 12-03-1980"), actor="t", people=client(brp))
        assert down.rows == [] and down.zoekfout is not None
        assert "Zoek op BSN of postcode met huisnummer" in down.zoekfout
        no_date = queue_page(conn, QueueFilter(zoek="Vries"), actor="t", people=client(brp))
        assert no_date.zoekfout is not None and "met de geboortedatum erbij" in no_date.zoekfout
        bad_date = queue_page(
            conn, QueueFilter(zoek="Vries 31-02-1980"), actor="t", people=client(brp)
        )
        assert bad_date.zoekfout is not None and "is geen datum" in bad_date.zoekfout
        off = queue_page(conn, QueueFilter(zoek="Vries 12-03-1980"), actor="t")
        assert off.zoekfout is not None and "PROACTIEF_BRP_URL" in off.zoekfout


def test_the_contract_path_is_inside_the_repository() -> None:
    # CI runs on a clean clone: the contract must travel with the tests
    assert SPEC.is_file() and Path(__file__).resolve().parents[1] in SPEC.parents


# --- the BRP as contact-detail provider: name and address for a letter, and deaths ---


def test_the_brp_gives_the_letters_name_and_address(brp: BrpServer) -> None:
    directory = BrpContactDirectory(client(brp))
    found = directory.lookup(ContactSubject("p", VALID_BSNS[1]), "inwoner")
    assert found.adres == ("J. Vries", "Dorpsstraat 12", "1234 AB  VOORBEELD")
    assert found.email is None and found.telefoon is None  # the BRP has neither
    (sent,) = brp.requests
    assert sent["type"] == "RaadpleegMetBurgerservicenummer"
    assert sent["fields"] == list(BrpContactDirectory.brp_fields)
    # no address of a representative in the register: the letter step fails clearly
    assert directory.lookup(ContactSubject("p", VALID_BSNS[1]), "bewindvoerder").adres == ()
    with pytest.raises(BrpError, match="niet in de BRP"):
        directory.lookup(ContactSubject("p", VALID_BSNS[0]), "inwoner")
    brp.persons.append(person("555555550", "Dood", "1940-01-01", overlijden=died("2026-11-01")))
    with pytest.raises(PersonDeceasedError) as dead:
        directory.lookup(ContactSubject("p", "555555550"), "inwoner")
    assert dead.value.datum == "2026-11-01"


def _step(conn: Any, case_id: int, directory: Any, when: datetime) -> Any:
    channels = fake_channels()
    result = run_next_step(
        conn=conn, case_id=case_id, channels=channels, directory=directory, now=when
    )
    return deliver_in(conn, result, channels, when), channels


def test_a_letter_goes_to_the_brp_address_and_a_death_stops_the_ladder(
    engine: Engine, brp: BrpServer
) -> None:
    # make_case's person has conftest's first valid BSN
    brp.persons.append(person(VALID_BSNS[0], "Jansen", "1981-02-03"))
    directory = BrpContactDirectory(client(brp))
    when = datetime(2026, 4, 10, 9, tzinfo=UTC)
    with engine.begin() as conn:
        case_id = make_case(conn)
        result, channels = _step(conn, case_id, directory, when)
        assert result.status == "afgeleverd", result
        (letter,) = channels[Kanaal.BRIEF].sent
        assert letter.ontvanger.adres == ("J. Jansen", "Dorpsstraat 12", "1234 AB  VOORBEELD")
        read = (
            conn.execute(
                select(audit_log.c.details).where(
                    audit_log.c.doel == "klantcontact", audit_log.c.subject == PERSON
                )
            )
            .scalars()
            .all()
        )
        assert any("brp.adressering.adresregel1" in str(d) for d in read)
        # the register now says the person died: the next step is not taken, and no later
        brp.persons[-1] = person(
            VALID_BSNS[0], "Jansen", "1981-02-03", overlijden=died("2026-04-12")
        )
        later = when + timedelta(days=30)
        stopped, channels = _step(conn, case_id, directory, later)
        assert stopped.status == "geblokkeerd" and "overleden" in stopped.detail
        assert all(not c.sent for c in channels.values() if hasattr(c, "sent"))
        state = current_state(conn=conn, person_pseudonym=PERSON)
        assert state.overleden and not state.may_contact()
        after, _ = _step(conn, case_id, directory, later + timedelta(days=30))
        assert after.status == "geen_contact"
        # an opt-in recorded later does not undo a death
        record_event(
            conn=conn,
            person_pseudonym=PERSON,
            soort=EventSoort.WEER_BENADEREN,
            wijze=Wijze.TELEFOON,
            door="t",
        )
        assert not current_state(conn=conn, person_pseudonym=PERSON).may_contact()


def test_the_purpose_decides_what_the_brp_is_asked(
    engine: Engine, brp: BrpServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shipped = (Path(__file__).resolve().parents[2] / "src/proactief/config/doelen.yaml").read_text()
    own = shipped.replace("    - brp.overlijden.datum\n", "")
    assert own != shipped
    (tmp_path / "doelen.yaml").write_text(own, encoding="utf-8")
    monkeypatch.setenv("PROACTIEF_CONFIG_DIR", str(tmp_path))
    load_purposes.cache_clear()
    try:
        with engine.begin() as conn, pytest.raises(PurposeViolationError):
            contact_subject(
                conn=conn,
                person_pseudonym=PERSON,
                directory=BrpContactDirectory(client(brp)),
                actor="t",
            )
    finally:
        load_purposes.cache_clear()
    assert brp.requests == []


# --- who lives at an address (purpose huishouden) ------------------------------------


def test_the_brp_says_who_lives_at_an_address(brp: BrpServer) -> None:
    fields = [
        v.removeprefix("brp.")
        for v in load_purposes()[Doel.HUISHOUDEN].velden
        if v.startswith("brp.")
    ]
    found = client(brp).residents(VALID_BSNS[1], fields=fields)
    assert found is not None
    # the three living persons at Dorpsstraat 12 (the one who died is not among them)
    assert {p.bsn for p in found} == {VALID_BSNS[1], VALID_BSNS[2], VALID_BSNS[3]}
    asked, searched = brp.requests
    assert asked["type"] == "RaadpleegMetBurgerservicenummer"
    assert all(f.startswith("verblijfplaats.verblijfadres.") for f in asked["fields"])
    assert searched == {
        "type": "ZoekMetPostcodeEnHuisnummer",
        "postcode": "1234AB",
        "huisnummer": 12,
        "fields": ["burgerservicenummer"],
    }
    assert client(brp).residents(VALID_BSNS[0], fields=fields) is None  # not in the register
    with pytest.raises(BrpQueryError):
        client(brp).residents(VALID_BSNS[1], fields=["burgerservicenummer"])


def household_app(engine: Engine, brp: BrpServer) -> tuple[Any, int, int]:
    """Case 1 (PERSON, BSN VALID_BSNS[0]) and an open case of a co-resident (BSN
    VALID_BSNS[1]), both at Dorpsstraat 12; the web app with the BRP."""
    from conftest import WEB_PASSWORD, csrf_of, https_client, store_signal
    from proactief.accounts.users import Rol, add_user
    from proactief.early_detection.cases import match_signals
    from proactief.early_detection.work_queue import load_work_queue_config
    from proactief.trust.pseudonyms import Pseudonymizer
    from proactief.web import create_app

    brp.persons.append(person(VALID_BSNS[0], "Jansen", "1981-02-03"))
    pseudonyms = {VALID_BSNS[1]: "p2", VALID_BSNS[2]: "p3", VALID_BSNS[3]: "p4"}

    class Known(Pseudonymizer):
        def __init__(self) -> None:
            pass

        def for_bsn(self, bsn: str) -> str:
            return pseudonyms.get(bsn, f"onbekend-{bsn[:2]}")

    with engine.begin() as conn:
        case_id = make_case(conn)
        store_signal(conn, "S-huisgenoot", person="p2", partner="Energie")
        match_signals(conn=conn, matchingsdatum=date(2026, 4, 7), config=load_work_queue_config())
        other = max(conn.scalars(select(cases.c.id)))
        add_user(
            conn=conn, gebruikersnaam="anna", wachtwoord=WEB_PASSWORD, rol=Rol.CONTACTMEDEWERKER
        )
    app = create_app(
        engine=engine,
        secret_key=b"h" * 32,
        household_register=client(brp),
        pseudonymizer=Known(),
    )
    c = https_client(app)
    token = csrf_of(c.get("/login").text)
    c.post(
        "/login", data={"gebruikersnaam": "anna", "wachtwoord": WEB_PASSWORD, "csrf_token": token}
    )
    return c, case_id, other


def test_the_case_page_counts_the_household_and_links_a_co_residents_case(
    engine: Engine, brp: BrpServer
) -> None:
    from conftest import csrf_of

    c, case_id, other = household_app(engine, brp)
    page = c.get(f"/zaken/{case_id}")
    assert "Huisgenoten zoeken" in page.text
    brp.requests.clear()
    shown = c.post(
        f"/zaken/{case_id}/huisgenoten",
        data={"csrf_token": csrf_of(page.text), "formulier": _form_key(page.text)},
    )
    assert shown.status_code == 200, shown.text[:500]
    assert "Op dit adres wonen 4 personen" in shown.text
    assert f'href="/zaken/{other}"' in shown.text
    assert "vertel niemand iets over de geldzorgen van een ander" in shown.text
    # the entitlement check counted the household from the population file (1 person)
    assert "de regelingencheck rekende voor dit huishouden met 1 persoon" in shown.text
    assert VALID_BSNS[1] not in shown.text and "Vries" not in shown.text  # no BSN, no name
    with engine.begin() as conn:
        entries = conn.execute(
            select(audit_log.c.actor, audit_log.c.doel, audit_log.c.gegevens).where(
                audit_log.c.doel == "huishouden"
            )
        ).all()
    assert ("medewerker:anna", "huishouden", "brp") in {tuple(e) for e in entries}


def test_a_field_the_purpose_lost_is_not_asked_of_the_brp(
    engine: Engine, brp: BrpServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from conftest import csrf_of

    shipped = (Path(__file__).resolve().parents[2] / "src/proactief/config/doelen.yaml").read_text()
    own = shipped.replace("    - brp.verblijfplaats.verblijfadres.huisletter\n", "", 1)
    assert own != shipped
    c, case_id, _ = household_app(engine, brp)
    page = c.get(f"/zaken/{case_id}")
    (tmp_path / "doelen.yaml").write_text(own, encoding="utf-8")
    monkeypatch.setenv("PROACTIEF_CONFIG_DIR", str(tmp_path))
    load_purposes.cache_clear()
    brp.requests.clear()
    try:
        shown = c.post(
            f"/zaken/{case_id}/huisgenoten",
            data={"csrf_token": csrf_of(page.text), "formulier": _form_key(page.text)},
        )
    finally:
        load_purposes.cache_clear()
    # the purpose now allows fewer fields: only those are asked for
    asked = brp.requests[0]["fields"]
    assert "verblijfplaats.verblijfadres.huisletter" not in asked
    assert shown.status_code == 200


def _form_key(html: str) -> str:
    found = re.search(r'name="formulier" value="([^"]+)"', html)
    assert found
    return found.group(1)

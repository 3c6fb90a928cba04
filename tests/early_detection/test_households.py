"""One household, one contact person: each open case learns its household from the BRP
(a keyed hash of the address, purpose huishouden, audited), and a housemate's case gets
the same fixed contact person; the case page links the household's other open cases."""

from collections.abc import Iterator
from datetime import date

import pytest
from sqlalchemy import Engine, select

from brp_server import BrpServer, person, running
from conftest import VALID_BSNS, WEB_PASSWORD, csrf_of, https_client, store_signal
from proactief.accounts.users import Rol, add_user
from proactief.early_detection import repository as early_repo
from proactief.early_detection.cases import match_signals
from proactief.early_detection.households import housemate_cases, link_households
from proactief.early_detection.owners import auto_assign
from proactief.early_detection.work_queue import load_work_queue_config
from proactief.sources.brp import BrpClient
from proactief.storage.tables import audit_log, cases
from proactief.web import create_app

ELSEWHERE = {
    "type": "Adres",
    "verblijfadres": {"huisnummer": 3, "postcode": "9999ZZ", "korteStraatnaam": "Laan"},
}


@pytest.fixture
def brp() -> Iterator[BrpServer]:
    server = BrpServer(
        persons=[
            person(VALID_BSNS[0], "Jansen", "1981-02-03"),
            person(VALID_BSNS[1], "Jansen", "1983-05-06"),  # the same address
            person(VALID_BSNS[3], "Bakker", "1970-01-01", verblijfplaats=ELSEWHERE),
        ]
    )
    with running(server):
        yield server


def three_cases(engine: Engine) -> dict[str, int]:
    """Open cases of p1 and p2 (one address) and p3 (another), with their BSNs."""
    with engine.begin() as conn:
        for pseudonym, bsn in (("p1", VALID_BSNS[0]), ("p2", VALID_BSNS[1]), ("p3", VALID_BSNS[3])):
            early_repo.insert_identities(
                conn,
                [
                    {
                        "person_pseudonym": pseudonym,
                        "bsn": bsn,
                        "geslacht": None,
                        "geboortedatum": None,
                        "postcode": None,
                        "huisnummer": None,
                        "huisnummertoevoeging": None,
                    }
                ],
            )
            store_signal(conn, f"S-{pseudonym}", person=pseudonym)
        match_signals(conn=conn, matchingsdatum=date(2026, 4, 7), config=load_work_queue_config())
        return {r.person_pseudonym: r.id for r in conn.execute(select(cases))}


def link(engine: Engine, brp: BrpServer) -> object:
    return link_households(
        begin=engine.begin,
        register=BrpClient(brp.url),
        household_of_address=lambda address: f"h-{address}",
    )


def test_housemates_share_a_household_and_a_contact_person(engine: Engine, brp: BrpServer) -> None:
    ids = three_cases(engine)
    result = link(engine, brp)
    assert result.summary() == "3 zaken aan hun huishouden gekoppeld"  # type: ignore[attr-defined]
    with engine.begin() as conn:
        keys = dict(conn.execute(select(cases.c.person_pseudonym, cases.c.huishouden)).all())
        assert keys["p1"] == keys["p2"] != keys["p3"]
        # what is hashed: the normalised address (the real hash is keyed, see pseudonyms)
        assert keys["p1"] == "h-1234AB|12||"
        assert housemate_cases(conn, ids["p1"]) == (ids["p2"],)
        assert housemate_cases(conn, ids["p3"]) == ()
        # every BRP read is in the audit trail under its purpose
        assert conn.execute(
            select(audit_log.c.subject).where(audit_log.c.doel == "huishouden")
        ).all()
        for name in ("anna", "bram"):
            add_user(
                conn=conn, gebruikersnaam=name, wachtwoord=WEB_PASSWORD, rol=Rol.CONTACTMEDEWERKER
            )
        first = auto_assign(conn=conn, case_id=ids["p1"], current=None)
        # without the household, p2 would go to the colleague with fewer cases
        assert auto_assign(conn=conn, case_id=ids["p2"], current=None) == first
        assert auto_assign(conn=conn, case_id=ids["p3"], current=None) != first
    # a second run asks nothing again for the cases that know their household
    brp.requests.clear()
    assert link(engine, brp).summary() == "0 zaken aan hun huishouden gekoppeld"  # type: ignore[attr-defined]
    assert brp.requests == []


def test_the_case_page_links_the_households_other_case(engine: Engine, brp: BrpServer) -> None:
    ids = three_cases(engine)
    link(engine, brp)
    with engine.begin() as conn:
        add_user(
            conn=conn, gebruikersnaam="anna", wachtwoord=WEB_PASSWORD, rol=Rol.CONTACTMEDEWERKER
        )
    c = https_client(create_app(engine=engine, secret_key=b"q" * 32))
    token = csrf_of(c.get("/login").text)
    c.post(
        "/login", data={"gebruikersnaam": "anna", "wachtwoord": WEB_PASSWORD, "csrf_token": token}
    )
    page = c.get(f"/zaken/{ids['p1']}").text
    assert "Zelfde huishouden" in page and f'href="/zaken/{ids["p2"]}"' in page
    assert "Zelfde huishouden" not in c.get(f"/zaken/{ids['p3']}").text

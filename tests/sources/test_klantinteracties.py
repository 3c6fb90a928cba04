"""The Klantinteracties client and contact-detail provider against a local registry that
answers only what the published contract allows (tests/klantinteracties_server.py)."""

import hashlib
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx2
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from brp_server import BrpServer, person
from brp_server import running as brp_running
from conftest import PERSON, VALID_BSNS, csrf_of, deliver_in, fake_channels, https_client, make_case
from klantinteracties_server import SPEC, TOKEN, KlantinteractiesServer, running
from proactief.domain import EventSoort, Kanaal, Wijze
from proactief.offers.outreach import run_next_step
from proactief.sources.brp import BrpClient, BrpContactDirectory
from proactief.sources.contactgegevens import ContactSubject, GivenDetails
from proactief.sources.klantinteracties import (
    KlantinteractiesClient,
    KlantinteractiesContactDirectory,
    KlantinteractiesError,
    pick,
)
from proactief.trust.consent import record_event
from proactief.web import create_app

BSN = VALID_BSNS[0]  # make_case's person


@pytest.fixture
def ki() -> Iterator[KlantinteractiesServer]:
    server = KlantinteractiesServer(bsns=[BSN, VALID_BSNS[1]])
    with running(server):
        yield server
    assert server.violations == []  # every request the client sent kept to the contract


def client(server: KlantinteractiesServer) -> KlantinteractiesClient:
    return KlantinteractiesClient(server.url, token=TOKEN)


def test_the_contract_is_the_published_document_unmodified() -> None:
    readme = (SPEC.parent / "README.md").read_text()
    recorded = re.search(r"`([0-9a-f]{64})`", readme)
    assert recorded is not None
    assert hashlib.sha256(SPEC.read_bytes()).hexdigest() == recorded.group(1)


def test_the_standard_then_the_verified_address_is_used(ki: KlantinteractiesServer) -> None:
    ki.give(BSN, "email", "oud@example.nl")
    ki.give(BSN, "email", "geverifieerd@example.nl", verificatieDatum="2026-10-01")
    ki.give(BSN, "telefoonnummer", "0612345678")
    ki.give(BSN, "email", "standaard@example.nl", isStandaardAdres=True)
    ki.give(VALID_BSNS[1], "email", "iemand.anders@example.nl", isStandaardAdres=True)
    directory = KlantinteractiesContactDirectory(client(ki))
    found = directory.lookup(ContactSubject("p", BSN), "inwoner")
    # four addresses over two pages: the client followed 'next'
    assert (found.email, found.telefoon) == ("standaard@example.nl", "0612345678")
    assert len([r for r in ki.requests if r[1].endswith("/digitaleadressen")]) == 2
    assert pick([{"soortDigitaalAdres": "email", "adres": "a@x.nl"}], "email") == "a@x.nl"
    assert (
        pick(
            [
                {"soortDigitaalAdres": "email", "adres": "a@x.nl"},
                {
                    "soortDigitaalAdres": "email",
                    "adres": "b@x.nl",
                    "verificatieDatum": "2026-01-01",
                },
            ],
            "email",
        )
        == "b@x.nl"
    )
    # no one else's, and nothing for a representative (their address is not the person's)
    assert directory.lookup(ContactSubject("p", BSN), "bewindvoerder").email is None


def test_what_a_resident_gives_is_written_once_to_their_partij(ki: KlantinteractiesServer) -> None:
    directory = KlantinteractiesContactDirectory(client(ki))
    given = GivenDetails(email="jan@example.nl", telefoon="+31612345678")
    directory.record_given(ContactSubject("p", BSN), given)
    directory.record_given(ContactSubject("p", BSN), given)  # the same form again
    mine = [a for a in ki.adressen if a["verstrektDoorPartij"]["uuid"] == ki.partijen[BSN]]
    assert sorted((a["soortDigitaalAdres"], a["adres"]) for a in mine) == [
        ("email", "jan@example.nl"),
        ("telefoonnummer", "+31612345678"),
    ]
    assert all(a["isStandaardAdres"] for a in mine)
    found = directory.lookup(ContactSubject("p", BSN), "inwoner")
    assert (found.email, found.telefoon) == ("jan@example.nl", "+31612345678")
    with pytest.raises(KlantinteractiesError, match="kent deze inwoner niet"):
        directory.record_given(ContactSubject("p", "100000009"), given)


def _mock(*answers: Any) -> KlantinteractiesClient:
    queue = list(answers)

    def handler(_request: httpx2.Request) -> httpx2.Response:
        answer = queue.pop(0)
        if isinstance(answer, Exception):
            raise answer
        status, body = answer
        return httpx2.Response(status, json=body)

    return KlantinteractiesClient(
        "https://klant.example/api/v1", token="t", transport=httpx2.MockTransport(handler)
    )


EMPTY = (200, {"count": 0, "next": None, "previous": None, "results": []})


@pytest.mark.parametrize(
    ("answers", "outcome"),
    [
        ([(503, {}), EMPTY], "ok"),
        ([(429, {}), EMPTY], "ok"),
        ([httpx2.ReadTimeout("slow"), EMPTY], "ok"),
        ([(503, {}), (503, {})], "gaf nu geen antwoord"),
        ([(401, {})], "controleer het token"),
        ([(404, {})], "gaf een fout"),
        ([(200, {"results": "geen lijst"})], "onverwacht antwoord"),
        ([httpx2.ConnectError("weg")], "niet bereikbaar"),
    ],
)
def test_the_registrys_errors_are_clear_and_reads_are_retried_once(
    answers: list[Any], outcome: str
) -> None:
    search = _mock(*answers)
    if outcome == "ok":
        assert search.digitale_adressen(BSN) == []
        return
    with pytest.raises(KlantinteractiesError, match=outcome):
        search.digitale_adressen(BSN)


def test_a_write_is_never_repeated() -> None:
    writes = _mock((503, {}))
    with pytest.raises(KlantinteractiesError, match="gaf een fout"):
        writes.add_digitaal_adres("8b3c5f5e-2b3a-4f0e-9d55-4b4f2c2c6f11", "email", "a@b.nl")


def test_letters_from_the_brp_and_e_mail_from_the_registry(
    engine: Engine, ki: KlantinteractiesServer
) -> None:
    """The resident gives an e-mail address on their page; it is written to their partij
    in the registry, and the next e-mail of the ladder goes there, while the letter's
    name and address come from the BRP."""
    brp = BrpServer(persons=[person(BSN, "Jansen", "1981-02-03")])
    with brp_running(brp):
        directory = KlantinteractiesContactDirectory(
            client(ki), postal=BrpContactDirectory(BrpClient(brp.url))
        )
        with engine.begin() as conn:
            case_id = make_case(conn)
        from proactief.accounts.resident_codes import create_code

        with engine.begin() as conn:
            code = create_code(conn=conn, person_pseudonym=PERSON)
        app = create_app(engine=engine, secret_key=b"k" * 32, contact_directory=directory)
        c: TestClient = https_client(app)
        c.post("/inwoner", data={"code": code, "csrf_token": csrf_of(c.get("/inwoner").text)})
        token = csrf_of(c.get("/inwoner/mijn/email").text)
        saved = c.post(
            "/inwoner/elektronisch",
            data={"email": "jan@example.nl", "akkoord": ["vroegsignaal"], "csrf_token": token},
        )
        assert saved.status_code == 303
        assert ("email", "jan@example.nl") in {
            (a["soortDigitaalAdres"], a["adres"]) for a in ki.adressen
        }
        with engine.begin() as conn:
            record_event(
                conn=conn,
                person_pseudonym=PERSON,
                soort=EventSoort.KANALEN,
                waarde="email,brief",
                wijze=Wijze.WEB,
                door="inwoner",
            )
            channels = fake_channels()
            now = datetime.now(UTC)
            result = deliver_in(
                conn,
                run_next_step(
                    conn=conn, case_id=case_id, channels=channels, directory=directory, now=now
                ),
                channels,
                now,
            )
        assert result.kanaal == Kanaal.EMAIL and result.status == "afgeleverd", result
        (mail,) = channels[Kanaal.EMAIL].sent
        assert mail.ontvanger.email == "jan@example.nl"
        assert mail.ontvanger.adres[:2] == ("J. Jansen", "Dorpsstraat 12")


def test_the_test_server_refuses_what_the_contract_does_not_allow() -> None:
    server = KlantinteractiesServer(bsns=[BSN])
    with running(server):
        no_token = httpx2.get(f"{server.url}/digitaleadressen")
        bad_body = httpx2.post(
            f"{server.url}/digitaleadressen",
            json={"adres": "x@example.nl", "soortDigitaalAdres": "duif"},
            headers={"Authorization": f"Token {TOKEN}"},
        )
    assert no_token.status_code == 400 and bad_body.status_code == 400
    assert len(server.violations) == 2


def test_messages_for_a_represented_resident_go_to_the_representative(
    ki: KlantinteractiesServer,
) -> None:
    office = ki.represent(
        BSN,
        "Bewindvoering Voorbeeld",
        {"straatnaam": "Kantoorlaan", "huisnummer": 5, "postcode": "1234 AB", "stad": "Voorbeeld"},
    )
    ki.give_partij(office, "email", "post@bewind.example.nl", isStandaardAdres=True)
    ki.give(BSN, "email", "jan@example.nl", isStandaardAdres=True)
    directory = KlantinteractiesContactDirectory(client(ki))
    found = directory.lookup(ContactSubject("p", BSN), "bewindvoerder")
    assert found.email == "post@bewind.example.nl"  # never the person's own address
    assert found.adres == ("Bewindvoering Voorbeeld", "Kantoorlaan 5", "1234 AB  Voorbeeld")
    # no vertegenwoordiging in the registry: no address, so the step fails clearly
    nobody = directory.lookup(ContactSubject("p", VALID_BSNS[1]), "bewindvoerder")
    assert (nobody.email, nobody.adres) == (None, ())


def test_each_contact_attempt_becomes_one_klantcontact(
    engine: Engine, ki: KlantinteractiesServer
) -> None:
    """Written with the person's partij as betrokkene and the case as onderwerpobject; a
    second run writes nothing again, and a run whose answer got lost finds its write by
    the reference instead of writing twice."""
    from sqlalchemy import select

    from proactief.domain import Contactpoging, Contactsoort, Dagdeel
    from proactief.early_detection.contacts import register_contact
    from proactief.early_detection.klantcontacten import write_klantcontacten
    from proactief.storage.tables import klantcontacten_geschreven
    from proactief.trust.identity import keep_bsn

    with engine.begin() as conn:
        case_id = make_case(conn)
        keep_bsn(conn=conn, person_pseudonym=PERSON, bsn=BSN)
        for soort, bereikt in ((Contactsoort.BRIEF, False), (Contactsoort.TELEFOON, True)):
            register_contact(
                conn=conn,
                case_id=case_id,
                attempt=Contactpoging(soort, datetime(2026, 7, 1).date(), Dagdeel.MIDDAG, bereikt),
                actor="test",
            )
    registry = client(ki)
    now = datetime.now(UTC)

    class LostAnswer:
        """The registry makes the first Klantcontact, then the answer gets lost."""

        def __init__(self) -> None:
            self.lost = False

        def partij_uuid(self, bsn: str) -> str | None:
            return registry.partij_uuid(bsn)

        def klantcontact_by_referentie(self, referentie: str) -> str | None:
            return registry.klantcontact_by_referentie(referentie)

        def maak_klantcontact(self, contact: Any) -> str:
            made = registry.maak_klantcontact(contact)
            if not self.lost:
                self.lost = True
                raise KlantinteractiesError("connection broke after the write")
            return made

    first = write_klantcontacten(begin=engine.begin, registry=LostAnswer(), now=now)
    assert (first.geschreven, first.mislukt) == (1, 1)
    again = write_klantcontacten(begin=engine.begin, registry=registry, now=now)
    assert (again.geschreven, again.mislukt) == (1, 0)
    assert write_klantcontacten(begin=engine.begin, registry=registry, now=now).geschreven == 0
    assert len(ki.klantcontacten) == 2  # two attempts, two Klantcontacten, none twice
    made = {m["klantcontact"]["kanaal"]: m for m in ki.klantcontacten}
    letter, call = made["brief"], made["telefoon"]
    assert letter["klantcontact"]["indicatieContactGelukt"] is False
    assert call["klantcontact"]["indicatieContactGelukt"] is True
    assert call["klantcontact"]["vertrouwelijk"] is True
    assert call["betrokkene"]["wasPartij"]["uuid"] == ki.partijen[BSN]
    assert call["onderwerpobject"]["onderwerpobjectidentificator"]["objectId"] == str(case_id)
    assert call["onderwerpobject"]["onderwerpobjectidentificator"]["codeObjecttype"] == (
        "vroegsignaalzaak"
    )
    with engine.begin() as conn:
        kept = conn.execute(select(klantcontacten_geschreven)).all()

    assert {k.klantcontact_uuid for k in kept} == {
        m["klantcontact"]["uuid"] for m in ki.klantcontacten
    }
    # a case a campaign made is no vroegsignaalzaak in the registry either
    from proactief.storage.tables import cases

    with engine.begin() as conn:
        conn.execute(cases.update().where(cases.c.id == case_id).values(campagne="C"))
        register_contact(
            conn=conn,
            case_id=case_id,
            attempt=Contactpoging(
                Contactsoort.BRIEF, datetime(2026, 7, 2).date(), Dagdeel.MIDDAG, False
            ),
            actor="test",
        )
    assert write_klantcontacten(begin=engine.begin, registry=registry, now=now).geschreven == 1
    campaign_call = ki.klantcontacten[-1]
    assert campaign_call["onderwerpobject"]["onderwerpobjectidentificator"]["codeObjecttype"] == (
        "aanbodzaak"
    )
    assert campaign_call["klantcontact"]["onderwerp"].startswith("Aanbod van geld")


def test_a_person_the_registry_does_not_know_is_not_written(
    engine: Engine, ki: KlantinteractiesServer
) -> None:
    from proactief.domain import Contactpoging, Contactsoort
    from proactief.early_detection.contacts import register_contact
    from proactief.early_detection.klantcontacten import write_klantcontacten

    with engine.begin() as conn:
        case_id = make_case(conn)
        ki.partijen.pop(BSN)  # the registry has no partij for this person
        register_contact(
            conn=conn,
            case_id=case_id,
            attempt=Contactpoging(Contactsoort.BRIEF, datetime(2026, 7, 1).date(), None, False),
            actor="test",
        )
    result = write_klantcontacten(begin=engine.begin, registry=client(ki), now=datetime.now(UTC))
    assert (result.geschreven, result.geen_partij) == (0, 1)
    assert ki.klantcontacten == []
    assert "zonder partij" in result.summary()

"""A team's daily work over HTTP: the queue's paging, sorting and search, 'mijn zaken' and
'vandaag te doen', bulk assignment, the do-not-contact flag, tasks, notes and follow-ups in
the web app, and the case log - on SQLite and PostgreSQL."""

import re
from datetime import UTC, date, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from conftest import PERSON, WEB_PASSWORD, add_queue_case, csrf_of, https_client, web_setup
from proactief.domain import EventSoort, Wijze
from proactief.offers import repository as offers_repo
from proactief.storage.tables import audit_log, case_log, contact_attempts, feedback
from proactief.trust.consent import record_event


@pytest.fixture
def web(engine: Engine) -> dict[str, Any]:
    return web_setup(engine, b"t" * 32)


def login(web: dict[str, Any], name: str) -> TestClient:
    c: TestClient = https_client(web["app"])
    token = csrf_of(c.get("/login").text)
    c.post("/login", data={"gebruikersnaam": name, "wachtwoord": WEB_PASSWORD, "csrf_token": token})
    return c


def case_links(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'<a class="utrecht-link" href="/zaken/(\d+)">', html)]


def post(c: TestClient, path: str, page: str, data: dict[str, Any]) -> Any:
    return c.post(path, data={"csrf_token": csrf_of(c.get(page).text), **data})


def test_the_queue_pages_sorts_and_searches(web: dict[str, Any]) -> None:
    with web["engine"].begin() as conn:
        made = [add_queue_case(conn, n, priority=n) for n in range(60)]
    c = login(web, "contactmedewerker")
    first = c.get("/werkvoorraad?per=25").text
    assert "61 open zaken; pagina 1 van 3." in first
    assert len(case_links(first)) == 25
    # the highest priority first
    assert case_links(first)[0] == made[-1]
    assert 'href="/werkvoorraad?per=25&amp;pagina=2"' in first
    seen = []
    for n in (1, 2, 3):
        seen += case_links(c.get(f"/werkvoorraad?per=25&pagina={n}").text)
    assert sorted(seen) == sorted([*made, web["case_id"]])
    # sorted on the case number, ascending, and the header says so
    by_number = c.get("/werkvoorraad?sorteer=zaak&richting=op").text
    assert case_links(by_number)[:3] == sorted([*made, web["case_id"]])[:3]
    assert 'aria-sort="ascending"' in by_number
    # search on a case number
    assert case_links(c.get(f"/werkvoorraad?zoek={made[7]}").text) == [made[7]]
    # what it cannot read, it says, in Dutch, without an error page
    odd = c.get("/werkvoorraad?zoek=Jansen&ouder=veel&sorteer=naam")
    assert odd.status_code == 200
    assert "Zoek op een zaaknummer" in odd.text
    assert "Ouder dan: vul een heel getal in." in odd.text
    assert "Sorteren: kies een kolom uit de tabel." in odd.text


def test_a_bsn_search_finds_the_case_and_is_in_the_audit_trail(web: dict[str, Any]) -> None:
    c = login(web, "contactmedewerker")
    # make_case's person has conftest's first valid BSN
    found = c.get("/werkvoorraad?zoek=111222333").text
    assert case_links(found) == [web["case_id"]]
    with web["engine"].connect() as conn:
        entries = conn.execute(
            select(audit_log.c.actor, audit_log.c.subject).where(audit_log.c.doel == "zaak_zoeken")
        ).all()
    assert ("medewerker:contactmedewerker", PERSON) in entries


def test_a_resident_who_said_no_contact_is_flagged_and_cannot_be_contacted(
    web: dict[str, Any],
) -> None:
    case_id = web["case_id"]
    with web["engine"].begin() as conn:
        record_event(
            conn=conn,
            person_pseudonym=PERSON,
            soort=EventSoort.NIET_BENADEREN,
            wijze=Wijze.WEB,
            door="inwoner",
        )
    c = login(web, "contactmedewerker")
    assert "Niet benaderen" in c.get("/werkvoorraad").text
    page = c.get(f"/zaken/{case_id}").text
    assert "Deze inwoner wil niet benaderd worden" in page
    assert "Contactpoging vastleggen" not in page
    refused = post(
        c,
        f"/zaken/{case_id}/contact",
        f"/zaken/{case_id}",
        {"soort": "Telefoon", "datum": date.today().isoformat(), "bereikt": "ja"},
    )
    assert refused.status_code == 400
    assert "wil niet benaderd worden" in refused.text
    with web["engine"].connect() as conn:
        assert conn.execute(select(contact_attempts)).all() == []


def test_bulk_assignment_by_a_team_lead_and_mijn_zaken(web: dict[str, Any]) -> None:
    with web["engine"].begin() as conn:
        others = [add_queue_case(conn, n) for n in range(3)]
    chosen = [web["case_id"], others[0]]
    worker = login(web, "contactmedewerker")
    # a contact worker may not assign
    assert (
        post(worker, "/werkvoorraad/toewijzen", "/werkvoorraad", {"zaken": chosen}).status_code
        == 403
    )
    lead = login(web, "teamleider")
    form = {"zaken": chosen, "gebruikersnaam": "contactmedewerker"}
    done = post(lead, "/werkvoorraad/toewijzen", "/werkvoorraad", form)
    assert done.status_code == 303
    assert "2 zaken toegewezen aan contactmedewerker." in lead.get("/werkvoorraad").text
    post(lead, "/werkvoorraad/toewijzen", "/werkvoorraad", {**form, "zaken": [*chosen, others[1]]})
    again = lead.get("/werkvoorraad").text
    assert "1 zaak toegewezen aan contactmedewerker. 2 hadden al deze contactpersoon" in again
    mine = worker.get("/werkvoorraad?eigenaar=mij").text
    assert sorted(case_links(mine)) == sorted([*chosen, others[1]])
    with web["engine"].connect() as conn:
        logged = conn.execute(
            select(case_log.c.case_id).where(case_log.c.soort == "toegewezen")
        ).scalars()
        assert sorted(logged) == sorted([*chosen, others[1]])


def test_a_worker_plans_a_follow_up_writes_a_note_and_finds_it_today(
    web: dict[str, Any],
) -> None:
    case_id = web["case_id"]
    with web["engine"].begin() as conn:
        # the case is not new: a letter went out and the next step is weeks away
        offers_repo.insert_outreach_step(
            conn,
            {
                "case_id": case_id,
                "stap": 0,
                "kanaal": "brief",
                "tijdstip": datetime.now(UTC),
                "status": "afgeleverd",
                "detail": "",
                "toon": "neutraal",
            },
        )
    lead = login(web, "teamleider")
    post(
        lead,
        "/werkvoorraad/toewijzen",
        "/werkvoorraad",
        {"zaken": [case_id], "gebruikersnaam": "contactmedewerker"},
    )
    c = login(web, "contactmedewerker")
    today = "/werkvoorraad?eigenaar=mij&actie=vandaag"
    assert case_links(c.get(today).text) == []
    when = date.today().isoformat()
    plan = {"datum": when, "wat": "Terugbellen na 17 uur"}
    assert post(c, f"/zaken/{case_id}/vervolg", f"/zaken/{case_id}", plan).status_code == 303
    assert case_links(c.get(today).text) == [case_id]
    assert "Terugbellen na 17 uur" in c.get(today).text
    # the same again: nothing changes, and the page says so
    post(c, f"/zaken/{case_id}/vervolg", f"/zaken/{case_id}", plan)
    assert "Dit was al zo vastgelegd" in c.get(f"/zaken/{case_id}").text
    # a date in the past is refused in Dutch
    past = post(
        c, f"/zaken/{case_id}/vervolg", f"/zaken/{case_id}", {"datum": "2020-01-01", "wat": "x"}
    )
    assert past.status_code == 400 and "dag in de toekomst" in past.text
    note = {"tekst": "Inwoner vraagt om een brief in eenvoudige taal."}
    assert post(c, f"/zaken/{case_id}/notitie", f"/zaken/{case_id}", note).status_code == 303
    page = " ".join(c.get(f"/zaken/{case_id}").text.split())
    assert "Inwoner vraagt om een brief in eenvoudige taal." in page
    assert '<strong>Notitie</strong> <span class="pf-who">(contactmedewerker)</span>' in page
    assert '<strong>Toegewezen</strong> <span class="pf-who">(teamleider)</span>' in page


def test_a_call_task_is_done_in_the_web_app_once(web: dict[str, Any]) -> None:
    case_id = web["case_id"]
    with web["engine"].begin() as conn:
        step = offers_repo.insert_outreach_step(
            conn,
            {
                "case_id": case_id,
                "stap": 0,
                "kanaal": "telefoon",
                "dagdeel": "Middag",
                "tijdstip": datetime.now(UTC),
                "status": "taak_open",
                "detail": "",
                "belscript": "Goedemiddag, u spreekt met de gemeente.",
                "toon": "neutraal",
            },
        )
    c = login(web, "contactmedewerker")
    page = c.get(f"/zaken/{case_id}").text
    assert "Taak: bellen" in page and "Goedemiddag, u spreekt met de gemeente." in page
    assert "Taak van de contactladder" in c.get("/werkvoorraad").text
    form = {"taak": step, "datum": date.today().isoformat(), "bereikt": "ja"}
    assert post(c, f"/zaken/{case_id}/taak", f"/zaken/{case_id}", form).status_code == 303
    assert "Taak afgerond: Telefoon, bereikt." in c.get(f"/zaken/{case_id}").text
    post(c, f"/zaken/{case_id}/taak", f"/zaken/{case_id}", form)
    assert "Deze taak was al afgerond" in c.get(f"/zaken/{case_id}").text
    with web["engine"].connect() as conn:
        attempts = conn.execute(
            select(contact_attempts.c.soort, contact_attempts.c.dagdeel, contact_attempts.c.door)
        ).all()
    assert attempts == [("Telefoon", "Middag", "medewerker:contactmedewerker")]


def test_error_pages_keep_the_layout_and_speak_dutch(web: dict[str, Any]) -> None:
    c = login(web, "contactmedewerker")
    missing = c.get("/bestaat-niet")
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith("text/html")
    assert "Deze pagina bestaat niet" in missing.text
    # the menu stays
    assert 'aria-label="Hoofdmenu"' in missing.text and 'href="/werkvoorraad"' in missing.text
    # a form without its field: the team reads what to fill in, not a field name
    token = csrf_of(c.get(f"/zaken/{web['case_id']}").text)
    bad = c.post(f"/zaken/{web['case_id']}/contact", data={"csrf_token": token})
    assert bad.status_code == 400
    assert "vul de datum en de soort contact goed in" in bad.text
    assert "case_id" not in bad.text and "Controleer:" not in bad.text
    # a future date, in the team's date format
    future = post(
        c,
        f"/zaken/{web['case_id']}/contact",
        f"/zaken/{web['case_id']}",
        {"soort": "Telefoon", "datum": "2030-01-01"},
    )
    assert future.status_code == 400
    assert "Datum 01-01-2030 ligt na vandaag" in future.text and " / " not in future.text
    odd = post(
        c,
        f"/zaken/{web['case_id']}/contact",
        f"/zaken/{web['case_id']}",
        {"soort": "Duif", "datum": "gisteren"},
    )
    assert odd.status_code == 400 and "vul een geldige datum in" in odd.text
    assert "isoformat" not in odd.text and "not a valid" not in odd.text


def test_each_role_starts_on_a_page_it_may_open(web: dict[str, Any]) -> None:
    for role, start in (
        ("analist", "/dashboard"),
        ("contactmedewerker", "/werkvoorraad"),
        ("beheerder", "/werkvoorraad"),
    ):
        c: TestClient = https_client(web["app"])
        token = csrf_of(c.get("/login").text)
        landed = c.post(
            "/login",
            data={"gebruikersnaam": role, "wachtwoord": WEB_PASSWORD, "csrf_token": token},
        )
        assert landed.headers["location"] == start, role
        assert c.get("/").headers["location"] == start


def test_the_footer_pages_say_what_the_configuration_does(web: dict[str, Any]) -> None:
    from proactief.domain import Doel
    from proactief.trust.purposes import load_purposes

    c: TestClient = https_client(web["app"])
    start = c.get("/").text
    assert 'href="/privacy"' in start and 'href="/toegankelijkheid"' in start
    page = " ".join(c.get("/privacy").text.split())
    purposes = load_purposes()
    early = purposes[Doel.VROEGSIGNALERING]
    # the periods the retention job uses, not numbers written into the page
    assert (
        f"Wij halen uw gegevens weg {early.bewaartermijn_dagen} dagen nadat wij uw zaak "
        f"sluiten; kreeg u hulp, dan na {early.bewaartermijn_dagen_met_hulp} dagen."
    ) in page
    scan = purposes[Doel.REGELINGENCHECK].bewaartermijn_dagen
    assert f"weg {scan} dagen na de berekening" in page
    for purpose in purposes.values():
        assert (purpose.grondslag_b1 or purpose.grondslag) in page
    assert "axe-core" in c.get("/toegankelijkheid").text


def test_contact_details_are_shown_on_request_and_audited(engine: Engine) -> None:
    from proactief.sources.contactgegevens import FakeContactDirectory
    from proactief.web import create_app

    setup = web_setup(engine, b"u" * 32, with_directory=False)
    case_id = setup["case_id"]
    # without a provider the page says so, and asking is refused in Dutch
    plain = login(setup, "contactmedewerker")
    assert "Contactgegevens zijn niet gekoppeld" in plain.get(f"/zaken/{case_id}").text
    app = create_app(engine=engine, secret_key=b"u" * 32, contact_directory=FakeContactDirectory())
    c = login({**setup, "app": app}, "contactmedewerker")
    page = c.get(f"/zaken/{case_id}").text
    assert "Contactgegevens tonen" in page and "voorbeeld.invalid" not in page
    shown = post(c, f"/zaken/{case_id}/contactgegevens", f"/zaken/{case_id}", {})
    assert shown.status_code == 200
    assert "inwoner.p1@voorbeeld.invalid" in shown.text
    assert "Proactief bewaart deze gegevens niet" in shown.text
    with engine.connect() as conn:
        entries = conn.execute(
            select(audit_log.c.actor, audit_log.c.gegevens, audit_log.c.subject).where(
                audit_log.c.doel == "klantcontact"
            )
        ).all()
    assert entries == [("medewerker:contactmedewerker", "contactgegevens", PERSON)]
    # an analyst may not ask
    analyst = login({**setup, "app": app}, "analist")
    refused = analyst.post(
        f"/zaken/{case_id}/contactgegevens",
        data={"csrf_token": csrf_of(analyst.get("/account").text)},
    )
    assert refused.status_code == 403
    # nor for a resident who does not want to be approached
    with engine.begin() as conn:
        record_event(
            conn=conn,
            person_pseudonym=PERSON,
            soort=EventSoort.NIET_BENADEREN,
            wijze=Wijze.WEB,
            door="inwoner",
        )
    no = post(c, f"/zaken/{case_id}/contactgegevens", "/werkvoorraad", {})
    assert no.status_code == 400 and "worden niet getoond" in no.text


def test_feedback_to_creditors_in_the_web_app_and_the_api(web: dict[str, Any]) -> None:
    from proactief.domain import Contactpoging, Contactsoort
    from proactief.early_detection.contacts import accept_help, register_contact

    case_id = web["case_id"]
    with web["engine"].begin() as conn:
        register_contact(
            conn=conn,
            case_id=case_id,
            attempt=Contactpoging(Contactsoort.TELEFOON, date.today(), None, True),
        )
        accept_help(conn=conn, case_id=case_id, datum=date.today())
    worker = login(web, "contactmedewerker")
    assert worker.get("/terugkoppeling").status_code == 403
    assert worker.get("/api/v1/terugkoppeling/Zorg").status_code == 403
    lead = login(web, "teamleider")
    page = " ".join(lead.get("/terugkoppeling").text.split())
    assert "Download voor zorgverzekeraar" in page
    # the API shows what waits without changing anything
    waiting = lead.get("/api/v1/terugkoppeling/Zorg").json()
    assert {w["status"] for w in waiting} == {"opgepakt", "hulp_aangenomen"}
    assert lead.get("/api/v1/terugkoppeling/Zorg").json() == waiting
    assert lead.get("/api/v1/terugkoppeling/Onbekend").status_code == 400
    # the download records it as sent: a second download has the header only
    download = post(lead, "/terugkoppeling/Zorg", "/terugkoppeling", {})
    assert download.status_code == 200
    assert download.headers["content-type"].startswith("text/csv")
    assert "attachment" in download.headers["content-disposition"]
    lines = download.text.strip().splitlines()
    assert lines[0] == "signaal_id,signaalpartner,status,datum,incasso_pauze_tot"
    assert len(lines) == 3
    assert lead.get("/api/v1/terugkoppeling/Zorg").json() == []
    assert "alles is al teruggekoppeld" in lead.get("/terugkoppeling").text
    api_token = re.search(r'name="csrf-token" content="([^"]+)"', lead.get("/account").text)
    assert api_token
    again = lead.post("/api/v1/terugkoppeling/Zorg", headers={"X-CSRF-Token": api_token[1]})
    assert again.status_code == 200 and again.json() == []
    # a download that got lost is taken again from the record: the same lines, and
    # nothing is recorded anew
    earlier = lead.get("/terugkoppeling").text
    link = re.search(r'href="(/terugkoppeling/bestand/\d+)"', earlier)
    assert link is not None and "Opnieuw downloaden" in earlier
    with web["engine"].connect() as conn:
        recorded = conn.execute(select(func.count()).select_from(feedback)).scalar_one()
    repeat = lead.get(link[1])
    assert repeat.status_code == 200 and repeat.text == download.text
    assert repeat.headers["content-disposition"] == download.headers["content-disposition"]
    with web["engine"].connect() as conn:
        assert conn.execute(select(func.count()).select_from(feedback)).scalar_one() == recorded
    assert lead.get("/terugkoppeling/bestand/999999").status_code == 404
    assert worker.get(link[1]).status_code == 403


def test_the_dashboard_has_a_period_workers_lead_times_and_csv(web: dict[str, Any]) -> None:
    from proactief.domain import Contactpoging, Contactsoort
    from proactief.early_detection.contacts import register_contact

    case_id = web["case_id"]
    with web["engine"].begin() as conn:
        register_contact(
            conn=conn,
            case_id=case_id,
            attempt=Contactpoging(Contactsoort.TELEFOON, date(2026, 4, 10), None, True),
        )
    lead = login(web, "teamleider")
    post(
        lead,
        "/werkvoorraad/toewijzen",
        "/werkvoorraad",
        {"zaken": [case_id], "gebruikersnaam": "contactmedewerker"},
    )
    analyst = login(web, "analist")
    page = " ".join(analyst.get("/dashboard").text.split())
    assert "Zaken per medewerker" in page and "Doorlooptijden in dagen" in page
    assert "Hoe wij tellen" in page
    workers = analyst.get("/dashboard/medewerkers.csv")
    assert workers.headers["content-type"].startswith("text/csv")
    assert workers.text.splitlines() == [
        "naam,zaken,open,bereikt,geaccepteerd,geholpen",
        "contactmedewerker,1,1,1,0,0",
    ]
    times = analyst.get("/dashboard/doorlooptijden.csv").text.splitlines()
    assert times[0] == "naam,zaken,mediaan,p90" and times[1].startswith("eerste poging,1,")
    for table in ("partners", "kanalen", "segmenten"):
        assert analyst.get(f"/dashboard/{table}.csv").status_code == 200
    # a period without the case: nothing counted
    later = analyst.get("/dashboard/medewerkers.csv?van=2030-01-01").text.splitlines()
    assert later == ["naam,zaken,open,bereikt,geaccepteerd,geholpen"]
    wrong = analyst.get("/dashboard?van=2026-05-01&tot=2026-04-01")
    assert wrong.status_code == 200 and "tot en met&#39; ligt vóór" in wrong.text
    assert analyst.get("/dashboard?van=gisteren").status_code == 200
    assert "Van: vul een datum in" in analyst.get("/dashboard?van=gisteren").text
    assert analyst.get("/dashboard/bestaat.csv").status_code == 404


def test_a_form_sent_twice_changes_things_once(web: dict[str, Any]) -> None:
    case_id = web["case_id"]
    c = login(web, "contactmedewerker")
    page = c.get(f"/zaken/{case_id}").text
    key = re.search(r'name="formulier" value="([^"]+)"', page)
    assert key
    form = {
        "csrf_token": csrf_of(page),
        "formulier": key[1],
        "soort": "Telefoon",
        "datum": date.today().isoformat(),
    }
    first = c.post(f"/zaken/{case_id}/contact", data=form)
    assert first.status_code == 303
    # a double click: the same form again
    second = c.post(
        f"/zaken/{case_id}/contact", data=form, headers={"referer": f"/zaken/{case_id}"}
    )
    assert second.status_code == 303 and second.headers["location"] == f"/zaken/{case_id}"
    assert "al verstuurd en is al verwerkt" in c.get(f"/zaken/{case_id}").text
    with web["engine"].connect() as conn:
        assert len(conn.execute(select(contact_attempts)).all()) == 1
    # a new page has a new key: a second attempt on purpose is recorded
    again = c.get(f"/zaken/{case_id}").text
    new_key = re.search(r'name="formulier" value="([^"]+)"', again)
    assert new_key and new_key[1] != key[1]
    c.post(f"/zaken/{case_id}/contact", data={**form, "formulier": new_key[1]})
    with web["engine"].connect() as conn:
        assert len(conn.execute(select(contact_attempts)).all()) == 2


def test_intake_in_the_web_app_with_the_quarantine_and_matching(engine: Engine) -> None:
    import json

    from conftest import VALID_BSNS, ddas_document, signal
    from proactief.trust.pseudonyms import Pseudonymizer
    from proactief.web import create_app

    setup = web_setup(engine, b"v" * 32)
    app = create_app(engine=engine, secret_key=b"v" * 32, pseudonymizer=Pseudonymizer(b"k" * 32))
    worker = login({**setup, "app": app}, "contactmedewerker")
    assert worker.get("/inname").status_code == 403
    lead = login({**setup, "app": app}, "teamleider")
    document = ddas_document(
        [
            signal(ID="W-1", client={"burgerservicenummer": VALID_BSNS[1]}),
            signal(ID="W-2", client={"burgerservicenummer": VALID_BSNS[2]}),
            signal(ID="W-3", client={"burgerservicenummer": "123456789"}),
        ]
    )
    body = json.dumps(document).encode()

    def upload(name: str, content: bytes) -> Any:
        token = csrf_of(lead.get("/inname").text)
        return lead.post(
            "/inname",
            data={"csrf_token": token},
            files={"bestand": (name, content, "application/json")},
        )

    assert upload("zorg-april.json", body).status_code == 303
    page = " ".join(lead.get("/inname").text.split())
    assert (
        "zorg-april.json: 3 signalen gelezen, 2 opgeslagen, 0 dubbel, 1 nieuw in quarantaine. "
        "Van dit bestand staan er 1 in quarantaine."
    ) in page
    assert "1 signaal in quarantaine" in page
    assert "elfproef" in page.lower()
    # the same file again: nothing stored twice, and the counts still agree
    upload("zorg-april.json", body)
    again = " ".join(lead.get("/inname").text.split())
    # the rejected record is in quarantine already: a duplicate now, held once
    assert "3 signalen gelezen, 0 opgeslagen, 3 dubbel, 0 nieuw in quarantaine." in again
    assert "1 signaal in quarantaine" in again
    wrong = upload("zorg.txt", b"x")
    assert wrong.status_code == 400 and "kies een .json-bestand" in wrong.text
    token = csrf_of(lead.get("/inname").text)
    lead.post("/inname/koppelen", data={"csrf_token": token})
    assert "2 signalen, 2 nieuwe zaken" in lead.get("/inname").text


def test_a_name_search_through_the_brp_finds_the_case(engine: Engine) -> None:
    from brp_server import BrpServer, person, running
    from proactief.sources.brp import BrpClient
    from proactief.web import create_app

    setup = web_setup(engine, b"n" * 32)
    # make_case's person has conftest's first valid BSN
    with running(BrpServer(persons=[person("111222333", "Vries", "1980-03-12")])) as brp:
        setup["app"] = create_app(
            engine=engine, secret_key=b"n" * 32, person_search=BrpClient(brp.url)
        )
        c = login(setup, "contactmedewerker")
        page = c.get("/werkvoorraad").text
        assert "achternaam met geboortedatum (de Vries 12-03-1980)" in page
        found = c.get("/werkvoorraad", params={"zoek": "de Vries 12-03-1980"}).text
        assert case_links(found) == [setup["case_id"]]
        nobody = c.get("/werkvoorraad", params={"zoek": "de Vries 13-03-1980"}).text
        assert case_links(nobody) == []
        brp.fail_next = [503, 503]
        down = c.get("/werkvoorraad", params={"zoek": "de Vries 12-03-1980"})
        assert down.status_code == 200 and "probeer het later opnieuw" in down.text


def test_the_dashboard_shows_the_money_an_offer_unlocked(web: dict[str, Any]) -> None:
    """An offer sent in full, a later scan that finds it received: 'Geld na een aanbod'
    counts it, as a table and as CSV (counts and sums only)."""
    from datetime import UTC, datetime

    import pandas as pd

    from conftest import fake_channels, ladder_step
    from proactief.entitlements.outcomes import record_receipts

    now = datetime(2026, 4, 10, 9, tzinfo=UTC)
    with web["engine"].begin() as conn:
        ladder_step(conn, web["case_id"], fake_channels(), now)
        got = {"zorgtoeslag_status": "ontvangt", "zorgtoeslag_bedrag_centen": 135504}
        assert record_receipts(conn, pd.DataFrame([{"household_id": "H1", **got}]), now) == 1
    analyst = login(web, "analist")
    page = " ".join(analyst.get("/dashboard").text.split())
    assert "Geld na een aanbod" in page and "€ 1.355" in page
    rows = analyst.get("/dashboard/geld.csv").text.splitlines()
    assert rows[0] == "naam,aangeboden,ontvangen,bedrag_per_jaar"
    assert "zorgtoeslag,1,1,1355.04" in rows and rows[-1].startswith("alle,2,1,")

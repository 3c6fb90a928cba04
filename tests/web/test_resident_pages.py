"""The resident's pages: a summary with one page per choice, giving an e-mail address or
phone number to the contact-detail provider with the Wmebv agreement in the same step,
and the questionnaire's items as whole sentences."""

import re
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from conftest import PERSON, csrf_of, deliver_in, fake_channels, https_client, web_setup
from proactief.domain import Berichtsoort, Kanaal
from proactief.offers.outreach import run_next_step
from proactief.sources.contactgegevens import (
    ContactSubject,
    FakeContactDirectory,
    GivenDetails,
)
from proactief.storage.tables import audit_log
from proactief.trust.consent import current_state
from proactief.web import create_app

SUBPAGES = {
    "/inwoner/mijn/contact": "/inwoner/kanalen",
    "/inwoner/mijn/email": "/inwoner/elektronisch",
    "/inwoner/mijn/delen": "/inwoner/delen",
    "/inwoner/mijn/post": "/inwoner/vertegenwoordiger",
    "/inwoner/mijn/stoppen": "/inwoner/afmelden",
}


@pytest.fixture
def web(engine: Engine) -> dict[str, Any]:
    return web_setup(engine, b"r" * 32)


def resident(app: Any, code: str) -> tuple[TestClient, str]:
    c = https_client(app)
    token = csrf_of(c.get("/inwoner").text)
    assert c.post("/inwoner", data={"code": code, "csrf_token": token}).status_code == 303
    return c, csrf_of(c.get("/inwoner/mijn/email").text)  # a new session, a new token


def forms(html: str) -> list[str]:
    """The actions of the page's own forms (not the header's log-out)."""
    return [a for a in re.findall(r'<form[^>]*action="([^"]+)"', html) if "uitloggen" not in a]


def test_a_summary_and_one_form_per_page(web: dict[str, Any]) -> None:
    c, _ = resident(web["app"], web["code"])
    summary = c.get("/inwoner/mijn").text
    assert forms(summary) == []  # nothing to fill in on the summary itself
    assert "U koos nog niets. Dan doen wij dit: eerst een brief, daarna een telefoontje." in (
        " ".join(summary.split())
    )
    for page, action in SUBPAGES.items():
        assert f'href="{page}"' in summary
        html = c.get(page).text
        assert forms(html) == [action], page
        assert html.count('type="submit"') == 2, page  # its own button and "Uitloggen"
        assert 'href="/inwoner/mijn"' in html  # the way back without changing anything


def test_an_email_and_phone_go_to_the_provider_with_the_agreement_in_one_step(
    web: dict[str, Any],
) -> None:
    c, token = resident(web["app"], web["code"])
    directory: FakeContactDirectory = web["directory"]
    page = c.get("/inwoner/mijn/email").text
    assert 'id="email"' in page and 'autocomplete="email"' in page and 'id="telefoon"' in page
    saved = c.post(
        "/inwoner/elektronisch",
        data={
            "email": " Jan.Jansen@Example.NL ",
            "telefoon": "06 12 34 56 78",
            "akkoord": ["vroegsignaal"],
            "csrf_token": token,
        },
    )
    assert saved.status_code == 303
    found = directory.lookup(ContactSubject(PERSON), "inwoner")
    assert (found.email, found.telefoon) == ("Jan.Jansen@example.nl", "+31612345678")
    with web["engine"].connect() as conn:
        state = current_state(conn=conn, person_pseudonym=PERSON)
        written = conn.execute(
            select(audit_log.c.actor, audit_log.c.doel, audit_log.c.subject).where(
                audit_log.c.actie == "schrijf", audit_log.c.gegevens == "contactgegevens"
            )
        ).all()
    assert state.elektronisch == frozenset({Berichtsoort.VROEGSIGNAAL})
    assert written == [("inwoner", "klantcontact", PERSON)]
    summary = c.get("/inwoner/mijn").text
    assert "Wij gebruiken voortaan het e-mailadres dat u gaf." in summary
    # shown back masked only: someone else with the letter cannot read them off the page
    assert "Ja•••@example.nl" in summary and "eindigt op 78" in summary
    assert "Jan.Jansen" not in summary and "612345678" not in summary
    # the next e-mail of the ladder goes to the address the resident gave
    c.post("/inwoner/kanalen", data={"keuze": ["email"], "dagdeel": "", "csrf_token": token})
    channels = fake_channels()
    now = datetime.now(UTC)
    with web["engine"].begin() as conn:
        result = deliver_in(
            conn,
            run_next_step(
                conn=conn,
                case_id=web["case_id"],
                channels=channels,
                directory=directory,
                now=now,
            ),
            channels,
            now,
        )
    assert result.kanaal == Kanaal.EMAIL, result
    assert [e.ontvanger.email for e in channels[Kanaal.EMAIL].sent] == ["Jan.Jansen@example.nl"]


def test_a_wrong_address_keeps_nothing_and_says_where(web: dict[str, Any]) -> None:
    c, token = resident(web["app"], web["code"])
    directory: FakeContactDirectory = web["directory"]
    before = directory.lookup(ContactSubject(PERSON), "inwoner")
    refused = c.post(
        "/inwoner/elektronisch",
        data={
            "email": "jan-at-example",
            "telefoon": "06 12 34 56 78",
            "akkoord": ["vroegsignaal"],
            "csrf_token": token,
        },
    )
    assert refused.status_code == 400
    assert "Dit e-mailadres klopt niet" in refused.text
    assert 'aria-invalid="true" aria-describedby="fout-email"' in refused.text
    assert 'value="jan-at-example"' in refused.text  # what was typed is still there
    assert 'value="vroegsignaal" checked' in refused.text
    assert directory.lookup(ContactSubject(PERSON), "inwoner") == before
    with web["engine"].connect() as conn:
        assert current_state(conn=conn, person_pseudonym=PERSON).elektronisch == frozenset()


def test_a_landline_is_kept_and_the_page_says_no_sms_goes_there(web: dict[str, Any]) -> None:
    c, token = resident(web["app"], web["code"])
    c.post("/inwoner/elektronisch", data={"telefoon": "030 123 4567", "csrf_token": token})
    assert "een sms kan daar niet naartoe" in c.get("/inwoner/mijn").text
    found = web["directory"].lookup(ContactSubject(PERSON), "inwoner")
    assert found.telefoon == "+31301234567"


class BrokenDirectory(FakeContactDirectory):
    def record_given(self, subject: ContactSubject, given: GivenDetails) -> None:
        raise ConnectionError("the KCC did not answer")


def test_a_failing_provider_keeps_no_agreement_either(engine: Engine) -> None:
    web = web_setup(engine, b"s" * 32)
    app = create_app(engine=engine, secret_key=b"s" * 32, contact_directory=BrokenDirectory())
    c, token = resident(app, web["code"])
    failed = c.post(
        "/inwoner/elektronisch",
        data={"email": "jan@example.nl", "akkoord": ["vroegsignaal"], "csrf_token": token},
    )
    assert failed.status_code == 503 and "Er is niets opgeslagen" in failed.text
    with engine.connect() as conn:
        assert current_state(conn=conn, person_pseudonym=PERSON).elektronisch == frozenset()
        assert (
            conn.execute(select(audit_log.c.id).where(audit_log.c.actie == "schrijf")).first()
            is None
        )


def test_without_a_provider_that_keeps_details_the_page_does_not_ask(engine: Engine) -> None:
    web = web_setup(engine, b"t" * 32, with_directory=False)  # no contact-detail provider
    c, token = resident(web["app"], web["code"])
    page = c.get("/inwoner/mijn/email").text
    assert 'id="email"' not in page and "kan hier niet" in page
    given = c.post("/inwoner/elektronisch", data={"email": "jan@example.nl", "csrf_token": token})
    assert given.status_code == 400
    # the agreement alone still works
    c.post("/inwoner/elektronisch", data={"akkoord": ["regeling"], "csrf_token": token})
    with engine.connect() as conn:
        state = current_state(conn=conn, person_pseudonym=PERSON)
    assert state.elektronisch == frozenset({Berichtsoort.REGELING})


def test_every_questionnaire_item_is_a_whole_sentence(web: dict[str, Any]) -> None:
    c, _ = resident(web["app"], web["code"])
    page = c.get("/inwoner/vragenlijst").text
    legends = re.findall(
        r'<legend class="utrecht-form-fieldset__legend">\d+\. ([^<]+)</legend>', page
    )
    assert len(legends) == 8
    assert not [q for q in legends if q.startswith("Dat ")]
    assert (
        "Ik vind het belangrijk dat mijn gegevens veilig blijven bij de mensen die mij helpen."
        in (legends)
    )


def test_the_fake_keeps_given_details_in_its_file_across_instances(tmp_path: Any) -> None:
    store = tmp_path / "nep-klantcontact.json"
    FakeContactDirectory(store=store).record_given(
        ContactSubject("p1"), GivenDetails(email="a@example.nl")
    )
    again = FakeContactDirectory(store=store)  # another process: `offer send` after `serve`
    assert again.lookup(ContactSubject("p1"), "inwoner").email == "a@example.nl"
    assert again.lookup(ContactSubject("p2"), "inwoner").email != "a@example.nl"
    assert oct(store.stat().st_mode & 0o777) == "0o600"


def test_the_messages_list_names_each_channel_as_residents_read_it(web: dict[str, Any]) -> None:
    from conftest import send_letter

    with web["engine"].begin() as conn:
        send_letter(conn)
    c, _ = resident(web["app"], web["code"])
    summary = " ".join(c.get("/inwoner/mijn").text.split())
    assert re.search(r"\d{4}: Brief – <a", summary), summary[-800:]


def test_the_contact_page_says_the_wait_the_ladder_keeps(web: dict[str, Any]) -> None:
    from proactief.offers.approach import CaseSummary, choose_approach

    c, token = resident(web["app"], web["code"])
    page = " ".join(c.get("/inwoner/mijn/contact").text.split())
    said = re.search(r"Dan proberen wij na (\d+) dagen uw tweede keuze", page)
    assert said is not None
    c.post(
        "/inwoner/kanalen",
        data={"keuze": ["telefoon", "huisbezoek"], "dagdeel": "", "csrf_token": token},
    )
    with web["engine"].connect() as conn:
        state = current_state(conn=conn, person_pseudonym=PERSON)
    ladder = choose_approach(case=CaseSummary(), preferences=state).ladder
    assert [s.kanaal for s in ladder[:2]] == [Kanaal.TELEFOON, Kanaal.HUISBEZOEK]
    assert ladder[1].wacht_dagen == int(said.group(1))

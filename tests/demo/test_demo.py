"""The demo respects every choice, leaves no personal data in its logs, and a retention
run on the demo database deletes exactly what it should."""

import csv
import email
import email.policy
import json
import os
import re
import subprocess
import sys
from datetime import date, timedelta
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from sqlalchemy import select, text

from proactief.channels.letter import render_letter_html
from proactief.domain import Doel
from proactief.domain.account import OfferAccount
from proactief.early_detection import repository as early_repo
from proactief.early_detection.contacts import case_grant
from proactief.early_detection.queue import stale_queue_fields
from proactief.evaluation.funnel import BREAKDOWNS, funnel, funnels
from proactief.offers import repository as offers_repo
from proactief.offers.checks import (
    check_message,
    contradicted_claims,
    missing_elements,
    plain_text,
)
from proactief.storage.db import create_db_engine
from proactief.storage.tables import cases, signals
from proactief.trust import repository as trust_repo
from proactief.trust.audit import verify_audit
from proactief.trust.messaging import account_of_message, why_message
from proactief.trust.pseudonyms import is_valid_bsn
from proactief.trust.purposes import load_purposes
from proactief.trust.retention import HELP_RESULTS, run_retention

NINE_DIGITS = re.compile(r"(?<!\d)\d{9}(?!\d)")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    data = tmp_path_factory.mktemp("demo")
    env = dict(os.environ, PROACTIEF_DATA_DIR=str(data), PROACTIEF_LOG_LEVEL="DEBUG", COLUMNS="200")
    env.pop("PROACTIEF_DATABASE_URL", None)
    done = subprocess.run(
        [sys.executable, "-m", "proactief", "demo", "--residents", "6000", "--months", "12"],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return data, done.stdout + done.stderr


def test_no_personal_data_in_logs(demo: tuple[Path, str]) -> None:
    _data, output = demo
    bsn_like = [m for m in NINE_DIGITS.findall(output) if is_valid_bsn(m)]
    assert len(bsn_like) == 0, f"{len(bsn_like)} BSN-like numbers in the log output"
    assert "hidden due to hide_parameters" in output  # SQL logging was really on
    assert EMAIL.findall(output) == []


def first_opt_out_or_death(conn: Any) -> dict[str, object]:
    """Per person: the moment they first opted out or died."""
    return dict(
        conn.execute(
            text(
                "SELECT person_pseudonym, MIN(tijdstip) FROM preference_events "
                "WHERE soort IN ('niet_benaderen', 'overleden') GROUP BY person_pseudonym"
            )
        ).all()
    )


def test_opted_out_residents_got_no_messages(demo: tuple[Path, str]) -> None:
    data, output = demo
    assert "aan afgemelde inwoners verzonden: 0" in output
    engine = create_db_engine(f"sqlite:///{data / 'proactief.db'}")
    with engine.connect() as conn:
        opted_out = trust_repo.opted_out_persons(conn)
        sent = trust_repo.message_rows(conn, status="verzonden")
        blocked = trust_repo.message_rows(conn, status="geblokkeerd")
        assert opted_out and blocked
        # no message went out on or after the moment a resident opted out or died (a death
        # the BRP reports today may follow letters sent months ago: those were allowed)
        since = first_opt_out_or_death(conn)
        late = [
            m
            for m in sent
            if m.person_pseudonym in opted_out and str(m.tijdstip) >= str(since[m.person_pseudonym])
        ]
        assert late == []
        assert verify_audit(conn)[1] == []
    engine.dispose()


def test_the_queue_fields_of_every_demo_case_agree_with_its_data(
    demo: tuple[Path, str],
) -> None:
    """Every write of the demo (matching, ladder steps, tasks, attempts, closings) kept the
    work queue's stored status and next action equal to what the case's data says."""
    data, _output = demo
    engine = create_db_engine(f"sqlite:///{data / 'proactief.db'}")
    with engine.connect() as conn:
        assert stale_queue_fields(conn) == []
        statuses = set(conn.scalars(text("SELECT DISTINCT wachtrij_status FROM cases")))
    engine.dispose()
    # the demo reaches every stage, so the check above covers each rule
    assert {"nieuw", "benaderd", "bereikt"} <= statuses


def test_the_demo_makes_real_offers_and_messages(demo: tuple[Path, str]) -> None:
    """Issue 6, done when: the demo renders real PDFs and e-mails that pass the checker."""
    data, output = demo
    flat_output = " ".join(output.split())
    assert re.search(r"Berichtcontrole: alle \d+ berichten in orde", flat_output), output[-3000:]
    demo_dir = data / "demo"
    with (demo_dir / "aanbod-overzicht.csv").open(encoding="utf-8") as handle:
        overview = list(csv.DictReader(handle))
    assert overview and {r["toon"] for r in overview} <= {
        "neutraal",
        "kort_en_zakelijk",
        "zakelijk_met_keuze",
        "rustig_persoonlijk",
    }
    assert f"Aanbod voor {len(overview)} open zaken" in flat_output
    # one folder per tone with every message; the letter is a PDF with every element
    folders = sorted((demo_dir / "berichten").iterdir())
    assert folders
    for folder in folders:
        # each preview keeps the account its messages were rendered from
        account = OfferAccount.from_json(
            json.loads((folder / "verantwoording.json").read_text(encoding="utf-8"))
        )
        letter_text = pdf_text(folder / "brief.pdf")
        assert check_message(letter_text, account, kanaal="brief") == []
        email_text = (folder / "email.txt").read_text(encoding="utf-8")
        assert check_message(email_text, account, kanaal="email_tekst") == []
        sms = (folder / "sms.txt").read_text(encoding="utf-8")
        assert check_message(sms, account, kanaal="sms") == []
        script = (folder / "belscript.txt").read_text(encoding="utf-8")
        assert check_message(script, account, kanaal="belscript") == []
    # what was sent: letters in the outbox, each also a step and a DDAS contact attempt
    letters = sorted((demo_dir / "uitgaand" / "brieven").glob("*.pdf"))
    emails = sorted((demo_dir / "uitgaand").glob("email/*.eml"))
    assert letters
    engine = create_db_engine(f"sqlite:///{data / 'proactief.db'}")
    sent_accounts = accounts_by_kenmerk(engine)
    for letter in letters:
        letter_text = pdf_text(letter)
        account = next(a for k, a in sent_accounts.items() if k in letter_text)
        assert check_message(letter_text, account, kanaal="brief") == []
        assert "Voorbeeld" in letter_text  # the address block
    for path in emails:
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        body = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
        account = next(a for k, a in sent_accounts.items() if k in body)
        assert check_message(body, account, onderwerp=message["Subject"]) == []
    with engine.connect() as conn:
        steps = offers_repo.outreach_step_rows(conn)
        delivered = [s for s in steps if s.status == "afgeleverd"]
        assert len(delivered) == len(letters) + len(emails)
        grant = case_grant(conn, actor="test")
        attempts = early_repo.attempts_of_cases(grant, [s.case_id for s in delivered])
        assert {a.case_id for a in attempts} >= {s.case_id for s in delivered}
        assert all(s.belscript for s in steps if s.status == "taak_open")
        # no step was made on or after the moment its resident opted out or died (the
        # demo's deaths are reported today, after this morning's letters)
        opted_out = trust_repo.opted_out_persons(conn)
        since = first_opt_out_or_death(conn)
        persons = {r.id: r.person_pseudonym for r in early_repo.open_case_rows(grant)}
        late = [
            s
            for s in steps
            if persons.get(s.case_id) in opted_out
            and str(s.tijdstip) >= str(since[persons[s.case_id]])
        ]
        assert late == []
    engine.dispose()


def accounts_by_kenmerk(engine: Any) -> dict[str, OfferAccount]:
    """Every sent message's account, by its reference."""
    with engine.connect() as conn:
        rows = trust_repo.message_rows(conn, status="verzonden")
        accounts = [account_of_message(conn, m.id) for m in rows]
    return {a.kenmerk: a for a in accounts if a is not None}


def test_the_why_letter_says_what_each_demo_message_said(demo: tuple[Path, str]) -> None:
    """Issue 14, item 8: 'why did I get this' renders from the account kept with the
    message, so it states every fact the message stated and contradicts none."""
    data, _ = demo
    engine = create_db_engine(f"sqlite:///{data / 'proactief.db'}")
    with engine.connect() as conn:
        rows = [m for m in trust_repo.message_rows(conn, status="verzonden") if m.verantwoording]
        assert rows, "the demo sent no message with an account"
        for row in rows:
            account = account_of_message(conn, row.id)
            assert account is not None
            why = why_message(conn=conn, message_id=row.id)
            html = render_letter_html("waarom.html.j2", why)
            text = plain_text("brief", html)
            facts = (
                "kenmerk",
                "welke_gegevens",
                "grondslag",
                "regelingen",
                "automatisch",
                "zelfhulp",
                "niets_doen",
                "bewaren",
                "contact",
            )
            assert missing_elements(text, account, facts) == [], row.id
            assert contradicted_claims(text, account) == [], row.id
    engine.dispose()


def pdf_text(path: Path) -> str:
    pdf = path.read_bytes()
    assert pdf.startswith(b"%PDF")
    return " ".join(" ".join(p.extract_text() for p in PdfReader(BytesIO(pdf)).pages).split())


def test_retention_on_the_demo_database(demo: tuple[Path, str]) -> None:
    data, _ = demo
    engine = create_db_engine(f"sqlite:///{data / 'proactief.db'}")
    days = load_purposes()[Doel.VROEGSIGNALERING].bewaartermijn_dagen
    today = date.today() + timedelta(days=30)
    cutoff = today - timedelta(days=days)
    with engine.begin() as conn:
        before = funnel(conn=conn)
        breakdowns = funnels(conn=conn)
        expected = {
            r.id
            for r in conn.execute(select(cases.c.id, cases.c.eindresultaat, cases.c.einddatum))
            if r.eindresultaat and r.einddatum < cutoff and r.eindresultaat not in HELP_RESULTS
        }
        signals_before = conn.scalar(select(signals.c.id).limit(1))
    assert expected and signals_before
    result = run_retention(engine=engine, today=today)
    assert result.deleted["cases"] == len(expected)
    with engine.begin() as conn:
        left = set(conn.scalars(select(cases.c.id)))
        assert left.isdisjoint(expected)
        assert not set(conn.scalars(select(signals.c.case_id))) & expected
        assert funnel(conn=conn) == before
        # every breakdown of the evaluation holds the deleted cases' counts too
        after = funnels(conn=conn)
        for name in BREAKDOWNS:
            assert getattr(after, name) == getattr(breakdowns, name), name
        assert conn.scalar(text("SELECT count(*) FROM funnel_aggregaten")) > 0
        assert verify_audit(conn)[1] == []
    engine.dispose()


def test_the_demo_plans_and_runs_a_non_take_up_campaign(demo: tuple[Path, str]) -> None:
    """Issue 17, done when: the summary shows the campaign's households, money and messages
    (what the messages say: tests/offers/test_campaign_run.py)."""
    _data, output = demo
    flat = " ".join(output.split())
    found = re.search(
        r"Campagne 'Zorgtoeslag die u misschien laat liggen': (\d+) huishoudens laten samen "
        r"€ [\d.]+ per jaar liggen\. Deze week (\d+) zaken gemaakt \(maximaal 250 per week; "
        r"(\d+) wachten.*?Eerste stap gezet voor (\d+) zaken: (.*?)\. De rest",
        flat,
    )
    assert found, output[-2000:]
    households, made, waiting, sent = (int(found.group(i)) for i in (1, 2, 3, 4))
    assert 0 < made <= 250 and made + waiting <= households and sent > 0
    assert "brief afgeleverd" in found.group(5)


def test_the_demo_processes_a_file_of_life_events(demo: tuple[Path, str]) -> None:
    """Issue 17, done when: the demo processes a file of life events: every event stored,
    duplicate or quarantined with its reason, deaths recorded, due offers made."""
    data, output = demo
    flat = " ".join(output.split())
    found = re.search(
        r"Levensgebeurtenissen \(.*?gebeurtenissen\.json\): (\d+) ontvangen, (\d+) "
        r"opgeslagen, (\d+) dubbel, (\d+) in quarantaine, (\d+) overlijden",
        flat,
    )
    assert found, output[-2000:]
    received, stored, double, held, deaths = (int(found.group(i)) for i in range(1, 6))
    assert received == stored + double + held and held == 2 and deaths == 2
    assert "elfproef" in flat and "onbekende soort gebeurtenis" in flat
    assert (data / "demo" / "inbox" / "gebeurtenissen.json").is_file()


def test_the_demos_second_scan_shows_money_received_after_an_offer(
    demo: tuple[Path, str],
) -> None:
    """Issue 18, done when (part): money unlocked appears after the demo's second scan."""
    _data, output = demo
    flat = " ".join(output.split())
    found = re.search(
        r"Tweede regelingencheck .*?: (\d+) van de (\d+) aangeboden regelingen worden nu "
        r"ontvangen, samen € ([\d.]+) per jaar",
        flat,
    )
    assert found, output[-2000:]
    received, offered = int(found.group(1)), int(found.group(2))
    assert 0 < received <= offered
    assert int(found.group(3).replace(".", "")) > 0


def test_the_demo_runs_an_experiment_and_prints_its_result_with_intervals(
    demo: tuple[Path, str],
) -> None:
    """Issue 18, done when (part): the demo runs an experiment (two wordings, stratified,
    a planned sample) on its simulated residents and prints the result with its interval;
    every arm was recorded before the unit's first message."""
    data, output = demo
    flat = " ".join(output.split())
    found = re.search(
        r"Experiment 'demo-woordkeus' \(twee brieven, geloot per huishouden, apart per "
        r"signaalpartner en segment; geplande steekproef (\d+) per groep\): 'neutraal' (\d+) "
        r"van (\d+) bereikt binnen 28 dagen \([\d,]+%, 95%-interval [\d,]+% tot [\d,]+%\); "
        r"'kort' (\d+) van (\d+) bereikt",
        flat,
    )
    assert found, output[-3000:]
    assert int(found.group(1)) == 445
    assert "dat is een aanname, geen uitkomst" in flat
    assert re.search(
        r"Het verschil is [+-][\d,]+ procentpunt \(95%-interval [+-][\d,]+ tot [+-][\d,]+\)", flat
    )
    assert "Cochran-Mantel-Haenszel" in flat
    engine = create_db_engine(f"sqlite:///{data / 'proactief.db'}")
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT t.case_id, t.toegewezen, min(m.tijdstip) AS eerste FROM "
                "experiment_toewijzingen t JOIN messages m ON m.case_id = t.case_id "
                "GROUP BY t.case_id, t.toegewezen"
            )
        ).all()
        stored = conn.execute(text("SELECT resultaat FROM experimenten")).scalar_one()
    engine.dispose()
    assert rows and all(str(r.toegewezen) <= str(r.eerste) for r in rows)
    arms = {a["arm"]: a for a in json.loads(stored)["armen"]}
    assert arms["neutraal"]["eenheden"] == int(found.group(3))
    assert arms["kort"]["eenheden"] == int(found.group(5))

"""Shared fixtures: a database on SQLite and on PostgreSQL, a pseudonymizer, records."""

import os
import socket
import subprocess
import sys
import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import Engine, create_engine, text

from proactief.storage.db import create_db_engine, migrate
from proactief.trust.pseudonyms import Pseudonymizer


def run_cli(
    args: list[str],
    env: dict[str, str] | None = None,
    *,
    cwd: Path | None = None,
    timeout: int = 300,
    **extra_env: str,
) -> subprocess.CompletedProcess[str]:
    """``python -m proactief ARGS`` as a user runs it: ``env`` (default: this process's
    environment) plus ``extra_env``, wide enough that rich does not wrap, output captured."""
    full = dict(os.environ if env is None else env, **extra_env)
    full.setdefault("COLUMNS", "200")
    return subprocess.run(
        [sys.executable, "-m", "proactief", *args],
        cwd=cwd,
        env=full,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


PG_URL = os.environ.get(
    "PROACTIEF_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
TODAY = date(2026, 6, 30)
VALID_BSNS = ("111222333", "123456782", "999999990", "100000009")


def _postgres_problem() -> str | None:
    try:
        engine = create_engine(PG_URL, connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.execute(text("select 1"))
        engine.dispose()
    except Exception as exc:  # any failure to connect means: no server here
        return f"PostgreSQL at {PG_URL} does not answer: {type(exc).__name__}"
    return None


_PG_PROBLEM = _postgres_problem()


def require_postgres() -> None:
    """Skip (visibly) without a server; in CI a missing server is a failure."""
    if _PG_PROBLEM:
        if IN_CI:
            pytest.fail(f"{_PG_PROBLEM}; CI must run the PostgreSQL tests")
        pytest.skip(_PG_PROBLEM)


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A URL into a fresh, empty PostgreSQL schema, dropped afterwards."""
    require_postgres()
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in PG_URL else "?"
    yield f"{PG_URL}{sep}options=-csearch_path%3D{schema}"
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The same test on the embedded SQLite file and on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'proactief.db'}"
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    """A migrated database engine on both backends."""
    eng = create_db_engine(db_url)
    migrate(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def pseudonymizer() -> Pseudonymizer:
    return Pseudonymizer(b"k" * 32)


def signal(**overrides: Any) -> dict[str, Any]:
    """A valid DDAS-shaped signal record; override any field."""
    record: dict[str, Any] = {
        "ID": "ZV-1",
        "crisissignaal": False,
        "warmeOverdracht": False,
        "bedrag": 250,
        "ontstaansdatum": "2026-03-01",
        "signaaldatum": "2026-04-15",
        "signaalpartner": {"type": "Zorg"},
        "client": {"burgerservicenummer": VALID_BSNS[0]},
    }
    record.update(overrides)
    return record


def ddas_document(records: list[dict[str, Any]]) -> dict[str, Any]:
    """A DDAS file around the records."""
    return {
        "startdatumLevering": "2026-04-01",
        "einddatumLevering": "2026-04-30",
        "aanleverdatumEnTijd": "2026-05-01T10:00:00Z",
        "codeGegevensleverancier": "TEST",
        "leveringen": [
            {
                "teller": 1,
                "gemeentecode": "0344",
                "aanleverendeOrganisatie": {"naam": "Test"},
                "vroegsignalen": records,
            }
        ],
    }


def store_signal(
    conn: Any,
    signal_id: str,
    *,
    person: str = "p1",
    on: date = date(2026, 4, 1),
    ontstaan: date = date(2026, 1, 15),
    bedrag: int = 200,
    partner: str = "Zorg",
    crisis: bool = False,
) -> None:
    """Store one valid signal (and its BSN identity) directly, bypassing intake."""
    from proactief.early_detection import repository as early_repo

    early_repo.insert_identities(
        conn,
        [
            {
                "person_pseudonym": person,
                "bsn": VALID_BSNS[0],
                "geslacht": None,
                "geboortedatum": None,
                "postcode": None,
                "huisnummer": None,
                "huisnummertoevoeging": None,
            }
        ],
    )
    early_repo.insert_signals(
        conn,
        [
            {
                "signal_id": signal_id,
                "signaalpartner": partner,
                "person_pseudonym": person,
                "bedrag": bedrag,
                "ontstaansdatum": ontstaan,
                "signaaldatum": on,
                "crisissignaal": crisis,
                "warme_overdracht": False,
                "source_sha256": "t",
            }
        ],
    )


# --- a real SMTP server (aiosmtpd) on a free local port, for the e-mail channel ---------


class SmtpInbox:
    """aiosmtpd handler that keeps what it receives: (mail from, recipients, content)."""

    def __init__(self) -> None:
        self.received: list[tuple[str, list[str], bytes]] = []
        self.port = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.received.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 Message accepted for delivery"


def install_distribution(path: Path, name: str, entry_points: str) -> None:
    """Declare entry points the way an installed package does: a ``<name>-1.0.dist-info``
    folder in ``path`` (put ``path`` on sys.path and refresh the registry to see it)."""
    info = path / f"{name.replace('-', '_')}-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(entry_points)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def smtp_server() -> Iterator[SmtpInbox]:
    inbox = SmtpInbox()
    inbox.port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=inbox.port)
    controller.start()
    try:
        yield inbox
    finally:
        controller.stop()


# --- a case with a household and entitlements, for offers and the web app ----------------

PERSON = "p1"


def make_case(conn: Any, *, partners: tuple[str, ...] = ("Zorg",)) -> int:
    """One open case of PERSON (household H1, zorgtoeslag and maybe huurtoeslag)."""
    from proactief.early_detection import repository as early_repo
    from proactief.early_detection.cases import match_signals
    from proactief.early_detection.work_queue import load_work_queue_config
    from proactief.entitlements import repository as entitlements_repo

    for number, partner in enumerate(partners):
        store_signal(conn, f"S-{number}", person=PERSON, partner=partner)
    entitlements_repo.insert_population(
        conn,
        [
            {
                "household_id": "H1",
                "postcode": "9999ZZ",
                "huisnummer": "1",
                "huishoudtype": "alleenstaand",
                "woonsituatie": "sociale huur",
                "inkomen_per_jaar": 18000,
                "aantal_personen": 1,
            }
        ],
        [
            {
                "person_pseudonym": PERSON,
                "household_id": "H1",
                "geslacht": "Vrouw",
                "geboortedatum": date(1980, 1, 1),
            }
        ],
    )
    entitlements_repo.replace_entitlements(
        conn,
        2026,
        [
            {
                "household_id": "H1",
                "jaar": 2026,
                "regeling": "zorgtoeslag",
                "status": "recht_niet_ontvangen",
                "bedrag_centen": 135504,
                "regels_hash": "h",
            },
            {
                "household_id": "H1",
                "jaar": 2026,
                "regeling": "huurtoeslag",
                "status": "mogelijk_recht_gegevens_nodig",
                "bedrag_centen": None,
                "regels_hash": "h",
            },
        ],
    )
    match_signals(conn=conn, matchingsdatum=date(2026, 4, 7), config=load_work_queue_config())
    from proactief.early_detection.contacts import case_grant

    return int(early_repo.open_case_rows(case_grant(conn, actor="test"))[0].id)


def choose(
    conn: Any,
    soort: Any,
    when: Any,
    *,
    person: str = PERSON,
    waarde: str = "",
    wijze: str = "web",
    door: str = "inwoner",
) -> None:
    """Record a resident's choice (an opt-out: ``EventSoort.NIET_BENADEREN``) at ``when``."""
    from proactief.domain import Wijze
    from proactief.trust.consent import record_event

    record_event(
        conn=conn,
        person_pseudonym=person,
        soort=soort,
        waarde=waarde,
        wijze=Wijze(wijze),
        door=door,
        now=when,
    )


def fake_channels() -> dict[Any, Any]:
    """A fake for every message channel (keeps the envelopes) and the real task channels."""
    from proactief.channels import FakeChannel, TaskChannel
    from proactief.domain import Kanaal

    return {k: FakeChannel(k) for k in (Kanaal.BRIEF, Kanaal.EMAIL, Kanaal.SMS)} | {
        k: TaskChannel(k) for k in (Kanaal.TELEFOON, Kanaal.HUISBEZOEK)
    }


def deliver_in(conn: Any, result: Any, channels: Any, now: Any) -> Any:
    """Deliver what ``run_next_step`` queued for the result's case in the same connection
    (production delivers after the step's commit, see offers.outbox); the result then
    says what the channel did, as ``send_next_step`` reports it."""
    import dataclasses

    from proactief.offers import repository as offers_repo
    from proactief.offers.outbox import deliver_one

    for outbox_id in offers_repo.pending_outbox_ids(conn, case_id=result.case_id):
        done = deliver_one(conn=conn, outbox_id=outbox_id, channels=channels, now=now)
        if done is not None and done.stap == result.stap:
            result = dataclasses.replace(
                result, status=done.status, detail=done.detail, kanaal=done.kanaal
            )
    return result


def ladder_step(conn: Any, case_id: int, channels: Any, now: Any) -> Any:
    """The case's next ladder step with the fake contact details, and the delivery of
    what it queued, in one test transaction (``deliver_in``)."""
    from proactief.offers.outreach import run_next_step
    from proactief.sources.contactgegevens import FakeContactDirectory

    result = run_next_step(
        conn=conn, case_id=case_id, channels=channels, directory=FakeContactDirectory(), now=now
    )
    return deliver_in(conn, result, channels, now)


SCANNED = ["zorgtoeslag", "kwijtschelding"]

H1_VALUES: dict[str, Any] = {
    "household_id": "H1",
    "toetsingsinkomen": 18000.0,
    "toeslagpartner": 0.0,
    "vermogen": 0.0,
    "leeftijd_aanvrager": 45.0,
    "netto_inkomen_maand": 1200.0,
    "kale_huur": 650.0,
    "aanslag_gemeentelijke_belastingen": 400.0,
}
"""make_case's household H1 as the scan reads it: single, 45, a low income, no assets."""


def store_real_scan(conn: Any) -> list[dict[str, Any]]:
    """A real 2025 non-take-up scan of two households, stored as the only scan. H1
    (PERSON's household, see make_case) is single, 45, with a low income and no assets."""
    import pandas as pd

    from proactief.entitlements import repository as entitlements_repo
    from proactief.entitlements import scan_non_take_up
    from proactief.entitlements.scan import entitlement_rows

    population = pd.DataFrame(
        [
            # "postcode" is not read by either regulation: it must not be kept
            {**H1_VALUES, "postcode": 9999},
            {"household_id": "H2", "toetsingsinkomen": 90000.0, "leeftijd_aanvrager": 50.0},
        ]
    )
    scan = scan_non_take_up(population, jaar=2025, regelingen=SCANNED)
    rows = entitlement_rows(scan, population, jaar=2025, regelingen=SCANNED)
    entitlements_repo.replace_entitlements(conn, 2026, [])
    entitlements_repo.replace_entitlements(conn, 2025, rows)
    return rows


WEB_PASSWORD = "een-lang-wachtwoord-2026"


def web_setup(engine: Any, secret: bytes, *, with_directory: bool = True) -> dict[str, Any]:
    """The web app on ``engine`` with make_case's case, one user per role (named after the
    role, password WEB_PASSWORD) and a one-time code for PERSON."""
    from proactief.accounts.resident_codes import create_code
    from proactief.accounts.users import Rol, add_user
    from proactief.sources.contactgegevens import FakeContactDirectory
    from proactief.web import create_app

    with engine.begin() as conn:
        case_id = make_case(conn)
        for rol in Rol:
            add_user(conn=conn, gebruikersnaam=rol.value, wachtwoord=WEB_PASSWORD, rol=rol)
        code = create_code(conn=conn, person_pseudonym=PERSON)
    # the contact-detail provider keeps what a resident gives on their page
    directory = FakeContactDirectory() if with_directory else None
    app = create_app(engine=engine, secret_key=secret, contact_directory=directory)
    return {
        "app": app,
        "case_id": case_id,
        "code": code,
        "engine": engine,
        "directory": directory,
    }


def https_client(app: Any) -> Any:
    """A test client that speaks https, so the Secure session cookie is sent back."""
    from fastapi.testclient import TestClient

    return TestClient(app, base_url="https://testserver", follow_redirects=False)


def csrf_of(html: str) -> str:
    """The CSRF token of the first form on a page."""
    import re

    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "no CSRF token in the form"
    return found.group(1)


def send_letter(conn: Any, person: str = PERSON) -> Any:
    """One early-detection letter to ``person`` through the messaging door."""
    from proactief.domain import Berichtsoort, Kanaal
    from proactief.trust.messaging import Aanleiding, send_message

    return send_message(
        conn=conn,
        person_pseudonym=person,
        soort=Berichtsoort.VROEGSIGNAAL,
        kanaal=Kanaal.BRIEF,
        aanleiding=Aanleiding("vroegsignaal", "een bericht", "uw zorgverzekeraar"),
        grondslag="Wgs art. 3a",
        selectieregel="elk vroegsignaal",
    )


# --- an offer's account, for the messages and the claim checker ---------------------------


def make_account(**overrides: Any) -> Any:
    """An ``OfferAccount`` as the default ladder makes it for a case with one creditor,
    no entitlements and no owner; ``overrides`` replace fields (e.g. ``regelingen``,
    ``contact``, ``vervolg``, ``stoppen``)."""
    from datetime import timedelta

    from proactief.domain import Kanaal
    from proactief.domain.account import (
        Contact,
        DataUse,
        Keeping,
        NextStep,
        OfferAccount,
        Stopping,
    )

    day = TODAY
    values: dict[str, Any] = {
        "kenmerk": "zaak7-stap1-0a1b2c3d",
        "datum": day,
        "afzender": "Gemeente Voorbeeld",
        "website": "de website van de gemeente",
        "aanleiding": "een bericht over een rekening die nog openstaat",
        "organisaties": "uw zorgverzekeraar",
        "gegevens": (
            DataUse(
                "een bericht over een rekening die nog openstaat",
                "uw zorgverzekeraar",
                "de wet over hulp bij geldzaken (Wgs, artikel 3a)",
            ),
        ),
        "regelingen": (),
        "zelfhulp": True,
        "vervolg": (
            NextStep(day + timedelta(days=7), Kanaal.TELEFOON, "Middag"),
            NextStep(day + timedelta(days=11), Kanaal.TELEFOON, "Avond"),
            NextStep(day + timedelta(days=18), Kanaal.BRIEF),
        ),
        "bewaren": Keeping(183, 730, True, 90, day + timedelta(days=88), True),
        "contact": Contact(telefoon="14 0000", team="het team Geldzorgen"),
        "stoppen": Stopping(web="uw eigen pagina op de website van de gemeente"),
        "goed": None,
        "case_id": 7,
    }
    values.update(overrides)
    return OfferAccount(**values)


def entitlement_account(**overrides: Any) -> Any:
    """Zorgtoeslag with an amount and a reason; kwijtschelding granted automatically."""
    from datetime import timedelta

    from proactief.domain.account import AutoGrant, EntitlementAccount
    from proactief.entitlements.selfhelp import self_help

    values: dict[str, Any] = {
        "regeling": "zorgtoeslag",
        "naam": "Zorgtoeslag",
        "bedrag_per_jaar": 1355.04,
        "reden": "Uw toetsingsinkomen 18.000 euro is niet hoger dan het drempelinkomen "
        "28.000 euro.",
        "wat": "Dit is geld voor uw zorgpremie.",
        "stappen": ("Uw toetsingsinkomen 18.000 euro is niet hoger dan het drempelinkomen.",),
        "zelfhulp": self_help("zorgtoeslag"),
    }
    if overrides.pop("automatisch", False):
        values.update(
            regeling="kwijtschelding",
            naam="Kwijtschelding",
            bedrag_per_jaar=412.0,
            wat="Dan hoeft u de belasting van de gemeente niet te betalen.",
            zelfhulp=self_help("kwijtschelding"),
            automatisch=AutoGrant(
                datum=TODAY + timedelta(days=28),
                controle="uw inkomen en uw spaargeld",
                bij="het Inlichtingenbureau",
                grondslag="Invorderingswet 1990, artikel 26",
                bezwaar="Bel 14 0000",
            ),
        )
    values.update(overrides)
    return EntitlementAccount(**values)


def send_first_letter(engine: Any, case_id: int) -> Any:
    """The first ladder step of a case with the default ladder (a letter rendered from the
    offer's account, kept with its message), through fake channels; returns them."""
    from datetime import UTC, datetime

    from proactief.offers.outreach import run_next_step
    from proactief.sources.contactgegevens import FakeContactDirectory

    channels = fake_channels()
    now = datetime(2026, 4, 10, 9, tzinfo=UTC)
    with engine.begin() as conn:
        result = run_next_step(
            conn=conn,
            case_id=case_id,
            channels=channels,
            directory=FakeContactDirectory(),
            now=now,
        )
        deliver_in(conn, result, channels, now)
    return channels


# --- open cases straight into the tables, for the work queue's queries ---------------------


def add_queue_case(
    conn: Any,
    n: int,
    *,
    priority: int = 0,
    days_ago: int = 10,
    partner: str = "Zorg",
    crisis: bool = False,
    bsn: str | None = None,
    postcode: str | None = None,
    huisnummer: str | None = None,
    **values: Any,
) -> int:
    """A case of person 'q<n>' with one signal (and, if given, an identity)."""
    import json
    from datetime import timedelta

    from sqlalchemy import insert

    from proactief.storage.tables import cases, client_identities, signals

    start = date.today() - timedelta(days=days_ago)
    case_id = conn.execute(
        insert(cases).values(
            person_pseudonym=f"q{n}",
            matchingsdatum=start,
            startdatum_matchingperiode=start,
            einddatum_matchingperiode=start + timedelta(days=30),
            priority=priority,
            priority_reasons=json.dumps([{"rule_id": "r", "points": priority, "reason": "test"}]),
            # a new case is due for its first message from its matching date (as
            # early_detection.repository.create_case stores it)
            volgende_actie_datum=values.pop("volgende_actie_datum", start),
            **values,
        )
    ).inserted_primary_key[0]
    conn.execute(
        insert(signals).values(
            signal_id=f"S{n}",
            signaalpartner=partner,
            person_pseudonym=f"q{n}",
            bedrag=100,
            ontstaansdatum=start,
            signaaldatum=start,
            crisissignaal=crisis,
            warme_overdracht=False,
            case_id=case_id,
            source_sha256="t",
        )
    )
    if bsn or postcode:
        conn.execute(
            insert(client_identities).values(
                person_pseudonym=f"q{n}", bsn=bsn, postcode=postcode, huisnummer=huisnummer
            )
        )
    return int(case_id)


def households_of_every_kind(n: int, seed: int = 7) -> pd.DataFrame:
    """Households of every kind, with unknown values and Dutch yes/no text among them."""
    rng = np.random.default_rng(seed)
    partner = rng.random(n) < 0.5
    income = np.round(rng.lognormal(10.2, 0.7, n))
    income[rng.random(n) < 0.05] = np.nan
    rent = rng.random(n) < 0.5
    wealth = np.round(rng.lognormal(8.3, 1.9, n))
    wealth[rng.random(n) < 0.05] = np.nan
    return pd.DataFrame(
        {
            "household_id": [f"H{i}" for i in range(n)],
            "toetsingsinkomen": income,
            "toeslagpartner": np.where(partner, "ja", "nee"),
            "vermogen": wealth,
            "leeftijd_aanvrager": rng.integers(16, 90, n),
            "verzekerd": rng.random(n) < 0.98,
            "partner_verzekerd": rng.random(n) < 0.97,
            "kinderen_0_11": rng.poisson(0.4, n),
            "kinderen_12_15": rng.poisson(0.2, n),
            "kinderen_16_17": rng.poisson(0.1, n),
            "huurwoning": rent,
            "kale_huur": np.where(rent, np.round(rng.uniform(300, 1500, n), 2), np.nan),
            "netto_inkomen_maand": np.round(np.nan_to_num(income, nan=20000) * 0.8 / 12, 2),
            "auto_waarde": np.where(rng.random(n) < 0.4, rng.integers(500, 15000, n), 0),
            "aanslag_gemeentelijke_belastingen": 300 + 100 * rng.integers(1, 5, n),
            "aantal_volwassenen": np.where(partner, 2, 1),
            "jaren_laag_inkomen": rng.integers(0, 6, n),
            "ontvangt_zorgtoeslag": rng.random(n) < 0.3,
        }
    )

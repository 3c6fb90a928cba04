"""Issue 16's whole path on PostgreSQL with the local test servers of every national API:
`proactief offer send --alle --wachtrij` and two workers take the name and address from
the BRP and the e-mail address from Klantinteracties, send through Notify, record
Notify's delivery statuses as contact attempts and write each attempt back to
Klantinteracties as a Klantcontact. Every request each client sent is checked against
its contract by the test servers."""

import io
import json
import subprocess
from collections import Counter
from pathlib import Path

import pypdf
import pytest
from sqlalchemy import func, select
from test_workers import bsns, queue_env, run_workers

from brp_server import BrpServer, person
from brp_server import running as brp_running
from conftest import TODAY, ddas_document, run_cli, signal
from klantinteracties_server import TOKEN, KlantinteractiesServer
from klantinteracties_server import running as ki_running
from notify_server import NotifyServer
from notify_server import running as notify_running
from proactief.domain import EventSoort, Wijze
from proactief.jobs import recent_runs
from proactief.storage.db import create_db_engine
from proactief.storage.tables import cases, contact_attempts, outreach_steps
from proactief.trust.consent import record_event


def cli(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    done = run_cli(args, env, timeout=300)
    assert done.returncode == 0, done.stderr + done.stdout
    return done


def two_workers(env: dict[str, str]) -> None:
    run_workers(env, "w1", "w2")


@pytest.mark.slow
def test_offer_send_through_brp_klantinteracties_and_notify_with_two_workers(
    postgres_url: str, tmp_path: Path
) -> None:
    n = 12
    people = bsns(n)
    brp = BrpServer(persons=[person(b, f"Jansen{i}", "1980-01-01") for i, b in enumerate(people)])
    ki = KlantinteractiesServer(bsns=people)
    for i, b in enumerate(people):
        ki.give(b, "email", f"inwoner{i}@example.nl", isStandaardAdres=True)
    notify = NotifyServer()
    with brp_running(brp), ki_running(ki), notify_running(notify):
        env = queue_env(
            tmp_path,
            postgres_url,
            notify,
            PROACTIEF_CONTACT_DIRECTORY="klantinteracties",
            PROACTIEF_BRP_URL=brp.url,
            PROACTIEF_KLANTINTERACTIES_URL=ki.url,
            PROACTIEF_KLANTINTERACTIES_TOKEN=TOKEN,
        )
        records = [
            signal(ID=f"S{i}", client={"burgerservicenummer": b}) for i, b in enumerate(people)
        ]
        (tmp_path / "s.json").write_text(json.dumps(ddas_document(records)))
        cli(["intake", str(tmp_path / "s.json"), "--today", TODAY.isoformat()], env)
        cli(["cases", "match", "--datum", TODAY.isoformat()], env)
        engine = create_db_engine(postgres_url)
        try:
            # half of them chose e-mail first on their own page, with the Wmebv agreement
            with engine.begin() as conn:
                chose = [r.person_pseudonym for r in conn.execute(select(cases)).all()][::2]
                for pseudonym in chose:
                    for soort, waarde in (
                        (EventSoort.KANALEN, "email,brief"),
                        (EventSoort.ELEKTRONISCH_AKKOORD, "vroegsignaal"),
                    ):
                        record_event(
                            conn=conn,
                            person_pseudonym=pseudonym,
                            soort=soort,
                            waarde=waarde,
                            wijze=Wijze.WEB,
                            door="inwoner",
                        )
            queued = cli(["offer", "send", "--alle", "--wachtrij"], env)
            assert f"{n} zaken in de wachtrij" in queued.stdout
            two_workers(env)

            mails, letters = notify.sent("email"), notify.sent("letter")
            assert len(mails) == n // 2 and len(letters) == n - n // 2
            assert Counter(x["reference"] for x in mails + letters).most_common(1)[0][1] == 1
            # the e-mail address from Klantinteracties, the letter's name and address from
            # the BRP, in the PDF Notify got
            given = {f"inwoner{i}@example.nl" for i in range(n)}
            assert {m["email_address"] for m in mails} <= given
            assert len({m["email_address"] for m in mails}) == n // 2
            for letter in letters:
                text = pypdf.PdfReader(io.BytesIO(notify.letters[letter["id"]])).pages[0]
                page = text.extract_text()
                assert "J. Jansen" in page and "Dorpsstraat 12" in page

            # Notify reports what arrived; the workers record it and write it back
            for x in mails:
                notify.set_status(x["id"], "delivered")
            for x in letters:
                notify.set_status(x["id"], "received")
            cli(["taak", "start", "afleverstatus"], env)
            two_workers(env)
            cli(["taak", "start", "klantcontacten"], env)
            two_workers(env)

            with engine.begin() as conn:
                statuses = Counter(s for (s,) in conn.execute(select(outreach_steps.c.status)))
                attempts = conn.execute(select(func.count()).select_from(contact_attempts)).scalar()
                runs = {r.taak: r for r in recent_runs(conn)}
            assert statuses == Counter({"afgeleverd": n})
            assert attempts == n
            assert runs["afleverstatus"].samenvatting == f"{n} afgeleverd"
            assert runs["klantcontacten"].samenvatting == f"{n} klantcontacten geschreven"
        finally:
            engine.dispose()
        written = [m["klantcontact"] for m in ki.klantcontacten]
        assert len(written) == n and len({k["referentienummer"] for k in written}) == n
        assert Counter(k["kanaal"] for k in written) == Counter(
            {"e-mail": n // 2, "brief": n - n // 2}
        )
        assert {m["betrokkene"]["wasPartij"]["uuid"] for m in ki.klantcontacten} == set(
            ki.partijen.values()
        )
    # the BRP server answers a request outside its contract with a 400, which fails the
    # letter: every letter went out, so every request kept to it
    assert len(brp.requests) >= n - n // 2
    assert ki.violations == [] and notify.violations == []

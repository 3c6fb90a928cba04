"""The background tasks: the in-process runner (both databases), the run history and its
page, and on PostgreSQL two worker processes at once that take every step exactly once."""

import json
import os
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select

from conftest import (
    TODAY,
    WEB_PASSWORD,
    csrf_of,
    ddas_document,
    fake_channels,
    https_client,
    make_case,
    run_cli,
    signal,
    web_setup,
)
from notify_server import API_KEY, EMAIL_TEMPLATE, SMS_TEMPLATE, NotifyServer, running
from proactief.early_detection.work_queue import load_work_queue_config
from proactief.jobs import Schedule, TaskSchedule, recent_runs
from proactief.offers.account import Afzender
from proactief.sources.contactgegevens import FakeContactDirectory
from proactief.storage.tables import outreach_steps
from proactief.workers import LocalRunner, TaskError, WorkerDeps


def deps(engine: Engine, tmp_path: Path, **schedule: TaskSchedule) -> WorkerDeps:
    return WorkerDeps(
        engine=engine,
        schedule=Schedule(taken=schedule),  # type: ignore[arg-type]
        work_queue=load_work_queue_config(),
        afzender=Afzender(),
        channels=fake_channels(),
        directory=FakeContactDirectory(),
        address_hasher=lambda a: f"h-{len(a)}",
        data_dir=tmp_path,
        rule_settings=lambda: None,  # type: ignore[arg-type, return-value]
        worker="test-worker",
    )


def test_each_task_runs_in_process_and_is_kept_in_the_history(
    engine: Engine, tmp_path: Path
) -> None:
    with engine.begin() as conn:
        make_case(conn)
    campaigns = TaskSchedule(
        cron="0 7 * * 1", bestanden=[Path("campagnes/niet_gebruik_zorgtoeslag.yaml")]
    )
    d = deps(engine, tmp_path, campagnes=campaigns)
    runner = LocalRunner(d)
    assert runner.run_now("ladder") == "1 zaken bekeken"
    with engine.begin() as conn:
        assert conn.execute(select(func.count()).select_from(outreach_steps)).scalar() == 1
    runner.run_now("ladder")  # the next step is not due yet: nothing more
    with engine.begin() as conn:
        assert conn.execute(select(func.count()).select_from(outreach_steps)).scalar() == 1
    for naam in ("matching", "bewaartermijnen", "terugkoppeling", "afleverstatus", "antwoorden"):
        runner.run_now(naam)
    assert runner.run_now("gebeurtenissen") == "0 zaken met een aanbod, 0 zonder, 0 gestopt"
    # the example campaign finds make_case's household (zorgtoeslag, EUR 1,355.04 a year),
    # which is in a case already: the campaign makes its own case for the same person
    assert runner.run_now("campagnes") == "Zorgtoeslag die u misschien laat liggen: 1 zaken"
    with pytest.raises(TaskError, match="bevolking"):
        runner.run_now("scan")  # no population file named in taken.yaml
    d.directory = None
    with pytest.raises(TaskError, match="PROACTIEF_CONTACT_DIRECTORY"):
        runner.run_now("ladder")
    with engine.begin() as conn:
        runs = recent_runs(conn)
    assert [r.taak for r in runs][:2] == ["ladder", "scan"]
    assert {r.status for r in runs if r.taak in ("scan",)} == {"fout"}
    assert runs[0].status == "fout" and "PROACTIEF_CONTACT_DIRECTORY" in runs[0].samenvatting
    assert sum(r.status == "klaar" for r in runs) == 9
    assert all(r.worker == "test-worker" and r.klaar is not None for r in runs)


def test_the_runner_keeps_to_the_schedule(engine: Engine, tmp_path: Path) -> None:
    """Every second for one task, never for the one that is off: it runs, and stops."""
    d = deps(
        engine,
        tmp_path,
        matching=TaskSchedule(cron="* * * * * *"),
        bewaartermijnen=TaskSchedule(cron="* * * * * *", aan=False),
    )
    stop = threading.Event()
    thread = threading.Thread(target=LocalRunner(d).run_forever, args=(stop,))
    thread.start()
    try:
        for _ in range(100):
            with engine.begin() as conn:
                if len(recent_runs(conn, taak="matching")) >= 2:
                    break
            threading.Event().wait(0.1)
    finally:
        stop.set()
        thread.join(timeout=10)
    assert not thread.is_alive()
    with engine.begin() as conn:
        assert len(recent_runs(conn, taak="matching")) >= 2
        assert recent_runs(conn, taak="bewaartermijnen") == []


def test_the_page_shows_what_ran_and_what_failed_first(engine: Engine, tmp_path: Path) -> None:
    web = web_setup(engine, b"s" * 32)
    runner = LocalRunner(deps(engine, tmp_path))
    runner.run_now("matching")
    with pytest.raises(TaskError):
        runner.run_now("scan")
    runner.run_now("bewaartermijnen")

    def login(name: str) -> Any:
        c = https_client(web["app"])
        token = csrf_of(c.get("/login").text)
        c.post(
            "/login", data={"gebruikersnaam": name, "wachtwoord": WEB_PASSWORD, "csrf_token": token}
        )
        return c

    page = login("teamleider").get("/taken")
    assert page.status_code == 200
    text = page.text
    assert "1 van de laatste 3 runs is mislukt" in text
    runs = text[text.index("Laatste runs") :]
    assert runs.index("scan.bevolking") < runs.index("bewaartermijnen")  # failures first
    assert "test-worker" in runs and "Signalen koppelen tot zaken" in text
    for role in ("contactmedewerker", "analist"):
        assert login(role).get("/taken").status_code == 403


# --- PostgreSQL: the queue, two workers -------------------------------------------------


def bsns(n: int) -> list[str]:
    """``n`` valid BSNs (the elfproef of the product's own check)."""
    from proactief.trust.pseudonyms import is_valid_bsn

    found: list[str] = []
    candidate = 100000000
    while len(found) < n:
        candidate += 1
        if is_valid_bsn(str(candidate)):
            found.append(str(candidate))
    return found


@pytest.fixture
def notify() -> Iterator[NotifyServer]:
    server = NotifyServer()
    with running(server):
        yield server
    assert server.violations == []


def cli(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    done = run_cli(args, env, timeout=300)
    assert done.returncode == 0, done.stderr + done.stdout
    return done


def queue_env(
    tmp_path: Path, postgres_url: str, notify: NotifyServer, **extra: str
) -> dict[str, str]:
    """The settings of a run on PostgreSQL that sends through the Notify test service,
    with no scheduled task: only what the test queues runs (a tick that passed just before
    a worker starts is deferred by it, which would make counts depend on the clock)."""
    config = tmp_path / "beleid"
    config.mkdir(exist_ok=True)
    (config / "taken.yaml").write_text("taken: {}\n")
    return (
        dict(
            os.environ,
            PROACTIEF_CONFIG_DIR=str(config),
            PROACTIEF_DATA_DIR=str(tmp_path / "d"),
            PROACTIEF_DATABASE_URL=postgres_url,
            PROACTIEF_CONTACT_DIRECTORY="fake",
            PROACTIEF_CHANNELS=json.dumps(
                {"email": "notify_email", "sms": "notify_sms", "brief": "notify_brief"}
            ),
            PROACTIEF_NOTIFY_URL=notify.url,
            PROACTIEF_NOTIFY_API_KEY=API_KEY,
            PROACTIEF_NOTIFY_TEMPLATE_EMAIL=EMAIL_TEMPLATE,
            PROACTIEF_NOTIFY_TEMPLATE_SMS=SMS_TEMPLATE,
            COLUMNS="200",
        )
        | extra
    )


def run_workers(env: dict[str, str], *names: str) -> None:
    """Worker processes started together, each until the queue is empty."""
    workers = [
        subprocess.Popen(
            [sys.executable, "-m", "proactief", "worker", "--tot-leeg", "--naam", name],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in names
    ]
    for w in workers:
        out, errors = w.communicate(timeout=600)
        assert w.returncode == 0, errors + out


@pytest.mark.slow
def test_two_workers_take_every_step_exactly_once(
    postgres_url: str, tmp_path: Path, notify: NotifyServer
) -> None:
    n = 24
    env = queue_env(tmp_path, postgres_url, notify)
    records = [signal(ID=f"S{i}", client={"burgerservicenummer": b}) for i, b in enumerate(bsns(n))]
    (tmp_path / "s.json").write_text(json.dumps(ddas_document(records)))
    cli(["intake", str(tmp_path / "s.json"), "--today", TODAY.isoformat()], env)
    cli(["cases", "match", "--datum", TODAY.isoformat()], env)
    queued = cli(["offer", "send", "--alle", "--wachtrij"], env)
    assert f"{n} zaken in de wachtrij" in queued.stdout
    again = cli(["offer", "send", "--alle", "--wachtrij"], env)  # nothing queued twice
    assert "0 zaken in de wachtrij" in again.stdout and f"{n} stonden er al" in again.stdout

    run_workers(env, "w1", "w2")
    letters = notify.sent("letter")
    references = Counter(n_["reference"] for n_ in letters)
    assert len(references) == n and set(references.values()) == {1}  # each step once
    from proactief.storage.db import create_db_engine

    engine = create_db_engine(postgres_url)
    try:
        with engine.begin() as conn:
            steps = conn.execute(select(outreach_steps.c.case_id, outreach_steps.c.status)).all()
            assert len(steps) == n and len({s.case_id for s in steps}) == n
            assert {s.status for s in steps} == {"verzonden"}
        # Notify says they arrived; the status task, queued and done by a worker
        for letter in letters:
            notify.set_status(letter["id"], "received")
        cli(["taak", "start", "afleverstatus"], env)
        cli(["worker", "--tot-leeg", "--naam", "w3"], env)
        with engine.begin() as conn:
            assert {s.status for s in conn.execute(select(outreach_steps.c.status))} == {
                "afgeleverd"
            }
            from proactief.storage.tables import contact_attempts

            assert conn.execute(select(func.count()).select_from(contact_attempts)).scalar() == n
            runs = recent_runs(conn)
        assert [(r.taak, r.status, r.worker, r.samenvatting) for r in runs] == [
            ("afleverstatus", "klaar", "w3", f"{n} afgeleverd")
        ]
    finally:
        engine.dispose()


@pytest.mark.slow
def test_a_worker_killed_while_notify_takes_the_letter_sends_it_once(
    postgres_url: str, tmp_path: Path, notify: NotifyServer
) -> None:
    """The worker is killed (SIGKILL) after its letter reached Notify and before it could
    record that. Another worker takes the job again: the step finds Notify's message by
    its reference, sends nothing new, and records it."""
    env = queue_env(
        tmp_path,
        postgres_url,
        notify,
        PROACTIEF_CHANNELS=json.dumps({"brief": "notify_brief"}),
        PROACTIEF_WORKER_VASTGELOPEN_SECONDEN="2",
    )
    (tmp_path / "s.json").write_text(json.dumps(ddas_document([signal(ID="A")])))
    cli(["intake", str(tmp_path / "s.json"), "--today", TODAY.isoformat()], env)
    cli(["cases", "match", "--datum", TODAY.isoformat()], env)
    cli(["offer", "send", "--alle", "--wachtrij"], env)
    notify.hold = threading.Event()
    first = subprocess.Popen(
        [sys.executable, "-m", "proactief", "worker", "--naam", "w1"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(600):
            if notify.held:
                break
            threading.Event().wait(0.1)
        assert notify.held == 1, "the worker never reached Notify"
    finally:
        first.kill()
        first.wait(timeout=30)
    notify.hold.set()  # Notify now takes the letter; its answer goes nowhere
    for _ in range(100):
        if notify.sent("letter"):
            break
        threading.Event().wait(0.05)
    (letter,) = notify.sent("letter")
    threading.Event().wait(3)  # longer than PROACTIEF_WORKER_VASTGELOPEN_SECONDEN
    second = cli(["worker", "--tot-leeg", "--naam", "w2"], env)
    assert "opnieuw" in second.stdout
    assert len(notify.notifications) == 1  # not sent again
    from proactief.storage.db import create_db_engine
    from proactief.storage.tables import outbox

    engine = create_db_engine(postgres_url)
    try:
        with engine.begin() as conn:
            (step,) = conn.execute(select(outreach_steps)).all()
            (box,) = conn.execute(select(outbox)).all()
    finally:
        engine.dispose()
    assert step.status == "verzonden" and box.extern_id == letter["id"]

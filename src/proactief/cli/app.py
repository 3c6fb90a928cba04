"""The command line: ``proactief demo | intake | cases | report | rules | segment | offer ...``.

Messages for the team are in Dutch; each error says what is wrong and where.
"""

import logging
import os
from typing import Annotated

import typer
from pydantic import ValidationError

from proactief import __version__
from proactief.cli.common import console, fail, start
from proactief.cli.demo import demo
from proactief.cli.early_detection import cases_app, intake, report_app
from proactief.cli.evaluate import evaluate
from proactief.cli.events import events_app, moment_app
from proactief.cli.experiment import experiment_app
from proactief.cli.offers import campaign_app, inbound_app, offer_app, tasks_app
from proactief.cli.register import algoritmeregister
from proactief.cli.rules import rules_app
from proactief.cli.segment import segment_app
from proactief.cli.simulate import simulate
from proactief.cli.trust import audit_app, consent_app, key_app, retention_app, why
from proactief.cli.web import code, serve, users_app
from proactief.cli.worker import taak_app, worker
from proactief.settings import Settings

app = typer.Typer(
    help="Proactief: vroegsignalering van geldzorgen, van signaal tot CBS-rapportage.",
    no_args_is_help=True,
    add_completion=False,
    # Local variables in a traceback can hold personal data; never print them.
    pretty_exceptions_show_locals=False,
)
# Groups in the order of the chain: signals in, cases, report; entitlements, segments,
# offers; the resident's control and the audit; the web app and its accounts.
app.command("demo")(demo)
app.command("intake")(intake)
app.command("simulate")(simulate)
app.command("evaluate")(evaluate)
app.add_typer(experiment_app, name="experiment")
app.command("algoritmeregister")(algoritmeregister)
app.add_typer(cases_app, name="cases")
app.add_typer(report_app, name="report")
app.add_typer(rules_app, name="rules")
app.add_typer(segment_app, name="segment")
app.add_typer(offer_app, name="offer")
app.add_typer(campaign_app, name="campaign")
app.add_typer(events_app, name="events")
app.add_typer(moment_app, name="moment")
app.add_typer(tasks_app, name="tasks")
app.add_typer(inbound_app, name="inbound")
app.add_typer(consent_app, name="consent")
app.command("why")(why)
app.add_typer(audit_app, name="audit")
app.add_typer(key_app, name="key")
app.add_typer(retention_app, name="retention")
app.command("serve")(serve)
app.add_typer(users_app, name="users")
app.add_typer(taak_app, name="taak")
app.command("worker")(worker)
app.command("code")(code)

log = logging.getLogger("proactief")


def _version(value: bool) -> None:
    if value:
        console.print(f"proactief {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Toon de versie.")
    ] = False,
) -> None:
    # Everything this run writes (database, reports, letters, e-mails, exports) holds
    # personal data: readable by the owner only (files 0600, folders 0700).
    os.umask(0o077)
    try:
        level = start(Settings()).settings.log_level
    except ValidationError as exc:
        first = exc.errors()[0]
        field = "PROACTIEF_" + str(first["loc"][0]).upper() if first["loc"] else "PROACTIEF_*"
        raise fail(f"{field}: {first['msg']}") from exc
    logging.basicConfig(
        level=getattr(logging, level),
        format="%(levelname)s %(name)s: %(message)s",
    )
    if level == "DEBUG":
        # show every SQL statement; their parameters stay hidden (create_db_engine)
        logging.getLogger("sqlalchemy.engine").setLevel(logging.INFO)


def main() -> None:
    """Entry point of the ``proactief`` command."""
    app()

"""``proactief events intake|run``: life events (CloudEvents) in from the drop folder, and
the offers whose moment has come."""

import json
import sys
from datetime import UTC, datetime, time
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from proactief.cli.common import console, context, err
from proactief.cli.common import fail as _fail
from proactief.cli.offers import _send_steps, _today

events_app = typer.Typer(
    help="Levensgebeurtenissen: inlezen (CloudEvents) en op het goede moment een aanbod.",
    no_args_is_help=True,
)


@events_app.command("intake")
def events_intake(
    files: Annotated[
        list[Path],
        typer.Argument(help="JSON-bestanden (een CloudEvent of een lijst), of een map."),
    ],
    datum: Annotated[
        str | None, typer.Option(help="Doe alsof het deze datum is (JJJJ-MM-DD).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Als JSON, voor scripts.")] = False,
) -> None:
    """Lees levensgebeurtenissen in. Elke gebeurtenis wordt opgeslagen, is dubbel, of gaat
    met de reden in quarantaine (proactief intake --rejected toont ze). Exitcode 1 als er
    iets in quarantaine ging."""
    from proactief.offers.life_events import delivery_hash, events_of_body, intake_events

    paths: list[Path] = []
    for path in files:
        if path.is_dir():
            paths.extend(sorted(path.glob("*.json")))
        elif path.is_file():
            paths.append(path)
        else:
            raise _fail(f"{path}: bestand of map bestaat niet.")
    today = _today(datum)
    now = datetime.combine(today, time(9), tzinfo=UTC)
    ctx = context()
    results = {}
    for path in paths:
        body = path.read_bytes()
        with ctx.engine.begin() as conn:
            results[path] = intake_events(
                conn,
                events_of_body(body),
                naam=path.name,
                sha256=delivery_hash(body),
                pseudonymizer=ctx.pseudonymizer,
                now=now,
                actor="medewerker",
            )
    if as_json:
        data = {str(p): r.as_json() for p, r in results.items()}
        sys.stdout.write(json.dumps(data, ensure_ascii=False) + "\n")
    else:
        table = Table(title="Levensgebeurtenissen ingelezen")
        for column in ("Bestand", "Ontvangen", "Opgeslagen", "Dubbel", "Quarantaine", "Overlijden"):
            table.add_column(column)
        for path, r in results.items():
            table.add_row(
                path.name,
                str(r.ontvangen),
                str(r.opgeslagen),
                str(r.dubbel),
                str(r.quarantaine),
                str(r.overlijdens),
            )
        console.print(table)
        for path, r in results.items():
            for position, reden in r.redenen:
                err.print(f"{path.name}, {position}: {reden}")
    if any(r.quarantaine for r in results.values()):
        raise typer.Exit(1)


@events_app.command("run")
def events_run(
    datum: Annotated[
        str | None, typer.Option(help="Doe alsof het deze datum is (JJJJ-MM-DD).")
    ] = None,
) -> None:
    """Maak een zaak met aanbod voor elke gebeurtenis waarvan het moment gekomen is (als
    de regelingencheck geld vindt voor het huishouden) en zet de eerste stap."""
    from proactief.offers.life_events import run_due_events

    today = _today(datum)
    context().contact_directory  # noqa: B018 - a missing setting touches no database
    with context().engine.begin() as conn:
        run = run_due_events(
            conn, now=datetime.combine(today, time(9), tzinfo=UTC), actor="medewerker"
        )
    console.print(
        f"{len(run.zaken)} nieuwe zaken met een aanbod, {run.gestopt} gestopt (overleden), "
        f"{sum(run.geen_aanbod.values())} zonder aanbod.",
        soft_wrap=True,
    )
    for reden, n in sorted(run.geen_aanbod.items()):
        console.print(f"- {n}x {reden}", soft_wrap=True)
    if run.zaken:
        _send_steps(run.zaken, today)

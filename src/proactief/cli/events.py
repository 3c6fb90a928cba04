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
from proactief.cli.common import today_of as _today
from proactief.cli.offers import _send_steps

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


moment_app = typer.Typer(
    help="Contactmomenten die er toch al zijn: een aanbod gaat daarmee mee.",
    no_args_is_help=True,
)


@moment_app.command("add")
def moment_add(
    soort: Annotated[str, typer.Option(help="Soort contactmoment (aanpak.yaml moment.soorten).")],
    op: Annotated[str, typer.Option("--op", help="De dag van het moment (JJJJ-MM-DD).")],
    zaak: Annotated[int | None, typer.Option(help="Voor de inwoner van deze zaak.")] = None,
    bsn: Annotated[str | None, typer.Option(help="Of: voor de inwoner met dit BSN.")] = None,
    datum: Annotated[
        str | None, typer.Option(help="Doe alsof het vandaag deze datum is (JJJJ-MM-DD).")
    ] = None,
) -> None:
    """Registreer een contactmoment (een aanvraag voor kwijtschelding, een heronderzoek van
    de bijstand, een afspraak aan de balie, het APK-gesprek). Een aanbod dat binnen de
    termijn van aanpak.yaml valt, wacht daarop en gaat mee."""
    from proactief.early_detection import repository as early_repo
    from proactief.offers.moments import MomentError, register_moment
    from proactief.trust.pseudonyms import is_valid_bsn

    if (zaak is None) == (bsn is None):
        raise _fail("geef --zaak of --bsn (een van beide).")
    if bsn is not None and not is_valid_bsn(bsn):
        raise _fail("--bsn: geen geldig BSN (9 cijfers en de elfproef).")
    try:
        day = datetime.strptime(op, "%Y-%m-%d").date()
    except ValueError as exc:
        raise _fail(f"--op '{op}' is geen datum; gebruik JJJJ-MM-DD.") from exc
    today = _today(datum)
    ctx = context()
    with ctx.engine.begin() as conn:
        if zaak is not None:
            person = early_repo.case_subject(conn, zaak)
            if person is None:
                raise _fail(f"zaak {zaak} bestaat niet.")
        else:
            assert bsn is not None
            person = ctx.pseudonymizer.for_bsn(bsn)
        try:
            register_moment(
                conn,
                person_pseudonym=person,
                soort=soort,
                datum=day,
                door="medewerker",
                now=datetime.combine(today, time(9), tzinfo=UTC),
            )
        except MomentError as exc:
            raise _fail(str(exc)) from exc
    console.print(f"Contactmoment '{soort}' op {day} geregistreerd.")

"""``proactief worker`` and ``proactief taak``: the background tasks of config/taken.yaml."""

import os
import signal
import socket
import threading
from datetime import UTC
from typing import Annotated

import typer
from rich.table import Table

from proactief.cli.common import console, context, fail, on_postgres, queue_app, worker_deps

__all__ = ["taak_app", "worker"]

taak_app = typer.Typer(
    help="Achtergrondtaken: wat er is, wanneer het draait, en nu één starten.",
    no_args_is_help=True,
)


def _name(given: str | None) -> str:
    return given or f"{socket.gethostname()}:{os.getpid()}"


def worker(
    tot_leeg: Annotated[
        bool,
        typer.Option(
            "--tot-leeg",
            help="Stop zodra de wachtrij leeg is (PostgreSQL), in plaats van door te blijven "
            "werken.",
        ),
    ] = False,
    naam: Annotated[str | None, typer.Option(help="Naam van deze worker in het overzicht.")] = None,
) -> None:
    """Voer de achtergrondtaken uit op hun tijd (config/taken.yaml). Op PostgreSQL kunnen
    er meerdere tegelijk draaien; op SQLite doet dit proces alles zelf."""
    deps = worker_deps(_name(naam))
    if on_postgres():
        from proactief.workers.queue import retry_stalled

        app = queue_app(deps)
        seconds = deps.stalled_seconds
        again = retry_stalled(app, seconds)
        if again:
            console.print(f"{again} taak/taken van een worker die niet meer antwoordde: opnieuw.")
        console.print(
            f"Worker {deps.worker} werkt de wachtrij af"
            + (" tot die leeg is." if tot_leeg else " (stoppen: Ctrl+C).")
        )
        app.run_worker(
            wait=not tot_leeg,
            name=deps.worker,
            install_signal_handlers=True,
            update_heartbeat_interval=min(10.0, seconds / 3),
            stalled_worker_timeout=seconds,
        )
        return
    if tot_leeg:
        raise fail(
            "op SQLite is er geen wachtrij: de worker draait de taken zelf op hun tijd. "
            "Eén taak nu: proactief taak start NAAM."
        )
    from proactief.workers import LocalRunner

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    console.print(
        f"Worker {deps.worker} draait {len(deps.schedule.active())} taken op hun tijd "
        "(SQLite, in dit proces; stoppen: Ctrl+C)."
    )
    try:
        LocalRunner(deps).run_forever(stop)
    except KeyboardInterrupt:
        stop.set()


@taak_app.command("start")
def taak_start(
    naam: Annotated[str, typer.Argument(help="De taak, bijv. ladder of afleverstatus.")],
) -> None:
    """Start één taak nu. Op PostgreSQL komt ze in de wachtrij voor de workers; op SQLite
    draait ze meteen in dit proces."""
    from proactief.jobs import TAKEN

    if naam not in TAKEN:
        raise fail(f"'{naam}' is geen taak; kies uit: {', '.join(TAKEN)}.")
    deps = worker_deps(_name(None))
    if on_postgres():
        from proactief.workers.queue import defer_task

        app = queue_app(deps)
        with app.open():
            job = defer_task(app, naam)
        console.print(f"Taak {naam} staat in de wachtrij (job {job}); een worker voert haar uit.")
        return
    from proactief.workers import LocalRunner

    try:
        summary = LocalRunner(deps).run_now(naam)
    except Exception as exc:
        raise fail(f"taak {naam} mislukte: {exc}") from exc
    console.print(f"Taak {naam}: {summary}.")


@taak_app.command("lijst")
def taak_lijst() -> None:
    """Elke taak: wanneer ze draait, en hoe haar laatste run afliep."""
    from proactief.jobs import TAKEN, load_schedule, recent_runs

    settings = context().settings
    try:
        schedule = load_schedule(settings=settings)
    except ValueError as exc:
        raise fail(str(exc)) from exc
    table = Table(title="Achtergrondtaken")
    for column in ("Taak", "Wat", "Wanneer (cron, UTC)", "Laatste run", "Uitkomst"):
        table.add_column(column)
    with context().engine.begin() as conn:
        for naam, wat in TAKEN.items():
            task = schedule.taken.get(naam)  # type: ignore[call-overload]
            runs = recent_runs(conn, limit=1, taak=naam)
            last = runs[0] if runs else None
            table.add_row(
                naam,
                wat,
                (task.cron if task and task.aan else "uit") if task else "niet ingepland",
                last.gestart.astimezone(UTC).strftime("%Y-%m-%d %H:%M") if last else "nog nooit",
                f"{last.status}: {last.samenvatting}" if last else "",
            )
    console.print(table)

"""What every command module shares: the consoles, the way an error ends a command, and the
context of a command: settings, the migrated engine, the pseudonymizer, the municipal
work-queue policy and a progress bar."""

import os
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
)
from sqlalchemy import Engine

from proactief.early_detection.work_queue import (
    ConfigError,
    WorkQueueConfig,
    load_work_queue_config,
)
from proactief.settings import Settings
from proactief.storage.db import DatabaseUnavailableError, create_db_engine, migrate
from proactief.trust.pseudonyms import Pseudonymizer, load_or_create_key

__all__ = [
    "console",
    "err",
    "fail",
    "open_engine",
    "progress_bar",
    "pseudonymizer_for",
    "work_queue_config",
]

console = Console()
err = Console(stderr=True)


def fail(message: str, code: int = 2) -> typer.Exit:
    """Print a clear error (in Dutch for the team) and return the Exit to raise."""
    err.print(f"[bold red]Fout:[/] {message}")
    return typer.Exit(code)


def open_engine() -> tuple[Settings, Engine]:
    settings = Settings()
    engine = create_db_engine(settings.resolved_database_url())
    try:
        migrate(engine)
    except DatabaseUnavailableError as exc:
        raise fail(str(exc), 3) from exc
    return settings, engine


def pseudonymizer_for(settings: Settings) -> Pseudonymizer:
    return Pseudonymizer(load_or_create_key(settings.resolved_key_file()))


def work_queue_config() -> WorkQueueConfig:
    custom = os.environ.get("PROACTIEF_WORK_QUEUE_CONFIG")
    try:
        return load_work_queue_config(Path(custom) if custom else None)
    except ConfigError as exc:
        raise fail(str(exc)) from exc


def progress_bar() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    )

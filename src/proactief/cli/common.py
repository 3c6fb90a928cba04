"""What every command module shares: the consoles, the way an error ends a command, and the
context of a command: settings, the migrated engine, the pseudonymizer, the municipal
work-queue policy and a progress bar."""

from pathlib import Path
from typing import TYPE_CHECKING

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

from proactief.config import policy_path
from proactief.early_detection.work_queue import (
    ConfigError,
    WorkQueueConfig,
    load_work_queue_config,
)
from proactief.plugins import PluginError
from proactief.settings import Settings
from proactief.sources.contactgegevens import ContactDirectory, contact_directories
from proactief.storage.db import DatabaseUnavailableError, create_db_engine, migrate
from proactief.trust.pseudonyms import Pseudonymizer, load_or_create_key

if TYPE_CHECKING:
    from proactief.entitlements import MunicipalSettings

__all__ = [
    "console",
    "contact_directory",
    "err",
    "fail",
    "open_engine",
    "progress_bar",
    "pseudonymizer_for",
    "rule_settings",
    "run_server",
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
    """The work-queue policy: PROACTIEF_WORK_QUEUE_CONFIG, else work_queue.yaml in the policy
    folder."""
    settings = Settings()
    try:
        return load_work_queue_config(
            settings.work_queue_config or policy_path("work_queue.yaml", settings)
        )
    except ConfigError as exc:
        raise fail(str(exc)) from exc


def contact_directory(settings: Settings) -> ContactDirectory:
    """The contact-detail provider chosen with PROACTIEF_CONTACT_DIRECTORY."""
    name = settings.contact_directory
    if not name:
        raise fail(
            "er is geen leverancier van contactgegevens ingesteld. Zet "
            "PROACTIEF_CONTACT_DIRECTORY op een van: "
            f"{', '.join(contact_directories.names())}. ('fake' verzint adressen die "
            "nergens aankomen: alleen voor een proef.)"
        )
    try:
        return contact_directories.get(name)()
    except PluginError as exc:
        raise fail(f"PROACTIEF_CONTACT_DIRECTORY: {exc}") from exc


def progress_bar() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    )


def rule_settings(path: Path | None) -> "MunicipalSettings":
    """The municipal choices for the rules: ``path``, else PROACTIEF_GEMEENTE_CONFIG, else
    gemeente.yaml in the policy folder."""
    # Imported here: the entitlements engine loads pandas and NumPy, which the other
    # commands do not need at start-up.
    from proactief.entitlements import SettingsError, load_municipal_settings

    settings = Settings()
    chosen = path or settings.gemeente_config or policy_path("gemeente.yaml", settings)
    try:
        return load_municipal_settings(chosen)
    except (OSError, SettingsError) as exc:
        raise fail(str(exc)) from exc


def run_server(*, host: str, port: int, secure_cookies: bool = True) -> None:
    """Start uvicorn with the app on the configured database (``serve`` and ``demo --serve``)."""
    # Imported here: the web app and uvicorn are needed only by these two commands.
    import uvicorn

    from proactief.trust.pseudonyms import load_or_create_key
    from proactief.web import create_app

    settings, engine = open_engine()
    app = create_app(
        engine=engine,
        secret_key=load_or_create_key(settings.data_dir / "web.key"),
        secure_cookies=secure_cookies,
        rule_settings=rule_settings(None),
        work_queue_config=work_queue_config(),
    )
    console.print(f"Proactief draait op http://{host}:{port}/ (stoppen: Ctrl+C)")
    # access logs would print paths with case numbers; warnings only
    uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False)

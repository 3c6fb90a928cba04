"""What every command module shares: the consoles, the way an error ends a command, a
progress bar, and the context of one run (:class:`CommandContext`): the settings, read once
by the root callback, and what is made from them on first use (the migrated engine, the
pseudonymizer, the municipal policies, the contact-detail provider).

The entitlements engine and the web app are imported inside the functions that need them:
with them at the top, every command starts in about 4 s instead of under 1 s, because they
load pandas, SciPy and FastAPI (docs/adr/0006-one-house-per-capability.md).
"""

import atexit
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

import typer
import uvicorn
from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
)
from sqlalchemy import Engine
from sqlalchemy.engine import make_url

from proactief.config import policy_path
from proactief.early_detection.work_queue import (
    ConfigError,
    WorkQueueConfig,
    load_work_queue_config,
)
from proactief.plugins import PluginError
from proactief.settings import Settings
from proactief.sources.contactgegevens import (
    ContactDirectory,
    FakeContactDirectory,
    contact_directories,
)
from proactief.storage.db import DatabaseUnavailableError, create_db_engine, migrate
from proactief.trust.anchor import Anchor, anchor_key, write_anchor
from proactief.trust.keys import pseudonym_key
from proactief.trust.pseudonyms import KeyFileError, Pseudonymizer, load_or_create_key

if TYPE_CHECKING:
    import procrastinate

    from proactief.channels import Channel, NotifyService
    from proactief.channels.inbound import Inbound
    from proactief.domain import Kanaal
    from proactief.entitlements import MunicipalSettings
    from proactief.offers.account import Afzender
    from proactief.sources.brp import BrpClient, PersonSearch
    from proactief.web.oidc import OidcLogin
    from proactief.workers import WorkerDeps

__all__ = [
    "CommandContext",
    "afzender_of",
    "channels_of",
    "console",
    "context",
    "err",
    "fail",
    "inboxes_of",
    "notify_of",
    "on_postgres",
    "open_to_others",
    "progress_bar",
    "queue_app",
    "run_server",
    "start",
    "worker_deps",
]

console = Console()
err = Console(stderr=True)


_CONTROL = {i: f"\\x{i:02x}" for i in (*range(0x20), 0x7F)} | {
    i: f"\\u{i:04x}" for i in range(0x80, 0xA0)
}


def shown(value: object) -> str:
    """Data from outside (a rejected value, a file name, a signal ID) as the terminal
    may show it: rich markup escaped, so '[/red]' is text and not a style, and control
    characters (escape sequences, carriage returns, C1 codes) written out visibly, so a
    record cannot move the cursor, clear the screen or fake a line of output."""
    return escape(str(value).translate(_CONTROL))


def today_of(datum: str | None) -> date:
    """The day of a ``--datum`` option (JJJJ-MM-DD), or today; a clear error otherwise."""
    try:
        return date.fromisoformat(datum) if datum else date.today()
    except ValueError as exc:
        raise fail(f"--datum '{datum}' is geen datum; gebruik JJJJ-MM-DD.") from exc


def fail(message: str, code: int = 2) -> typer.Exit:
    """Print a clear error (in Dutch for the team) and return the Exit to raise."""
    err.print(f"[bold red]Fout:[/] {shown(message)}")
    return typer.Exit(code)


def open_to_others(settings: Settings) -> list[str]:
    """A warning for each of the data folder, the SQLite file and the outbox that others
    than the owner can read (files made before this run, or by hand)."""
    paths = [settings.data_dir, settings.resolved_outbox_dir()]
    url = make_url(settings.resolved_database_url())
    if url.get_backend_name() == "sqlite" and url.database:
        paths.append(Path(url.database))
    warnings = []
    for path in paths:
        try:
            mode = path.stat().st_mode & 0o777
        except FileNotFoundError:
            continue
        if mode & 0o077:
            private = "700" if path.is_dir() else "600"
            warnings.append(
                f"{path} is leesbaar voor anderen (rechten {mode:o}) en bevat "
                f"persoonsgegevens; maak het privé: chmod {private} {path}"
            )
    return warnings


class CommandContext:
    """One run of the command line: the settings and what is made from them, each at most
    once and only when a command asks for it."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._key = b""
        self.anchor_at_exit = True
        """False: this run leaves the anchors alone (``audit verify`` must not anchor a
        log it found damaged)."""

    @cached_property
    def engine(self) -> Engine:
        """The database, migrated to the newest schema, with its pseudonymisation key
        checked (exit 3 when it cannot be opened, 2 when the key is not its own)."""
        engine = create_db_engine(self.settings.resolved_database_url())
        try:
            migrate(engine)
        except DatabaseUnavailableError as exc:
            raise fail(str(exc), 3) from exc
        try:
            with engine.begin() as conn:
                self._key = pseudonym_key(conn, self.settings.resolved_key_file())
        except KeyFileError as exc:
            raise fail(str(exc)) from exc
        for warning in open_to_others(self.settings):
            err.print(f"[yellow]Let op:[/] {warning}", soft_wrap=True)
        # every run that used the database anchors the audit chain when it ends
        atexit.register(self.anchor_audit, engine)
        return engine

    @cached_property
    def audit_anchor_key(self) -> bytes:
        """The key that seals audit anchors (its own file; made at the first anchor: a
        lost one makes every older anchor fail its check, loudly)."""
        path = self.settings.resolved_anchor_key()
        try:
            return anchor_key(load_or_create_key(path))
        except KeyFileError as exc:
            raise fail(str(exc)) from exc

    def anchor_audit(self, engine: Engine, *, always: bool = False) -> Anchor | None:
        """Anchor the audit chain outside the database (trust.anchor); a failure is a
        warning, never lost work."""
        if not (self.anchor_at_exit or always):
            return None
        try:
            with engine.begin() as conn:
                return write_anchor(
                    conn,
                    self.settings.resolved_audit_anchor(),
                    self.audit_anchor_key,
                    always=always,
                )
        except Exception as exc:  # at exit, after the command's work: warn only (typer.Exit too)
            err.print(
                f"[yellow]Let op:[/] het audit-log kon niet worden verankerd in "
                f"{shown(self.settings.resolved_audit_anchor())}: {type(exc).__name__}",
                soft_wrap=True,
            )
            return None

    @cached_property
    def pseudonymizer(self) -> Pseudonymizer:
        """BSN -> pseudonym with the key that belongs to the database."""
        _ = self.engine  # checks the key against the database's fingerprint
        return Pseudonymizer(self._key)

    @cached_property
    def work_queue(self) -> WorkQueueConfig:
        """The work-queue policy: PROACTIEF_WORK_QUEUE_CONFIG, else work_queue.yaml in the
        policy folder."""
        chosen = self.settings.work_queue_config or policy_path("work_queue.yaml", self.settings)
        try:
            return load_work_queue_config(chosen)
        except ConfigError as exc:
            raise fail(str(exc)) from exc

    @cached_property
    def brp_client(self) -> "BrpClient | None":
        """The BRP (PROACTIEF_BRP_URL): a search on surname and date of birth, and who
        lives at an address."""
        from proactief.sources.brp import BrpClient

        if not self.settings.brp_url:
            return None
        return BrpClient(self.settings.brp_url, api_key=self.settings.brp_api_key)

    @property
    def person_search(self) -> "PersonSearch | None":
        """The BRP, for a search on surname and date of birth."""
        return self.brp_client

    @cached_property
    def contact_directory(self) -> ContactDirectory:
        """The contact-detail provider chosen with PROACTIEF_CONTACT_DIRECTORY."""
        name = self.settings.contact_directory
        if not name:
            raise fail(
                "er is geen leverancier van contactgegevens ingesteld. Zet "
                "PROACTIEF_CONTACT_DIRECTORY op een van: "
                f"{', '.join(contact_directories.names())}. ('fake' verzint adressen die "
                "nergens aankomen: alleen voor een proef.)"
            )
        try:
            directory = contact_directories.get(name)()
        except (PluginError, ValueError) as exc:
            raise fail(f"PROACTIEF_CONTACT_DIRECTORY: {str(exc).split(' / ')[0]}") from exc
        if isinstance(directory, FakeContactDirectory) and directory.store is None:
            # what residents give on their page, next to the database, so that `serve`
            # and `offer send` share it (a real provider keeps it in the KCC)
            directory.store = self.settings.data_dir / "nep-klantcontact.json"
        return directory

    def rule_settings(self, path: Path | None = None) -> "MunicipalSettings":
        """The municipal choices for the rules: ``path``, else PROACTIEF_GEMEENTE_CONFIG, else
        gemeente.yaml in the policy folder."""
        from proactief.entitlements import SettingsError, load_municipal_settings

        settings = self.settings
        chosen = path or settings.gemeente_config or policy_path("gemeente.yaml", settings)
        try:
            return load_municipal_settings(chosen)
        except (OSError, SettingsError) as exc:
            raise fail(str(exc)) from exc


_current: CommandContext | None = None


def start(settings: Settings) -> CommandContext:
    """A new run's context (the root callback calls this once per command)."""
    global _current
    _current = CommandContext(settings)
    return _current


def context() -> CommandContext:
    """The context of this run (made from the environment when a command function is
    called without the root callback, e.g. from a script)."""
    return _current if _current is not None else start(Settings())


def progress_bar(*, on: Console | None = None, disable: bool = False) -> Progress:
    """The commands' progress bar, on standard output unless ``on`` says otherwise (a
    command whose output is JSON shows it on the error stream, or not at all)."""
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=on or console,
        transient=False,
        disable=disable,
    )


def afzender_of(settings: Settings) -> "Afzender":
    """Who sends, as the messages say it; the inboxes decide what STOP may promise."""
    from proactief.offers.account import Afzender

    page = f"{settings.web_adres.rstrip('/')}/inwoner" if settings.web_adres else None
    via_notify = {k for k, v in settings.channels.items() if v.startswith("notify_")}
    return Afzender(
        naam=settings.organisation_name,
        telefoon=settings.contact_telefoon,
        team=settings.team,
        website=settings.website,
        **({"afmelden": page} if page else {}),
        # what a message may promise about replies depends on whether they are read: a
        # message sent through Notify is answered to Notify, which Proactief does not read
        sms_antwoord=settings.inbound_sms_dir is not None and "sms" not in via_notify,
        email_antwoord=settings.inbound_maildir is not None and "email" not in via_notify,
        code_dagen=settings.code_dagen,
    )


def channels_of(settings: Settings) -> "dict[Kanaal, Channel]":
    """The channel plugins the settings ask for (SMTP when PROACTIEF_SMTP_HOST is set,
    Notify's plug-ins when PROACTIEF_CHANNELS names them)."""
    from proactief.channels import SmtpTransport, standard_channels

    transport = (
        SmtpTransport(
            settings.smtp_host,
            settings.smtp_port,
            starttls=settings.smtp_starttls,
            username=settings.smtp_user,
            password=settings.smtp_password,
            journal=settings.resolved_outbox_dir() / "smtp-verzonden",
        )
        if settings.smtp_host
        else None
    )
    try:
        return standard_channels(
            settings.resolved_outbox_dir(),
            email_transport=transport,
            van=settings.email_van,
            chosen=settings.channels,
            notify=notify_of(settings),
        )
    except PluginError as exc:
        raise fail(f"PROACTIEF_CHANNELS: {exc}") from exc


def notify_of(settings: Settings) -> "NotifyService | None":
    """The Notify service of the settings, or None when PROACTIEF_NOTIFY_URL is unset."""
    from proactief.channels.notify import NotifyService, make_notify_client

    if not settings.notify_url:
        return None
    if not settings.notify_api_key:
        raise fail("PROACTIEF_NOTIFY_URL is ingesteld, maar PROACTIEF_NOTIFY_API_KEY niet.")
    try:
        client = make_notify_client(settings.notify_api_key, settings.notify_url)
    except ValueError as exc:
        raise fail(str(exc)) from exc
    return NotifyService(
        client,
        template_email=settings.notify_template_email,
        template_sms=settings.notify_template_sms,
        postage=settings.notify_postage,
    )


def inboxes_of(settings: Settings) -> "list[Inbound]":
    """The inboxes of replies the settings name (none: an empty list)."""
    from proactief.channels.inbound import MaildirInbound, SmsFolderInbound

    inboxes: list[Inbound] = []
    if settings.inbound_sms_dir is not None:
        inboxes.append(SmsFolderInbound(settings.inbound_sms_dir))
    if settings.inbound_maildir is not None:
        inboxes.append(MaildirInbound(settings.inbound_maildir))
    return inboxes


def worker_deps(name: str) -> "WorkerDeps":
    """What the background tasks need, from the settings (``proactief worker``)."""
    from proactief.jobs import load_schedule
    from proactief.sources.klantinteracties import KlantinteractiesClient
    from proactief.workers import WorkerDeps

    ctx = context()
    settings = ctx.settings
    try:
        schedule = load_schedule(settings=settings)
    except ValueError as exc:
        raise fail(str(exc)) from exc
    return WorkerDeps(
        engine=ctx.engine,
        schedule=schedule,
        work_queue=ctx.work_queue,
        afzender=afzender_of(settings),
        channels=channels_of(settings),
        # checked when the ladder runs: the other tasks need no addresses
        directory=ctx.contact_directory if settings.contact_directory else None,
        address_hasher=ctx.pseudonymizer.for_address,
        data_dir=settings.data_dir,
        rule_settings=ctx.rule_settings,
        notify=notify_of(settings),
        inboxes=inboxes_of(settings),
        brp=ctx.brp_client,
        household_of_address=ctx.pseudonymizer.for_household,
        registry=KlantinteractiesClient(
            settings.klantinteracties_url, token=settings.klantinteracties_token or ""
        )
        if settings.klantinteracties_url
        else None,
        worker=name,
        stalled_seconds=settings.worker_vastgelopen_seconden,
    )


def queue_app(deps: "WorkerDeps") -> "procrastinate.App":
    """The workers' queue on the configured PostgreSQL database."""
    from proactief.workers.queue import conninfo_of, make_app

    return make_app(deps, conninfo_of(context().settings.resolved_database_url()))


def on_postgres() -> bool:
    """Whether the database is PostgreSQL (the queue), not the embedded SQLite file."""
    return context().engine.dialect.name == "postgresql"


def oidc_of(settings: Settings) -> "OidcLogin | None":
    """The identity provider of the settings (PROACTIEF_OIDC_*), or None."""
    from proactief.config import PolicyError
    from proactief.web.oidc import OidcLogin

    if not settings.oidc_issuer:
        if not settings.wachtwoord_login:
            raise fail(
                "PROACTIEF_WACHTWOORD_LOGIN=false zonder PROACTIEF_OIDC_ISSUER: dan kan "
                "niemand inloggen."
            )
        return None
    if not settings.oidc_client_id:
        raise fail("PROACTIEF_OIDC_ISSUER is ingesteld, maar PROACTIEF_OIDC_CLIENT_ID niet.")
    try:
        return OidcLogin(
            issuer=settings.oidc_issuer,
            client_id=settings.oidc_client_id,
            client_secret=settings.oidc_client_secret,
            scope=settings.oidc_scope,
        )
    except PolicyError as exc:
        raise fail(str(exc)) from exc


def run_server(*, host: str, port: int, secure_cookies: bool = True, demo: bool = False) -> None:
    """Start uvicorn with the app on the configured database (``serve`` and ``demo --serve``;
    the demo takes the fake contact-detail provider its letters went out with, unless
    PROACTIEF_CONTACT_DIRECTORY names another)."""
    from proactief.web import create_app

    ctx = context()
    try:
        # a lost session key only logs everyone out, so it is made when missing
        secret_key = load_or_create_key(ctx.settings.data_dir / "web.key")
    except KeyFileError as exc:
        raise fail(str(exc)) from exc
    app = create_app(
        engine=ctx.engine,
        secret_key=secret_key,
        secure_cookies=secure_cookies,
        rule_settings=ctx.rule_settings(),
        work_queue_config=ctx.work_queue,
        trusted_proxies=ctx.settings.trusted_proxy_list(),
        afzender=afzender_of(ctx.settings),
        anchor_audit=lambda: ctx.anchor_audit(ctx.engine, always=True),
        contact_directory=ctx.contact_directory
        if ctx.settings.contact_directory
        else FakeContactDirectory(store=ctx.settings.data_dir / "nep-klantcontact.json")
        if demo
        else None,
        pseudonymizer=ctx.pseudonymizer,
        person_search=ctx.person_search,
        notify_callback_token=ctx.settings.notify_callback_token,
        gebeurtenissen_token=ctx.settings.gebeurtenissen_token,
        oidc=oidc_of(ctx.settings),
        household_register=ctx.brp_client,
        wachtwoord_login=ctx.settings.wachtwoord_login,
        dashboard_minuten=ctx.settings.dashboard_minuten,
    )
    console.print(f"Proactief draait op http://{host}:{port}/ (stoppen: Ctrl+C)")
    # access logs would print paths with case numbers; warnings only
    # proxy headers are the app's own business (create_app, PROACTIEF_TRUSTED_PROXIES):
    # uvicorn's default would trust X-Forwarded-For from 127.0.0.1
    uvicorn.run(
        app, host=host, port=port, log_level="warning", access_log=False, proxy_headers=False
    )

"""The command line: ``proactief demo | intake | cases | report``.

Messages for the team are in Dutch; each error says what is wrong and where.
"""

import logging
import os
from collections import Counter
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table
from sqlalchemy import Engine

from proactief import __version__
from proactief.cli_common import console, err
from proactief.cli_common import fail as _fail
from proactief.cli_offers import campaign_app, offer_app, tasks_app
from proactief.cli_rules import rules_app
from proactief.cli_segment import segment_app
from proactief.cli_trust import audit_app, consent_app, retention_app, why
from proactief.cli_web import code, serve, users_app
from proactief.domain import Contactpoging, Contactsoort, Dagdeel, Eindresultaat
from proactief.pipeline.cases import match_signals, work_queue
from proactief.pipeline.contacts import (
    CaseClosedError,
    CaseNotFoundError,
    ContactDateError,
    NotReachedError,
    accept_help,
    close_case,
    get_case,
    register_contact,
)
from proactief.pipeline.intake import DEFAULT_BATCH_SIZE, intake_file
from proactief.pipeline.report import (
    ReportInvalidError,
    ReportRequest,
    build_ddas_report,
    write_ddas_report,
)
from proactief.pipeline.work_queue import ConfigError, WorkQueueConfig, load_work_queue_config
from proactief.privacy import Pseudonymizer, load_or_create_key
from proactief.settings import Settings
from proactief.sources import IntakeFileError
from proactief.storage import repositories as repo
from proactief.storage.db import DatabaseUnavailableError, create_db_engine, migrate

if TYPE_CHECKING:
    from proactief.demo.offers import OfferStepResult
    from proactief.demo.run import DemoResult

app = typer.Typer(
    help="Proactief: vroegsignalering van geldzorgen, van signaal tot CBS-rapportage.",
    no_args_is_help=True,
    add_completion=False,
    # Local variables in a traceback can hold personal data; never print them.
    pretty_exceptions_show_locals=False,
)
cases_app = typer.Typer(
    help="Werkvoorraad: zaken vormen, bekijken, contact registreren, afsluiten.",
    invoke_without_command=True,
)
report_app = typer.Typer(help="Rapportages.", no_args_is_help=True)
app.add_typer(cases_app, name="cases")
app.add_typer(report_app, name="report")
app.add_typer(segment_app, name="segment")
app.add_typer(rules_app, name="rules")
app.add_typer(audit_app, name="audit")
app.add_typer(retention_app, name="retention")
app.add_typer(consent_app, name="consent")
app.command("why")(why)
app.add_typer(offer_app, name="offer")
app.add_typer(campaign_app, name="campaign")
app.add_typer(tasks_app, name="tasks")
app.add_typer(users_app, name="users")
app.command("serve")(serve)
app.command("code")(code)

log = logging.getLogger("proactief")


def _engine() -> tuple[Settings, Engine]:
    settings = Settings()
    engine = create_db_engine(settings.resolved_database_url())
    try:
        migrate(engine)
    except DatabaseUnavailableError as exc:
        raise _fail(str(exc), 3) from exc
    return settings, engine


def _pseudonymizer(settings: Settings) -> Pseudonymizer:
    return Pseudonymizer(load_or_create_key(settings.resolved_key_file()))


def _work_queue_config() -> WorkQueueConfig:
    custom = os.environ.get("PROACTIEF_WORK_QUEUE_CONFIG")
    try:
        return load_work_queue_config(Path(custom) if custom else None)
    except ConfigError as exc:
        raise _fail(str(exc)) from exc


def _progress() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    )


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
    level = os.environ.get("PROACTIEF_LOG_LEVEL", "WARNING").upper()
    logging.basicConfig(
        level=getattr(logging, level, logging.WARNING),
        format="%(levelname)s %(name)s: %(message)s",
    )
    if level == "DEBUG":
        # show every SQL statement; their parameters stay hidden (create_db_engine)
        logging.getLogger("sqlalchemy.engine").setLevel(logging.INFO)


@app.command()
def intake(
    files: Annotated[
        list[Path] | None,
        typer.Argument(help="Bestanden: .json (DDAS v1.2) of .csv (schuldeisersformaat)."),
    ] = None,
    rejected: Annotated[
        bool, typer.Option("--rejected", help="Toon de geweigerde records (quarantaine).")
    ] = False,
    strict: Annotated[
        bool, typer.Option("--strict", help="Exitcode 1 als er iets is geweigerd.")
    ] = False,
    today: Annotated[
        datetime | None,
        typer.Option(formats=["%Y-%m-%d"], help="Peildatum (standaard vandaag)."),
    ] = None,
    batch_size: Annotated[
        int, typer.Option(min=1, help="Records per transactie.")
    ] = DEFAULT_BATCH_SIZE,
) -> None:
    """Neem vroegsignalen in: controleren, eenmalig opslaan, fouten in quarantaine."""
    settings, engine = _engine()
    if rejected:
        with engine.connect() as conn:
            rows = repo.list_quarantine(conn, file_name=files[0].name if files else None)
        table = Table(title="Quarantaine")
        table.add_column("bestand", overflow="fold")
        table.add_column("plaats", no_wrap=True)
        table.add_column("veld", overflow="fold")
        table.add_column("reden")
        table.add_column("reason")
        for row in rows:
            table.add_row(row.file_name, row.position, row.fields, row.reason_nl, row.reason_en)
        console.print(table)
        console.print(f"{len(rows)} geweigerde records.")
        return
    if not files:
        raise _fail("geef een of meer bestanden, of --rejected. Zie: proactief intake --help")
    pseudonymizer = _pseudonymizer(settings)
    any_rejected = False
    summary = Table("bestand", "records", "opgeslagen", "dubbel", "geweigerd", title="Inname")
    for path in files:
        with _progress() as progress:
            task = progress.add_task(f"Inname {path.name}", total=None)

            def advance(done: int, total: int | None, task: TaskID = task) -> None:
                progress.update(task, completed=done, total=total)

            try:
                result = intake_file(
                    path,
                    engine=engine,
                    pseudonymizer=pseudonymizer,
                    today=today.date() if today else None,
                    batch_size=batch_size,
                    on_progress=advance,
                )
            except IntakeFileError as exc:
                raise _fail(f"{exc} — niets uit dit bestand is ingenomen.") from exc
        any_rejected = any_rejected or result.rejected > 0
        summary.add_row(
            result.file_name,
            str(result.records),
            str(result.accepted),
            str(result.duplicates),
            str(result.rejected),
        )
    console.print(summary)
    if any_rejected:
        console.print("Bekijk de geweigerde records met: proactief intake --rejected")
    if strict and any_rejected:
        raise typer.Exit(1)


@cases_app.callback()
def cases_list(
    ctx: typer.Context,
    limit: Annotated[int, typer.Option(help="Hoeveel zaken tonen.")] = 25,
) -> None:
    """Toon de werkvoorraad: open zaken, hoogste prioriteit eerst, met de redenen."""
    if ctx.invoked_subcommand is not None:
        return
    _settings, engine = _engine()
    with engine.begin() as conn:  # the read is written to the audit trail
        items = work_queue(conn=conn, limit=limit)
    table = Table("zaak", "prioriteit", "signalen", "bedrag", "partners", "sinds", "waarom")
    for item in items:
        table.add_row(
            str(item.case.case_id),
            str(item.case.priority),
            str(item.measures.aantal_signalen),
            f"€ {item.measures.totaal_bedrag}",
            ", ".join(item.partners),
            item.first_signal.isoformat(),
            "\n".join(f"+{r.points} {r.reason}" for r in item.case.priority_reasons),
        )
    console.print(table)
    console.print(f"{len(items)} open zaken getoond (maximaal {limit}).")


@cases_app.command("match")
def cases_match(
    on: Annotated[
        datetime | None,
        typer.Option("--datum", formats=["%Y-%m-%d"], help="Matchingsdatum (standaard vandaag)."),
    ] = None,
) -> None:
    """Vorm zaken: signalen van dezelfde persoon binnen de matchingperiode samen."""
    _settings, engine = _engine()
    config = _work_queue_config()
    with engine.begin() as conn:
        result = match_signals(
            conn=conn, matchingsdatum=on.date() if on else date.today(), config=config
        )
    console.print(
        f"{result.signals_matched} signalen gematcht: {result.cases_created} nieuwe zaken, "
        f"{result.cases_extended} bestaande zaken aangevuld, "
        f"{result.cases_filtered} niet opgepakt volgens het gemeentelijk filter."
    )


@cases_app.command("show")
def cases_show(case_id: Annotated[int, typer.Argument(help="Zaaknummer.")]) -> None:
    """Toon één zaak met signalen, prioriteit en contactpogingen."""
    _settings, engine = _engine()
    with engine.begin() as conn:  # the read is written to the audit trail
        try:
            case = get_case(conn=conn, case_id=case_id)
        except CaseNotFoundError as exc:
            raise _fail(str(exc)) from exc
    console.print(f"[bold]Zaak {case.case_id}[/] (matching {case.matchingsdatum})")
    console.print(f"Signalen: {', '.join(case.signal_ids)}")
    console.print(f"Prioriteit {case.priority}:")
    for reason in case.priority_reasons:
        console.print(f"  +{reason.points} {reason.reason} [{reason.rule_id}]")
    for attempt in case.contactpogingen:
        console.print(
            f"  {attempt.datum} {attempt.soort} {attempt.dagdeel or ''} "
            f"{'bereikt' if attempt.bereikt else 'niet bereikt'}"
        )
    console.print(f"Eindresultaat: {case.eindresultaat or '(nog open)'}")


@cases_app.command("contact")
def cases_contact(
    case_id: Annotated[int, typer.Argument(help="Zaaknummer.")],
    soort: Annotated[Contactsoort, typer.Option(help="Soort contact (DDAS).")],
    bereikt: Annotated[
        bool, typer.Option("--bereikt/--niet-bereikt", help="Is de inwoner bereikt?")
    ],
    datum: Annotated[
        datetime | None, typer.Option(formats=["%Y-%m-%d"], help="Standaard vandaag.")
    ] = None,
    dagdeel: Annotated[Dagdeel | None, typer.Option(help="Ochtend, Middag of Avond.")] = None,
) -> None:
    """Registreer een contactpoging bij een zaak."""
    _settings, engine = _engine()
    attempt = Contactpoging(
        soort=soort,
        datum=datum.date() if datum else date.today(),
        dagdeel=dagdeel,
        bereikt=bereikt,
    )
    try:
        with engine.begin() as conn:
            register_contact(conn=conn, case_id=case_id, attempt=attempt)
    except (CaseNotFoundError, CaseClosedError, ContactDateError) as exc:
        raise _fail(str(exc)) from exc
    console.print(f"Contactpoging geregistreerd bij zaak {case_id}.")


@cases_app.command("accept")
def cases_accept(
    case_id: Annotated[int, typer.Argument(help="Zaaknummer.")],
    datum: Annotated[
        datetime | None, typer.Option(formats=["%Y-%m-%d"], help="Standaard vandaag.")
    ] = None,
) -> None:
    """Leg vast dat de inwoner hulp aanneemt (na een contactpoging waarbij u hem bereikte)."""
    _settings, engine = _engine()
    try:
        with engine.begin() as conn:
            accept_help(conn=conn, case_id=case_id, datum=datum.date() if datum else date.today())
    except (CaseNotFoundError, CaseClosedError, ContactDateError, NotReachedError) as exc:
        raise _fail(str(exc)) from exc
    console.print(
        f"Zaak {case_id}: de inwoner neemt hulp aan. " + _work_queue_config().accepted_help_notice()
    )


@cases_app.command("close")
def cases_close(
    case_id: Annotated[int, typer.Argument(help="Zaaknummer.")],
    resultaat: Annotated[Eindresultaat, typer.Option(help="Eindresultaat (DDAS).")],
    datum: Annotated[
        datetime | None, typer.Option(formats=["%Y-%m-%d"], help="Standaard vandaag.")
    ] = None,
) -> None:
    """Sluit een zaak af met een eindresultaat."""
    _settings, engine = _engine()
    try:
        with engine.begin() as conn:
            close_case(
                conn=conn,
                case_id=case_id,
                eindresultaat=resultaat,
                datum=datum.date() if datum else date.today(),
            )
    except (CaseNotFoundError, CaseClosedError, ContactDateError) as exc:
        raise _fail(str(exc)) from exc
    console.print(f"Zaak {case_id} afgesloten: {resultaat.value}.")


@report_app.command("ddas")
def report_ddas(
    start: Annotated[datetime, typer.Option("--from", formats=["%Y-%m-%d"], help="Begindatum.")],
    end: Annotated[datetime, typer.Option("--to", formats=["%Y-%m-%d"], help="Einddatum.")],
    gemeentecode: Annotated[str, typer.Option(help="CBS-gemeentecode, bijv. 0344.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Uitvoerbestand (.json).")],
) -> None:
    """Schrijf de CBS-levering (DDAS v1.2 JSON); alleen als die tegen het schema klopt."""
    settings, engine = _engine()
    try:
        request = ReportRequest(
            start=start.date(),
            end=end.date(),
            gemeentecode=gemeentecode,
            organisation_name=settings.organisation_name,
            gegevensleverancier=settings.gegevensleverancier,
        )
    except ValueError as exc:
        raise _fail(str(exc)) from exc
    with engine.begin() as conn:
        document = build_ddas_report(conn=conn, request=request, now=datetime.now(UTC))
    try:
        write_ddas_report(document, output)
    except ReportInvalidError as exc:
        raise _fail(str(exc), 1) from exc
    levering = document["leveringen"][0]
    console.print(
        f"{output}: {len(levering['vroegsignalen'])} vroegsignalen en "
        f"{len(levering['vroegsignaalzaken'])} zaken; geldig volgens DDAS v1.2."
    )


@app.command()
def demo(
    residents: Annotated[int, typer.Option(help="Aantal inwoners.")] = 50_000,
    months: Annotated[int, typer.Option(help="Maanden signalen.")] = 12,
    seed: Annotated[int, typer.Option(help="Startwaarde van het toeval.")] = 2026,
    reset: Annotated[
        bool, typer.Option("--reset", help="Wis eerst alle gegevens in de database.")
    ] = False,
    berichten: Annotated[
        int,
        typer.Option(
            min=0, help="Voor zoveel nieuwe zaken de eerste stap zetten (brieven, e-mails)."
        ),
    ] = 12,
    serve: Annotated[
        bool, typer.Option("--serve", help="Start daarna de webapp op de demogemeente.")
    ] = False,
    port: Annotated[int, typer.Option(help="Poort van de webapp (met --serve).")] = 8000,
) -> None:
    """Draai de hele keten voor de synthetische 'Gemeente Voorbeeld'."""
    from proactief.demo.run import run_demo

    settings, engine = _engine()
    with engine.begin() as conn:
        if repo.count_rows(conn, "signals") or repo.count_rows(conn, "households"):
            if not reset:
                raise _fail(
                    "de database bevat al gegevens. Gebruik 'proactief demo --reset' (of "
                    "'proactief demo --reset --serve') om alles te wissen en de demo opnieuw "
                    "te maken, of 'proactief serve' om de webapp op deze gegevens te openen."
                )
            repo.clear_all(conn)
    pseudonymizer = _pseudonymizer(settings)
    with _progress() as progress:
        tasks: dict[str, TaskID] = {}

        def step(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = progress.add_task(stage, total=total)
            progress.update(tasks[stage], completed=done, total=total)

        result = run_demo(
            engine=engine,
            pseudonymizer=pseudonymizer,
            work_queue=_work_queue_config(),
            out_dir=settings.data_dir / "demo",
            residents=residents,
            months=months,
            seed=seed,
            organisation_name=settings.organisation_name,
            gegevensleverancier=settings.gegevensleverancier,
            progress=step,
            sample_messages=berichten,
        )
    _print_demo_summary(result)
    if result.offers is not None:
        _print_offers(result.offers)
    if serve:
        _serve_demo(engine, port)


def _serve_demo(engine: Engine, port: int) -> None:
    """Demo users with fresh passwords, a resident code, then the web app."""
    import secrets

    from proactief.cli_web import run_server
    from proactief.pipeline.resident_access import create_code
    from proactief.pipeline.users import Rol, UserError, add_user

    table = Table(title="Inloggen in de webapp (alleen voor deze demo)")
    for column in ("Gebruikersnaam", "Rol", "Wachtwoord"):
        table.add_column(column)
    with engine.begin() as conn:
        for rol in Rol:
            password = secrets.token_urlsafe(12)
            try:
                add_user(
                    conn=conn, gebruikersnaam=f"demo-{rol.value}", wachtwoord=password, rol=rol
                )
            except UserError:
                password = "(bestond al; wachtwoord ongewijzigd)"
            table.add_row(f"demo-{rol.value}", rol.value, password)
        rows = repo.open_case_rows(conn, limit=1)
        code = create_code(conn=conn, person_pseudonym=rows[0].person_pseudonym) if rows else None
    console.print(table)
    if code:
        console.print(
            f"Inwoner van zaak {rows[0].id}: ga naar http://localhost:{port}/inwoner en vul "
            f"de code {code} in."
        )
    run_server(host="127.0.0.1", port=port)


def _print_demo_summary(result: "DemoResult") -> None:
    sim = result.simulation
    table = Table(title="Gemeente Voorbeeld — samenvatting", show_header=False)
    table.add_row("Periode", f"{result.period[0]} t/m {result.period[1]}")
    table.add_row("Inwoners / huishoudens", f"{result.residents} / {result.households}")
    records = sum(r.records for r in result.intake)
    table.add_row(
        "Signalen ingelezen",
        f"{records} records: {sum(r.accepted for r in result.intake)} opgeslagen, "
        f"{sum(r.duplicates for r in result.intake)} dubbel, "
        f"{sum(r.rejected for r in result.intake)} geweigerd (quarantaine)",
    )
    created = sum(m.cases_created for m in result.matching)
    filtered = sum(m.cases_filtered for m in result.matching)
    table.add_row("Zaken", f"{created} gevormd, {filtered} niet opgepakt (filter)")
    handled = sum(sim.cases.values())
    reached = sum(sim.reached.values())
    accepted = sum(sim.accepted.values())
    table.add_row(
        "Contact",
        f"{handled} zaken benaderd, {reached} bereikt ({reached / max(handled, 1):.0%}), "
        f"{accepted} hulp aanvaard",
    )
    names = {
        "written_contact_only": "alleen schriftelijk",
        "at_least_one_phone_attempt": "met telefoon",
        "at_least_one_home_visit": "met huisbezoek",
    }
    for key, label in names.items():
        n = sim.cases[key]
        table.add_row(
            f"  bereik {label}", f"{sim.reached[key]}/{n} ({sim.reached[key] / max(n, 1):.0%})"
        )
    table.add_row("Afgesloten / nog open", f"{sim.closed} / {result.open_cases}")
    prefs = result.preferences
    table.add_row(
        "Voorkeuren van inwoners",
        f"{prefs.get('kanaal', 0)} kanaal, {prefs.get('elektronisch', 0)} e-mail akkoord, "
        f"{prefs.get('vertegenwoordiger', 0)} bewindvoerder, {result.opted_out} afgemeld, "
        f"{prefs.get('vragenlijst', 0)} vragenlijst ingevuld (met toestemming)",
    )
    table.add_row(
        "Berichten",
        f"{sim.messages_sent} verzonden, {sim.messages_blocked} tegengehouden (afgemeld); "
        f"aan afgemelde inwoners verzonden: {result.messages_to_opted_out}",
    )
    table.add_row(
        "Audit-log",
        f"{result.audit_entries} regels, keten "
        + ("ongeschonden" if result.audit_ok else "AANGETAST"),
    )
    table.add_row(
        "CBS-levering",
        f"{result.report_signals} signalen, {result.report_cases} zaken, geldig volgens DDAS v1.2",
    )
    if result.non_take_up is not None:
        total = float(result.non_take_up["bedrag_per_jaar_totaal"].sum())
        table.add_row(
            f"Niet-gebruik {result.entitlements_year}",
            f"€ {total:,.0f} per jaar blijft liggen".replace(",", "."),
        )
        for row in result.non_take_up.to_dict(orient="records"):
            amount = f"{row['bedrag_per_jaar_totaal']:,.0f}".replace(",", ".")
            table.add_row(
                f"  {row['regeling']}",
                f"{row['recht_niet_ontvangen']} huishoudens, € {amount}"
                + (
                    f"; {row['mogelijk_recht_gegevens_nodig']} mogelijk (gegevens nodig)"
                    if row["mogelijk_recht_gegevens_nodig"]
                    else ""
                ),
            )
    table.add_row("Tijd", f"{result.seconds:.1f} s")
    console.print(table)
    console.print(f"CBS-levering: {result.report_path}", soft_wrap=True)
    console.print(f"Aangeleverde bestanden: {result.files[0].parent}", soft_wrap=True)
    console.print("Bekijk de werkvoorraad met: proactief cases")
    if result.population_file is not None:
        console.print(
            f"Niet-gebruik: {result.non_take_up_file}. Opnieuw scannen: proactief rules scan "
            f"{result.population_file} --receipts {result.receipts_file} --jaar "
            f"{result.entitlements_year} -o niet-gebruik.csv",
            soft_wrap=True,
        )


def _print_offers(offers: "OfferStepResult") -> None:
    """The offers by first channel and tone, and the messages the demo made."""
    tones = sorted({tone for _channel, tone in offers.by_channel_and_tone})
    channels = sorted({channel for channel, _tone in offers.by_channel_and_tone})
    table = Table(title=f"Aanbod voor {offers.offers} open zaken: eerste kanaal en toon")
    table.add_column("Eerste kanaal")
    for tone in tones:
        table.add_column(tone, justify="right")
    table.add_column("totaal", justify="right")
    for channel in channels:
        counts = [offers.by_channel_and_tone[(channel, tone)] for tone in tones]
        table.add_row(channel, *(str(n) for n in counts), str(sum(counts)))
    console.print(table)
    basis = ", ".join(f"{n} {name}" for name, n in sorted(offers.by_basis.items()))
    console.print(f"Gekozen op basis van: {basis}.")
    made = Counter(f"{s.kanaal.value if s.kanaal else '-'} {s.status}" for s in offers.steps)
    console.print(
        f"Eerste stap gezet voor {len(offers.steps)} nieuwe zaken: "
        + (", ".join(f"{n}x {what}" for what, n in sorted(made.items())) or "geen")
        + f". Uitgaand: {offers.outbox}",
        soft_wrap=True,
    )
    if offers.problems:
        err.print(f"[yellow]Berichtcontrole: {len(offers.problems)} punten[/]")
        for problem in offers.problems[:10]:
            err.print(f"- {problem}")
    else:
        console.print(
            f"Berichtcontrole: alle {offers.messages_checked} berichten in orde "
            "(elementen, leesbaarheid B1, woordkeuze)."
        )
    console.print(
        f"Alle berichten van een zaak per toon ({', '.join(offers.preview_tones)}): "
        f"{offers.previews}",
        soft_wrap=True,
    )
    console.print(
        f"Overzicht per zaak: {offers.overview_file}. Uitleg per zaak: proactief offer "
        "explain ZAAK. Open taken: proactief tasks list.",
        soft_wrap=True,
    )


def main() -> None:
    """Entry point of the ``proactief`` command."""
    app()

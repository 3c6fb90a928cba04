"""Commands of early detection: ``proactief intake | cases | report``."""

import gc
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import (
    TaskID,
)
from rich.table import Table

from proactief.accounts.users import list_users
from proactief.cli.common import (
    console,
    context,
    progress_bar,
    shown,
)
from proactief.cli.common import fail as _fail
from proactief.domain import Contactpoging, Contactsoort, Dagdeel, Eindresultaat, Signaalpartner
from proactief.early_detection.cases import match_signals
from proactief.early_detection.contacts import (
    AlreadyAcceptedError,
    CaseClosedError,
    CaseNotFoundError,
    ContactDateError,
    NotReachedError,
    accept_help,
    close_case,
    get_case,
    register_contact,
)
from proactief.early_detection.intake import DEFAULT_BATCH_SIZE, intake_file, rejected_records
from proactief.early_detection.queue import (
    PAGE_SIZES,
    STATUS_NL,
    QueueFilter,
    Sortering,
    ZaakStatus,
    next_action_label,
    queue_page,
)
from proactief.early_detection.report import (
    ReportInvalidError,
    ReportRequest,
    build_ddas_report,
    write_ddas_report,
)
from proactief.sources import IntakeFileError

cases_app = typer.Typer(
    help="Werkvoorraad: zaken vormen, bekijken, contact registreren, afsluiten.",
    invoke_without_command=True,
)
report_app = typer.Typer(help="Rapportages.", no_args_is_help=True)


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
    _settings, engine = context().settings, context().engine
    if rejected:
        with engine.begin() as conn:  # begin: the audit entry of the read must stay
            rows = rejected_records(
                conn=conn, file_name=files[0].name if files else None, actor="medewerker"
            )
        table = Table(title="Quarantaine")
        table.add_column("bestand", overflow="fold")
        table.add_column("plaats", no_wrap=True)
        table.add_column("veld", overflow="fold")
        table.add_column("reden")
        table.add_column("reason")
        for row in rows:
            table.add_row(
                *(
                    shown(v)
                    for v in (row.file_name, row.position, row.fields, row.reason_nl, row.reason_en)
                )
            )
        console.print(table)
        console.print(f"{len(rows)} geweigerde records.")
        return
    if not files:
        raise _fail("geef een of meer bestanden, of --rejected. Zie: proactief intake --help")
    pseudonymizer = context().pseudonymizer
    # This process ends after the intake: what is loaded by now (modules, settings) stays,
    # so the garbage collector need not walk it again at every collection (about a tenth
    # of intake's time on a large file, docs/benchmarks-intake-peer.md).
    gc.freeze()
    any_rejected = False
    summary = Table(
        "bestand", "records", "opgeslagen", "dubbel", "geweigerd", "in quarantaine", title="Inname"
    )
    for path in files:
        with progress_bar() as progress:
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
        # a file delivered again still has its rejected records in quarantine
        any_rejected = any_rejected or result.in_quarantaine > 0
        summary.add_row(
            shown(result.file_name),
            str(result.records),
            str(result.accepted),
            str(result.duplicates),
            str(result.rejected),
            str(result.in_quarantaine),
        )
    console.print(summary)
    if any_rejected:
        console.print("Bekijk de geweigerde records met: proactief intake --rejected")
    if strict and any_rejected:
        raise typer.Exit(1)


@cases_app.callback()
def cases_list(
    ctx: typer.Context,
    zoek: Annotated[
        str,
        typer.Option(
            help="Zaaknummer, BSN, postcode met huisnummer ('1234AB 12'), of achternaam met "
            "geboortedatum ('de Vries 12-03-1980', met PROACTIEF_BRP_URL)."
        ),
    ] = "",
    status: Annotated[ZaakStatus | None, typer.Option(help="Alleen zaken met deze status.")] = None,
    eigenaar: Annotated[
        str, typer.Option(help="Alleen zaken van deze medewerker (gebruikersnaam).")
    ] = "",
    zonder_eigenaar: Annotated[
        bool, typer.Option("--zonder-eigenaar", help="Alleen zaken zonder contactpersoon.")
    ] = False,
    partner: Annotated[
        Signaalpartner | None, typer.Option(help="Alleen zaken met een signaal van deze partner.")
    ] = None,
    crisis: Annotated[bool, typer.Option("--crisis", help="Alleen zaken met een crisis.")] = False,
    vandaag: Annotated[
        bool, typer.Option("--vandaag", help="Alleen zaken met een actie vandaag of eerder.")
    ] = False,
    sorteer: Annotated[Sortering, typer.Option(help="Sorteer op deze kolom.")] = (
        Sortering.PRIORITEIT
    ),
    oplopend: Annotated[bool, typer.Option("--oplopend", help="Kleinste eerst.")] = False,
    pagina: Annotated[int, typer.Option(min=1, help="Welke pagina.")] = 1,
    limit: Annotated[int, typer.Option(help="Zaken per pagina: 25, 50 of 100.")] = 25,
) -> None:
    """Toon de werkvoorraad zoals de webapp: open zaken met status, contactpersoon en
    volgende actie, hoogste prioriteit eerst, met de redenen."""
    if ctx.invoked_subcommand is not None:
        return
    if limit not in PAGE_SIZES:
        raise _fail(f"--limit: kies 25, 50 of 100 (niet {limit}).")
    app = context()
    with app.engine.begin() as conn:  # the read is written to the audit trail
        users = list_users(conn=conn)
        owner_id = None
        if eigenaar:
            found = [u for u in users if u.gebruikersnaam == eigenaar]
            if not found:
                raise _fail(f"--eigenaar: medewerker '{shown(eigenaar)}' bestaat niet.")
            owner_id = found[0].user_id
        page = queue_page(
            conn,
            QueueFilter(
                zoek=zoek,
                status=status,
                eigenaar=owner_id,
                zonder_eigenaar=zonder_eigenaar,
                partner=partner.value if partner else None,
                crisis=crisis,
                actie_tot=date.today() if vandaag else None,
                sortering=sorteer,
                aflopend=not oplopend,
                pagina=pagina,
                per_pagina=limit,
            ),
            actor="medewerker",
            people=app.person_search,
        )
    if page.zoekfout:
        raise _fail(page.zoekfout)
    names = {u.user_id: u.naam or u.gebruikersnaam for u in users}
    table = Table(
        "zaak",
        "prioriteit",
        "status",
        "contactpersoon",
        "volgende actie",
        "partners",
        "sinds",
        "waarom",
    )
    for row in page.rows:
        table.add_row(
            str(row.case_id),
            str(row.priority),
            STATUS_NL[row.status],
            names.get(row.eigenaar_id, "-") if row.eigenaar_id else "-",
            f"{row.next_action.isoformat()}: {next_action_label(row)}"
            if row.next_action
            else next_action_label(row),
            f"campagne: {row.campagne}" if row.campagne else ", ".join(row.partners),
            row.matchingsdatum.isoformat(),
            "\n".join(f"+{r.points} {r.reason}" for r in row.priority_reasons),
        )
    console.print(table)
    console.print(
        f"Pagina {page.pagina} van {page.pages}: {len(page.rows)} van {page.total} open zaken."
    )


@cases_app.command("match")
def cases_match(
    on: Annotated[
        datetime | None,
        typer.Option("--datum", formats=["%Y-%m-%d"], help="Matchingsdatum (standaard vandaag)."),
    ] = None,
) -> None:
    """Vorm zaken: signalen van dezelfde persoon binnen de matchingperiode samen."""
    engine = context().engine
    config = context().work_queue
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
    engine = context().engine
    with engine.begin() as conn:  # the read is written to the audit trail
        try:
            case = get_case(conn=conn, case_id=case_id)
        except CaseNotFoundError as exc:
            raise _fail(str(exc)) from exc
    console.print(f"[bold]Zaak {case.case_id}[/] (matching {case.matchingsdatum})")
    console.print(f"Signalen: {shown(', '.join(case.signal_ids))}")
    console.print(f"Prioriteit {case.priority}:")
    for reason in case.priority_reasons:
        console.print(f"  +{reason.points} {reason.reason} [{reason.rule_id}]")
    for attempt in case.contactpogingen:
        console.print(
            f"  {attempt.datum} {attempt.soort} {attempt.dagdeel or ''} "
            f"{'bereikt' if attempt.bereikt else 'niet bereikt'}"
        )
    console.print(f"Eindresultaat: {case.eindresultaat or '(nog open)'}")


@cases_app.command("assign")
def cases_assign(
    case_id: Annotated[int, typer.Argument(help="Zaaknummer.")],
    gebruikersnaam: Annotated[
        str | None, typer.Argument(help="Inlognaam van de vaste contactpersoon.")
    ] = None,
    geen: Annotated[bool, typer.Option("--geen", help="Haal de contactpersoon weg.")] = False,
) -> None:
    """Maak een medewerker de vaste contactpersoon van een zaak (berichten noemen die naam)."""
    from proactief.early_detection.owners import OwnerError, assign_owner

    if (gebruikersnaam is None) != geen:
        raise _fail("geef een inlognaam, of --geen om de contactpersoon weg te halen.")
    try:
        with context().engine.begin() as conn:
            assign_owner(
                conn=conn, case_id=case_id, gebruikersnaam=gebruikersnaam, actor="medewerker"
            )
    except OwnerError as exc:
        raise _fail(str(exc)) from exc
    console.print(
        f"Zaak {case_id}: "
        + (
            f"vaste contactpersoon is {shown(gebruikersnaam)}."
            if gebruikersnaam
            else "geen vaste contactpersoon."
        )
    )


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
    engine = context().engine
    attempt = Contactpoging(
        soort=soort,
        datum=datum.date() if datum else date.today(),
        dagdeel=dagdeel,
        bereikt=bereikt,
    )
    try:
        with engine.begin() as conn:
            register_contact(conn=conn, case_id=case_id, attempt=attempt, niet_na=date.today())
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
    engine = context().engine
    try:
        with engine.begin() as conn:
            accept_help(
                conn=conn,
                case_id=case_id,
                datum=datum.date() if datum else date.today(),
                niet_na=date.today(),
            )
    except AlreadyAcceptedError as exc:
        console.print(str(exc).split(" / ")[0])  # idempotent: nothing changed
        return
    except (CaseNotFoundError, CaseClosedError, ContactDateError, NotReachedError) as exc:
        raise _fail(str(exc)) from exc
    console.print(
        f"Zaak {case_id}: de inwoner neemt hulp aan. " + context().work_queue.accepted_help_notice()
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
    engine = context().engine
    try:
        with engine.begin() as conn:
            close_case(
                conn=conn,
                case_id=case_id,
                eindresultaat=resultaat,
                datum=datum.date() if datum else date.today(),
                niet_na=date.today(),
            )
    except (CaseNotFoundError, CaseClosedError, ContactDateError) as exc:
        raise _fail(str(exc)) from exc
    console.print(f"Zaak {case_id} afgesloten: {resultaat.value}.")


@cases_app.command("reopen")
def cases_reopen(
    case_id: Annotated[int, typer.Argument(help="Zaaknummer.")],
    reden: Annotated[str, typer.Option(help="Waarom (komt in het audit-log).")],
) -> None:
    """Heropen een afgesloten zaak (teamleider), met een reden in het audit-log."""
    from proactief.early_detection.contacts import ReopenError, reopen_case

    try:
        with context().engine.begin() as conn:
            reopen_case(conn=conn, case_id=case_id, reden=reden, actor="medewerker")
    except (CaseNotFoundError, ReopenError) as exc:
        raise _fail(str(exc)) from exc
    console.print(f"Zaak {case_id} is weer open; de reden staat in het audit-log.")


@cases_app.command("feedback")
def cases_feedback(
    partner: Annotated[
        Signaalpartner, typer.Option("--partner", help="De signaalpartner, bijv. Zorg.")
    ],
    output: Annotated[Path, typer.Option("-o", "--output", help="Uitvoerbestand (.csv).")],
    door: Annotated[str, typer.Option(help="Wie verstuurt het (komt in het logboek).")] = (
        "medewerker"
    ),
) -> None:
    """Terugkoppeling aan een schuldeiser: wat er sinds de vorige keer met zijn eigen
    signalen gebeurde (opgepakt, niet opgepakt, hulp aangenomen), nooit waarom."""
    from proactief.early_detection.feedback import as_csv, send_feedback

    if output.exists():
        raise _fail(f"{output} bestaat al; kies een nieuw bestand (er gaat niets verloren).")
    ctx = context()
    with ctx.engine.begin() as conn:
        lines = send_feedback(
            conn, config=ctx.work_queue, partner=partner.value, door=door, via="bestand"
        )
        # written inside the transaction: if the file cannot be written, nothing is marked
        output.write_text(as_csv(lines), encoding="utf-8")
    console.print(
        f"{len(lines)} {'regel' if len(lines) == 1 else 'regels'} voor {partner.value} in "
        f"{output}. Die staan nu als verstuurd vastgelegd; een volgende keer komen alleen "
        "nieuwe regels."
    )


@report_app.command("ddas")
def report_ddas(
    start: Annotated[datetime, typer.Option("--from", formats=["%Y-%m-%d"], help="Begindatum.")],
    end: Annotated[datetime, typer.Option("--to", formats=["%Y-%m-%d"], help="Einddatum.")],
    gemeentecode: Annotated[str, typer.Option(help="CBS-gemeentecode, bijv. 0344.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Uitvoerbestand (.json).")],
) -> None:
    """Schrijf de CBS-levering (DDAS v1.2 JSON); alleen als die tegen het schema klopt."""
    settings, engine = context().settings, context().engine
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

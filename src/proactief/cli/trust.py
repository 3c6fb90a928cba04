"""``proactief audit | retention | consent``: the trust commands."""

import json
import sys
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from proactief.channels.letter import render_letter_html, render_pdf
from proactief.cli.common import console, context, err, shown
from proactief.cli.common import fail as _fail
from proactief.domain import EventSoort, Wijze
from proactief.trust import repository as trust_repo
from proactief.trust.anchor import AnchorFileError, check_audit
from proactief.trust.consent import current_state, events_of, record_event
from proactief.trust.identity import keep_bsn
from proactief.trust.keys import complete_rotation, pending_key_path
from proactief.trust.messaging import MessageNotFoundError, why_message
from proactief.trust.pseudonyms import create_key, is_valid_bsn, key_fingerprint
from proactief.trust.retention import run_retention
from proactief.trust.rotation import RotationError, rotate_pseudonyms

key_app = typer.Typer(help="De sleutel van de pseudoniemen.", no_args_is_help=True)
audit_app = typer.Typer(help="Audit-log: controleer de keten.", no_args_is_help=True)
retention_app = typer.Typer(help="Bewaartermijnen: verwijder wat te oud is.", no_args_is_help=True)
consent_app = typer.Typer(
    help="Voorkeuren en toestemmingen van een inwoner (op BSN).", no_args_is_help=True
)


@audit_app.command("verify")
def audit_verify() -> None:
    """Controleer het audit-log: geen regel gewijzigd of verwijderd (de keten), niets
    afgeknipt of herschreven (de ankers buiten de database), en elke afmelding die het
    log noemt staat nog bij de voorkeuren."""

    ctx = context()
    ctx.anchor_at_exit = False
    with ctx.engine.connect() as conn:
        try:
            checked = check_audit(conn, ctx.settings.resolved_audit_anchor(), ctx.audit_anchor_key)
        except AnchorFileError as exc:
            raise _fail(str(exc)) from exc
    problems, count = checked.problems, checked.entries
    if problems:
        for problem in problems:
            where = f"Regel {problem.entry}" if problem.entry else "Ankers"
            err.print(f"[bold red]{where}:[/] {shown(problem.problem)}", soft_wrap=True)
        raise _fail(f"het audit-log is aangetast ({len(problems)} probleem/problemen)", 1)
    console.print(
        f"Audit-log in orde: {count} regels, keten ongeschonden, {checked.anchors} ankers "
        "kloppen, alle afmeldingen aanwezig."
    )


@audit_app.command("anchor")
def audit_anchor() -> None:
    """Veranker het audit-log nu buiten de database (voor een dagelijkse taak, cron)."""

    ctx = context()
    anchor = ctx.anchor_audit(ctx.engine, always=True)
    if anchor is None:
        raise _fail("het anker kon niet worden geschreven", 1)
    console.print(
        f"Anker geschreven in {shown(ctx.settings.resolved_audit_anchor())}: {anchor.aantal} "
        f"regels, laatste {anchor.laatste}."
    )


@retention_app.command("run")
def retention_run(
    today: Annotated[
        datetime | None,
        typer.Option("--datum", formats=["%Y-%m-%d"], help="Peildatum (standaard vandaag)."),
    ] = None,
) -> None:
    """Verwijder persoonsgegevens waarvan de bewaartermijn voorbij is (veilig te herhalen)."""

    engine = context().engine
    result = run_retention(engine=engine, today=today.date() if today else date.today())
    table = Table("gegevens", "verwijderd", title="Bewaartermijnen")
    for name, count in sorted(result.deleted.items()):
        table.add_row(name, str(count))
    console.print(table)
    console.print(
        f"{result.batches} batch(es); de aantallen voor rapportages zijn bewaard. "
        "Bekijk het verslag met: proactief audit verify"
    )


def _person(bsn: str) -> str:

    if not is_valid_bsn(bsn):
        raise _fail("dat is geen geldig BSN (9 cijfers, elfproef)")
    return context().pseudonymizer.for_bsn(bsn)


BSN = Annotated[
    str,
    typer.Option(
        help="BSN van de inwoner (gepseudonimiseerd; het BSN zelf alleen in de kluis, zodat "
        "de keuze ook na een sleutelwissel bij deze inwoner blijft)."
    ),
]
WIJZE = Annotated[str, typer.Option(help="Hoe: brief, web, telefoon of balie.")]
DOOR = Annotated[str, typer.Option(help="Wie legt het vast, bijv. medewerker:klantcontact.")]


def _record(bsn: str, soort: str, waarde: str, wijze: str, door: str) -> None:

    try:
        how = Wijze(wijze)
    except ValueError as exc:
        raise _fail(f"onbekende wijze {wijze!r}; kies brief, web, telefoon of balie") from exc
    engine = context().engine
    person = _person(bsn)
    with engine.begin() as conn:
        keep_bsn(conn=conn, person_pseudonym=person, bsn=bsn)
        record_event(
            conn=conn,
            person_pseudonym=person,
            soort=EventSoort(soort),
            waarde=waarde,
            wijze=how,
            door=door,
            now=datetime.now(UTC),
        )


@consent_app.command("opt-out")
def opt_out(bsn: BSN, wijze: WIJZE = "telefoon", door: DOOR = "medewerker") -> None:
    """Deze inwoner wil niet meer benaderd worden: geldt meteen, voor alles."""
    _record(bsn, "niet_benaderen", "", wijze, door)
    console.print("Vastgelegd: geen proactief contact meer met deze inwoner.")


@consent_app.command("opt-in")
def opt_in(bsn: BSN, wijze: WIJZE = "telefoon", door: DOOR = "medewerker") -> None:
    """Deze inwoner mag weer benaderd worden."""
    _record(bsn, "weer_benaderen", "", wijze, door)
    console.print("Vastgelegd: deze inwoner mag weer benaderd worden.")


@consent_app.command("show")
def show(bsn: BSN) -> None:
    """Toon de huidige voorkeuren en alle wijzigingen."""

    engine = context().engine
    person = _person(bsn)
    with engine.connect() as conn:
        state = current_state(conn=conn, person_pseudonym=person)
        events = events_of(conn=conn, person_pseudonym=person)
    console.print(f"Benaderen: {'nee (opt-out)' if state.niet_benaderen else 'ja'}")
    console.print(f"Kanalen: {', '.join(state.kanalen) or 'geen voorkeur'}")
    console.print(f"Elektronisch akkoord: {', '.join(sorted(state.elektronisch)) or 'geen'}")
    console.print(f"Vertegenwoordiger: {state.vertegenwoordiger or 'geen'}")
    table = Table("wanneer", "wat", "waarde", "hoe", "door", title="Wijzigingen")
    for e in events:
        table.add_row(e.tijdstip.isoformat(timespec="minutes"), e.soort, e.waarde, e.wijze, e.door)
    console.print(table)

    with engine.connect() as conn:
        sent = [m for m in trust_repo.message_rows(conn) if m.person_pseudonym == person]
    messages = Table("bericht", "datum", "kanaal", "status", title="Berichten")
    for m in sent:
        messages.add_row(str(m.id), m.tijdstip.date().isoformat(), m.kanaal, m.status)
    console.print(messages)
    console.print("Uitleg bij een bericht: proactief why NUMMER [--pdf brief.pdf]")


def why(
    message_id: Annotated[int, typer.Argument(help="Berichtnummer.")],
    pdf: Annotated[
        Path | None, typer.Option("--pdf", help="Schrijf de uitleg als brief (PDF).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Als JSON (voor de webpagina).")] = False,
) -> None:
    """Leg uit waarom iemand een bericht kreeg: aanleiding, gegevens, grondslag, keuzes."""

    engine = context().engine
    with engine.connect() as conn:
        try:
            data = why_message(conn=conn, message_id=message_id)
        except MessageNotFoundError as exc:
            raise _fail(str(exc)) from exc
    if pdf is not None:
        if not data["bereikt"]:
            raise _fail(
                f"bericht {message_id} heeft de inwoner niet bereikt (status {data['status']}): "
                "een brief 'Waarom kreeg ik dit bericht?' zou niet kloppen."
            )
        pdf.write_bytes(render_pdf(render_letter_html("waarom.html.j2", data)))
    if as_json:
        sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=1) + "\n")
        return
    console.print(f"[bold]Waarom kreeg ik dit bericht?[/] (bericht {message_id})")
    if data.get("aanbod"):
        # the same sentences as the message and the letter (channels/templates/aanbod)
        from proactief.channels.templating import why_account_html
        from proactief.offers.checks import plain_text

        text = plain_text("brief", why_account_html(data["aanbod"]))
        for line in text.splitlines():
            if line.strip():
                console.print(shown(" ".join(line.split())))
    else:
        console.print(data["waarom"])
    for key in ("selectieregel", "kanaalkeuze"):
        console.print(data[key])
    console.print(f"Grondslag: {data['grondslag']}")
    for keuze in data["uw_keuzes"]:
        console.print(f"- {keuze}")
    if pdf is not None:
        console.print(f"Brief: {pdf}")


@key_app.command("rotate")
def key_rotate() -> None:
    """Maak alle pseudoniemen opnieuw met een nieuwe sleutel, in één transactie (na een
    gelekte of verouderde sleutel). De oude sleutel blijft bewaard als <sleutel>.oud-<tijd>:
    het audit-log van vóór de wissel noemt pseudoniemen die daarmee zijn gemaakt."""

    ctx = context()
    engine = ctx.engine  # checks that the current key belongs to the database
    path = ctx.settings.resolved_key_file()
    pending = pending_key_path(path)
    pending.unlink(missing_ok=True)  # from a rotation stopped before its commit
    new_key = create_key(pending)
    try:
        with engine.begin() as conn:
            result = rotate_pseudonyms(conn=conn, new_key=new_key)
    except RotationError as exc:
        pending.unlink(missing_ok=True)
        raise _fail(str(exc)) from exc
    except BaseException:
        pending.unlink(missing_ok=True)  # rolled back: the old key stays the key
        raise
    complete_rotation(path, key_fingerprint(new_key))
    console.print(
        f"Nieuwe sleutel in gebruik ({shown(path)}). {result.personen} personen kregen een "
        f"nieuw pseudoniem uit de kluis; {result.zonder_identiteit} pseudoniemen zonder BSN "
        "in de kluis kregen een willekeurig nieuw pseudoniem (niet meer aan een BSN te "
        "koppelen; lees de bevolking opnieuw in). Maak een back-up van de nieuwe sleutel."
    )
